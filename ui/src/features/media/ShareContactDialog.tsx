import { useMemo, useRef, useState } from "react";
import { api, describeError, type Contact } from "../../api";
import ContactFace from "../../components/ContactFace";
import { LAYER, useEscape } from "../../shortcuts";
import { useLoaded } from "../../useLoaded";
import { matching } from "../chats/NewChat";
import { mediaApi } from "./api";

/** What a vCard file may be called or typed as. */
const VCARD_TYPES = ".vcf,text/vcard,text/x-vcard";

/**
 * Sharing a contact into a chat (the clip's Contact): my contacts with a filter, each shared as
 * its GK Chat card, or the first person of a vCard file. It closes once the card is sent, on
 * Cancel and on Esc; a refusal stays in it.
 */
export default function ShareContactDialog({
  chatId,
  replyTo,
  onClose,
  onSent,
}: {
  chatId: string;
  /** The message the card answers. */
  replyTo: string | null;
  onClose: () => void;
  onSent: () => void;
}) {
  const { data: contacts, error: loadError } = useLoaded(api.listContacts);
  const [filter, setFilter] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const vcardInput = useRef<HTMLInputElement>(null);
  useEscape(true, LAYER.menu, onClose);
  const shown = useMemo(() => matching(contacts ?? [], filter), [contacts, filter]);

  const share = async (send: () => Promise<unknown>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await send();
      onSent();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const shareContact = (contact: Contact) =>
    share(() =>
      mediaApi.sendContact(
        chatId,
        {
          user_id: contact.user_id,
          display_name: contact.display_name,
          username: contact.username,
        },
        replyTo,
      ),
    );
  const shareVcard = (file: File) =>
    share(async () => mediaApi.sendVcard(chatId, await file.text(), replyTo));

  return (
    <div className="modal-backdrop">
      <div
        className="modal contact-picker"
        role="dialog"
        aria-modal="true"
        aria-label="Share a contact"
        data-testid="contact-picker"
      >
        <h2 className="modal-title">Share a contact</h2>
        <input
          type="search"
          className="contacts-search"
          placeholder="Search contacts"
          aria-label="Search contacts"
          data-testid="contact-picker-filter"
          autoFocus
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        {loadError && (
          <p className="error" role="alert">
            {loadError}
          </p>
        )}
        {contacts?.length === 0 && <p className="hint">No contacts yet.</p>}
        {contacts && contacts.length > 0 && shown.length === 0 && (
          <p className="hint">No contact matches “{filter.trim()}”.</p>
        )}
        <ul className="contact-picker-list">
          {shown.map((contact) => (
            <li key={contact.user_id}>
              <button
                type="button"
                className="contact-picker-row"
                aria-label={`Share ${contact.display_name}`}
                data-testid="contact-picker-row"
                disabled={busy}
                onClick={() => void shareContact(contact)}
              >
                <ContactFace contact={contact} />
              </button>
            </li>
          ))}
        </ul>
        {error && (
          <p className="error" role="alert" data-testid="contact-picker-error">
            {error}
          </p>
        )}
        <div className="row modal-actions">
          <button
            type="button"
            className="link-button"
            data-testid="contact-picker-vcard-button"
            disabled={busy}
            onClick={() => vcardInput.current?.click()}
          >
            From a vCard file…
          </button>
          <input
            ref={vcardInput}
            type="file"
            accept={VCARD_TYPES}
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            aria-label="vCard file"
            data-testid="contact-picker-vcard"
            onChange={(event) => {
              const file = event.target.files?.[0];
              // The same file picked again is a change too.
              event.target.value = "";
              if (file) void shareVcard(file);
            }}
          />
          <button
            type="button"
            className="link-button"
            data-testid="contact-picker-cancel"
            onClick={onClose}
          >
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
