import { useState, type FormEvent } from "react";
import { api, type Me } from "../api";
import { useSubmit } from "../useSubmit";
import TextField from "./TextField";

/** Display name, about and status, saved together (my privacy has its own form). */
export default function ProfileSettings({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const [displayName, setDisplayName] = useState(me.display_name);
  const [about, setAbout] = useState(me.about);
  const [statusText, setStatusText] = useState(me.status_text);
  const { error, run } = useSubmit();
  const [saved, setSaved] = useState(false);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    return run(async () => {
      onSaved(
        await api.updateProfile({
          display_name: displayName,
          about,
          status_text: statusText,
        }),
      );
      setSaved(true);
    });
  };

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
