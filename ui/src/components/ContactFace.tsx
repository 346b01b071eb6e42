import type { Contact } from "../bindings/Contact";
import Avatar from "./Avatar";

/** A contact as pickers show it: photo, name and @username. */
export default function ContactFace({ contact }: { contact: Contact }) {
  return (
    <>
      <Avatar
        owner={{ kind: "user", id: contact.user_id }}
        photo={contact.photo}
        name={contact.display_name}
      />
      <span className="contact-text">
        <span className="contact-name">{contact.display_name}</span>
        <span className="hint"> @{contact.username}</span>
      </span>
    </>
  );
}
