import { useMemo, useState, type FormEvent } from "react";
import { api, type Me } from "../api";
import { useDraft } from "../useDraft";
import { useSubmit } from "../useSubmit";
import TextField from "./TextField";

/**
 * Display name, about and status, saved together (my privacy has its own form). One changed on
 * another device shows here at once, unless I changed it here and have not saved.
 */
export default function ProfileSettings({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const mine = useMemo(
    () => ({ display_name: me.display_name, about: me.about, status_text: me.status_text }),
    [me.display_name, me.about, me.status_text],
  );
  const { value: profile, change, settle } = useDraft(mine);
  const { error, run } = useSubmit();
  const [saved, setSaved] = useState(false);
  const edit = (field: keyof typeof mine) => (value: string) => {
    change({ ...profile, [field]: value });
    setSaved(false);
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const sent = profile;
    return run(async () => {
      onSaved(await api.updateProfile(sent));
      settle(sent);
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
        value={profile.display_name}
        onChange={edit("display_name")}
        maxLength={64}
      />
      <TextField
        label="About"
        testId="profile-about"
        value={profile.about}
        onChange={edit("about")}
        maxLength={140}
      />
      <TextField
        label="Status"
        testId="profile-status"
        value={profile.status_text}
        onChange={edit("status_text")}
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
