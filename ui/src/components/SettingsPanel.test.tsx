import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
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
      <SettingsPanel me={ME} onMeChange={() => {}} onSignOut={() => {}} />
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
    inSection("privacy", "privacy-status-audience", "status-audience", "blocked");
    inSection("notifications", "notification-settings", "muted-chats");
    inSection("appearance", "settings-appearance");
    inSection("chats", "storage-settings");
    inSection("devices", "devices", "call-settings", "desktop-settings");
    inSection("server", "server-url", "save-server-url");
    const appearance = screen.getByTestId("settings-section-appearance");
    expect(appearance.querySelector("input[name=theme][value=dark]")).toBeTruthy();
    // "Who can message me" is not a setting (yet).
    expect(screen.queryByText(/who can message me/i)).toBeNull();
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
});
