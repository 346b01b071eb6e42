import { act, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LocalChat, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { chatTile } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import { forgetChats, preloadChats, useChats } from "./hooks";

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
});
