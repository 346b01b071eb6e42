import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatMember, LocalChat, LocalMessage, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { layOutTimeline, textMessage } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import { resetMembers } from "../groups/hooks";
import { chat as graceChat, serve } from "../media/test-media";
import ChatStarred from "./ChatStarred";
import StarredPanel from "./StarredPanel";

const DAY = 24 * 3_600_000;

/** A text message of `sender`'s in `chatId`, starred unless said otherwise. */
function message(
  id: string,
  chatId: string,
  sender: string,
  text: string,
  { seq = 1, starred = true, sentAt = Date.now() } = {},
): LocalMessage {
  return textMessage(seq, sender, text, { id, chat_id: chatId, sent_at: sentAt, starred });
}

const hikers: LocalChat = {
  ...graceChat,
  id: "g1",
  kind: "group",
  title: "Hikers",
  member_count: 3,
  other_member: null,
};

const bob: ChatMember = {
  user_id: "u3",
  display_name: "Bob",
  username: "bob",
  photo: null,
  role: "member",
  joined_at: 0,
};

const rows = () => screen.queryAllByTestId("starred-row");
const acts = () =>
  invoke.mock.calls.filter(([c]) => c === "act_on_message").map(([, args]) => args);

beforeEach(() => resetMembers());

describe("starred messages across chats", () => {
  /** The desktop side: my starred messages (newest first), the chats, a group's members. */
  function desktop(starred: LocalMessage[]) {
    const state = { starred, failAct: false };
    invoke.mockImplementation(async (command: string, args?: never) => {
      switch (command) {
        case "starred_messages":
          return state.starred;
        case "list_chats":
          return [graceChat, hikers];
        case "chat_members":
          return [bob];
        case "former_members":
          return [];
        case "act_on_message": {
          if (state.failAct) throw { code: "internal", message: "the store is locked" };
          const { messageId } = args as unknown as { messageId: string };
          state.starred = state.starred.filter((local) => local.message.id !== messageId);
          return null;
        }
        default:
          throw new Error(command);
      }
    });
    return state;
  }

  const newest = message("m3", "g1", "u3", "Trail at 9\nbring water", { seq: 7 });
  const middle = message("m2", "c1", "me", "See you there", { sentAt: Date.now() - DAY });
  const oldest = message("m1", "c1", "u2", "The café at noon", {
    sentAt: Date.now() - 2 * DAY,
  });

  it("lists them newest first with their chat, sender, first line and date", async () => {
    desktop([newest, middle, oldest]);
    render(<StarredPanel myId="me" onOpen={() => {}} onClose={() => {}} />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(invoke).toHaveBeenCalledWith("starred_messages", { chatId: null });
    expect(rows().map((r) => r.getAttribute("data-message-id"))).toEqual(["m3", "m2", "m1"]);
    const field = (i: number, testId: string) => within(rows()[i]!).getByTestId(testId).textContent;
    await waitFor(() => expect(field(0, "starred-chat")).toBe("Hikers"));
    expect([field(1, "starred-chat"), field(2, "starred-chat")]).toEqual(["Grace", "Grace"]);
    // A group's member by name (once its members are in), me as "You", the other person.
    await waitFor(() => expect(field(0, "starred-sender")).toBe("Bob"));
    expect([field(1, "starred-sender"), field(2, "starred-sender")]).toEqual(["You", "Grace"]);
    expect(field(0, "starred-preview")).toBe("Trail at 9");
    expect(field(1, "starred-date")).toBe("yesterday");
    expect(screen.queryByTestId("starred-empty")).toBeNull();
  });

  it("opens a row's chat on its message", async () => {
    desktop([newest, middle]);
    const onOpen = vi.fn();
    render(<StarredPanel myId="me" onOpen={onOpen} onClose={() => {}} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    fireEvent.click(rows()[1]!);
    expect(onOpen).toHaveBeenCalledWith({ chatId: "c1", focus: "m2", focusSeq: 1 });
  });

  it("takes a star off with Unstar, and says why it could not", async () => {
    const state = desktop([newest, middle]);
    render(<StarredPanel myId="me" onOpen={() => {}} onClose={() => {}} />);
    await waitFor(() => expect(rows()).toHaveLength(2));
    fireEvent.click(within(rows()[0]!.parentElement!).getByTestId("starred-unstar"));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(acts()).toEqual([
      { chatId: "g1", messageId: "m3", action: { action: "star", starred: false } },
    ]);
    state.failAct = true;
    fireEvent.click(screen.getByTestId("starred-unstar"));
    expect((await screen.findByRole("alert")).textContent).toBe("the store is locked (internal)");
    expect(rows()).toHaveLength(1);
  });

  it("says there are none, and closes", async () => {
    desktop([]);
    const onClose = vi.fn();
    render(<StarredPanel myId="me" onOpen={() => {}} onClose={onClose} />);
    expect((await screen.findByTestId("starred-empty")).textContent).toContain(
      "No starred messages",
    );
    fireEvent.click(screen.getByTestId("starred-close"));
    expect(onClose).toHaveBeenCalled();
  });
});

describe("a chat's starred messages", () => {
  /** The messenger's feed, as the test running watched it (each test starts its own). */
  const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};

  function WithFeed({ onPick = () => {} }: { onPick?: (id: string) => void }) {
    useMessengerFeed();
    return <ChatStarred chat={graceChat} myId="me" onPick={onPick} />;
  }

  function desktop() {
    const state: { starred: LocalMessage[] } = { starred: [] };
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "starred_messages") return state.starred;
      if (command === "watch_messages") {
        feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
        return;
      }
      throw new Error(command);
    });
    return state;
  }

  const chatRows = () => screen.queryAllByTestId("chat-starred-row");
  const loads = () => invoke.mock.calls.filter(([c]) => c === "starred_messages");

  it("lists this chat's, by its id; a click picks one", async () => {
    const state = desktop();
    state.starred = [message("m2", "c1", "me", "See you"), message("m1", "c1", "u2", "Hi")];
    const onPick = vi.fn();
    render(<WithFeed onPick={onPick} />);
    await waitFor(() => expect(chatRows()).toHaveLength(2));
    expect(loads()).toEqual([["starred_messages", { chatId: "c1" }]]);
    expect(chatRows().map((r) => r.getAttribute("data-message-id"))).toEqual(["m2", "m1"]);
    expect(within(chatRows()[1]!).getByTestId("starred-sender").textContent).toBe("Grace");
    expect(within(chatRows()[1]!).queryByTestId("starred-chat")).toBeNull();
    fireEvent.click(chatRows()[1]!);
    expect(onPick).toHaveBeenCalledWith("m1");
  });

  it("loads again when a message of the chat changes, not another chat's", async () => {
    const state = desktop();
    render(<WithFeed />);
    expect((await screen.findByTestId("chat-starred-none")).textContent).toBe(
      "No starred messages",
    );
    const elsewhere = message("x1", "c2", "u2", "Elsewhere");
    act(() => feed.channel!.onmessage({ event: "message", chat_id: "c2", message: elsewhere }));
    expect(loads()).toHaveLength(1);
    // Starred on another device.
    const starred = message("m1", "c1", "u2", "Hi");
    state.starred = [starred];
    act(() => feed.channel!.onmessage({ event: "message", chat_id: "c1", message: starred }));
    await waitFor(() => expect(chatRows()).toHaveLength(1));
    expect(loads()).toHaveLength(2);
  });
});

