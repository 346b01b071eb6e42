import type { Me } from "../api";
import type { ThemeChoice } from "../theme";
import BlockedSettings from "./BlockedSettings";
import CallSettings from "./CallSettings";
import DeleteAccount from "./DeleteAccount";
import DevicesSettings from "./DevicesSettings";
import MyCode from "./MyCode";
import PhoneSettings from "./PhoneSettings";
import PhotoSettings from "./PhotoSettings";
import ProfileSettings from "./ProfileSettings";
import DesktopSettings from "./DesktopSettings";
import NotificationSettings from "./NotificationSettings";
import ServerSettings from "./ServerSettings";
import StorageSettings from "../features/media/StorageSettings";

/** What the signed-in frame, and Settings within it, work with. */
export interface SignedInProps {
  me: Me;
  onMeChange: (me: Me) => void;
  onSignOut: () => void;
  theme: ThemeChoice;
  onThemeChange: (choice: ThemeChoice) => void;
}

export default function SettingsPanel({
  me,
  onMeChange,
  onSignOut,
  theme,
  onThemeChange,
}: SignedInProps) {
  return (
    <div className="settings">
      <PhotoSettings me={me} onSaved={onMeChange} />
      <ProfileSettings me={me} onSaved={onMeChange} />
      <MyCode />
      <PhoneSettings onVerified={onMeChange} />
      <DevicesSettings />
      <BlockedSettings />
      <NotificationSettings />
      <CallSettings />
      <StorageSettings />
      <DesktopSettings />
      <ServerSettings />
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
      <button type="button" className="danger-button" data-testid="sign-out" onClick={onSignOut}>
        Sign out
      </button>
      <DeleteAccount />
    </div>
  );
}
