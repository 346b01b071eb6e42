import { useEffect, useRef, useState, type ReactNode } from "react";
import type { Me } from "../api";
import BlockedSettings from "./BlockedSettings";
import CallSettings from "./CallSettings";
import DeleteAccount from "./DeleteAccount";
import DevicesSettings from "./DevicesSettings";
import MyCode from "./MyCode";
import PhoneSettings from "./PhoneSettings";
import PhotoSettings from "./PhotoSettings";
import PrivacySettings from "./PrivacySettings";
import ProfileSettings from "./ProfileSettings";
import DesktopSettings from "./DesktopSettings";
import NotificationSettings from "./NotificationSettings";
import ServerSettings from "./ServerSettings";
import StorageSettings from "../features/media/StorageSettings";
import AppearanceSettings from "../features/appearance/AppearanceSettings";
import MutedChats from "../features/chats/MutedChats";
import StatusAudienceSettings from "../features/status/StatusAudienceSettings";

/** What the signed-in frame, and Settings within it, work with. */
export interface SignedInProps {
  me: Me;
  onMeChange: (me: Me) => void;
  onSignOut: () => void;
}

/** Settings' sections, in the page's order: `settings-section-<id>`, `settings-nav-<id>`. */
export const SETTINGS_SECTIONS = [
  { id: "account", label: "Account & profile" },
  { id: "privacy", label: "Privacy" },
  { id: "notifications", label: "Notifications" },
  { id: "appearance", label: "Appearance" },
  { id: "chats", label: "Chats & storage" },
  { id: "devices", label: "Devices" },
  { id: "server", label: "Server" },
] as const;

type SectionId = (typeof SETTINGS_SECTIONS)[number]["id"];

/** The nearest box that scrolls `element` (the sidebar's panel), if any. */
function scroller(element: HTMLElement): HTMLElement | null {
  for (let box = element.parentElement; box; box = box.parentElement) {
    const overflow = getComputedStyle(box).overflowY;
    if (overflow === "auto" || overflow === "scroll") return box;
  }
  return null;
}

/**
 * Settings: one scrolling page of sections (so everything in it is always there), with a nav
 * that stays on top, scrolls to a section, and marks the one being read.
 */
export default function SettingsPanel({ me, onMeChange, onSignOut }: SignedInProps) {
  const nav = useRef<HTMLElement>(null);
  const sections = useRef(new Map<SectionId, HTMLElement>());
  const [current, setCurrent] = useState<SectionId>("account");

  // Marks the last section whose top has reached the nav's bottom.
  useEffect(() => {
    const box = nav.current && scroller(nav.current);
    if (!box) return;
    const follow = () => {
      const line = (nav.current?.getBoundingClientRect().bottom ?? 0) + 8;
      let reached: SectionId = SETTINGS_SECTIONS[0].id;
      for (const { id } of SETTINGS_SECTIONS) {
        const section = sections.current.get(id);
        if (section && section.getBoundingClientRect().top <= line) reached = id;
      }
      // Scrolled to the end: the last sections may never reach the line.
      if (box.scrollTop > 0 && box.scrollTop + box.clientHeight >= box.scrollHeight - 2) {
        reached = SETTINGS_SECTIONS[SETTINGS_SECTIONS.length - 1].id;
      }
      setCurrent(reached);
    };
    box.addEventListener("scroll", follow, { passive: true });
    return () => box.removeEventListener("scroll", follow);
  }, []);

  const go = (id: SectionId) => {
    setCurrent(id);
    const section = sections.current.get(id);
    if (!section || !nav.current) return;
    const box = scroller(nav.current);
    if (!box) {
      section.scrollIntoView?.({ block: "start" });
      return;
    }
    const gap = 8;
    const top =
      box.scrollTop +
      section.getBoundingClientRect().top -
      nav.current.getBoundingClientRect().bottom -
      gap;
    box.scrollTo?.({ top: Math.max(0, top), behavior: "smooth" });
    // Keyboard users land in the section.
    section.focus({ preventScroll: true });
  };

  const section = (id: SectionId, children: ReactNode) => {
    const { label } = SETTINGS_SECTIONS.find((s) => s.id === id)!;
    return (
      <section
        className="settings-group"
        data-testid={`settings-section-${id}`}
        aria-labelledby={`settings-title-${id}`}
        tabIndex={-1}
        ref={(element) => {
          if (element) sections.current.set(id, element);
          else sections.current.delete(id);
        }}
      >
        <h2 className="settings-group-title" id={`settings-title-${id}`}>
          {label}
        </h2>
        {children}
      </section>
    );
  };

  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings sections" ref={nav}>
        {SETTINGS_SECTIONS.map(({ id, label }) => (
          <button
            key={id}
            type="button"
            className={current === id ? "settings-nav-item current" : "settings-nav-item"}
            data-testid={`settings-nav-${id}`}
            aria-current={current === id ? "true" : undefined}
            onClick={() => go(id)}
          >
            {label}
          </button>
        ))}
      </nav>
      {section(
        "account",
        <>
          <PhotoSettings me={me} onSaved={onMeChange} />
          <ProfileSettings me={me} onSaved={onMeChange} />
          <MyCode />
          <PhoneSettings onVerified={onMeChange} />
          <button
            type="button"
            className="danger-button"
            data-testid="sign-out"
            onClick={onSignOut}
          >
            Sign out
          </button>
          <DeleteAccount />
        </>,
      )}
      {section(
        "privacy",
        <>
          <PrivacySettings me={me} onSaved={onMeChange} />
          <div data-testid="privacy-status-audience">
            <StatusAudienceSettings />
          </div>
          <BlockedSettings />
        </>,
      )}
      {section(
        "notifications",
        <>
          <NotificationSettings />
          <MutedChats />
        </>,
      )}
      {section("appearance", <AppearanceSettings me={me} onMeChange={onMeChange} />)}
      {section("chats", <StorageSettings />)}
      {section(
        "devices",
        <>
          <DevicesSettings />
          <CallSettings />
          <DesktopSettings />
        </>,
      )}
      {section("server", <ServerSettings />)}
    </div>
  );
}
