import { useEffect, useState } from "react";
import { api, describeError, type Contact } from "../../api";
import type { GroupAdd } from "./api";
import { groupsApi } from "./api";
import ContactPicker from "./ContactPicker";
import "./groups.css";

const CHOICES: { value: GroupAdd; label: string }[] = [
  { value: "everyone", label: "Everyone" },
  { value: "contacts", label: "My contacts" },
  { value: "contacts_except", label: "My contacts except…" },
];

/**
 * "Who can add me to groups", in the privacy settings; with "my contacts except…", the
 * contacts who may not (loaded when that choice is shown, saved by the form through
 * `onExceptions`).
 */
export default function GroupAddPrivacy({
  value,
  onChange,
  exceptions,
  onExceptions,
  onPicked,
}: {
  value: GroupAdd;
  onChange: (value: GroupAdd) => void;
  /** The excepted contacts' ids; null until loaded. */
  exceptions: Set<string> | null;
  /** Keep it stable: it is also called with the saved list once loaded. */
  onExceptions: (exceptions: Set<string>) => void;
  /** The user changed the exceptions (so they need saving). */
  onPicked: () => void;
}) {
  const [contacts, setContacts] = useState<Contact[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const picking = value === "contacts_except";
  const loaded = exceptions !== null;

  useEffect(() => {
    if (!picking) return;
    let current = true;
    Promise.all([api.listContacts(), loaded ? null : groupsApi.groupAddExceptions()])
      .then(([list, saved]) => {
        if (!current) return;
        setContacts(list);
        if (saved) onExceptions(new Set(saved));
      })
      .catch((e) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [picking, loaded, onExceptions]);

  return (
    <>
      <label className="field">
        Who can add me to groups
        <select
          data-testid="privacy-groups"
          value={value}
          onChange={(event) => onChange(event.target.value as GroupAdd)}
        >
          {CHOICES.map(({ value: choice, label }) => (
            <option key={choice} value={choice}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {picking && (
        <div className="group-add-exceptions" data-testid="group-add-exceptions">
          <p className="hint">
            {exceptions && exceptions.size > 0
              ? `${exceptions.size} ${exceptions.size === 1 ? "contact" : "contacts"} can't add you to groups.`
              : "Tick the contacts who can't add you to groups."}
          </p>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          {contacts && exceptions && (
            <ContactPicker
              contacts={contacts}
              selected={exceptions}
              onChange={(next) => {
                onExceptions(next);
                onPicked();
              }}
              testIdPrefix="group-exception-"
              searchTestId="group-exceptions-search"
              label="Contacts who can't add me to groups"
            />
          )}
        </div>
      )}
    </>
  );
}
