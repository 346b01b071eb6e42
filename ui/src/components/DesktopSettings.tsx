import { useEffect, useState } from "react";
import { api, describeError, type DesktopSettings as Settings } from "../api";

/** How the app lives on the desktop: closing to the tray, starting hidden, starting at login. */
export default function DesktopSettings() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .getDesktopSettings()
      .then(setSettings)
      .catch((e) => setError(describeError(e)));
  }, []);

  const change = (next: Settings) => {
    setError(null);
    api
      .setDesktopSettings(next)
      .then(setSettings)
      .catch((e) => setError(describeError(e)));
  };

  const box = (key: keyof Settings, label: string) =>
    settings && (
      <label className="radio">
        <input
          type="checkbox"
          checked={settings[key]}
          data-testid={`desktop-${key.replaceAll("_", "-")}`}
          onChange={(event) => change({ ...settings, [key]: event.target.checked })}
        />
        {label}
      </label>
    );

  return (
    <fieldset className="settings-section" data-testid="desktop-settings">
      <legend>Desktop</legend>
      {box("close_to_tray", "Closing the window keeps GK Chat running in the tray")}
      {box("start_minimised", "Start in the tray, without the window")}
      {box("autostart", "Start GK Chat when I log in")}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
