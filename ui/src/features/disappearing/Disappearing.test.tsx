import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalChat, LocalMessage, MemberRole, MessengerEvent } from "../../api";
import { goneAt, useMessengerFeed } from "../../messages";
import {
  chatMessage,
  chatTile,
  groupTile,
  layOutTimeline,
  readTo,
  textMessage,
} from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import type { GroupInfo } from "../groups/api";
import { resetMembers } from "../groups/hooks";
import TimerDialog from "./TimerDialog";
import { disappearsWords, durationShort, durationWords, timerLabel } from "./words";

const DAY = 86_400_000;

const direct = (over: Partial<LocalChat> = {}): LocalChat => chatTile({ ...readTo(5), ...over });

const group = (my_role: MemberRole | null, over: Partial<LocalChat> = {}): LocalChat =>
  groupTile({ ...readTo(5), my_role, ...over });

const info = (only_admins_edit: boolean): GroupInfo => ({
  chat_id: "c1",
  name: "Hikers",
  description: "",
  photo: null,
  created_by: null,
  created_at: 0,
  settings: {
    only_admins_send: false,
    only_admins_edit,
    approve_joins: false,
    only_admins_keep: false,
  },
});

/**
 * The desktop side for one chat c1 with these messages; `refuse` makes set_chat_timer fail with
 * that code. Returns the messenger feed once it is listened to.
 */
function serve(
  messages: LocalMessage[],
  chat: LocalChat,
  { refuse = null, groupInfo = info(true) }: { refuse?: string | null; groupInfo?: GroupInfo } = {},
) {
  const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};
  invoke.mockImplementation(async (command: string, args?: never) => {
    switch (command) {
      case "chat_messages":
        return messages;
      case "list_chats":
        return [chat];
      case "list_contacts":
      case "chat_members":
      case "former_members":
        return [];
      case "group_info":
        return groupInfo;
      case "set_typing":
      case "mark_read":
      case "act_on_message":
        return null;
      case "set_chat_timer":
        if (refuse) throw { code: refuse, message: "nope" };
        return null;
      case "watch_messages":
        feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
        return;
      default:
        throw new Error(command);
    }
  });
  return feed;
}

function WithFeed() {
  useMessengerFeed();
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />;
}

/** The texts of the messages the timeline shows. */
const shownTexts = () => screen.queryAllByTestId("message-text").map((t) => t.textContent);

layOutTimeline();
beforeEach(() => resetMembers());
// A test that takes the clock (or the timers too) gives them back, even when it fails.
afterEach(() => vi.useRealTimers());

describe("timers in words", () => {
  it("names the timers the app offers, long and short", () => {
    expect(durationWords(DAY)).toBe("24 hours");
    expect(durationWords(7 * DAY)).toBe("7 days");
    expect(durationWords(90 * DAY)).toBe("90 days");
    expect([DAY, 7 * DAY, 90 * DAY].map(durationShort)).toEqual(["24h", "7d", "90d"]);
    expect(timerLabel(null)).toBe("Off");
    expect(timerLabel(7 * DAY)).toBe("7 days");
  });

  it("says when a message disappears", () => {
    const now = new Date(2026, 2, 3, 12, 0).getTime();
    expect(disappearsWords(now + 60_000, now)).toMatch(/^Disappears today at /);
    expect(disappearsWords(now + DAY, now)).toMatch(/^Disappears tomorrow at /);
  });

  it("tells a message gone (expired, or its time up and not kept) as the Rust side does", () => {
    const m = textMessage(1, "u2", "hi").message;
    expect(goneAt(m, 1000)).toBe(false);
    expect(goneAt({ ...m, expires_at: 1000 }, 999)).toBe(false);
    expect(goneAt({ ...m, expires_at: 1000 }, 1000)).toBe(true);
    expect(goneAt({ ...m, expires_at: 1000, kept: true }, 5000)).toBe(false);
    expect(goneAt({ ...m, expired: true, kept: true }, 0)).toBe(true);
  });
});

