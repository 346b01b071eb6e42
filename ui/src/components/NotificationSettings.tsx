import { useEffect, useState } from "react";
import { api, describeError, type NotificationSettings as Settings } from "../api";

/** The choices that only matter while notifications are on, each a checkbox. */
const WHILE_ON: { key: Exclude<keyof Settings, "enabled">; testId: string; label: string }[] = [
  { key: "previews", testId: "notifications-previews", label: "Show the message's words in it" },
  { key: "sound", testId: "notify-sound", label: "Play the message sound" },
  {
    key: "mentions",
    testId: "notify-mentions",
    label: "A message that mentions me notifies even in a muted chat",
  },
  { key: "answers", testId: "notify-answers", label: "Votes and answers to my polls and events" },
  {
    key: "status",
    testId: "notify-status",
    label: "New status updates of those I get notified of",
  },
];

/**
 * This device's notifications: whether new messages show one, whether it shows their words and
 * plays the sound, whether a mention of me notifies in a muted chat, and whether votes in my
 * polls, answers to my events and new status updates do too. Each choice is saved (and applies)
 * at once.
 */
export default function NotificationSettings() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .getNotificationSettings()
      .then(setSettings)
      .catch((e) => setError(describeError(e)));
  }, []);

  const change = (next: Settings) => {
    setError(null);
    api
      .setNotificationSettings(next)
      .then(setSettings)
      .catch((e) => setError(describeError(e)));
  };

  return (
    <fieldset className="settings-section" data-testid="notification-settings">
      <legend>On this device</legend>
      {settings && (
        <>
          <label className="radio">
            <input
              type="checkbox"
              checked={settings.enabled}
              data-testid="notifications-enabled"
              onChange={(event) => change({ ...settings, enabled: event.target.checked })}
            />
            Show a notification for new messages
          </label>
          {WHILE_ON.map(({ key, testId, label }) => (
            <label key={key} className="radio">
              <input
                type="checkbox"
                checked={settings[key]}
                disabled={!settings.enabled}
                data-testid={testId}
                onChange={(event) => change({ ...settings, [key]: event.target.checked })}
              />
              {label}
            </label>
          ))}
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
