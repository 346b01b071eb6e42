import { useEffect, useMemo, useState } from "react";
import { describeError } from "../../api";
import { LetterAvatar } from "../../components/Avatar";
import { mediaApi, type ContactCard } from "./api";
import { useMediaActions } from "./MediaContext";
import { vcardDetails } from "./vcard";

/** A vCard's phone numbers and e-mail addresses, one a line. */
function VcardLines({ vcard }: { vcard: string }) {
  const { phones, emails } = useMemo(() => vcardDetails(vcard), [vcard]);
  if (phones.length === 0 && emails.length === 0) return null;
  return (
    <ul className="contact-card-details">
      {phones.map((phone) => (
        <li key={`tel:${phone}`} data-testid="contact-card-phone">
          <span className="hint">Phone</span> {phone}
        </li>
      ))}
      {emails.map((email) => (
        <li key={`email:${email}`} data-testid="contact-card-email">
          <span className="hint">E-mail</span> {email}
        </li>
      ))}
    </ul>
  );
}

/**
 * A shared contact: their name and @username. A GK Chat user has Message and, while not yet
 * one of my contacts, Add; a vCard shows its phone numbers and e-mail addresses and has Save
 * contact, which puts it in Downloads for the address book.
 */
export default function ContactCardView({ card }: { card: ContactCard }) {
  const { messageUser, myId, contacts } = useMediaActions();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = card.display_name;
  const vcard = card.vcard || null;
  /** The GK Chat user on the card, unless it is me. */
  const other = card.user_id !== undefined && card.user_id !== myId ? card.user_id : null;
  // Adding a contact goes by their username.
  const username = other !== null && contacts !== null ? (card.username ?? null) : null;
  const loadContacts = contacts?.load;
  useEffect(() => {
    if (username !== null) loadContacts?.();
  }, [username, loadContacts]);
  const known = contacts?.ids ?? null;
  const showAdd = username !== null && known !== null && other !== null && !known.has(other);

  const add = (who: string) => {
    if (!contacts) return;
    setBusy(true);
    setError(null);
    contacts
      .add(who)
      .catch((e) => setError(`Could not add ${name}: ${describeError(e)}`))
      .finally(() => setBusy(false));
  };
  const save = (text: string) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    mediaApi
      .saveVcard(name, text)
      .then((path) => setSaved(`Saved to ${path}`))
      .catch((e) => setError(`Could not save it: ${describeError(e)}`))
      .finally(() => setBusy(false));
  };

  return (
    <div className="contact-card" data-testid="contact-card">
      <div className="contact-card-person">
        <LetterAvatar name={name} />
        <span className="contact-card-text">
          <span className="contact-name">{name}</span>
          {card.username && <span className="hint">@{card.username}</span>}
        </span>
      </div>
      {vcard !== null && <VcardLines vcard={vcard} />}
      {saved && (
        <p className="hint contact-card-status" role="status" data-testid="contact-card-saved">
          {saved}
        </p>
      )}
      {error && (
        <p className="error contact-card-status" role="alert" data-testid="contact-card-error">
          {error}
        </p>
      )}
      {((other !== null && messageUser) || showAdd || vcard !== null) && (
        <div className="contact-card-actions">
          {other !== null && messageUser && (
            <button
              type="button"
              className="contact-card-action"
              aria-label={`Message ${name}`}
              data-testid="contact-card-message"
              onClick={() => messageUser(other)}
            >
              Message
            </button>
          )}
          {showAdd && (
            <button
              type="button"
              className="contact-card-action"
              aria-label={`Add ${name} to your contacts`}
              data-testid="contact-card-add"
              disabled={busy}
              onClick={() => add(username)}
            >
              Add
            </button>
          )}
          {vcard !== null && (
            <button
              type="button"
              className="contact-card-action"
              aria-label={`Save ${name} as a contact file`}
              data-testid="contact-card-save"
              disabled={busy}
              onClick={() => save(vcard)}
            >
              Save contact
            </button>
          )}
        </div>
      )}
    </div>
  );
}
