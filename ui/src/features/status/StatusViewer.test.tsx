import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import { contact } from "../../test-fixtures";
import type { StatusFeed } from "./api";
import StatusViewer, { SENT_MS, type ViewerStart } from "./StatusViewer";
import {
  callsOf,
  feedOf,
  HOUR,
  ME_PEER,
  mediaPost,
  owner,
  peer,
  picture,
  serveStatus,
  textPost,
} from "./test-status";
import { statusTime } from "./words";

const bob = peer("id-bob", "Bob");
const cal = peer("id-cal", "Cal");

/** The viewer with the window's Esc, as the frame has it. */
function InFrame({
  feed,
  start,
  onClose = () => {},
  onChanged = () => {},
}: {
  feed: StatusFeed;
  start: ViewerStart;
  onClose?: () => void;
  onChanged?: () => void;
}) {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.pane, () => undefined);
  return (
    <StatusViewer
      feed={feed}
      me={ME_PEER}
      start={start}
      nameOf={() => undefined}
      onClose={onClose}
      onChanged={onChanged}
    />
  );
}

const viewer = () => screen.getByTestId("status-viewer");
const shown = () => viewer().getAttribute("data-post-id");
const states = () =>
  screen.getAllByTestId("status-progress").map((bar) => bar.getAttribute("data-state"));
const advance = (ms: number) => act(() => vi.advanceTimersByTime(ms));
/** Lets the mocked commands answer. */
const settle = () =>
  act(async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  });

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(() => Promise.resolve());
  vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Bob with two unseen text posts, Cal with one picture. */
function twoOwners(): StatusFeed {
  return feedOf([
    owner(bob, [textPost("b1", bob.user_id, { ago: 3 * HOUR }), textPost("b2", bob.user_id)]),
    owner(cal, [mediaPost("c1", cal.user_id, picture("img-c"), { caption: "Lake" })]),
  ]);
}
const start: ViewerStart = { order: [bob.user_id, cal.user_id], ownerId: bob.user_id };

