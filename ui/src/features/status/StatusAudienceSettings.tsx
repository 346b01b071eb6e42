import { useEffect, useState } from "react";
import { api, describeError, type Contact } from "../../api";
import ContactPicker from "../groups/ContactPicker";
import { statusApi, type StatusAudience, type StatusAudienceMode } from "./api";
import "./status.css";

const MODES: { value: StatusAudienceMode; label: string }[] = [
  { value: "chatted_contacts", label: "My contacts I've chatted with" },
  { value: "contacts", label: "My contacts" },
  { value: "contacts_except", label: "My contacts except…" },
  { value: "only_with", label: "Only share with…" },
];

const DEFAULT: StatusAudience = { mode: "chatted_contacts", except: [], only: [] };

/** What the server answered, made whole (a list left out is empty). */
function whole(audience: Partial<StatusAudience> | null | undefined): StatusAudience {
  const { mode, except, only } = audience ?? {};
  return {
    mode: MODES.find((m) => m.value === mode)?.value ?? DEFAULT.mode,
    except: Array.isArray(except) ? except : [],
    only: Array.isArray(only) ? only : [],
  };
}

/**
 * "Status" in the privacy settings: who sees my next posts — my contacts I have chatted with
 * (the default), my contacts, my contacts but some, or only some — with a contact picker for
 * either list (both are kept, whichever mode is chosen). Saved on its own.
 */
export default function StatusAudienceSettings() {
  const [saved, setSaved] = useState<StatusAudience | null>(null);
  const [draft, setDraft] = useState<StatusAudience | null>(null);
  const [contacts, setContacts] = useState<Contact[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    let current = true;
    statusApi
      .audience()
      .then((audience) => {
        if (!current) return;
        const read = whole(audience);
        setSaved(read);
        setDraft(read);
      })
      .catch((e) => {
        if (!current) return;
        setError(describeError(e));
      });
    return () => {
      current = false;
    };
  }, []);

  const picking = draft?.mode === "contacts_except" || draft?.mode === "only_with";
  const contactsLoaded = contacts !== null;
  useEffect(() => {
    if (!picking || contactsLoaded) return;
    let current = true;
    api
      .listContacts()
      .then((list) => current && setContacts(list ?? []))
      .catch((e) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [picking, contactsLoaded]);

  const change = (next: StatusAudience) => {
    setDraft(next);
    setDone(false);
  };
  const dirty = draft !== null && saved !== null && JSON.stringify(draft) !== JSON.stringify(saved);
  const save = async () => {
    if (!draft || busy) return;
    setBusy(true);
    setError(null);
    try {
      const answer = whole(await statusApi.setAudience(draft));
      setSaved(answer);
      setDraft(answer);
      setDone(true);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const list = draft?.mode === "only_with" ? "only" : "except";
  return (
    <fieldset className="status-audience" data-testid="status-audience">
      <legend>Status</legend>
      <p className="hint">Who sees my status updates</p>
      {MODES.map(({ value, label }) => (
        <label key={value} className="radio">
          <input
            type="radio"
            name="status-audience"
            value={value}
            data-testid={`status-audience-${value}`}
            disabled={!draft}
            checked={(draft?.mode ?? DEFAULT.mode) === value}
            onChange={() => draft && change({ ...draft, mode: value })}
          />
          {label}
          {draft && value === "contacts_except" && draft.except.length > 0 && (
            <span className="hint"> ({draft.except.length} excluded)</span>
          )}
          {draft && value === "only_with" && draft.only.length > 0 && (
            <span className="hint"> ({draft.only.length} chosen)</span>
          )}
        </label>
      ))}
      {picking && draft && (
        <div className="status-audience-list" data-testid="status-audience-list">
          <p className="hint">
            {list === "except"
              ? "Tick the contacts who won't see your status updates."
              : "Tick the contacts who will see your status updates."}
          </p>
          {contacts ? (
            <ContactPicker
              contacts={contacts}
              selected={new Set(draft[list])}
              onChange={(next) => change({ ...draft, [list]: [...next] })}
              testIdPrefix={`status-${list}-`}
              searchTestId={`status-${list}-search`}
              label={
                list === "except"
                  ? "Contacts who won't see my status"
                  : "Contacts who will see my status"
              }
            />
          ) : (
            !error && <p className="hint">Loading contacts…</p>
          )}
        </div>
      )}
      <p className="hint">Changes apply to posts you make from now on.</p>
      {error && (
        <p className="error" role="alert" data-testid="status-audience-error">
          {error}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          data-testid="status-audience-save"
          disabled={!dirty || busy}
          onClick={() => void save()}
        >
          {busy ? "Saving…" : "Save status privacy"}
        </button>
        {done && !dirty && (
          <span className="hint" data-testid="status-audience-saved">
            Saved.
          </span>
        )}
      </div>
    </fieldset>
  );
}
