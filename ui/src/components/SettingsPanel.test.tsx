import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ME, chatTile } from "../test-fixtures";
import { invoke } from "../test-ipc";
import SettingsPanel, { SETTINGS_SECTIONS } from "./SettingsPanel";

/** The desktop side: one muted chat; every other setting has nothing to say. */
function serve() {
  invoke.mockImplementation(async (command: string) => {
    if (command === "list_chats") {
      return [chatTile({ id: "c-grace", muted_until: Number.MAX_SAFE_INTEGER })];
    }
    return null;
  });
}

const renderSettings = () =>
  render(
    <div style={{ overflowY: "auto" }} data-testid="scroller">
      <SettingsPanel
        me={ME}
        onMeChange={() => {}}
        onChooseAppearance={async () => {}}
        onSignOut={() => {}}
      />
    </div>,
  );

describe("SettingsPanel", () => {
  it("shows every section on one page, with a nav item for each", async () => {
    serve();
    renderSettings();
    const ids = ["account", "privacy", "notifications", "appearance", "chats", "devices", "server"];
    expect(SETTINGS_SECTIONS.map((s) => s.id)).toEqual(ids);
    for (const id of ids) {
      expect(screen.getByTestId(`settings-section-${id}`)).toBeTruthy();
      expect(screen.getByTestId(`settings-nav-${id}`)).toBeTruthy();
    }
    expect(screen.getByTestId("settings-nav-chats").textContent).toBe("Chats & storage");
    await screen.findByTestId("muted-chat");
  });

  it("keeps each setting in its section", async () => {
    serve();
    renderSettings();
    const inSection = (section: string, ...testIds: string[]) => {
      const box = screen.getByTestId(`settings-section-${section}`);
      for (const id of testIds) expect(within(box).getByTestId(id)).toBeTruthy();
    };
    inSection("account", "photo-settings", "profile-display-name", "profile-status");
    inSection("account", "save-profile", "my-code", "phone-settings", "sign-out");
    inSection("privacy", "privacy-last_seen", "privacy-photo", "privacy-about");
    inSection("privacy", "privacy-read-receipts", "privacy-groups", "default-timer");
    inSection("privacy", "privacy-who-can-message");
    inSection("privacy", "privacy-status-audience", "status-audience", "blocked");
    inSection("notifications", "notification-settings", "muted-chats");
    inSection("appearance", "settings-appearance");
    inSection("chats", "storage-settings");
    inSection("devices", "devices", "call-settings", "desktop-settings");
    inSection("server", "server-url", "save-server-url");
    const appearance = screen.getByTestId("settings-section-appearance");
    expect(appearance.querySelector("input[name=theme][value=dark]")).toBeTruthy();
    await within(screen.getByTestId("settings-section-notifications")).findByTestId(
      "unmute-c-grace",
    );
  });

  it("scrolls to a section from the nav, and marks it", async () => {
    serve();
    renderSettings();
    const scroller = screen.getByTestId("scroller");
    const scrollTo = vi.fn();
    scroller.scrollTo = scrollTo as typeof scroller.scrollTo;
    const privacy = screen.getByTestId("settings-nav-privacy");
    expect(screen.getByTestId("settings-nav-account").getAttribute("aria-current")).toBe("true");
    expect(privacy.getAttribute("aria-current")).toBeNull();
    fireEvent.click(privacy);
    expect(scrollTo).toHaveBeenCalledTimes(1);
    expect(privacy.getAttribute("aria-current")).toBe("true");
    expect(screen.getByTestId("settings-nav-account").getAttribute("aria-current")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("settings-section-privacy"));
    await screen.findByTestId("muted-chat");
  });

  /**
   * Lays the page out as the sidebar has it: the scrolling box 600 px high, its top 100 px down
   * the window, the nav (40 px, not stuck: it scrolls away) and the sections one under the
   * other, `scrollTo` moving nothing until the test scrolls (`scroll`).
   */
  function layOut() {
    const box = screen.getByTestId("scroller");
    const tops: Record<string, number> = {
      "settings-nav": 0,
      "settings-section-account": 40,
      "settings-section-privacy": 400,
      "settings-section-notifications": 800,
      "settings-section-appearance": 1000,
      "settings-section-chats": 1400,
      "settings-section-devices": 1500,
      "settings-section-server": 1700,
    };
    let scrollTop = 0;
    Object.defineProperties(box, {
      scrollTop: { get: () => scrollTop, configurable: true },
      scrollHeight: { value: 1800, configurable: true },
      clientHeight: { value: 600, configurable: true },
    });
    box.scrollTo = vi.fn() as typeof box.scrollTo;
    vi.spyOn(Element.prototype, "getBoundingClientRect").mockImplementation(function (
      this: Element,
    ) {
      const key =
        this === box
          ? "box"
          : this.classList.contains("settings-nav")
            ? "settings-nav"
            : (this.getAttribute("data-testid") ?? "");
      const top = key === "box" ? 100 : 100 + (tops[key] ?? 0) - scrollTop;
      return {
        top,
        bottom: top + 40,
        left: 0,
        right: 300,
        x: 0,
        y: top,
        width: 300,
        height: 40,
        toJSON: () => ({}),
      };
    });
    return {
      box,
      scroll: (to: number) => {
        scrollTop = to;
        fireEvent.scroll(box);
      },
    };
  }

  const marked = () =>
    SETTINGS_SECTIONS.map((s) => s.id).filter(
      (id) => screen.getByTestId(`settings-nav-${id}`).getAttribute("aria-current") === "true",
    );

  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("marks the section whose top reached the top of the scrolling box, the nav scrolled away", async () => {
    serve();
    renderSettings();
    await screen.findByTestId("muted-chat");
    const { scroll } = layOut();
    scroll(410);
    expect(marked()).toEqual(["privacy"]);
    scroll(370);
    expect(marked()).toEqual(["account"]);
    scroll(1010);
    expect(marked()).toEqual(["appearance"]);
    // At the end: the last section, which never reaches the top.
    scroll(1200);
    expect(marked()).toEqual(["server"]);
  });

  it("scrolls a picked section to the top of the box and keeps it marked on the way there", async () => {
    serve();
    renderSettings();
    await screen.findByTestId("muted-chat");
    const { box, scroll } = layOut();
    scroll(410);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    fireEvent.click(screen.getByTestId("settings-nav-appearance"));
    expect(box.scrollTo).toHaveBeenLastCalledWith({ top: 992, behavior: "smooth" });
    scroll(700);
    expect(marked()).toEqual(["appearance"]);
    scroll(992);
    expect(marked()).toEqual(["appearance"]);
    // Devices never reaches the top (the page ends first): picked, it stays marked there.
    fireEvent.click(screen.getByTestId("settings-nav-devices"));
    expect(box.scrollTo).toHaveBeenLastCalledWith({ top: 1200, behavior: "smooth" });
    scroll(1100);
    scroll(1200);
    expect(marked()).toEqual(["devices"]);
    // Scrolling on from there follows the page again.
    scroll(850);
    expect(marked()).toEqual(["notifications"]);
    // A pick's scrolling that stops short (the user took over) follows the page once it settles.
    fireEvent.click(screen.getByTestId("settings-nav-server"));
    scroll(420);
    expect(marked()).toEqual(["server"]);
    act(() => vi.advanceTimersByTime(150));
    expect(marked()).toEqual(["privacy"]);
  });
});
