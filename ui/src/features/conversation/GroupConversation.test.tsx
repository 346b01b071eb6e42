import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { ChatMember, LocalChat, LocalMessage, MemberRole, MessengerEvent } from "../../api";
import type { SystemEvent } from "../groups/api";
import { resetMembers } from "../groups/hooks";
import { useMessengerFeed } from "../../messages";
import { chatMessage, groupTile, layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "./Conversation";
import { senderColor } from "./senders";

const person = (username: string, role: MemberRole = "member"): ChatMember => ({
  user_id: `id-${username}`,
  username,
  display_name: username[0]!.toUpperCase() + username.slice(1),
  photo: null,
  role,
  joined_at: 0,
});
const MEMBERS = [person("me", "admin"), person("bob"), person("cal"), person("dan"), person("ann")];

let seq = 0;
const message = (sender: string, content: LocalMessage["message"]["content"]): LocalMessage => {
  seq += 1;
  return chatMessage(seq, sender, content, { chat_id: "g1" });
};
const text = (sender: string, words: string) => message(sender, { kind: "text", text: words });
const system = (sender: string, event: SystemEvent) => message(sender, { kind: "system", event });

const group = (over: Partial<LocalChat> = {}): LocalChat =>
  groupTile({ id: "g1", member_count: 5, my_role: "admin", ...over });

/** The desktop side for one group chat; returns the messenger feed's channel once listened. */
function serve(messages: LocalMessage[], chat: LocalChat = group(), former: ChatMember[] = []) {
  const feed: { onmessage?: (event: MessengerEvent) => void } = {};
  invoke.mockImplementation(async (command: string, args?: never) => {
    switch (command) {
      case "former_members":
        return former;
      case "chat_messages":
        return messages;
      case "list_chats":
        return [chat];
      case "chat_members":
        return MEMBERS;
      case "list_contacts":
        return [];
      case "set_typing":
      case "mark_read":
      case "clear_chat":
        return null;
      case "send_text":
        return text("id-me", (args as unknown as { text: string }).text);
      case "watch_messages":
        feed.onmessage = (args as unknown as { onEvent: typeof feed }).onEvent.onmessage;
        Object.assign(feed, { channel: (args as unknown as { onEvent: typeof feed }).onEvent });
        return;
      default:
        throw new Error(command);
    }
  });
  return feed as { channel?: { onmessage: (event: MessengerEvent) => void } };
}

function WithFeed() {
  useMessengerFeed();
  return <Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />;
}

layOutTimeline();
beforeEach(() => {
  resetMembers();
  // Each test's messages from m1 on, whatever ran before it.
  seq = 0;
});

describe("a group conversation", () => {
  it("names others' messages in their own colour, with the avatar on the first of a run", async () => {
    serve([
      text("id-bob", "hi all"),
      text("id-bob", "anyone?"),
      text("id-cal", "me!"),
      text("id-me", "great"),
      text("id-bob", "ok"),
    ]);
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    await waitFor(() =>
      expect(screen.getAllByTestId("message-sender").map((s) => s.textContent)).toEqual([
        "Bob",
        "Bob",
        "Cal",
        "Bob",
      ]),
    );
    const senders = screen.getAllByTestId("message-sender");
    expect(senders[0]!.className).toBe(`sender-name sender-${senderColor("id-bob")}`);
    expect(senders[2]!.className).toBe(`sender-name sender-${senderColor("id-cal")}`);
    expect(senderColor("id-bob")).toBe(senderColor("id-bob"));
    // Avatars: Bob's first, Cal's, Bob's after my message; not Bob's second in a row.
    const bubbles = screen.getAllByTestId("message");
    const hasAvatar = bubbles.map(
      (b) => b.parentElement?.querySelector("[data-testid=message-avatar]") !== null,
    );
    expect(hasAvatar).toEqual([true, false, true, false, true]);
    // Mine has no name above it.
    expect(bubbles[3]!.querySelector("[data-testid=message-sender]")).toBeNull();
  });

  it("tells the group's happenings in words, centred, with members' names", async () => {
    serve([
      system("id-ann", { event: "created", name: "Hikers" }),
      system("id-ann", { event: "added", user_ids: ["id-bob", "id-me"] }),
      system("id-me", {
        event: "settings_changed",
        settings: {
          only_admins_send: true,
          only_admins_edit: true,
          approve_joins: false,
          only_admins_keep: false,
        },
      }),
      system("id-gone", { event: "joined_by_link" }),
    ]);
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    await waitFor(() =>
      expect(screen.getAllByTestId("system-message").map((s) => s.textContent)).toEqual([
        "Ann created the group “Hikers”",
        "Ann added you and Bob",
        // Only what changed from what the group started with.
        "You changed the group settings: only admins can send messages",
        "Someone joined using the invite link",
      ]),
    );
    expect(screen.queryAllByTestId("message")).toHaveLength(0);
  });

  it("names former members in what they did, from the store's former members", async () => {
    const gus = {
      ...MEMBERS[0],
      user_id: "id-gus",
      username: "gus",
      display_name: "Gus",
      role: "member" as const,
    };
    serve(
      [
        system("id-gus", { event: "left" }),
        system("id-ann", { event: "removed", user_id: "id-gus" }),
      ],
      group(),
      [gus],
    );
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    await waitFor(() =>
      expect(screen.getAllByTestId("system-message").map((s) => s.textContent)).toEqual([
        "Gus left",
        "Ann removed Gus",
      ]),
    );
  });

  it("shows mentions in messages as highlighted names", async () => {
    serve([text("id-bob", "look <@id-me> and <@id-zed>")]);
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    await waitFor(() =>
      expect(screen.getAllByTestId("mention").map((m) => m.textContent)).toEqual([
        "@Me",
        "@someone",
      ]),
    );
    expect(screen.getByTestId("message-text").textContent).toBe("look @Me and @someone");
  });

  it("replaces the composer once I am no longer a member", async () => {
    serve([], group({ my_role: null }));
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    expect((await screen.findByTestId("not-member-notice")).textContent).toBe(
      "You're no longer a member of this group",
    );
    expect(screen.queryByTestId("composer")).toBeNull();
  });

  it("replaces the composer for plain members when only admins may send", async () => {
    serve([], group({ my_role: "member", only_admins_send: true }));
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    expect((await screen.findByTestId("admins-only-notice")).textContent).toBe(
      "Only admins can send messages",
    );
    expect(screen.queryByTestId("composer")).toBeNull();
  });

  it("keeps the composer for admins when only admins may send", async () => {
    serve([], group({ my_role: "owner", only_admins_send: true }));
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    await screen.findByTestId("conversation-status");
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe("Hikers"));
    expect(screen.queryByTestId("admins-only-notice")).toBeNull();
    expect(screen.getByTestId("composer")).toBeTruthy();
  });

  it("completes @mentions from the members and sends them as tokens", async () => {
    serve([]);
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe("Hikers"));
    const composer = screen.getByTestId("composer") as HTMLTextAreaElement;
    // Members load with the tile: wait until "@" offers them.
    await waitFor(() => {
      fireEvent.change(composer, { target: { value: "hey @" } });
      expect(screen.getByTestId("mention-list")).toBeTruthy();
    });
    // Everyone but me, by what follows @.
    expect(screen.queryByTestId("mention-me")).toBeNull();
    fireEvent.change(composer, { target: { value: "hey @c" } });
    expect(screen.getAllByRole("option").map((o) => o.dataset.testid)).toEqual(["mention-cal"]);
    // Escape closes the list (and leaves the text be).
    fireEvent.keyDown(composer, { key: "Escape" });
    expect(screen.queryByTestId("mention-list")).toBeNull();
    expect(composer.value).toBe("hey @c");
    // Not for that @ again; a new @ opens it again. Down, Up, Enter picks.
    fireEvent.change(composer, { target: { value: "hey @" } });
    expect(screen.queryByTestId("mention-list")).toBeNull();
    fireEvent.change(composer, { target: { value: "hey @" } });
    fireEvent.change(composer, { target: { value: "hi @" } });
    expect(screen.getAllByRole("option").map((o) => o.dataset.testid)).toEqual([
      "mention-bob",
      "mention-cal",
      "mention-dan",
      "mention-ann",
    ]);
    fireEvent.keyDown(composer, { key: "ArrowDown" });
    fireEvent.keyDown(composer, { key: "ArrowDown" });
    fireEvent.keyDown(composer, { key: "ArrowUp" });
    fireEvent.keyDown(composer, { key: "Enter" });
    expect(composer.value).toBe("hi @Cal ");
    expect(screen.queryByTestId("mention-list")).toBeNull();
    expect(invoke).not.toHaveBeenCalledWith("send_text", expect.anything());
    // Tab picks too, and a click.
    fireEvent.change(composer, { target: { value: "hey @Cal and @b" } });
    expect(screen.getByTestId("mention-list")).toBeTruthy();
    fireEvent.keyDown(composer, { key: "Tab" });
    expect(composer.value).toBe("hey @Cal and @Bob ");
    fireEvent.change(composer, { target: { value: "hey @Cal and @Bob , @d" } });
    fireEvent.mouseDown(screen.getByTestId("mention-dan"));
    expect(composer.value).toBe("hey @Cal and @Bob , @Dan ");
    fireEvent.change(composer, { target: { value: "hey @Cal and @Bob , @Dan look" } });
    fireEvent.keyDown(composer, { key: "Enter" });
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("send_text", {
        chatId: "g1",
        text: "hey <@id-cal> and <@id-bob> , <@id-dan> look",
        replyTo: null,
      }),
    );
  });

  it("clears the group for me from the header's menu (deleting it is the info panel's)", async () => {
    serve([text("id-bob", "hi all")]);
    render(<Conversation open={{ chatId: "g1" }} myId="id-me" onClose={() => {}} />);
    await screen.findByText("hi all");
    fireEvent.click(screen.getByTestId("conversation-more"));
    expect(screen.queryByTestId("conversation-delete-chat")).toBeNull();
    fireEvent.click(screen.getByTestId("menu-clear-chat"));
    expect(screen.getByTestId("clear-dialog").textContent).toContain("Clear this chat?");
    fireEvent.click(screen.getByTestId("clear-confirm"));
    await waitFor(() => expect(screen.queryByTestId("clear-dialog")).toBeNull());
    expect(invoke).toHaveBeenCalledWith("clear_chat", { chatId: "g1", keepStarred: true });
  });

  it("says who is typing: one, two, or how many", async () => {
    const feed = serve([]);
    render(<WithFeed />);
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe("Hikers"));
    await waitFor(() => expect(feed.channel).toBeDefined());
    const status = screen.getByTestId("conversation-status");
    await waitFor(() => expect(status.textContent).toBe("5 members"));
    const typing = (user: string, on = true) =>
      act(() =>
        feed.channel!.onmessage({
          event: "typing",
          chat_id: "g1",
          user_id: `id-${user}`,
          typing: on,
        }),
      );
    typing("bob");
    await waitFor(() => expect(status.textContent).toBe("Bob is typing…"));
    typing("cal");
    expect(status.textContent).toBe("Bob and Cal are typing…");
    typing("dan");
    expect(status.textContent).toBe("3 people are typing…");
    typing("bob", false);
    typing("dan", false);
    expect(status.textContent).toBe("Cal is typing…");
    typing("cal", false);
    expect(status.textContent).toBe("5 members");
  });
});
