import { act, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LocalChat, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { chatTile } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import { STORE_WAIT_MS, forgetChats, preloadChats, useChats } from "./hooks";

type Channel = { onmessage: (event: MessengerEvent) => void };

/** A screen showing how many chats it has, named by `name`. */
function Count({ name }: { name: string }) {
  const { chats, error } = useChats();
  return <p data-testid={name}>{error ?? (chats ? `${chats.length} chats` : "none yet")}</p>;
}

/** The page: the feed, and two screens showing the list (the list and the frame, say). */
function Page() {
  useMessengerFeed();
  return (
    <>
      <Count name="list" />
      <Count name="frame" />
    </>
  );
}

/** `list_chats` answering each ask by hand (`answer(n)`: n tiles), and the feed's channel. */
function desktop() {
  const feed: { channel?: Channel } = {};
  const asks: ((chats: LocalChat[]) => void)[] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command === "watch_messages") {
      feed.channel = (args as unknown as { onEvent: Channel }).onEvent;
      return null;
    }
    if (command === "list_chats") return new Promise((resolve) => asks.push(resolve));
    throw new Error(command);
  });
  const tiles = (n: number) => Array.from({ length: n }, (_, i) => chatTile({ id: `c${i}` }));
  return {
    feed,
    asks,
    answer: (at: number, n: number) => act(() => asks[at]!(tiles(n))),
  };
}

const shown = (name: string) => screen.getByTestId(name).textContent;

/** The feed, and the list while `showing` (a screen that comes and goes). */
function Screens({ showing }: { showing: boolean }) {
  useMessengerFeed();
  return showing ? <Count name="list" /> : null;
}

/** `list_chats` saying "sign in first" (the account answered before its store opened) until
 * `open()`; then one tile. */
function storeOpeningLate() {
  const feed: { channel?: Channel } = {};
  let opened = false;
  const asks: number[] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command === "watch_messages") {
      feed.channel = (args as unknown as { onEvent: Channel }).onEvent;
      return null;
    }
    if (command === "list_chats") {
      asks.push(Date.now());
      if (opened) return [chatTile()];
      throw { code: "unauthorized", message: "Sign in first" };
    }
    throw new Error(command);
  });
  return { feed, asks, open: () => (opened = true) };
}

/** Lets the answers on their way land (timers faked). */
const settle = () => act(() => vi.advanceTimersByTimeAsync(0));

afterEach(() => {
  vi.useRealTimers();
});

describe("my chats, one list for the page", () => {
  it("is asked once for every screen showing it", async () => {
    const { asks, answer } = desktop();
    render(<Page />);
    await waitFor(() => expect(asks).toHaveLength(1));
    answer(0, 2);
    await waitFor(() => expect(shown("list")).toBe("2 chats"));
    expect(shown("frame")).toBe("2 chats");
    expect(asks).toHaveLength(1);
  });

  it("asks once more for changes while an answer is on its way, never answering out of order", async () => {
    const { feed, asks, answer } = desktop();
    render(<Page />);
    await waitFor(() => expect(feed.channel).toBeDefined());
    answer(0, 1);
    await waitFor(() => expect(shown("list")).toBe("1 chats"));
    act(() => feed.channel!.onmessage({ event: "chats_changed" }));
    act(() => feed.channel!.onmessage({ event: "chats_changed" }));
    act(() => feed.channel!.onmessage({ event: "chats_changed" }));
    expect(asks).toHaveLength(2);
    answer(1, 2);
    await waitFor(() => expect(asks).toHaveLength(3));
    answer(2, 3);
    await waitFor(() => expect(shown("list")).toBe("3 chats"));
    expect(asks).toHaveLength(3);
  });

  it("keeps the tiles asked for at start for the screen that mounts next, and forgets them signed out", async () => {
    const { asks, answer } = desktop();
    preloadChats();
    expect(asks).toHaveLength(1);
    answer(0, 2);
    render(<Count name="list" />);
    await waitFor(() => expect(shown("list")).toBe("2 chats"));
    expect(asks).toHaveLength(1);
    // An answer on its way when the account signs out is dropped.
    preloadChats();
    act(() => forgetChats());
    expect(shown("list")).toBe("none yet");
    answer(1, 5);
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(shown("list")).toBe("none yet");
  });

  it("loads again for a screen that mounts while a load from before a change is on its way", async () => {
    const { feed, asks, answer } = desktop();
    const page = render(<Screens showing />);
    await waitFor(() => expect(feed.channel).toBeDefined());
    await waitFor(() => expect(asks).toHaveLength(1));
    answer(0, 1);
    await waitFor(() => expect(shown("list")).toBe("1 chats"));
    act(() => feed.channel!.onmessage({ event: "chats_changed" }));
    expect(asks).toHaveLength(2);
    // No screen shows the list when the next change comes; one does before the answer lands.
    page.rerender(<Screens showing={false} />);
    act(() => feed.channel!.onmessage({ event: "chats_changed" }));
    page.rerender(<Screens showing />);
    answer(1, 2);
    await waitFor(() => expect(asks).toHaveLength(3));
    answer(2, 3);
    await waitFor(() => expect(shown("list")).toBe("3 chats"));
  });

  it("waits for the store at start, loading when it opens", async () => {
    vi.useFakeTimers();
    const { feed, asks, open } = storeOpeningLate();
    render(<Page />);
    await settle();
    expect(asks).toHaveLength(1);
    expect(shown("list")).toBe("none yet");
    open();
    act(() => feed.channel!.onmessage({ event: "chats_changed" }));
    await settle();
    expect(shown("list")).toBe("1 chats");
    // The wait is over: nothing more is asked for, nothing is said.
    await act(() => vi.advanceTimersByTimeAsync(STORE_WAIT_MS));
    expect(asks).toHaveLength(2);
    expect(shown("list")).toBe("1 chats");
  });

  it("says so when the store does not open soon after the start", async () => {
    vi.useFakeTimers();
    const { asks } = storeOpeningLate();
    render(<Page />);
    await settle();
    expect(shown("list")).toBe("none yet");
    await act(() => vi.advanceTimersByTimeAsync(STORE_WAIT_MS - 1));
    expect(shown("list")).toBe("none yet");
    // Asked once more at the end of the wait, and said.
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(asks).toHaveLength(2);
    expect(shown("list")).toBe("Sign in first");
    expect(shown("frame")).toBe("Sign in first");
  });
});
