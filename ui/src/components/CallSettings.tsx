import { useEffect, useState } from "react";
import { api, describeError, type CallSettings as Settings, type CallSettingsView } from "../api";
import type { DeviceChoice } from "../bindings/DeviceChoice";

type Device = "microphone" | "speaker" | "camera";

/** Microphone, speaker and camera for calls, and the developer's test tone and colour bars. */
export default function CallSettings() {
  const [view, setView] = useState<CallSettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .getCallSettings()
      .then(setView)
      .catch((e) => setError(describeError(e)));
  }, []);

  const change = (next: Settings) => {
    setError(null);
    api
      .setCallSettings(next)
      .then((saved) => setView((shown) => shown && { ...shown, settings: saved }))
      .catch((e) => setError(describeError(e)));
  };

  const synthetic = view !== null && (view.settings.synthetic || view.synthetic_forced);
  const select = (device: Device, label: string, devices: DeviceChoice[]) => {
    if (!view) return null;
    const chosen = view.settings[device];
    // A saved device that is unplugged now stays chosen (and shown) until another is picked.
    const options =
      chosen !== null && !devices.some((d) => d.id === chosen)
        ? [...devices, { id: chosen, name: chosen }]
        : devices;
    return (
      <label className="field">
        {label}
        <select
          value={chosen ?? ""}
          disabled={synthetic}
          data-testid={`call-settings-${device}`}
          onChange={(event) => change({ ...view.settings, [device]: event.target.value || null })}
        >
          <option value="">System default</option>
          {options.map((choice) => (
            <option key={choice.id} value={choice.id}>
              {choice.name}
            </option>
          ))}
        </select>
      </label>
    );
  };

  return (
    <fieldset className="settings-section" data-testid="call-settings">
      <legend>Calls</legend>
      {view && (
        <>
          {select("microphone", "Microphone", view.microphones)}
          {select("speaker", "Speaker", view.speakers)}
          {select("camera", "Camera", view.cameras)}
          <label className="radio">
            <input
              type="checkbox"
              checked={synthetic}
              disabled={view.synthetic_forced}
              data-testid="call-settings-synthetic"
              onChange={(event) => change({ ...view.settings, synthetic: event.target.checked })}
            />
            Use test tone and colour bars instead of devices
          </label>
          {view.synthetic_forced && (
            <p className="hint" data-testid="call-settings-forced">
              Set for this run by GKCHAT_SYNTHETIC_MEDIA=1.
            </p>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
