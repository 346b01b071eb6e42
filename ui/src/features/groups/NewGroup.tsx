import { useState, type FormEvent } from "react";
import { api } from "../../api";
import { CloseIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { useLoaded } from "../../useLoaded";
import { groupsApi } from "./api";
import ContactPicker from "./ContactPicker";
import { refusalLines } from "./refusals";
import { groupErrorText } from "./words";
import "./groups.css";

/** Mirrors proto's group name and description limits. */
const NAME_MAX = 100;
const DESCRIPTION_MAX = 500;

/**
 * A new group: members ticked from my contacts, a name (required) and a description. Made, it
 * opens at once; who could not be added is said here, without holding the group back.
 */
export default function NewGroup({
  onCreated,
  onClose,
}: {
  /** The group is made: open its conversation. */
  onCreated: (chatId: string) => void;
  onClose: () => void;
}) {
  const { data: contacts, error: loadError } = useLoaded(api.listContacts);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Made, but some could not be added: why, one line each. */
  const [refusals, setRefusals] = useState<string[] | null>(null);
  useEscape(true, LAYER.menu, onClose);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "" || busy) return;
    setBusy(true);
    setError(null);
    try {
      const made = await groupsApi.createGroup(name.trim(), description.trim(), [...selected]);
      const lines = await refusalLines(
        made.refused,
        (id) => contacts?.find((c) => c.user_id === id)?.display_name,
      );
      onCreated(made.chat.id);
      if (lines.length > 0) setRefusals(lines);
      else onClose();
    } catch (e) {
      setError(groupErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section
      className="contacts new-group"
      role="dialog"
      aria-label="New group"
      data-testid="new-group-form"
    >
      <div className="row new-chat-header">
        <h2 className="contacts-title">New group</h2>
        <button type="button" className="link-button" aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      {refusals ? (
        <div className="group-refusals" role="status" data-testid="group-refusals">
          <p>The group was created. Some people could not be added:</p>
          <ul>
            {refusals.map((line) => (
              <li key={line} data-testid="group-refusal">
                {line}
              </li>
            ))}
          </ul>
          <div className="row">
            <button type="button" data-testid="group-refusals-done" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="new-group-form" onSubmit={create}>
          <label className="field">
            Group name
            <input
              type="text"
              data-testid="group-name"
              required
              autoFocus
              maxLength={NAME_MAX}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </label>
          <label className="field">
            Description (optional)
            <textarea
              data-testid="group-description"
              rows={2}
              maxLength={DESCRIPTION_MAX}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </label>
          <h3 className="contacts-title">
            Members{selected.size > 0 ? ` (${selected.size} picked)` : ""}
          </h3>
          {loadError && (
            <p className="error" role="alert">
              {loadError}
            </p>
          )}
          {contacts?.length === 0 && (
            <p className="hint">No contacts yet: you can make the group and add people later.</p>
          )}
          {contacts && contacts.length > 0 && (
            <ContactPicker
              contacts={contacts}
              selected={selected}
              onChange={setSelected}
              testIdPrefix="group-member-"
              searchTestId="group-members-search"
              label="Members of the new group"
            />
          )}
          {error && (
            <p className="error" role="alert" data-testid="new-group-error">
              {error}
            </p>
          )}
          <div className="row new-group-actions">
            <button type="submit" data-testid="create-group" disabled={busy || name.trim() === ""}>
              {busy ? "Creating…" : "Create"}
            </button>
            <button type="button" className="link-button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