describe("stars in the conversation", () => {
  layOutTimeline();

  it("marks a starred message, and stars or unstars one from its menu", async () => {
    const starred = message("m1", "c1", "u2", "starred one", { seq: 1 });
    const plain = message("m2", "c1", "u2", "plain one", { seq: 2, starred: false });
    serve([starred, plain], { act_on_message: () => null });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("plain one");
    const bubble = (id: string) =>
      document.querySelector<HTMLElement>(`.bubble[data-message-id="${id}"]`)!;
    const mark = within(bubble("m1")).getByTestId("message-starred-mark");
    expect(mark.getAttribute("aria-label")).toBe("Starred");
    expect(within(bubble("m2")).queryByTestId("message-starred-mark")).toBeNull();

    fireEvent.click(within(bubble("m2")).getByTestId("message-menu"));
    fireEvent.click(screen.getByTestId("message-star"));
    fireEvent.click(within(bubble("m1")).getByTestId("message-menu"));
    fireEvent.click(screen.getByTestId("message-star"));
    await waitFor(() =>
      expect(acts()).toEqual([
        { chatId: "c1", messageId: "m2", action: { action: "star", starred: true } },
        { chatId: "c1", messageId: "m1", action: { action: "star", starred: false } },
      ]),
    );
  });

  it("says why a star could not be put on", async () => {
    serve([message("m1", "c1", "u2", "hello", { starred: false })], {
      act_on_message: () => {
        throw { code: "internal", message: "the store is locked" };
      },
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("hello");
    fireEvent.click(screen.getByTestId("message-menu"));
    fireEvent.click(screen.getByTestId("message-star"));
    expect((await screen.findByTestId("composer-error")).textContent).toBe(
      "the store is locked (internal)",
    );
  });

  it("lists the direct chat's starred ones beside it, and a click shows one", async () => {
    const messages = [
      message("m1", "c1", "u2", "the café at noon", { seq: 1 }),
      message("m2", "c1", "me", "see you", { seq: 2, starred: false }),
    ];
    serve(messages, { chat_gallery: () => [] });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("see you");
    fireEvent.click(screen.getByTestId("open-gallery"));
    const section = within(screen.getByTestId("gallery")).getByTestId("chat-starred");
    const row = await within(section).findByTestId("chat-starred-row");
    expect(invoke).toHaveBeenCalledWith("starred_messages", { chatId: "c1" });
    expect(row.textContent).toContain("the café at noon");
    fireEvent.click(row);
    expect(screen.queryByTestId("gallery")).toBeNull();
    await vi.waitFor(() =>
      expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
        "m1",
      ),
    );
  });
});
