import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { ME } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import { clockTime } from "../../time";
import type { StatusFeed } from "./api";
import StatusPanel from "./StatusPanel";
import { callsOf, feedOf, HOUR, owner, peer, serveStatus, textPost } from "./test-status";

const bob = peer("b", "Bob");
const cal = peer("c", "Cal");
const dan = peer("d", "Dan");
const eve = peer("e", "Eve");

/** The messenger's feed (watched once per file: messages.ts keeps following it). */
const messenger: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};

function WithFeed() {
  useMessengerFeed();
  return <StatusPanel me={ME} />;
}

/** The desktop side with `state.feed` as the feed, and the messenger's feed. */
function serveFeed(first: StatusFeed, more: Record<string, unknown> = {}) {
  const state = { feed: first };
  serveStatus({
    status_feed: () => state.feed,
    watch_messages: (args: { onEvent: typeof messenger.channel }) => {
      messenger.channel = args.onEvent;
      return null;
    },
    ...more,
  });
  const said = (event: MessengerEvent) => act(() => messenger.channel!.onmessage(event));
  return { state, said };
}

const statusEvent = (status: Record<string, unknown>) =>
  ({ event: "status", status }) as unknown as MessengerEvent;

const rows = (section: string) =>
  within(screen.getByTestId(`status-section-${section}`))
    .getAllByTestId("status-owner")
    .map((row) => row.getAttribute("data-user-id"));

