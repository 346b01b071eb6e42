import type { Me } from "../api";
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
import AppearanceSettings from "../features/appearance/AppearanceSettings";

/** What the signed-in frame, and Settings within it, work with. */
export interface SignedInProps {
  me: Me;
  onMeChange: (me: Me) => void;
  onSignOut: () => void;
}

export default function SettingsPanel({ me, onMeChange, onSignOut }: SignedInProps) {
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
      <AppearanceSettings me={me} onMeChange={onMeChange} />
      <button type="button" className="danger-button" data-testid="sign-out" onClick={onSignOut}>
        Sign out
      </button>
      <DeleteAccount />
    </div>
  );
}
