import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, type ServerInfo, type SettingsView } from "../api";
import type { ThemeChoice } from "../theme";

const SOURCE_NOTE: Record<SettingsView["source"], string> = {
  env: "Set by GKCHAT_SERVER_URL for this run.",
  saved: "Saved in your settings.",
  default: "The built-in default: a companion server on this computer.",
};

export default function SettingsPanel({
  theme,
  onThemeChange,
}: {
  theme: ThemeChoice;
  onThemeChange: (choice: ThemeChoice) => void;
}) {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [info, setInfo] = useState<ServerInfo | null>(null);

  useEffect(() => {
    api
      .getSettings()
      .then((loaded) => {
        setSettings(loaded);
        setDraft(loaded.server_url);
      })
      .catch((e: ApiError) => setError(e.message));
    api
      .serverInfo()
      .then(setInfo)
      .catch(() => setInfo(null));
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const updated = await api.setServerUrl(draft);
      setSettings(updated);
      setDraft(updated.server_url);
      setSaved(true);
      setInfo(await api.serverInfo().catch(() => null));
    } catch (e) {
      const failure = e instanceof ApiError ? e : new ApiError("internal", String(e));
      setError(`${failure.message} (${failure.code})`);
    }
  };

  return (
    <div className="settings">
      <form className="settings-section" onSubmit={save}>
        <h2>Companion server</h2>
        <label htmlFor="server-url">Server address</label>
        <div className="row">
          <input
            id="server-url"
            data-testid="server-url"
            type="text"
            inputMode="url"
            spellCheck={false}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            placeholder="http://127.0.0.1:8787"
          />
          <button type="submit" data-testid="save-server-url">
            Save
          </button>
        </div>
        {settings && <p className="hint">{SOURCE_NOTE[settings.source]}</p>}
        {error && (
          <p className="error" role="alert" data-testid="settings-error">
            {error}
          </p>
        )}
        {saved && !error && <p className="hint">Saved. Reconnecting…</p>}
        <dl className="facts">
          <dt>Server version</dt>
          <dd>{info ? info.version : "—"}</dd>
          <dt>Server id</dt>
          <dd data-testid="server-instance">{info ? info.instance_id : "—"}</dd>
        </dl>
      </form>
      <fieldset className="settings-section">
        <legend>Theme</legend>
        {(["system", "light", "dark"] as const).map((choice) => (
          <label key={choice} className="radio">
            <input
              type="radio"
              name="theme"
              value={choice}
              checked={theme === choice}
              onChange={() => onThemeChange(choice)}
            />
            {choice === "system" ? "Follow the system" : choice === "light" ? "Light" : "Dark"}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
