import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Message, MessengerEvent, SearchHit } from "../../api";
import { useMessengerFeed } from "../../messages";
import { textMessage } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import SearchResults from "./SearchResults";

const hit: SearchHit = {
  message: textMessage(1, "u2", "meet at the café"),
  snippet: "meet at the [café]",
};

describe("SearchResults", () => {
  it("asks the store, marks the match and hands back the pick", async () => {
    invoke.mockResolvedValue([hit]);
    const onPick = vi.fn();
    render(<SearchResults query="caf" chatId="c1" onPick={onPick} />);
    const found = await screen.findByTestId("search-hit");
    expect(found.querySelector("mark")?.textContent).toBe("café");
    expect(invoke).toHaveBeenCalledWith("search_messages", { text: "caf", chatId: "c1" });
    fireEvent.click(found);
    expect(onPick).toHaveBeenCalledWith(hit);
  });

  /** A hit for message `m<seq>` ("café <seq>"), its message as `over` says. */
  const hitOf = (seq: number, over: Partial<Message> = {}): SearchHit => ({
    message: textMessage(seq, "u2", `café ${seq}`, over),
    snippet: `[café] ${seq}`,
  });

  /** The search in chat c1 with the messenger followed; the store answers `hits`. */
  function serve(hits: SearchHit[]) {
    const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "search_messages") return hits;
      if (command === "watch_messages") {
        feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
        return null;
      }
      throw new Error(command);
    });
    function Search() {
      useMessengerFeed();
      return <SearchResults query="caf" chatId="c1" onPick={() => {}} />;
    }
    render(<Search />);
    return feed;
  }

  const shownHits = () => screen.queryAllByTestId("search-hit").map((h) => h.textContent);

  afterEach(() => vi.useRealTimers());

  it("drops a hit whose message the messenger says expired or was deleted", async () => {
    const feed = serve([hitOf(1), hitOf(2), hitOf(3)]);
    await waitFor(() => expect(screen.getAllByTestId("search-hit")).toHaveLength(3));
    await waitFor(() => expect(feed.channel).toBeDefined());
    const expired = textMessage(1, "u2", "", { expired: true, content: null });
    act(() => feed.channel!.onmessage({ event: "message", chat_id: "c1", message: expired }));
    expect(screen.getAllByTestId("search-hit")).toHaveLength(2);
    const deleted = textMessage(3, "u2", "", { content: null, deleted_at: Date.now() });
    act(() => feed.channel!.onmessage({ event: "message", chat_id: "c1", message: deleted }));
    expect(shownHits()).toEqual([expect.stringContaining("café 2")]);
    // A change to a message still there (a reaction, say) keeps its hit.
    act(() =>
      feed.channel!.onmessage({ event: "message", chat_id: "c1", message: hitOf(2).message }),
    );
    expect(screen.getAllByTestId("search-hit")).toHaveLength(1);
  });

  it("drops a hit when its message's time comes, and lists none whose time is up", async () => {
    vi.useFakeTimers();
    const now = Date.now();
    serve([
      hitOf(1, { expires_at: now - 1 }),
      hitOf(2, { expires_at: now + 60_000 }),
      hitOf(3, { expires_at: now - 1, kept: true }),
    ]);
    await act(() => vi.advanceTimersByTimeAsync(150));
    expect(shownHits()).toEqual([
      expect.stringContaining("café 2"),
      expect.stringContaining("café 3"),
    ]);
    await act(() => vi.advanceTimersByTimeAsync(59_000));
    expect(screen.getAllByTestId("search-hit")).toHaveLength(2);
    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(shownHits()).toEqual([expect.stringContaining("café 3")]);
  });
});
