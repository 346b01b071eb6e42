import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { api, describeError, type Contact } from "../api";
import { useNow } from "../hooks";
import { presenceLoaded, usePresence } from "../presence";
import { LAYER, useEscape } from "../shortcuts";
import { afterStart } from "../startup";
import { presenceText } from "../time";
import { useLoaded } from "../useLoaded";
import { JOIN_LINK_PREFIX } from "../features/groups/api";
import GroupsInCommon from "../features/groups/GroupsInCommon";
import Avatar from "./Avatar";
import ReportForm from "./ReportForm";

/** "online" or "last seen …", live; nothing when their privacy hides it. */
function PresenceLine({ contact }: { contact: Contact }) {
  const presence = usePresence(contact);
  // "today" turns into "yesterday" at midnight.
  const now = useNow(!presence.online && presence.last_seen !== null, 60_000);
  const text = presenceText(presence, now);
  if (!text) return null;
  return (
    <div
      className={presence.online ? "hint presence-online" : "hint"}
      data-testid="contact-presence"
    >
      {text}
    </div>
  );
}

/** My contacts (from the server), under the chat list: asked for once the tiles are painted. */
const listContacts = () => afterStart(api.listContacts);

/** A `gkchat://add/…` link the app was opened with, to add once. */
export interface LinkToAdd {
  link: string;
}

/**
 * My contacts: add by username, phone or link (typed, or opened from the OS), search, message,
 * remove, and the groups I share with each. A pasted group invite link opens its join dialog.
 */
export default function ContactsPanel({
  onMessage,
  linkToAdd = null,
  onLinkTaken,
  onOpenChat,
  onJoinLink,
}: {
  onMessage?: (contact: Contact) => void;
  linkToAdd?: LinkToAdd | null;
  /** `linkToAdd` is being added; the panel reports how it went. */
  onLinkTaken?: () => void;
  /** Opens a chat (a group in common). */
  onOpenChat?: (chatId: string) => void;
  /** A `gkchat://join/…` link was typed or pasted in the add field. */
  onJoinLink?: (link: string) => void;
}) {
  const { data: contacts, error, setError, reload } = useLoaded(listContacts);
  const [search, setSearch] = useState("");
  const [username, setUsername] = useState("");
  const [reporting, setReporting] = useState<string | null>(null);
  /** Whose groups in common are shown. */
  const [groupsOf, setGroupsOf] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (contacts) presenceLoaded();
  }, [contacts]);
  useEscape(search !== "", LAYER.search, () => setSearch(""));
  useEscape(reporting !== null, LAYER.menu, () => setReporting(null));

  // Each opened link is added once, even if effects run twice.
  const taken = useRef<LinkToAdd | null>(null);
  useEffect(() => {
    if (!linkToAdd || taken.current === linkToAdd) return;
    taken.current = linkToAdd;
    onLinkTaken?.();
    setError(null);
    setNotice(null);
    api
      .addContact(linkToAdd.link)
      .then((contact) => {
        setNotice(`${contact.display_name} (@${contact.username}) is in your contacts.`);
        reload();
      })
      .catch((e) => setError(`This contact link did not work: ${describeError(e)}`));
  }, [linkToAdd, onLinkTaken, reload, setError]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (onJoinLink && username.trim().startsWith(JOIN_LINK_PREFIX)) {
      onJoinLink(username.trim());
      setUsername("");
      return;
    }
    try {
      await api.addContact(username);
      setUsername("");
      reload();
    } catch (e) {
      setError(describeError(e));
    }
  };

  const block = (contact: Contact) =>
    api
      .blockUser(contact.user_id)
      .then(() => {
        setNotice(`${contact.display_name} is blocked.`);
        reload();
      })
      .catch((e) => setError(describeError(e)));

  const remove = (contact: Contact) =>
    api
      .removeContact(contact.user_id)
      .then(reload)
      .catch((e) => setError(describeError(e)));

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (contacts ?? []).filter(
      (c) =>
        needle === "" ||
        c.display_name.toLowerCase().includes(needle) ||
        c.username.includes(needle),
    );
  }, [contacts, search]);

  return (
    <section className="contacts" data-testid="contacts">
      <form className="row contacts-add" onSubmit={add}>
        <input
          type="text"
          data-testid="add-contact-username"
          placeholder="Username, +phone or gkchat:// link"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
        <button type="submit" data-testid="add-contact">
          Add
        </button>
      </form>
      {notice && (
        <p className="hint" role="status" data-testid="contacts-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="contacts-error">
          {error}
        </p>
      )}
      <input
        type="search"
        className="contacts-search"
        data-testid="contacts-search"
        placeholder="Search contacts"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <h2 className="contacts-title">Contacts{contacts ? ` (${contacts.length})` : ""}</h2>
      {contacts?.length === 0 && (
        <p className="hint">Add people by username, phone number, or the link in their code.</p>
      )}
      <ul className="contact-list">
        {shown.map((contact) => (
          <li key={contact.user_id} className="contact" data-testid="contact">
            <Avatar
              owner={{ kind: "user", id: contact.user_id }}
              photo={contact.photo}
              name={contact.display_name}
            />
            <div className="contact-text">
              <div className="contact-name">{contact.display_name}</div>
              <div className="hint">
                @{contact.username}
                {contact.status_text && ` · ${contact.status_text}`}
              </div>
              <PresenceLine contact={contact} />
            </div>
            <div className="contact-actions">
              {onMessage && (
                <button
                  type="button"
                  className="link-button"
                  data-testid="contact-message"
                  onClick={() => onMessage(contact)}
                >
                  Message
                </button>
              )}
              <button
                type="button"
                className="link-button"
                data-testid="contact-groups"
                aria-expanded={groupsOf === contact.user_id}
                onClick={() => setGroupsOf(groupsOf === contact.user_id ? null : contact.user_id)}
              >
                Groups
              </button>
              <button
                type="button"
                className="link-button"
                data-testid="contact-block"
                onClick={() => block(contact)}
              >
                Block
              </button>
              <button
                type="button"
                className="link-button"
                data-testid="contact-report"
                onClick={() => setReporting(contact.user_id)}
              >
                Report
              </button>
              <button
                type="button"
                className="link-button"
                aria-label={`Remove ${contact.display_name}`}
                onClick={() => remove(contact)}
              >
                Remove
              </button>
            </div>
            {groupsOf === contact.user_id && (
              <GroupsInCommon userId={contact.user_id} onOpen={onOpenChat} />
            )}
            {reporting === contact.user_id && (
              <ReportForm
                contact={contact}
                onDone={() => {
                  setReporting(null);
                  setNotice("Thanks — the report was sent.");
                }}
                onCancel={() => setReporting(null)}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
