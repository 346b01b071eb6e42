import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { askAccountAtStart } from "./account";
import type { LocalChat, Me, MessengerEvent } from "./api";
import App from "./App";
import { afterStart, beginStart, firstScreenShown, mark, START_LIMIT_MS } from "./startup";
import { ME, chatTile, groupTile, textMessage } from "./test-fixtures";
import { invoke } from "./test-ipc";

type Channel = { onmessage: (event: MessengerEvent) => void };

/** My chats in the store: Grace with her photo, and a group. */
const TILES: LocalChat[] = [
  chatTile({
    photo: "p-start-grace",
    last_seq: 1,
    last_message: textMessage(1, "u2", "See you at noon").message,
  }),
  groupTile({
    id: "g1",
    last_seq: 1,
    last_message: textMessage(1, "u3", "Trail at 9").message,
  }),
];

/**
 * The desktop at start, signed in: the account and the tiles answer at once (with `storeLate`,
 * the tiles `unauthorized` until the test sets `storeOpen`: the account answered before its store
 * was open), the contacts and photos (the server's) never, within the test.
 */
function desktop({ signedIn = true, storeLate = false } = {}) {
  const feed: { channel?: Channel; storeOpen: boolean } = { storeOpen: !storeLate };
  invoke.mockImplementation(async (command: string, args?: never) => {
    switch (command) {
      case "current_account":
        return (signedIn ? ME : null) satisfies Me | null;
      case "watch_messages":
        feed.channel = (args as unknown as { onEvent: Channel }).onEvent;
        return null;
      case "list_chats":
        if (!feed.storeOpen) throw { code: "unauthorized", message: "sign in first" };
        return TILES;
      case "chat_members":
      case "former_members":
        return [];
      case "list_contacts":
      case "user_photo":
        return new Promise(() => undefined);
      default:
        // Marks, live feeds, the open chat: nothing to answer.
        return null;
    }
  });
  return feed;
}

const commands = () => invoke.mock.calls.map(([command]) => command);
const marks = () =>
  invoke.mock.calls
    .filter(([command]) => command === "startup_mark")
    .map(([, args]) => (args as unknown as { name: string }).name);
const asked = (command: string) => commands().indexOf(command);

/** Frames painted by hand: `paint()` runs the frame callbacks asked for so far. */
function holdFrames() {
  const frames: FrameRequestCallback[] = [];
  const spy = vi.spyOn(window, "requestAnimationFrame").mockImplementation((callback) => {
    frames.push(callback);
    return frames.length;
  });
  return {
    paint: () => act(() => frames.splice(0).forEach((callback) => callback(performance.now()))),
    restore: () => spy.mockRestore(),
  };
}

let frames: ReturnType<typeof holdFrames>;
beforeEach(() => {
  frames = holdFrames();
  // jsdom has no media queries; the theme follows a light OS here.
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    }) as unknown as MediaQueryList;
});
afterEach(() => {
  frames.restore();
  vi.useRealTimers();
});

describe("start-up marks", () => {
  it("are not sent by a page main.tsx did not start", async () => {
    invoke.mockResolvedValue(null);
    mark("ui_start");
    firstScreenShown("chat_list");
    frames.paint();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(invoke).not.toHaveBeenCalled();
  });

  it("are sent once each, and one the desktop refuses changes nothing", async () => {
    invoke.mockRejectedValue({ code: "bad_request", message: "not a mark name" });
    beginStart();
    mark("account_answered");
    mark("account_answered");
    mark("ui_start");
    await waitFor(() => expect(marks()).toEqual(["ui_start", "account_answered"]));
  });
});

describe("the start", () => {
  it("paints the tiles from the store first, then marks them and asks for contacts and photos", async () => {
    desktop();
    beginStart();
    askAccountAtStart();
    render(<App />);
    expect(await screen.findAllByTestId("chat-tile")).toHaveLength(2);

    expect(commands().filter((c) => c !== "startup_mark")[0]).toBe("current_account");
    // The feed before the tiles (a change meanwhile reloads them), and the tiles before the
    // frame around them rendered (its connection badge), asked once for every screen.
    expect(asked("watch_messages")).toBeLessThan(asked("list_chats"));
    expect(asked("list_chats")).toBeLessThan(asked("watch_connection"));
    expect(commands().filter((c) => c === "list_chats")).toHaveLength(1);
    // The server's contacts and photos wait for the paint.
    expect(commands()).not.toContain("list_contacts");
    expect(commands()).not.toContain("user_photo");
    expect(marks()).toEqual([
      "ui_start",
      "account_answered",
      "chats_answered",
      "chat_list_rendered",
    ]);

    frames.paint();
    await waitFor(() => expect(marks()).toContain("chat_list_painted"));
    await waitFor(() => expect(commands()).toContain("list_contacts"));
    expect(invoke).toHaveBeenCalledWith("user_photo", { userId: "u2", size: "thumb" });
    // Neither answered: the tiles are there all the same, and marked once.
    expect(screen.getAllByTestId("chat-tile")).toHaveLength(2);
    expect(marks().filter((name) => name.startsWith("chat_list"))).toEqual([
      "chat_list_rendered",
      "chat_list_painted",
    ]);
  });

  it("waits for a store not open yet without an error, and shows the tiles once it is", async () => {
    const feed = desktop({ storeLate: true });
    beginStart();
    askAccountAtStart();
    render(<App />);
    await screen.findByTestId("me-name");
    // Asked with the account's answer, and again by the list as it mounts: not open yet.
    await waitFor(() => expect(commands().filter((c) => c === "list_chats")).toHaveLength(2));
    await waitFor(() => expect(marks()).toContain("chats_failed"));
    expect(screen.queryByText(/sign in first/)).toBeNull();
    expect(screen.queryAllByTestId("chat-tile")).toHaveLength(0);

    feed.storeOpen = true;
    act(() => feed.channel!.onmessage({ event: "chats_changed" }));
    expect(await screen.findAllByTestId("chat-tile")).toHaveLength(2);
    expect(marks()).toContain("chat_list_rendered");
  });

  it("counts only the first screen: signed out, the sign-in screen", async () => {
    desktop({ signedIn: false });
    beginStart();
    askAccountAtStart();
    render(<App />);
    await screen.findByTestId("auth-submit");
    frames.paint();
    await waitFor(() => expect(marks()).toContain("sign_in_painted"));
    firstScreenShown("chat_list");
    frames.paint();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(marks()).toEqual(["ui_start", "account_answered", "sign_in_painted"]);
  });

  it("holds work the first screen does not need until it is painted, or the time limit", async () => {
    vi.useFakeTimers();
    invoke.mockResolvedValue(null);
    beginStart();
    const work = vi.fn(async () => "done");
    const done = afterStart(work);
    await vi.advanceTimersByTimeAsync(START_LIMIT_MS - 1);
    expect(work).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toBe("done");
    // After the start: at once.
    const later = vi.fn(async () => 1);
    void afterStart(later);
    expect(later).toHaveBeenCalled();
  });
});