describe("the status viewer", () => {
  it("goes on by itself: each post for its time, then the next owner, then closes", () => {
    serveStatus();
    const onClose = vi.fn();
    render(<InFrame feed={twoOwners()} start={start} onClose={onClose} />);
    expect(shown()).toBe("b1");
    expect(states()).toEqual(["current", "todo"]);
    // A text post in its background and typeface.
    const card = within(viewer()).getByTestId("status-text-post");
    expect(card.getAttribute("data-font")).toBe("serif");
    expect(card.style.background).toBeTruthy();
    advance(4900);
    expect(shown()).toBe("b1");
    advance(100);
    expect(shown()).toBe("b2");
    expect(states()).toEqual(["done", "current"]);
    advance(5000);
    // Cal's picture, full screen by the media URL, with its caption.
    expect(shown()).toBe("c1");
    expect(states()).toEqual(["current"]);
    const image = within(viewer()).getByTestId("status-image").querySelector("img")!;
    expect(image.getAttribute("src")).toBe("gkmedia://localhost/img-c");
    expect(screen.getByTestId("status-caption-shown").textContent).toBe("Lake");
    // Its time runs once the picture is in.
    expect(viewer().getAttribute("data-loading")).toBe("true");
    advance(8000);
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.load(image);
    expect(viewer().getAttribute("data-loading")).toBe("false");
    advance(4900);
    expect(onClose).not.toHaveBeenCalled();
    advance(100);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("shows a video for its length, at most 30 s", async () => {
    serveStatus();
    const long = mediaPost(
      "v1",
      bob.user_id,
      picture("vid", { kind: "video", duration_ms: 95_000 }),
    );
    const short = mediaPost(
      "v2",
      bob.user_id,
      picture("vid2", { kind: "video", duration_ms: 8000 }),
    );
    render(
      <InFrame
        feed={feedOf([owner(bob, [long, short])])}
        start={{ order: [bob.user_id], ownerId: bob.user_id }}
      />,
    );
    await settle();
    const player = () => within(viewer()).getByTestId("status-video").querySelector("video")!;
    expect(player().getAttribute("src")).toBe("http://127.0.0.1:1/video");
    expect(player().muted).toBe(false);
    expect(callsOf("playable_url")).toEqual([{ mediaId: "vid" }]);
    fireEvent.loadedData(player());
    advance(29_900);
    expect(shown()).toBe("v1");
    advance(100);
    expect(shown()).toBe("v2");
    await settle();
    fireEvent.loadedData(player());
    advance(7900);
    expect(shown()).toBe("v2");
    advance(100);
    expect(screen.getByTestId("status-viewer")).toBeTruthy();
  });

  it("pauses while held down, and a long press is no tap", () => {
    serveStatus();
    render(<InFrame feed={twoOwners()} start={start} />);
    const next = screen.getByTestId("status-next");
    advance(2000);
    fireEvent.pointerDown(next);
    expect(viewer().getAttribute("data-paused")).toBe("true");
    advance(10_000);
    expect(shown()).toBe("b1");
    fireEvent.pointerUp(next);
    fireEvent.click(next);
    // Released after a hold: still b1, and it goes on from where it was.
    expect(shown()).toBe("b1");
    expect(viewer().getAttribute("data-paused")).toBe("false");
    advance(2900);
    expect(shown()).toBe("b1");
    advance(200);
    expect(shown()).toBe("b2");
  });

  it("goes back and forth with clicks on the thirds and the arrow keys, and closes on Esc", () => {
    serveStatus();
    const onClose = vi.fn();
    render(<InFrame feed={twoOwners()} start={start} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("status-next"));
    expect(shown()).toBe("b2");
    fireEvent.click(screen.getByTestId("status-prev"));
    expect(shown()).toBe("b1");
    // Back from the first post: it starts again.
    advance(3000);
    fireEvent.keyDown(window, { key: "ArrowLeft" });
    expect(shown()).toBe("b1");
    advance(4900);
    expect(shown()).toBe("b1");
    fireEvent.keyDown(window, { key: "ArrowRight" });
    fireEvent.keyDown(window, { key: "ArrowRight" });
    expect(shown()).toBe("c1");
    fireEvent.keyDown(window, { key: "ArrowLeft" });
    expect(shown()).toBe("b2");
    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("closes after the last owner's last post with the arrow, and with ×", () => {
    serveStatus();
    const onClose = vi.fn();
    const { unmount } = render(
      <InFrame feed={twoOwners()} start={{ ...start, ownerId: cal.user_id }} onClose={onClose} />,
    );
    expect(shown()).toBe("c1");
    fireEvent.keyDown(window, { key: "ArrowRight" });
    expect(onClose).toHaveBeenCalledTimes(1);
    unmount();
    const again = vi.fn();
    render(<InFrame feed={twoOwners()} start={start} onClose={again} />);
    fireEvent.click(screen.getByTestId("status-close"));
    expect(again).toHaveBeenCalledTimes(1);
  });

  it("marks someone's post seen once when shown, not a seen one nor mine", async () => {
    serveStatus();
    const onChanged = vi.fn();
    const feed = feedOf(
      [
        owner(bob, [
          textPost("b0", bob.user_id, { seen: true, ago: 4 * HOUR }),
          textPost("b1", bob.user_id, { ago: 3 * HOUR }),
          textPost("b2", bob.user_id),
        ]),
      ],
      [textPost("m1", ME_PEER.user_id, { seen: true })],
    );
    render(
      <InFrame
        feed={feed}
        start={{ order: [ME_PEER.user_id, bob.user_id], ownerId: ME_PEER.user_id }}
        onChanged={onChanged}
      />,
    );
    expect(shown()).toBe("m1");
    await settle();
    expect(callsOf("view_status")).toEqual([]);
    fireEvent.click(screen.getByTestId("status-next"));
    // Bob's from his first unseen.
    expect(shown()).toBe("b1");
    await settle();
    expect(callsOf("view_status")).toEqual([{ postId: "b1" }]);
    expect(onChanged).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByTestId("status-next"));
    fireEvent.click(screen.getByTestId("status-prev"));
    fireEvent.click(screen.getByTestId("status-prev"));
    expect(shown()).toBe("b0");
    fireEvent.click(screen.getByTestId("status-next"));
    await settle();
    expect(callsOf("view_status")).toEqual([{ postId: "b1" }, { postId: "b2" }]);
  });

  it("replies into the chat (paused while typing) and says Sent", async () => {
    serveStatus({ reply_to_status: { message: {}, status: { state: "pending" } } });
    render(<InFrame feed={twoOwners()} start={start} />);
    const box = screen.getByTestId("status-reply");
    fireEvent.focus(box);
    fireEvent.change(box, { target: { value: " Lovely! " } });
    expect(viewer().getAttribute("data-paused")).toBe("true");
    advance(8000);
    expect(shown()).toBe("b1");
    fireEvent.click(screen.getByTestId("status-reply-send"));
    await settle();
    expect(callsOf("reply_to_status")).toEqual([{ postId: "b1", text: "Lovely!" }]);
    expect(screen.getByTestId("status-reply-sent").textContent).toBe("Sent");
    expect((box as HTMLInputElement).value).toBe("");
    expect(viewer().getAttribute("data-paused")).toBe("false");
    advance(SENT_MS);
    expect(screen.queryByTestId("status-reply-sent")).toBeNull();
  });

  it("shows a failed reply and keeps the words", async () => {
    serveStatus({
      reply_to_status: () => {
        throw { code: "unreachable", message: "no connection" };
      },
    });
    render(<InFrame feed={twoOwners()} start={start} />);
    fireEvent.change(screen.getByTestId("status-reply"), { target: { value: "Hi" } });
    fireEvent.click(screen.getByTestId("status-reply-send"));
    await settle();
    expect(screen.getByTestId("status-viewer-error").textContent).toBe(
      "Could not send the reply: no connection (unreachable)",
    );
    expect((screen.getByTestId("status-reply") as HTMLInputElement).value).toBe("Hi");
  });

  it("reacts with a tap, shows mine, and takes it back with another", async () => {
    serveStatus();
    const feed = feedOf([
      owner(bob, [textPost("b1", bob.user_id, { my_reaction: "😮" }), textPost("b2", bob.user_id)]),
    ]);
    render(<InFrame feed={feed} start={{ order: [bob.user_id], ownerId: bob.user_id }} />);
    const pressed = () =>
      screen
        .getAllByTestId("status-react")
        .filter((b) => b.getAttribute("aria-pressed") === "true")
        .map((b) => b.getAttribute("data-emoji"));
    expect(pressed()).toEqual(["😮"]);
    const heart = screen.getAllByTestId("status-react").find((b) => b.dataset.emoji === "❤️")!;
    fireEvent.click(heart);
    expect(pressed()).toEqual(["❤️"]);
    fireEvent.click(heart);
    expect(pressed()).toEqual([]);
    await settle();
    expect(callsOf("react_to_status")).toEqual([
      { postId: "b1", emoji: "❤️" },
      { postId: "b1", emoji: null },
    ]);
  });

  it("mutes the owner and asks for notifications from its menu", async () => {
    serveStatus();
    const onChanged = vi.fn();
    render(<InFrame feed={twoOwners()} start={start} onChanged={onChanged} />);
    fireEvent.click(screen.getByTestId("status-menu"));
    expect(viewer().getAttribute("data-paused")).toBe("true");
    expect(screen.getByTestId("status-mute").textContent).toBe("Mute");
    fireEvent.click(screen.getByTestId("status-mute"));
    await settle();
    fireEvent.click(screen.getByTestId("status-menu"));
    expect(screen.getByTestId("status-mute").textContent).toBe("Unmute");
    expect(screen.getByTestId("status-notify").getAttribute("aria-checked")).toBe("false");
    fireEvent.click(screen.getByTestId("status-notify"));
    await settle();
    expect(callsOf("set_status_prefs")).toEqual([
      { ownerId: bob.user_id, prefs: { muted: true, notify: false } },
      { ownerId: bob.user_id, prefs: { muted: true, notify: true } },
    ]);
    expect(onChanged).toHaveBeenCalled();
  });
});

describe("my posts in the viewer", () => {
  const mine = (views = 5) =>
    feedOf(
      [],
      [
        textPost("m1", ME_PEER.user_id, { seen: true, view_count: views, ago: 2 * HOUR }),
        textPost("m2", ME_PEER.user_id, { seen: true, view_count: 0 }),
      ],
    );
  const myStart: ViewerStart = { order: [ME_PEER.user_id], ownerId: ME_PEER.user_id };

  it("lists who viewed it, when, with their reaction, and how many more kept receipts off", async () => {
    const viewedAt = Date.now() - HOUR;
    serveStatus({
      list_contacts: [contact("bob", "Bob Builder")],
      status_viewers: {
        post_id: "m1",
        count: 5,
        viewers: [{ user_id: "id-bob", viewed_at: viewedAt, reaction: "❤️" }],
        hidden: false,
        starred: false,
      },
    });
    render(<InFrame feed={mine()} start={myStart} />);
    expect(screen.queryByTestId("status-reply")).toBeNull();
    expect(screen.queryByTestId("status-react")).toBeNull();
    const count = screen.getByTestId("status-view-count");
    expect(count.textContent).toBe("5");
    fireEvent.click(count);
    await settle();
    expect(callsOf("status_viewers")).toEqual([{ postId: "m1" }]);
    const list = screen.getByTestId("status-viewers");
    expect(viewer().getAttribute("data-paused")).toBe("true");
    const rows = within(list).getAllByTestId("status-viewer-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.querySelector(".status-viewer-text")!.textContent).toBe(
      `Bob Builder${statusTime(viewedAt)}`,
    );
    expect(statusTime(viewedAt)).toMatch(/^(Today|Yesterday) /);
    expect(within(rows[0]!).getByTestId("status-viewer-reaction").textContent).toBe("❤️");
    expect(within(list).getByTestId("status-viewers-more").textContent).toBe(
      "4 more with read receipts off",
    );
    expect(within(list).queryByTestId("status-viewers-hidden")).toBeNull();
    // Esc closes the list first, then the viewer.
    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(screen.queryByTestId("status-viewers")).toBeNull();
    expect(screen.getByTestId("status-viewer")).toBeTruthy();
  });

  it("says I see the count only while my read receipts are off", async () => {
    serveStatus({
      status_viewers: { post_id: "m1", count: 3, viewers: [], hidden: true },
    });
    render(<InFrame feed={mine(3)} start={myStart} />);
    fireEvent.click(screen.getByTestId("status-view-count"));
    await settle();
    const list = screen.getByTestId("status-viewers");
    expect(within(list).getByTestId("status-viewers-hidden").textContent).toBe(
      "Read receipts are off: you see the count only",
    );
    expect(within(list).queryByTestId("status-viewer-row")).toBeNull();
    expect(within(list).queryByTestId("status-viewers-more")).toBeNull();
    expect(within(list).getByTestId("status-viewers-title").textContent).toBe("Viewed by 3");
  });

  it("deletes a post after asking, and goes on to the next", async () => {
    serveStatus();
    const onChanged = vi.fn();
    const onClose = vi.fn();
    render(<InFrame feed={mine()} start={myStart} onChanged={onChanged} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("status-delete"));
    expect(viewer().getAttribute("data-paused")).toBe("true");
    expect(callsOf("delete_status")).toEqual([]);
    fireEvent.click(screen.getByTestId("status-delete-confirm"));
    await settle();
    expect(callsOf("delete_status")).toEqual([{ postId: "m1" }]);
    expect(onChanged).toHaveBeenCalled();
    expect(shown()).toBe("m2");
    expect(states()).toEqual(["current"]);
    // The last one: the viewer closes.
    fireEvent.click(screen.getByTestId("status-delete"));
    fireEvent.click(screen.getByTestId("status-delete-confirm"));
    await settle();
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
