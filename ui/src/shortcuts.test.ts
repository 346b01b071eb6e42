import { fireEvent, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LAYER, closeInnermost, nextZoom, shortcutFor, useEscape, useShortcuts } from "./shortcuts";

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

describe("Esc", () => {
  /** Open layers by name and rank; returns what Esc closed, in order. */
  function layered(open: Record<string, number>) {
    const closed: string[] = [];
    const names = Object.keys(open);
    const hook = renderHook(
      ({ shown }: { shown: string[] }) => {
        useShortcuts(() => closed.push("a shortcut"));
        for (const name of names) {
          // The same hooks every render, opened or not.
          // eslint-disable-next-line react-hooks/rules-of-hooks
          useEscape(shown.includes(name), open[name]!, () => closed.push(name));
        }
      },
      { initialProps: { shown: names } },
    );
    return { closed, hook };
  }
  const esc = () => fireEvent.keyDown(window, { key: "Escape" });

  it("closes the innermost open thing first, one per press", () => {
    const { closed, hook } = layered({
      chat: LAYER.conversation,
      settings: LAYER.pane,
      quote: LAYER.quote,
      menu: LAYER.menu,
      search: LAYER.search,
    });
    esc();
    expect(closed).toEqual(["menu"]);
    // The menu's owner closes it; the next Esc goes one out.
    hook.rerender({ shown: ["chat", "settings", "quote", "search"] });
    esc();
    hook.rerender({ shown: ["chat", "settings", "quote"] });
    esc();
    hook.rerender({ shown: ["chat", "quote"] });
    esc();
    hook.rerender({ shown: ["chat"] });
    esc();
    expect(closed).toEqual(["menu", "search", "settings", "quote", "chat"]);
    hook.rerender({ shown: [] });
    expect(closeInnermost()).toBe(false);
    hook.unmount();
  });

  it("takes the latest opened among equals", () => {
    const { closed, hook } = layered({ first: LAYER.menu, second: LAYER.menu });
    hook.rerender({ shown: ["second"] });
    hook.rerender({ shown: ["second", "first"] });
    esc();
    expect(closed).toEqual(["first"]);
    hook.unmount();
  });

  it("leaves an Esc already taken by what had focus", () => {
    const { closed, hook } = layered({ chat: LAYER.conversation });
    const taken = new KeyboardEvent("keydown", { key: "Escape", cancelable: true });
    taken.preventDefault();
    window.dispatchEvent(taken);
    expect(closed).toEqual([]);
    esc();
    expect(closed).toEqual(["chat"]);
    hook.unmount();
  });
});
