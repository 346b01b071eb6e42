import { useCallback, useState, type FormEvent } from "react";
import { api, type Me, type Privacy, type Visibility } from "../api";
import { TIMER_CHOICES } from "../features/disappearing/words";
import { groupsApi } from "../features/groups/api";
import GroupAddPrivacy from "../features/groups/GroupAddPrivacy";
import StatusAudienceSettings from "../features/status/StatusAudienceSettings";
import { useSubmit } from "../useSubmit";
import TextField from "./TextField";

const VISIBILITY: { value: Visibility; label: string }[] = [
  { value: "everyone", label: "Everyone" },
  { value: "contacts", label: "My contacts" },
  { value: "nobody", label: "Nobody" },
];

/** Display name, about, status and privacy (with the timer my new chats start with), saved
 * together. */
export default function ProfileSettings({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const [displayName, setDisplayName] = useState(me.display_name);
  const [about, setAbout] = useState(me.about);
  const [statusText, setStatusText] = useState(me.status_text);
  const [privacy, setPrivacy] = useState<Privacy>(me.privacy);
  // "My contacts except…": who may not add me to groups (loaded when that is chosen).
  const [exceptions, setExceptions] = useState<Set<string> | null>(null);
  const [exceptionsChanged, setExceptionsChanged] = useState(false);
  const changeExceptions = useCallback((next: Set<string>) => setExceptions(next), []);
  const { error, run } = useSubmit();
  const [saved, setSaved] = useState(false);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    return run(async () => {
      if (privacy.groups === "contacts_except" && exceptions && exceptionsChanged) {
        setExceptions(new Set(await groupsApi.setGroupAddExceptions([...exceptions])));
        setExceptionsChanged(false);
      }
      onSaved(
        await api.updateProfile({
          display_name: displayName,
          about,
          status_text: statusText,
          privacy,
        }),
      );
      setSaved(true);
    });
  };

  const visibilityField = (key: "last_seen" | "photo" | "about", label: string) => (
    <label className="field">
      {label}
      <select
        data-testid={`privacy-${key}`}
        value={privacy[key]}
        onChange={(event) => setPrivacy({ ...privacy, [key]: event.target.value as Visibility })}
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
    <form className="settings-section" onSubmit={save}>
      <h2>Profile</h2>
      <p className="hint">
        @{me.username} · {me.email}
      </p>
      <TextField
        label="Display name"
        testId="profile-display-name"
        value={displayName}
        onChange={setDisplayName}
        maxLength={64}
      />
      <TextField
        label="About"
        testId="profile-about"
        value={about}
        onChange={setAbout}
        maxLength={140}
      />
      <TextField
        label="Status"
        testId="profile-status"
        value={statusText}
        onChange={setStatusText}
        placeholder="e.g. at the gym"
        maxLength={140}
      />
      <p className="hint" data-testid="profile-phone">
        Phone: {me.phone ?? "none yet (add one below to sign in by SMS)"}
      </p>
      <h2>Privacy</h2>
      {visibilityField("last_seen", "Who sees my last seen")}
      {visibilityField("photo", "Who sees my photo")}
      {visibilityField("about", "Who sees my about")}
      <label className="radio">
        <input
          type="checkbox"
          data-testid="privacy-read-receipts"
          checked={privacy.read_receipts}
          onChange={(event) => setPrivacy({ ...privacy, read_receipts: event.target.checked })}
        />
        Send read receipts
      </label>
      <label className="field">
        Default message timer
        <select
          data-testid="default-timer"
          value={privacy.default_timer_ms ?? 0}
          onChange={(event) =>
            setPrivacy({ ...privacy, default_timer_ms: Number(event.target.value) })
          }
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
        onChange={(groups) => setPrivacy({ ...privacy, groups })}
        exceptions={exceptions}
        onExceptions={changeExceptions}
        onPicked={() => setExceptionsChanged(true)}
      />
      <StatusAudienceSettings />
      <div className="row">
        <button type="submit" data-testid="save-profile">
          Save profile
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="profile-error">
          {error}
        </p>
      )}
      {saved && !error && (
        <p className="hint" data-testid="profile-saved">
          Saved.
        </p>
      )}
    </form>
  );
}
