import { useEffect, useRef, useState, type ReactNode } from "react";
import type { Me } from "../api";
import type { Appearance } from "../bindings/Appearance";
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
  /** My account as a save here answered it. */
  onMeChange: (me: Me) => void;
  /** Shows and saves my appearance (see `useAccount`); rejects when refused. */
  onChooseAppearance: (appearance: Appearance) => Promise<void>;
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

/** How far below the top of the scrolling box a section's top counts as being read. */
const READING_LINE = 16;
/** The gap left above a section the nav scrolls to (inside the reading line). */
const SCROLL_GAP = 8;
/** How long the page stays still before a pick's scrolling counts as over. */
const SETTLE_MS = 150;

/**
 * Settings: one scrolling page of sections (so everything in it is always there), with a nav at
 * its top (it scrolls away with the page: nothing may hide under it) that scrolls to a section,
 * and marks the one being read: the last whose top has reached the top of the scrolling box, or
 * the one picked while the page scrolls to it.
 */
export default function SettingsPanel({
  me,
  onMeChange,
  onChooseAppearance,
  onSignOut,
}: SignedInProps) {
  const nav = useRef<HTMLElement>(null);
  const sections = useRef(new Map<SectionId, HTMLElement>());
  const [current, setCurrent] = useState<SectionId>("account");
  /** Where a pick in the nav is scrolling the page to: the pick stays marked until it is there
   * (or the scrolling stops short). */
  const arriving = useRef<number | null>(null);

  useEffect(() => {
    const box = nav.current && scroller(nav.current);
    if (!box) return;
    const mark = () => {
      const line = box.getBoundingClientRect().top + READING_LINE;
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
    let settling: ReturnType<typeof setTimeout> | undefined;
    const follow = () => {
      clearTimeout(settling);
      if (arriving.current === null) {
        mark();
      } else if (Math.abs(box.scrollTop - arriving.current) <= 2) {
        // There: the pick stays marked (a section near the end never reaches the line).
        arriving.current = null;
      } else {
        // On the way, or stopped short (the user scrolled on their own): once it settles, the
        // page's position says again.
        settling = setTimeout(() => {
          arriving.current = null;
          mark();
        }, SETTLE_MS);
      }
    };
    box.addEventListener("scroll", follow, { passive: true });
    return () => {
      clearTimeout(settling);
      box.removeEventListener("scroll", follow);
    };
  }, []);

  const go = (id: SectionId) => {
    setCurrent(id);
    const section = sections.current.get(id);
    if (!section || !nav.current) return;
    const box = scroller(nav.current);
    if (!box) {
      section.scrollIntoView?.({ block: "start" });
      section.focus({ preventScroll: true });
      return;
    }
    // The section's top just under the box's top (as far as the page scrolls).
    const top = Math.min(
      Math.max(
        0,
        box.scrollTop +
          section.getBoundingClientRect().top -
          box.getBoundingClientRect().top -
          SCROLL_GAP,
      ),
      Math.max(0, box.scrollHeight - box.clientHeight),
    );
    arriving.current = Math.abs(top - box.scrollTop) > 2 ? top : null;
    box.scrollTo?.({ top, behavior: "smooth" });
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
      {section(
        "appearance",
        <AppearanceSettings appearance={me.appearance} onChoose={onChooseAppearance} />,
      )}
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
