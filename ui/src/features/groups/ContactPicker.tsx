import { useMemo, useState } from "react";
import type { Contact } from "../../api";
import ContactFace from "../../components/ContactFace";
import { matching } from "../chats/NewChat";
import "./groups.css";

/**
 * Contacts to tick, with a search box: who to put in a new group, who to add to one, who may
 * not add me to groups. Each box is `data-testid="<testIdPrefix><username>"`.
 */
export default function ContactPicker({
  contacts,
  selected,
  onChange,
  testIdPrefix,
  searchTestId,
  label,
}: {
  contacts: Contact[];
  selected: ReadonlySet<string>;
  onChange: (selected: Set<string>) => void;
  testIdPrefix: string;
  searchTestId: string;
  /** What the list is for (its accessible name). */
  label: string;
}) {
  const [search, setSearch] = useState("");
  const shown = useMemo(() => matching(contacts, search), [contacts, search]);
  const toggle = (userId: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(userId);
    else next.delete(userId);
    onChange(next);
  };
  return (
    <div className="contact-picker">
      <input
        type="search"
        className="contacts-search"
        placeholder="Search contacts"
        aria-label={`Search: ${label}`}
        data-testid={searchTestId}
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      {contacts.length > 0 && shown.length === 0 && (
        <p className="hint">No contact matches “{search.trim()}”.</p>
      )}
      <ul className="contact-list picker-list" aria-label={label}>
        {shown.map((contact) => (
          <li key={contact.user_id}>
            <label className="picker-row">
              <input
                type="checkbox"
                data-testid={`${testIdPrefix}${contact.username}`}
                checked={selected.has(contact.user_id)}
                onChange={(event) => toggle(contact.user_id, event.target.checked)}
              />
              <ContactFace contact={contact} />
            </label>
          </li>
        ))}
      </ul>
    </div>
  );
}