describe("the Status tab", () => {
  it("lists unseen owners first, the seen after and the muted apart, with a ring per post", async () => {
    const danPost = textPost("d1", "d", { ago: HOUR });
    serveFeed(
      feedOf([
        owner(bob, [textPost("b1", "b", { seen: true, ago: 2 * HOUR })]),
        owner(cal, [
          textPost("c1", "c", { seen: true, ago: 5 * HOUR }),
          textPost("c2", "c", { ago: 4 * HOUR }),
          textPost("c3", "c", { ago: 3 * HOUR }),
        ]),
        owner(dan, [danPost]),
        owner(eve, [textPost("e1", "e")], { muted: true }),
      ]),
    );
    render(<WithFeed />);
    await screen.findByTestId("status-section-recent");
    expect(rows("recent")).toEqual(["d", "c"]);
    expect(rows("viewed")).toEqual(["b"]);
    expect(rows("muted")).toEqual(["e"]);
    const row = (id: string) =>
      screen.getAllByTestId("status-owner").find((r) => r.getAttribute("data-user-id") === id)!;
    const ring = (id: string) => within(row(id)).queryByTestId("status-ring");
    expect(ring("c")!.getAttribute("data-unseen")).toBe("2");
    expect(ring("c")!.getAttribute("data-seen")).toBe("1");
    expect(ring("c")!.querySelectorAll("circle.status-arc.unseen")).toHaveLength(2);
    expect(ring("c")!.querySelectorAll("circle.status-arc.seen")).toHaveLength(1);
    expect(ring("b")!.getAttribute("data-unseen")).toBe("0");
    expect(ring("b")!.getAttribute("data-seen")).toBe("1");
    // Muted: no ring.
    expect(ring("e")).toBeNull();
    expect(within(row("d")).getByTestId("status-owner-time").textContent).toBe(
      `${expectDay(danPost.posted_at)} ${clockTime(danPost.posted_at)}`,
    );
    expect(screen.queryByTestId("status-empty")).toBeNull();
  });

  it("says so when nobody has posts, and the add button opens the composer", async () => {
    serveFeed(feedOf([]));
    render(<WithFeed />);
    await screen.findByTestId("status-empty");
    expect(screen.queryByTestId("status-owner")).toBeNull();
    expect(within(screen.getByTestId("my-status")).queryByTestId("status-ring")).toBeNull();
    fireEvent.click(screen.getByTestId("status-add"));
    expect(screen.getByTestId("status-composer")).toBeTruthy();
    fireEvent.click(screen.getByTestId("status-composer-close"));
    expect(screen.queryByTestId("status-composer")).toBeNull();
    // My row without posts also offers the composer.
    fireEvent.click(screen.getByTestId("my-status"));
    expect(screen.getByTestId("status-composer")).toBeTruthy();
  });

  it("opens my own posts from my row, with a grey ring", async () => {
    serveFeed(
      feedOf([], [textPost("m1", ME.id, { seen: true }), textPost("m2", ME.id, { seen: true })]),
    );
    render(<WithFeed />);
    const ring = await within(await screen.findByTestId("my-status")).findByTestId("status-ring");
    expect(ring.getAttribute("data-seen")).toBe("2");
    expect(ring.getAttribute("data-unseen")).toBe("0");
    fireEvent.click(screen.getByTestId("my-status"));
    const viewer = screen.getByTestId("status-viewer");
    expect(viewer.getAttribute("data-post-id")).toBe("m1");
    expect(within(viewer).getByTestId("status-viewer-name").textContent).toBe("My status");
    expect(within(viewer).getAllByTestId("status-progress")).toHaveLength(2);
  });

  it("reads the feed again after status events (once for a burst)", async () => {
    const { state, said } = serveFeed(feedOf([]));
    render(<WithFeed />);
    await screen.findByTestId("status-empty");
    expect(callsOf("status_feed")).toHaveLength(1);
    state.feed = feedOf([owner(bob, [textPost("b1", "b")])]);
    said(statusEvent({ event: "posted", post: textPost("b1", "b") }));
    said(statusEvent({ event: "refresh" }));
    await screen.findByTestId("status-section-recent");
    expect(callsOf("status_feed")).toHaveLength(2);
    // Other events are not about posts.
    said({ event: "chats_changed" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(callsOf("status_feed")).toHaveLength(2);
  });

  it("keeps the viewer on its post when the feed changes, and moves on when it went", async () => {
    const g1 = textPost("g1", "b", { ago: 3 * HOUR });
    const g2 = textPost("g2", "b", { ago: 2 * HOUR });
    const { state, said } = serveFeed(feedOf([owner(bob, [g1, g2])]));
    render(<WithFeed />);
    await screen.findByTestId("status-section-recent");
    fireEvent.click(screen.getAllByTestId("status-owner")[0]!);
    const viewer = screen.getByTestId("status-viewer");
    expect(viewer.getAttribute("data-post-id")).toBe("g1");
    await waitFor(() => expect(callsOf("view_status")).toEqual([{ postId: "g1" }]));
    // A new post of Bob's, and someone else's: the viewer stays on g1.
    state.feed = feedOf([
      owner(bob, [{ ...g1, seen: true }, g2, textPost("g3", "b", { ago: HOUR })]),
      owner(cal, [textPost("c1", "c")]),
    ]);
    said(statusEvent({ event: "posted", post: textPost("g3", "b") }));
    await waitFor(() => expect(within(viewer).getAllByTestId("status-progress")).toHaveLength(3));
    expect(viewer.getAttribute("data-post-id")).toBe("g1");
    // g1 taken down: on the post that took its place.
    state.feed = feedOf([owner(bob, [g2, textPost("g3", "b", { ago: HOUR })])]);
    said(statusEvent({ event: "removed", owner_id: "b", post_id: "g1" }));
    await waitFor(() => expect(viewer.getAttribute("data-post-id")).toBe("g2"));
    expect(within(viewer).getAllByTestId("status-progress")).toHaveLength(2);
    // All of them gone: closed.
    state.feed = feedOf([]);
    said(statusEvent({ event: "refresh" }));
    await waitFor(() => expect(screen.queryByTestId("status-viewer")).toBeNull());
    await screen.findByTestId("status-empty");
  });

  it("shows why the feed could not be read", async () => {
    invoke.mockRejectedValue({ code: "internal", message: "disk full" });
    render(<StatusPanel me={ME} />);
    expect((await screen.findByTestId("status-feed-error")).textContent).toContain(
      "disk full (internal)",
    );
  });
});

/** "Today" unless the test runs just after midnight. */
function expectDay(ms: number): string {
  const day = new Date(ms).toDateString();
  return day === new Date().toDateString() ? "Today" : "Yesterday";
}
