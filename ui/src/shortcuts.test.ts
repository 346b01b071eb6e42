import { describe, expect, it } from "vitest";
import { nextZoom, shortcutFor } from "./shortcuts";

const press = (key: string, mods: Partial<{ ctrl: boolean; meta: boolean; alt: boolean }> = {}) =>
  shortcutFor({
    key,
    ctrlKey: mods.ctrl ?? false,
    metaKey: mods.meta ?? false,
    altKey: mods.alt ?? false,
    shiftKey: false,
  });

describe("shortcuts", () => {
  it("reads Ctrl on Linux and Windows and Cmd on macOS alike", () => {
    expect(press("k", { ctrl: true })).toBe("search");
    expect(press("K", { meta: true })).toBe("search");
    expect(press("n", { ctrl: true })).toBe("new-chat");
    expect(press(",", { meta: true })).toBe("settings");
    expect(press("=", { ctrl: true })).toBe("zoom-in");
    expect(press("-", { ctrl: true })).toBe("zoom-out");
    expect(press("0", { ctrl: true })).toBe("zoom-reset");
  });

  it("moves between chats with Alt+Up/Down and closes with Esc", () => {
    expect(press("ArrowUp", { alt: true })).toBe("previous-chat");
    expect(press("ArrowDown", { alt: true })).toBe("next-chat");
    expect(press("Escape")).toBe("close");
  });

  it("leaves plain typing alone", () => {
    expect(press("k")).toBeNull();
    expect(press("ArrowUp")).toBeNull();
    expect(press("x", { ctrl: true })).toBeNull();
  });

  it("zooms in steps and stops at the ends", () => {
    expect(nextZoom(1, 1)).toBe(1.1);
    expect(nextZoom(1, -1)).toBe(0.9);
    expect(nextZoom(2, 1)).toBe(2);
    expect(nextZoom(0.67, -1)).toBe(0.67);
    expect(nextZoom(1.5, 0)).toBe(1);
  });
});