describe("the timer dialog", () => {
  it("sets the chosen timer with set_chat_timer, and closes", async () => {
    serve([], direct());
    const onClose = vi.fn();
    render(<TimerDialog chatId="c1" current={null} onClose={onClose} />);
    const off = screen.getByTestId("timer-option-off") as HTMLInputElement;
    expect(off.checked).toBe(true);
    fireEvent.click(screen.getByTestId("timer-option-7d"));
    fireEvent.click(screen.getByTestId("timer-save"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("set_chat_timer", { chatId: "c1", afterMs: 7 * DAY });
  });

  it("turns the timer off with a null", async () => {
    serve([], direct());
    const onClose = vi.fn();
    render(<TimerDialog chatId="c1" current={DAY} onClose={onClose} />);
    expect((screen.getByTestId("timer-option-24h") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId("timer-option-off"));
    fireEvent.click(screen.getByTestId("timer-save"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("set_chat_timer", { chatId: "c1", afterMs: null });
  });

  it("closes without a call when nothing changed", async () => {
    serve([], direct());
    const onClose = vi.fn();
    render(<TimerDialog chatId="c1" current={90 * DAY} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("timer-save"));
    expect(onClose).toHaveBeenCalled();
    expect(invoke).not.toHaveBeenCalledWith("set_chat_timer", expect.anything());
  });

  it("keeps a refusal in words and stays open", async () => {
    serve([], direct(), { refuse: "admins_only" });
    const onClose = vi.fn();
    render(<TimerDialog chatId="c1" current={null} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("timer-option-90d"));
    fireEvent.click(screen.getByTestId("timer-save"));
    expect((await screen.findByTestId("timer-error")).textContent).toBe("Only admins can do that");
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByTestId("timer-dialog")).toBeTruthy();
  });

  it("shows the choices disabled, with why, when I may not change them", () => {
    render(<TimerDialog chatId="c1" current={DAY} allowed={false} onClose={() => {}} />);
    expect((screen.getByTestId("timer-option-7d") as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId("timer-save") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("timer-admins-only").textContent).toBe("Only admins can change this");
  });
});

describe("a chat's timer in its header", () => {
  it("shows the mark, and sets the timer from the header's menu", async () => {
    serve([], direct({ disappear_after_ms: DAY }));
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const mark = await screen.findByTestId("chat-timer-mark");
    expect(mark.textContent).toBe("24h");
    expect(mark.getAttribute("title")).toBe("Disappearing messages: 24 hours");
    expect(mark.getAttribute("aria-label")).toBe("Disappearing messages: 24 hours");
    fireEvent.click(screen.getByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("menu-disappearing"));
    expect(screen.getByTestId("timer-dialog")).toBeTruthy();
    expect((screen.getByTestId("timer-option-24h") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId("timer-option-90d"));
    fireEvent.click(screen.getByTestId("timer-save"));
    await waitFor(() => expect(screen.queryByTestId("timer-dialog")).toBeNull());
    expect(invoke).toHaveBeenCalledWith("set_chat_timer", { chatId: "c1", afterMs: 90 * DAY });
  });

  it("shows no mark while the timer is off", async () => {
    serve([], direct());
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe("Grace"));
    expect(screen.queryByTestId("chat-timer-mark")).toBeNull();
  });

  it("keeps it from a group's plain members while only admins edit the group's info", async () => {
    serve([], group("member", { disappear_after_ms: 7 * DAY }), { groupInfo: info(true) });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    expect((await screen.findByTestId("chat-timer-mark")).textContent).toBe("7d");
    fireEvent.click(screen.getByTestId("conversation-more"));
    await waitFor(() =>
      expect((screen.getByTestId("menu-disappearing") as HTMLButtonElement).disabled).toBe(true),
    );
    expect(screen.getByTestId("menu-disappearing").textContent).toContain(
      "Only admins can change this",
    );
  });

  it("lets a group's plain members set it when all members edit the group's info", async () => {
    serve([], group("member"), { groupInfo: info(false) });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe("Hikers"));
    fireEvent.click(screen.getByTestId("conversation-more"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("group_info", { chatId: "c1" }));
    expect((screen.getByTestId("menu-disappearing") as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByTestId("menu-disappearing"));
    fireEvent.click(screen.getByTestId("timer-option-24h"));
    fireEvent.click(screen.getByTestId("timer-save"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_chat_timer", { chatId: "c1", afterMs: DAY }),
    );
  });

  it("lets a group's admins set it without asking the group's settings", async () => {
    serve([], group("admin"));
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe("Hikers"));
    fireEvent.click(screen.getByTestId("conversation-more"));
    expect((screen.getByTestId("menu-disappearing") as HTMLButtonElement).disabled).toBe(false);
    expect(invoke).not.toHaveBeenCalledWith("group_info", expect.anything());
  });
});

describe("disappearing messages in the timeline", () => {
  it("marks a message that will disappear and one kept; the gone ones are not shown", async () => {
    // A noon far from midnight and clock changes: a day on is "tomorrow" whenever this runs.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(2026, 2, 3, 12, 0));
    const now = Date.now();
    serve(
      [
        textMessage(1, "u2", "plain"),
        textMessage(2, "u2", "timed", { expires_at: now + DAY }),
        textMessage(3, "me", "kept", { expires_at: now - 1000, kept: true }),
        textMessage(4, "u2", "time is up", { expires_at: now - 1000 }),
        textMessage(5, "u2", "", { expired: true, content: null, expires_at: now - 5000 }),
      ],
      direct({ disappear_after_ms: DAY }),
    );
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("timed");
    expect(shownTexts()).toEqual(["plain", "timed", "kept"]);
    expect(screen.queryByText("time is up")).toBeNull();
    const bubbles = screen.getAllByTestId("message");
    expect(bubbles.map((b) => b.dataset.messageId)).toEqual(["m1", "m2", "m3"]);
    expect(bubbles[0]!.querySelector("[data-testid=bubble-timer]")).toBeNull();
    expect(bubbles[0]!.querySelector("[data-testid=bubble-kept]")).toBeNull();
    const timer = bubbles[1]!.querySelector("[data-testid=bubble-timer]")!;
    expect(timer.getAttribute("title")).toMatch(/^Disappears tomorrow at /);
    expect(bubbles[1]!.querySelector("[data-testid=bubble-kept]")).toBeNull();
    expect(bubbles[2]!.querySelector("[data-testid=bubble-kept]")!.getAttribute("title")).toBe(
      "Kept",
    );
    expect(bubbles[2]!.querySelector("[data-testid=bubble-timer]")).toBeNull();
  });

  it("takes a message out at its time while the chat is open", async () => {
    // The page's clock and timers are the test's: the message is shown until its time, however
    // slowly the machine renders, and goes when the clock reaches it. (Testing Library's waits
    // run on real timers: the clock moves inside act instead.)
    vi.useFakeTimers();
    serve(
      [
        textMessage(1, "u2", "stays"),
        textMessage(2, "u2", "goes soon", { expires_at: Date.now() + 60_000 }),
      ],
      direct({ disappear_after_ms: DAY }),
    );
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(shownTexts()).toEqual(["stays", "goes soon"]);
    await act(() => vi.advanceTimersByTimeAsync(59_999));
    expect(shownTexts()).toEqual(["stays", "goes soon"]);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(shownTexts()).toEqual(["stays"]);
  });

  /** The quote each shown message has ("" for none), by message id. */
  const quotes = () =>
    Object.fromEntries(
      screen
        .getAllByTestId("message")
        .map((bubble) => [
          bubble.dataset.messageId,
          bubble.querySelector("[data-testid=message-quote]")?.textContent ?? "",
        ]),
    );

  it("says a quote of a message known to have disappeared is expired, not one merely not loaded", async () => {
    const now = Date.now();
    serve(
      [
        textMessage(2, "u2", "the original went", { expires_at: now - 1000 }),
        textMessage(3, "me", "answer, kept", {
          reply_to: "m2",
          expires_at: now - 500,
          kept: true,
        }),
        textMessage(4, "me", "answer to one not loaded, under a timer", {
          reply_to: "m1",
          expires_at: now + DAY,
        }),
        textMessage(5, "me", "answer to one not loaded", { reply_to: "m0" }),
      ],
      direct({ disappear_after_ms: DAY }),
    );
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("answer, kept");
    // m1 may be on an older page: no quote until it is known (as for m0).
    expect(quotes()).toEqual({ m3: "Message expired", m4: "", m5: "" });
    expect(screen.queryByText("the original went")).toBeNull();
  });

  it("says a quote is expired when the whole chat is here and the message is not", async () => {
    serve(
      [
        textMessage(1, "u2", "the first"),
        textMessage(3, "me", "answer to one gone before", {
          reply_to: "m2",
          expires_at: Date.now() + DAY,
        }),
        textMessage(4, "me", "answer before the timer", { reply_to: "m0" }),
      ],
      direct({ disappear_after_ms: DAY }),
    );
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("answer to one gone before");
    expect(quotes()).toEqual({ m1: "", m3: "Message expired", m4: "" });
  });

  it("says a quote is expired once the messenger says so of a message not loaded", async () => {
    const feed = serve(
      [
        textMessage(5, "u2", "recent"),
        textMessage(6, "me", "answer to an old one", {
          reply_to: "m2",
          expires_at: Date.now() + DAY,
        }),
      ],
      direct({ disappear_after_ms: DAY }),
    );
    render(<WithFeed />);
    await screen.findByText("answer to an old one");
    await waitFor(() => expect(feed.channel).toBeDefined());
    expect(quotes()).toEqual({ m5: "", m6: "" });
    const old = textMessage(2, "u2", "", { expired: true, content: null });
    act(() => feed.channel!.onmessage({ event: "message", chat_id: "c1", message: old }));
    expect(quotes()).toEqual({ m5: "", m6: "Message expired" });
  });

  /** A change of the timer in c1, by Grace (u2). */
  const timerChanged = (seq: number, after_ms: number | null) =>
    chatMessage(seq, "u2", { kind: "system", event: { event: "timer_changed", after_ms } });

  it("words a timer change by the timer before it: turned on, changed, or off", async () => {
    serve(
      [timerChanged(1, DAY), timerChanged(2, 7 * DAY), timerChanged(3, null), timerChanged(4, DAY)],
      direct({ disappear_after_ms: DAY }),
    );
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await waitFor(() => expect(screen.getAllByTestId("system-message")).toHaveLength(4));
    expect(screen.getAllByTestId("system-message").map((m) => m.textContent)).toEqual([
      // A direct chat may start with a timer, unannounced: what it was is not known.
      "Grace set messages to disappear after 24 hours.",
      "Grace changed the message timer to 7 days.",
      "Grace turned off disappearing messages.",
      "Grace turned on disappearing messages. New messages will disappear 24 hours after they're sent.",
    ]);
  });

  it("words a group's first timer as turned on when its creation is in view", async () => {
    serve(
      [
        chatMessage(1, "u2", { kind: "system", event: { event: "created", name: "Hikers" } }),
        timerChanged(2, 7 * DAY),
      ],
      group("admin", { disappear_after_ms: 7 * DAY }),
    );
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await waitFor(() => expect(screen.getAllByTestId("system-message")).toHaveLength(2));
    expect(screen.getAllByTestId("system-message")[1]!.textContent).toBe(
      "Someone turned on disappearing messages. New messages will disappear 7 days after they're sent.",
    );
  });

  it("takes a message out when the messenger says it expired", async () => {
    const first = textMessage(1, "u2", "first", { expires_at: Date.now() + DAY });
    let messages = [first, textMessage(2, "u2", "second")];
    const feed = serve([], direct({ disappear_after_ms: DAY }));
    const answer = invoke.getMockImplementation()!;
    invoke.mockImplementation(async (command: string, args?: never) =>
      command === "chat_messages" ? messages : answer(command, args),
    );
    render(<WithFeed />);
    await screen.findByText("first");
    await waitFor(() => expect(feed.channel).toBeDefined());
    const gone: LocalMessage = {
      ...first,
      message: { ...first.message, content: null, expired: true },
    };
    // Its time is not up here: the messenger (the server's tombstone) says it went.
    messages = [messages[1]!];
    act(() => feed.channel!.onmessage({ event: "message", chat_id: "c1", message: gone }));
    await waitFor(() => expect(shownTexts()).toEqual(["second"]));
  });
});

describe("jumping to a message that went", () => {
  /** The older pages asked of the store (their `before`), and the feed. */
  function serveHistory(all: LocalMessage[], chat: LocalChat, { holdOlder = false } = {}) {
    const feed = serve([], chat);
    const answer = invoke.getMockImplementation()!;
    const olderAsked: number[] = [];
    const olderAnswers: (() => void)[] = [];
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command !== "chat_messages") return answer(command, args);
      const { before, limit } = args as unknown as { before: number | null; limit: number };
      const page = all.filter((m) => before === null || m.message.seq < before).slice(-limit);
      if (before === null) return page;
      olderAsked.push(before);
      if (holdOlder) await new Promise<void>((resolve) => olderAnswers.push(resolve));
      return page;
    });
    return { feed, olderAsked, olderAnswers };
  }

  function OpenOn({ focus }: { focus: string }) {
    useMessengerFeed();
    return <Conversation open={{ chatId: "c1", focus }} myId="me" onClose={() => {}} />;
  }

  it("stops paging back once the messenger says the message expired, and says so", async () => {
    const all = Array.from({ length: 600 }, (_, i) =>
      textMessage(i + 401, "u2", `line ${i + 401}`),
    );
    const { feed, olderAsked, olderAnswers } = serveHistory(
      all,
      direct({ ...readTo(1000), disappear_after_ms: DAY }),
      { holdOlder: true },
    );
    render(<OpenOn focus="m5" />);
    const timeline = await screen.findByTestId("timeline");
    // Not among the newest: an older page is asked for it.
    await waitFor(() => expect(olderAsked).toEqual([801]));
    await waitFor(() => expect(feed.channel).toBeDefined());
    const gone = textMessage(5, "u2", "", { expired: true, content: null });
    act(() => feed.channel!.onmessage({ event: "message", chat_id: "c1", message: gone }));
    expect(screen.getByTestId("jump-notice").textContent).toBe(
      "That message is no longer in this chat",
    );
    await act(async () => olderAnswers[0]!());
    await waitFor(() => expect(timeline.dataset.loaded).toBe("400"));
    expect(olderAsked).toEqual([801]);
  });

  it("does not page back for a message the whole chat held does not have", async () => {
    const { olderAsked } = serveHistory(
      [textMessage(1, "u2", "one"), textMessage(2, "u2", "two"), textMessage(4, "u2", "four")],
      direct(readTo(4)),
    );
    render(<OpenOn focus="m3" />);
    expect((await screen.findByTestId("jump-notice")).textContent).toBe(
      "That message is no longer in this chat",
    );
    expect(olderAsked).toEqual([]);
    expect(document.querySelector(".bubble.highlight")).toBeNull();
  });
});

describe("keeping a message", () => {
  /** Opens the menu of the only message (a timed one of Grace's) in `chat`. */
  async function openMenu(chat: LocalChat, over: Partial<LocalMessage["message"]> = {}) {
    serve([textMessage(1, "u2", "timed", { expires_at: Date.now() + DAY, ...over })], chat);
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("timed");
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).not.toBe(""));
    fireEvent.click(screen.getByTestId("message-menu"));
  }

  it("keeps a timed message with act_on_message", async () => {
    await openMenu(direct({ disappear_after_ms: DAY }));
    const keep = screen.getByTestId("menu-keep");
    expect(keep.textContent).toBe("Keep");
    fireEvent.click(keep);
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("act_on_message", {
        chatId: "c1",
        messageId: "m1",
        action: { action: "keep", kept: true },
      }),
    );
  });

  it("lets a kept one go again", async () => {
    await openMenu(direct({ disappear_after_ms: DAY }), { kept: true });
    const unkeep = screen.getByTestId("menu-keep");
    expect(unkeep.textContent).toBe("Unkeep");
    fireEvent.click(unkeep);
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("act_on_message", {
        chatId: "c1",
        messageId: "m1",
        action: { action: "keep", kept: false },
      }),
    );
  });

  it("is not offered to a group's plain members while only admins keep messages", async () => {
    await openMenu(group("member", { only_admins_keep: true }));
    expect(screen.getByTestId("message-star")).toBeTruthy();
    expect(screen.queryByTestId("menu-keep")).toBeNull();
  });

  it("is offered to a group's admins while only admins keep messages", async () => {
    await openMenu(group("owner", { only_admins_keep: true }));
    expect(screen.getByTestId("menu-keep")).toBeTruthy();
  });

  it("is offered to everyone in a group that lets all members keep messages", async () => {
    await openMenu(group("member"));
    expect(screen.getByTestId("menu-keep")).toBeTruthy();
  });
});
