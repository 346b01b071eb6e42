import { useEffect, useState } from "react";
import { api, describeError, type NotificationSettings as Settings } from "../api";

/**
 * Whether new messages show a notification, whether it shows their words, and whether votes in
 * my polls and answers to my events do too.
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
      <legend>Notifications</legend>
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
          <label className="radio">
            <input
              type="checkbox"
              checked={settings.previews}
              disabled={!settings.enabled}
              data-testid="notifications-previews"
              onChange={(event) => change({ ...settings, previews: event.target.checked })}
            />
            Show the message's words in it
          </label>
          <label className="radio">
            <input
              type="checkbox"
              checked={settings.answers}
              disabled={!settings.enabled}
              data-testid="notify-answers"
              onChange={(event) => change({ ...settings, answers: event.target.checked })}
            />
            Votes and answers to my polls and events
          </label>
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
