// The open chat holds a window of its messages, not all it has seen: while messages pour in, after
// reading back, and after a jump far back.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalMessage, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { chatTile, layOutTimeline, readTo, textMessage } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "./Conversation";
import { GONE_NOTICE } from "./jump";
import { MAX_HELD, PAGE } from "./window";

/** Each row is laid out 40 px high (the timeline is 600 px: `layOutTimeline`). */
const ROW = 40;
/** The most rows in the page: a screenful (15) and the virtualiser's overscan of 12 either side. */
const IN_PAGE = 600 / ROW + 2 * 12;

layOutTimeline();

/** How tall the timeline's content is: its rows as the virtualiser places them. */
function contentHeight(timeline: Element): number {
  const rows = timeline.querySelector<HTMLElement>(".timeline-rows");
  return parseFloat(rows?.style.height ?? "0") || 0;
}

// jsdom lays out and scrolls nothing. Here each row is ROW high (the virtualiser measures its
// offsetHeight), the timeline as tall as its rows, and scrolling puts it there (within them) and
// says so on the next turn, as a browser does on its next frame.
const scrolledTo = new WeakMap<Element, number>();
const telling = new Set<Element>();
const scrollTo = Element.prototype.scrollTo;
beforeEach(() => {
  Object.defineProperty(HTMLElement.prototype, "offsetHeight", {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("timeline-row") ? ROW : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, "scrollHeight", {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains("timeline") ? contentHeight(this) : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, "scrollTop", {
    configurable: true,
    get(this: HTMLElement) {
      return scrolledTo.get(this) ?? 0;
    },
    set(this: HTMLElement, top: number) {
      const to = Math.max(0, Math.min(top, this.scrollHeight - this.clientHeight));
      if (to === this.scrollTop) return;
      scrolledTo.set(this, to);
      if (telling.has(this)) return;
      telling.add(this);
      setTimeout(() => {
        telling.delete(this);
        this.dispatchEvent(new Event("scroll"));
      });
    },
  });
  Element.prototype.scrollTo = function (this: Element, options?: ScrollToOptions | number) {
    this.scrollTop = typeof options === "number" ? options : (options?.top ?? this.scrollTop);
  } as typeof Element.prototype.scrollTo;
});
afterEach(() => {
  Element.prototype.scrollTo = scrollTo;
  delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
  delete (HTMLElement.prototype as { scrollTop?: number }).scrollTop;
});

/**
 * Chat c1 with Grace as the desktop side holds it: `count` messages at first (from seq `first`
 * on: older ones are only on the server). `chat_messages` answers as the store does (the newest
 * `limit` before `before`, placed ones by their place and my unsent ones after them; a `before`
 * leaves the unsent out), and every ask is noted; `holdNextAnswer` keeps the next answer until
 * released. `arrive` adds Grace's next messages and tells each as the messenger does (the message,
 * then that the chats changed); `store` adds them untold (told later, or never). A message I send
 * is told the same way; `compose` keeps one of mine unsent (told so), `sendOut` places it next.
 */
function chatStore(count: number, first = 1) {
  const all: LocalMessage[] = Array.from({ length: count - first + 1 }, (_, i) =>
    textMessage(first + i, "u2", `line ${first + i}`),
  );
  const lastSeq = () => Math.max(0, ...all.map((m) => m.message.seq));
  const asked: { before: number | null; limit: number }[] = [];
  const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};
  const held: Promise<void>[] = [];
  const tell = (message: LocalMessage) => {
    feed.channel!.onmessage({ event: "message", chat_id: "c1", message });
    feed.channel!.onmessage({ event: "chats_changed" });
  };
  invoke.mockImplementation(async (command: string, args?: never) => {
    switch (command) {
      case "chat_messages": {
        const { before, limit } = args as unknown as { before: number | null; limit: number };
        asked.push({ before, limit });
        const inOrder = [
          ...all.filter((m) => m.message.seq > 0).sort((a, b) => a.message.seq - b.message.seq),
          ...all.filter((m) => m.message.seq === 0),
        ];
        const page = inOrder
          .filter((m) => before === null || (m.message.seq > 0 && m.message.seq < before))
          .slice(-limit);
        await held.shift();
        return page;
      }
      case "send_text": {
        const { text } = args as unknown as { text: string };
        const message = textMessage(lastSeq() + 1, "me", text);
        all.push(message);
        tell(message);
        // The store's look for it answers first (the desktop answers the send once it is out).
        await new Promise((resolve) => setTimeout(resolve, 20));
        return message;
      }
      case "list_chats":
        return [chatTile(readTo(lastSeq()))];
      case "search_messages":
        return [{ message: all.find((m) => m.message.seq === 10), snippet: "[line] 10" }];
      case "list_contacts":
        return [];
      case "mark_read":
      case "set_typing":
        return null;
      case "watch_messages":
        feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
        return;
      default:
        throw new Error(command);
    }
  });
  /** Grace's next `n` messages, in the store only. */
  const store = (n: number) =>
    Array.from({ length: n }, () => {
      const seq = lastSeq() + 1;
      const message = textMessage(seq, "u2", `line ${seq}`);
      all.push(message);
      return message;
    });
  const arrive = (n: number) => act(() => store(n).forEach(tell));
  const compose = (id: string) =>
    act(() => {
      const message: LocalMessage = {
        ...textMessage(0, "me", `draft ${id}`, { id }),
        status: { state: "pending" },
      };
      all.push(message);
      tell(message);
    });
  const sendOut = (id: string) =>
    act(() => {
      const at = all.findIndex((m) => m.message.id === id);
      const message = textMessage(lastSeq() + 1, "me", `draft ${id}`, { id });
      all[at] = message;
      tell(message);
    });
  const holdNextAnswer = () => {
    let release = () => {};
    held.push(new Promise<void>((resolve) => (release = resolve)));
    return () => act(async () => release());
  };
  return { all, asked, feed, tell, store, arrive, compose, sendOut, holdNextAnswer };
}

function WithFeed({ focus, focusSeq }: { focus?: string; focusSeq?: number }) {
  useMessengerFeed();
  return <Conversation open={{ chatId: "c1", focus, focusSeq }} myId="me" onClose={() => {}} />;
}

/** Opens chat c1 and waits for its first page and the messenger's feed. */
async function open(store: ReturnType<typeof chatStore>) {
  render(<WithFeed />);
  const timeline = await screen.findByTestId("timeline");
  await waitFor(() => expect(timeline.dataset.loaded).toBe(String(PAGE)));
  await waitFor(() => expect(store.feed.channel).toBeDefined());
  return timeline;
}

/** The user scrolls the timeline to `top` px from its top, or to its bottom. */
async function scrollTimeline(timeline: HTMLElement, top: number | "bottom") {
  timeline.scrollTop = top === "bottom" ? timeline.scrollHeight : top;
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

const loaded = (timeline: HTMLElement) => Number(timeline.dataset.loaded);
const shown = (seq: number) => document.querySelector(`[data-testid=message][data-seq="${seq}"]`);
/** The messages in the page, top to bottom: their places (0: unsent), or their ids. */
const rowsShown = (attribute: "data-seq" | "data-message-id" = "data-seq") =>
  [...document.querySelectorAll("[data-testid=message]")].map((row) => row.getAttribute(attribute));

describe("the open chat's window", () => {
  it("holds the newest page while a thousand messages pour in, each put in place from its event", async () => {
    const store = chatStore(300);
    const timeline = await open(store);
    const asks = store.asked.length;
    for (let batch = 0; batch < 20; batch++) {
      store.arrive(50);
      await waitFor(() => expect(shown(store.all.length)).not.toBeNull());
      expect(loaded(timeline)).toBeLessThanOrEqual(PAGE);
      // In the page: a screenful of rows and the virtualiser's dozen either side.
      expect(screen.getAllByTestId("message").length).toBeLessThanOrEqual(IN_PAGE);
    }
    expect(
      store.asked.every((a) => a.before === null && a.limit === PAGE),
      JSON.stringify(store.asked.filter((a) => a.before !== null || a.limit !== PAGE)),
    ).toBe(true);
    // 2,000 events (each message, then that the chats changed), and no look at the store.
    expect(store.asked.length).toBe(asks);
    const newest = Array.from({ length: 20 }, (_, i) => String(1281 + i));
    expect(rowsShown().slice(-20)).toEqual(newest);

    // Scrolling up still brings the older ones back, from the store (once the view's last scroll
    // down to the newest is done: the rows came at once, with no look to wait for).
    await act(() => new Promise((resolve) => setTimeout(resolve, 100)));
    await scrollTimeline(timeline, 0);
    await waitFor(() => expect(loaded(timeline)).toBe(2 * PAGE));
    expect(store.asked[store.asked.length - 1]).toEqual({ before: 1101, limit: PAGE });
    expect(timeline.dataset.oldestSeq).toBe("901");
  }, 30_000);

  it("reads the store when a message comes after a gap, and shows what was missed in order", async () => {
    const store = chatStore(300);
    await open(store);
    const asks = store.asked.length;
    // 301 to 303 are stored untold (as a catch-up stores them); 304 is told.
    store.store(3);
    store.arrive(1);
    await waitFor(() => expect(shown(304)).not.toBeNull());
    expect(store.asked.slice(asks)).toEqual([{ before: null, limit: PAGE }]);
    expect(rowsShown().slice(-6)).toEqual(["299", "300", "301", "302", "303", "304"]);
    // In order again: from the events.
    store.arrive(2);
    await waitFor(() => expect(shown(306)).not.toBeNull());
    expect(store.asked.length).toBe(asks + 1);
    expect(rowsShown().slice(-3)).toEqual(["304", "305", "306"]);
  });

  it("keeps my unsent messages last, and places mine among the others once sent", async () => {
    const store = chatStore(300);
    await open(store);
    const asks = store.asked.length;
    store.compose("p1");
    await waitFor(() => expect(rowsShown("data-message-id").slice(-1)[0]).toBe("p1"));
    expect(rowsShown().slice(-1)[0]).toBe("0");
    // Grace's next one lands before my unsent one; mine then takes the place after it.
    store.arrive(1);
    await waitFor(() => expect(shown(301)).not.toBeNull());
    expect(rowsShown("data-message-id").slice(-3)).toEqual(["m300", "m301", "p1"]);
    store.sendOut("p1");
    await waitFor(() => expect(shown(302)).not.toBeNull());
    expect(rowsShown("data-message-id").slice(-3)).toEqual(["m300", "m301", "p1"]);
    expect(rowsShown().slice(-3)).toEqual(["300", "301", "302"]);
    expect(store.asked.length).toBe(asks);

    // Placed after one of Grace's not told yet: from the store, in order.
    store.compose("p2");
    await waitFor(() => expect(rowsShown("data-message-id").slice(-1)[0]).toBe("p2"));
    store.store(1);
    store.sendOut("p2");
    await waitFor(() => expect(shown(304)).not.toBeNull());
    expect(rowsShown("data-message-id").slice(-3)).toEqual(["p1", "m303", "p2"]);
    expect(rowsShown().slice(-3)).toEqual(["302", "303", "304"]);
    expect(store.asked.slice(asks)).toEqual([{ before: null, limit: PAGE }]);
  });

  it("goes back to the newest page when the user comes down after reading back", async () => {
    const store = chatStore(1000);
    const timeline = await open(store);
    await scrollTimeline(timeline, 0);
    await waitFor(() => expect(loaded(timeline)).toBe(2 * PAGE));
    await scrollTimeline(timeline, 0);
    await waitFor(() => expect(loaded(timeline)).toBe(3 * PAGE));

    await scrollTimeline(timeline, "bottom");
    await waitFor(() => expect(loaded(timeline)).toBe(PAGE));
    const asks = store.asked.length;
    store.arrive(500);
    await waitFor(() => expect(shown(1500)).not.toBeNull());
    expect(loaded(timeline)).toBe(PAGE);
    expect(store.asked.slice(asks).every((a) => a.before === null && a.limit === PAGE)).toBe(true);
    expect(screen.queryByLabelText("Jump to the newest message")).toBeNull();
  });

  it("pages back past the most it holds, the newest end dropped, and comes back to the newest", async () => {
    const store = chatStore(3000);
    const timeline = await open(store);
    for (let page = 2; page <= 8; page++) {
      await scrollTimeline(timeline, 0);
      await waitFor(() => expect(timeline.dataset.oldestSeq).toBe(String(3001 - page * PAGE)));
      expect(loaded(timeline)).toBe(Math.min(page * PAGE, MAX_HELD));
    }
    expect(store.asked.every((a) => a.limit <= PAGE)).toBe(true);
    fireEvent.click(screen.getByLabelText("Jump to the newest message"));
    await waitFor(() => expect(shown(3000)).not.toBeNull());
    expect(loaded(timeline)).toBe(PAGE);
  });

  it("leaves the rows read in place as messages arrive, holds no more than the most, and brings the rest when scrolled to", async () => {
    const store = chatStore(1000);
    const timeline = await open(store);
    await scrollTimeline(timeline, 0);
    await waitFor(() => expect(loaded(timeline)).toBe(2 * PAGE));
    // Reading 50 rows down from the top of what is held (seq 601 on).
    await scrollTimeline(timeline, 50 * ROW);
    await waitFor(() => expect(shown(651)).not.toBeNull());

    store.arrive(100);
    await waitFor(() => expect(loaded(timeline)).toBe(2 * PAGE + 100));
    expect(shown(651)).not.toBeNull();
    expect(screen.getByLabelText("Jump to the newest message")).toBeTruthy();

    // More than the most held would hold (the store is asked for the pages between): they wait
    // in the store.
    store.arrive(600);
    await waitFor(() => expect(store.asked.some((a) => a.before === 1301)).toBe(true));
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    const held = loaded(timeline);
    expect(held).toBeLessThanOrEqual(MAX_HELD);
    expect(shown(651)).not.toBeNull();
    const asks = store.asked.length;
    store.arrive(10);
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(store.asked.length).toBe(asks);
    expect(loaded(timeline)).toBe(held);

    // Down to the end of what is held: the next page from the store, and so on to the newest,
    // the far end dropped on the way.
    await scrollTimeline(timeline, "bottom");
    await waitFor(() => expect(loaded(timeline)).toBe(held + PAGE));
    // The view stays where it was, the next ones below it.
    expect(shown(1101)).not.toBeNull();
    expect(shown(1102)).not.toBeNull();
    for (let page = 0; page < 5 && !shown(1710); page++) {
      await scrollTimeline(timeline, "bottom");
      await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
      expect(loaded(timeline)).toBeLessThanOrEqual(MAX_HELD);
    }
    await waitFor(() => expect(shown(1710)).not.toBeNull());
    expect(loaded(timeline)).toBe(PAGE);
    expect(screen.queryByLabelText("Jump to the newest message")).toBeNull();
    expect(store.asked.every((a) => a.limit <= PAGE)).toBe(true);
  });

  it("jumps to a search hit far back by holding the page around it, not everything after it", async () => {
    const store = chatStore(5000);
    const timeline = await open(store);
    fireEvent.click(screen.getByTestId("conversation-search-toggle"));
    fireEvent.change(screen.getByTestId("conversation-search"), { target: { value: "line" } });
    fireEvent.click(await screen.findByTestId("search-hit"));
    await waitFor(() =>
      expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
        "m10",
      ),
    );
    expect(store.asked).toContainEqual({ before: 10 + PAGE / 2 + 1, limit: PAGE });
    expect(loaded(timeline)).toBeLessThanOrEqual(PAGE);
    expect(store.asked.every((a) => a.limit <= PAGE)).toBe(true);

    // What arrives meanwhile waits in the store; the jump down brings the newest page.
    const asks = store.asked.length;
    store.arrive(20);
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(store.asked.length).toBe(asks);
    fireEvent.click(screen.getByLabelText("Jump to the newest message"));
    await waitFor(() => expect(shown(5020)).not.toBeNull());
    expect(loaded(timeline)).toBe(PAGE);
  });

  it("jumps to the same search hit again after going down to the newest", async () => {
    const store = chatStore(5000);
    await open(store);
    const jumpToHit = async () => {
      fireEvent.click(screen.getByTestId("conversation-search-toggle"));
      fireEvent.change(screen.getByTestId("conversation-search"), { target: { value: "line" } });
      fireEvent.click(await screen.findByTestId("search-hit"));
      await waitFor(() => expect(shown(10)).not.toBeNull());
    };
    await jumpToHit();
    fireEvent.click(screen.getByLabelText("Jump to the newest message"));
    await waitFor(() => expect(shown(5000)).not.toBeNull());
    expect(shown(10)).toBeNull();

    await jumpToHit();
    expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
      "m10",
    );
    expect(screen.queryByTestId("jump-notice")).toBeNull();
  });

  it("shows a message sent while reading back with the most held, and goes down to it", async () => {
    const store = chatStore(MAX_HELD);
    const timeline = await open(store);
    for (let page = 2; page * PAGE <= MAX_HELD; page++) {
      await scrollTimeline(timeline, 0);
      await waitFor(() => expect(loaded(timeline)).toBe(page * PAGE));
    }
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "hello" } });
    fireEvent.click(screen.getByTestId("send"));
    await waitFor(() => expect(shown(MAX_HELD + 1)).not.toBeNull());
    expect(loaded(timeline)).toBe(PAGE);
    expect(screen.queryByLabelText("Jump to the newest message")).toBeNull();
  });

  it("says a message jumped to went when the store has nothing older, and follows the chat after", async () => {
    // The store holds 301 on; the messages before are only on the server (not reachable now).
    const store = chatStore(600, 301);
    render(<WithFeed focus="m5" />);
    const timeline = await screen.findByTestId("timeline");
    expect((await screen.findByTestId("jump-notice")).textContent).toBe(GONE_NOTICE);

    // It is not looked for again: scrolled down, the view follows what arrives.
    await scrollTimeline(timeline, "bottom");
    const asks = store.asked.length;
    store.arrive(1);
    await waitFor(() => expect(shown(601)).not.toBeNull());
    store.arrive(1);
    await waitFor(() => expect(shown(602)).not.toBeNull());
    expect(store.asked.slice(asks).every((a) => a.before === null)).toBe(true);
    expect(screen.queryByLabelText("Jump to the newest message")).toBeNull();
  });

  it("drops an older page that lands after the jump down to the newest", async () => {
    const store = chatStore(1000);
    const timeline = await open(store);
    const release = store.holdNextAnswer();
    await scrollTimeline(timeline, 0);
    await waitFor(() =>
      expect(store.asked[store.asked.length - 1]).toEqual({ before: 801, limit: PAGE }),
    );
    fireEvent.click(screen.getByLabelText("Jump to the newest message"));
    await release();
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
    expect(loaded(timeline)).toBe(PAGE);
    expect(timeline.dataset.oldestSeq).toBe("801");
    expect(screen.queryByLabelText("Jump to the newest message")).toBeNull();
  });

  it("jumps to a message far back known by its id only, while the view sits at the bottom and messages arrive", async () => {
    const store = chatStore(20_000);
    const first = store.holdNextAnswer();
    const second = store.holdNextAnswer();
    render(<WithFeed focus="m1" />);
    const timeline = await screen.findByTestId("timeline");
    await waitFor(() => expect(store.feed.channel).toBeDefined());
    await first();
    // The look back has asked for its first older page; meanwhile the view is at its bottom (as
    // the newest page opened) and a message arrives.
    await waitFor(() => expect(store.asked).toHaveLength(2));
    await scrollTimeline(timeline, "bottom");
    store.arrive(1);
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
    await second();
    await waitFor(
      () =>
        expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
          "m1",
        ),
      { timeout: 10_000 },
    );
    expect(loaded(timeline)).toBeLessThanOrEqual(MAX_HELD);
    expect(store.asked.every((a) => a.limit <= MAX_HELD)).toBe(true);
  }, 30_000);

  it("opens on the page around a message whose place is known (a hit of the chat list's search)", async () => {
    const store = chatStore(20_000);
    render(<WithFeed focus="m1" focusSeq={1} />);
    const timeline = await screen.findByTestId("timeline");
    await waitFor(() =>
      expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
        "m1",
      ),
    );
    expect(store.asked).toContainEqual({ before: 1 + PAGE / 2 + 1, limit: PAGE });
    // The newest page (as the chat opens) and the page around it: no look back.
    expect(store.asked.length).toBeLessThanOrEqual(2);
    expect(loaded(timeline)).toBe(PAGE / 2 + 1);
  });
});
