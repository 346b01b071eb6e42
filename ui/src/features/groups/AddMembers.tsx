import { useState } from "react";
import { api, type ChatMember } from "../../api";
import { useLoaded } from "../../useLoaded";
import { groupsApi } from "./api";
import ContactPicker from "./ContactPicker";
import { reloadMembers } from "./hooks";
import { refusalLines } from "./refusals";
import { groupErrorText } from "./words";

/** Adding people to a group (admins): my contacts not in it yet; who could not be added, why. */
export default function AddMembers({
  chatId,
  members,
  onDone,
}: {
  chatId: string;
  members: ChatMember[];
  onDone: () => void;
}) {
  const { data: contacts, error: loadError } = useLoaded(api.listContacts);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refusals, setRefusals] = useState<string[] | null>(null);
  const inGroup = new Set(members.map((m) => m.user_id));
  const addable = (contacts ?? []).filter((c) => !inGroup.has(c.user_id));

  const add = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await groupsApi.addMembers(chatId, [...selected]);
      reloadMembers(chatId);
      const lines = await refusalLines(
        result.refused,
        (id) => contacts?.find((c) => c.user_id === id)?.display_name,
      );
      if (lines.length > 0) setRefusals(lines);
      else onDone();
    } catch (e) {
      setError(groupErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  if (refusals) {
    return (
      <div className="group-refusals" role="status" data-testid="add-refusals">
        <p>Some people could not be added:</p>
        <ul>
          {refusals.map((line) => (
            <li key={line} data-testid="group-refusal">
              {line}
            </li>
          ))}
        </ul>
        <button type="button" className="link-button" onClick={onDone}>
          Done
        </button>
      </div>
    );
  }
  return (
    <div className="add-members" data-testid="add-members-picker">
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}
      {contacts && addable.length === 0 && (
        <p className="hint">All your contacts are in this group already.</p>
      )}
      {addable.length > 0 && (
        <ContactPicker
          contacts={addable}
          selected={selected}
          onChange={setSelected}
          testIdPrefix="add-member-"
          searchTestId="add-members-search"
          label="People to add"
        />
      )}
      {error && (
        <p className="error" role="alert" data-testid="add-members-error">
          {error}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className="primary-button"
          data-testid="add-members-confirm"
          disabled={busy || selected.size === 0}
          onClick={add}
        >
          {selected.size > 1 ? `Add ${selected.size} people` : "Add"}
        </button>
        <button type="button" className="link-button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
}
