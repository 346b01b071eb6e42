import { useCallback, useState, type FormEvent } from "react";
import { api, type Me, type Privacy, type Visibility, type WhoCanMessage } from "../api";
import { TIMER_CHOICES } from "../features/disappearing/words";
import { groupsApi } from "../features/groups/api";
import GroupAddPrivacy from "../features/groups/GroupAddPrivacy";
import { useDraft } from "../useDraft";
import { useSubmit } from "../useSubmit";

const VISIBILITY: { value: Visibility; label: string }[] = [
  { value: "everyone", label: "Everyone" },
  { value: "contacts", label: "My contacts" },
  { value: "nobody", label: "Nobody" },
];

/**
 * Who sees my last seen, photo and about, whether I send read receipts, who can message me, who
 * can add me to groups (with the contacts excepted) and the timer my new chats start with: mine on the
 * server, saved together (only the privacy: the rest of my profile stays as it is). A setting
 * changed on another device shows here at once, unless I changed it here and have not saved.
 */
export default function PrivacySettings({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const { value: privacy, change: changePrivacy, settle } = useDraft<Privacy>(me.privacy);
  // "My contacts except…": who may not add me to groups (loaded when that is chosen).
  const [exceptions, setExceptions] = useState<Set<string> | null>(null);
  const [exceptionsChanged, setExceptionsChanged] = useState(false);
  const changeExceptions = useCallback((next: Set<string>) => setExceptions(next), []);
  const { error, run } = useSubmit();
  const [saved, setSaved] = useState(false);

  const change = (next: Privacy) => {
    changePrivacy(next);
    setSaved(false);
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    return run(async () => {
      if (privacy.groups === "contacts_except" && exceptions && exceptionsChanged) {
        setExceptions(new Set(await groupsApi.setGroupAddExceptions([...exceptions])));
        setExceptionsChanged(false);
      }
      onSaved(await api.updateProfile({ privacy }));
      settle(privacy);
      setSaved(true);
    });
  };

  const visibilityField = (key: "last_seen" | "photo" | "about", label: string) => (
    <label className="field">
      {label}
      <select
        data-testid={`privacy-${key}`}
        value={privacy[key]}
        onChange={(event) => change({ ...privacy, [key]: event.target.value as Visibility })}
      >
        {VISIBILITY.map(({ value, label: text }) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <form className="settings-section" data-testid="privacy-settings" onSubmit={save}>
      <h2>Who can see me</h2>
      {visibilityField("last_seen", "Who sees my last seen")}
      {visibilityField("photo", "Who sees my photo")}
      {visibilityField("about", "Who sees my about")}
      <label className="radio">
        <input
          type="checkbox"
          data-testid="privacy-read-receipts"
          checked={privacy.read_receipts}
          onChange={(event) => change({ ...privacy, read_receipts: event.target.checked })}
        />
        Send read receipts
      </label>
      <label className="field">
        Who can message me
        <select
          data-testid="privacy-who-can-message"
          value={privacy.who_can_message ?? "everyone"}
          onChange={(event) =>
            change({ ...privacy, who_can_message: event.target.value as WhoCanMessage })
          }
        >
          <option value="everyone">Everyone</option>
          <option value="contacts">My contacts</option>
        </select>
        <span className="hint">
          {(privacy.who_can_message ?? "everyone") === "everyone"
            ? "Someone you do not know lands under Message requests"
            : "Anyone else cannot start a chat with you"}
        </span>
      </label>
      <label className="field">
        Default message timer
        <select
          data-testid="default-timer"
          value={privacy.default_timer_ms ?? 0}
          onChange={(event) => change({ ...privacy, default_timer_ms: Number(event.target.value) })}
        >
          {TIMER_CHOICES.map(({ id, ms, label }) => (
            <option key={id} value={ms ?? 0}>
              {label}
            </option>
          ))}
        </select>
        <span className="hint">New chats you start will use this timer</span>
      </label>
      <GroupAddPrivacy
        value={privacy.groups ?? "everyone"}
        onChange={(groups) => change({ ...privacy, groups })}
        exceptions={exceptions}
        onExceptions={changeExceptions}
        onPicked={() => {
          setExceptionsChanged(true);
          setSaved(false);
        }}
      />
      <div className="row">
        <button type="submit" data-testid="save-privacy">
          Save privacy
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="privacy-error">
          {error}
        </p>
      )}
      {saved && !error && (
        <p className="hint" data-testid="privacy-saved">
          Saved.
        </p>
      )}
    </form>
  );
}
