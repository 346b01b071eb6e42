import { useMemo, useState, type FormEvent } from "react";
import { api, type Contact } from "../../api";
import ContactFace from "../../components/ContactFace";
import { CloseIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { useLoaded } from "../../useLoaded";
import "./chats.css";

/** Who matches `needle` by name or username. */
export function matching(contacts: Contact[], needle: string): Contact[] {
  const text = needle.trim().toLowerCase().replace(/^@/, "");
  return contacts.filter(
    (c) =>
      text === "" ||
      c.display_name.toLowerCase().includes(text) ||
      c.username.toLowerCase().includes(text),
  );
}

/** The new-chat picker (Ctrl/Cmd+N): my contacts with a search box; a pick opens the chat. */
export default function NewChat({
  onPick,
  onClose,
}: {
  onPick: (contact: Contact) => void;
  onClose: () => void;
}) {
  const { data: contacts, error } = useLoaded(api.listContacts);
  const [search, setSearch] = useState("");
  useEscape(true, LAYER.menu, onClose);
  const shown = useMemo(() => matching(contacts ?? [], search), [contacts, search]);

  // Enter picks the first match.
  const pickFirst = (event: FormEvent) => {
    event.preventDefault();
    if (shown[0]) onPick(shown[0]);
  };

  return (
    <section
      className="contacts new-chat"
      role="dialog"
      aria-label="New chat"
      data-testid="new-chat"
    >
      <div className="row new-chat-header">
        <h2 className="contacts-title">New chat</h2>
        <button type="button" className="link-button" aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      <form className="row" onSubmit={pickFirst}>
        <input
          type="search"
          className="contacts-search"
          data-testid="new-chat-search"
          placeholder="Search contacts"
          aria-label="Search contacts"
          autoFocus
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {contacts?.length === 0 && (
        <p className="hint">No contacts yet. Add people under Chats by username, phone or link.</p>
      )}
      {contacts && contacts.length > 0 && shown.length === 0 && (
        <p className="hint" data-testid="new-chat-none">
          No contact matches “{search.trim()}”.
        </p>
      )}
      <ul className="contact-list">
        {shown.map((contact) => (
          <li key={contact.user_id} className="contact">
            <button
              type="button"
              className="new-chat-pick"
              data-testid="new-chat-contact"
              onClick={() => onPick(contact)}
            >
              <ContactFace contact={contact} />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
