import { useEffect, useState, type FormEvent } from "react";
import { api, describeError, type ServerInfo, type SettingsView } from "../api";
import { useSubmit } from "../useSubmit";

const SOURCE_NOTE: Record<SettingsView["source"], string> = {
  env: "Set by GKCHAT_SERVER_URL for this run.",
  saved: "Saved in your settings.",
  default: "The built-in default: a companion server on this computer.",
};

/** The companion server's address, where it came from, and who answers there. */
export default function ServerSettings() {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState("");
  const { error, setError, run } = useSubmit();
  const [saved, setSaved] = useState(false);
  const [info, setInfo] = useState<ServerInfo | null>(null);

  useEffect(() => {
    api
      .getSettings()
      .then((loaded) => {
        setSettings(loaded);
        setDraft(loaded.server_url);
      })
      .catch((e) => setError(describeError(e)));
    api
      .serverInfo()
      .then(setInfo)
      .catch(() => setInfo(null));
  }, [setError]);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    return run(async () => {
      const updated = await api.setServerUrl(draft);
      setSettings(updated);
      setDraft(updated.server_url);
      setSaved(true);
      setInfo(await api.serverInfo().catch(() => null));
    });
  };

  return (
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
  );
}
