import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalChat, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import { GRACE, chatTile, layOutTimeline, readTo, textMessage } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import { resetMembers } from "../groups/hooks";
import Conversation from "./Conversation";

/** The conversation as the frame holds it: Esc, when nothing nearer takes it, closes it. */
function InFrame({ onClose }: { onClose: () => void }) {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.conversation, onClose);
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={onClose} />;
}

/** The conversation with the messenger's feed followed, as the frame has it. */
function WithFeed({ onClose }: { onClose: () => void }) {
  useMessengerFeed();
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={onClose} />;
}

/** The messenger's feed, as the test running watched it (each test starts its own). */
const feed: { onEvent?: { onmessage: (event: MessengerEvent) => void } } = {};

const chat: LocalChat = chatTile({
  ...readTo(2),
  last_message: textMessage(2, "me", "second").message,
  read_by_all_seq: 1,
});

layOutTimeline();
beforeEach(() => resetMembers());

describe("Conversation", () => {
  it("shows ticks from how far all the others got, sends on Enter and keeps Shift+Enter for new lines", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages")
        return [textMessage(1, "me", "first"), textMessage(2, "me", "second")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "send_text") return textMessage(3, "me", "third");
      if (command === "set_typing") return;
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("second");
    await vi.waitFor(() =>
      expect(screen.getAllByTestId("message").map((m) => m.dataset.status)).toEqual([
        "read",
        "delivered",
      ]),
    );
    const composer = screen.getByTestId("composer");
    fireEvent.change(composer, { target: { value: "line one" } });
    fireEvent.keyDown(composer, { key: "Enter", shiftKey: true });
    expect(invoke).not.toHaveBeenCalledWith("send_text", expect.anything());
    fireEvent.keyDown(composer, { key: "Enter" });
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("send_text", {
        chatId: "c1",
        text: "line one",
        replyTo: null,
      }),
    );
    expect(invoke).toHaveBeenCalledWith("set_typing", { chatId: "c1", typing: true });
  });

  it("gives Esc to the menu, then the reply quote (keeping the words), then the chat", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages")
        return [textMessage(1, "u2", "first"), textMessage(2, "me", "second")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "set_typing") return;
      throw new Error(command);
    });
    const onClose = vi.fn();
    render(<InFrame onClose={onClose} />);
    await screen.findByText("first");
    fireEvent.click(screen.getAllByTestId("message-menu")[0]!);
    fireEvent.click(screen.getByText("Reply"));
    expect(screen.getByTestId("composer-context").textContent).toContain("first");
    const composer = screen.getByTestId("composer") as HTMLTextAreaElement;
    fireEvent.change(composer, { target: { value: "half an answer" } });
    fireEvent.click(screen.getAllByTestId("message-menu")[1]!);
    expect(screen.getByRole("menu")).toBeTruthy();

    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(screen.getByTestId("composer-context")).toBeTruthy();
    fireEvent.keyDown(composer, { key: "Escape" });
    expect(screen.queryByTestId("composer-context")).toBeNull();
    expect(composer.value).toBe("half an answer");
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.keyDown(composer, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("forwards a message to a chat picked from the menu", async () => {
    const other: LocalChat = {
      ...chat,
      id: "c2",
      title: "Ada",
      other_member: { ...GRACE, user_id: "u3", display_name: "Ada" },
    };
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "worth passing on")];
      if (command === "list_chats") return [chat, other];
      if (command === "list_contacts") return [];
      if (command === "forward_message") return textMessage(3, "me", "worth passing on");
      if (command === "set_typing") return;
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("worth passing on");
    fireEvent.click(screen.getAllByTestId("message-menu")[0]!);
    fireEvent.click(screen.getByTestId("message-forward"));
    const targets = await screen.findAllByTestId("forward-to");
    fireEvent.click(targets.find((t) => t.textContent === "Ada")!);
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("forward_message", {
        messageId: "m1",
        chatId: "c2",
      }),
    );
    expect(screen.queryByTestId("forward-picker")).toBeNull();
  });

  it("shows a refusal in words", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [];
      if (command === "list_chats") return [];
      if (command === "list_contacts") return [];
      if (command === "send_text") throw { code: "message_too_large", message: "too long" };
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const composer = screen.getByTestId("composer");
    fireEvent.change(composer, { target: { value: "x" } });
    fireEvent.keyDown(composer, { key: "Enter" });
    expect((await screen.findByTestId("composer-error")).textContent).toBe(
      "too long (message_too_large)",
    );
  });

  it("calls the chat's other person from the header, and shows a refusal in words", async () => {
    invoke.mockImplementation(async (command: string, args?: { kind?: string }) => {
      if (command === "chat_messages") return [];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "start_call" && args?.kind === "audio") return "call-1";
      if (command === "start_call") throw { code: "blocked", message: "Grace blocked you" };
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId("chat-call-audio"));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("start_call", { calleeId: "u2", kind: "audio" }),
    );
    expect(screen.queryByTestId("chat-call-error")).toBeNull();
    fireEvent.click(screen.getByTestId("chat-call-video"));
    expect((await screen.findByTestId("chat-call-error")).textContent).toBe(
      "Grace blocked you (blocked)",
    );
  });

  it("keeps only the rows in view in the page, however long the chat", async () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      textMessage(i + 1, i % 2 ? "me" : "u2", `line ${i + 1}`),
    );
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return many;
      if (command === "list_chats") return [{ ...chat, last_seq: 5000 }];
      if (command === "list_contacts") return [];
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("line 1");
    const shown = screen.getAllByTestId("message").length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(100);
  });

  it("pages back by asking the store for the page before the oldest it holds", async () => {
    const all = Array.from({ length: 1000 }, (_, i) => textMessage(i + 1, "u2", `line ${i + 1}`));
    const asked: { before: number | null; limit: number }[] = [];
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "chat_messages") {
        const { before, limit } = args as unknown as { before: number | null; limit: number };
        asked.push({ before, limit });
        const older = all.filter((m) => before === null || (m.message.seq ?? 0) < before);
        return older.slice(-limit);
      }
      if (command === "list_chats") return [{ ...chat, last_seq: 1000 }];
      if (command === "list_contacts") return [];
      if (command === "mark_read") return null;
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const timeline = await screen.findByTestId("timeline");
    await waitFor(() => expect(timeline.dataset.loaded).toBe("200"));
    fireEvent.scroll(timeline, { target: { scrollTop: 0 } });
    await waitFor(() => expect(timeline.dataset.loaded).toBe("400"));
    expect(asked).toContainEqual({ before: 801, limit: 200 });
    expect(
      asked.every((a) => a.limit <= 400),
      JSON.stringify(asked),
    ).toBe(true);
  });

  it("opens by the chat's id: its messages, and the tile's title and other person above them", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "hello")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("hello");
    expect(invoke).toHaveBeenCalledWith("chat_messages", {
      chatId: "c1",
      before: null,
      limit: 200,
    });
    await vi.waitFor(() =>
      expect(screen.getByTestId("conversation-name").textContent).toBe("Grace"),
    );
    expect(screen.getByTestId("conversation-status").textContent).toBe("@grace");
    expect(screen.getByTestId("chat-call-audio")).toBeTruthy();
  });

  it("shows a group by its title and size, without call buttons nor Block", async () => {
    const group: LocalChat = {
      ...chat,
      id: "g1",
      kind: "group",
      title: "Book club",
      member_count: 5,
      other_member: null,
    };
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [];
      if (command === "list_chats") return [group];
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "g1" }} myId="me" onClose={() => {}} />);
    await vi.waitFor(() =>
      expect(screen.getByTestId("conversation-name").textContent).toBe("Book club"),
    );
    expect(screen.getByTestId("conversation-status").textContent).toBe("5 members");
    expect(screen.queryByTestId("chat-call-audio")).toBeNull();
    // Its menu sets the timer; Block, Report and Delete chat are for a direct chat's person.
    fireEvent.click(screen.getByTestId("conversation-more"));
    expect(screen.getByTestId("menu-disappearing")).toBeTruthy();
    expect(screen.queryByTestId("conversation-block")).toBeNull();
    expect(screen.queryByTestId("conversation-delete-chat")).toBeNull();
  });

  it("blocks the other person from the header's menu", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "block_user") return null;
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    fireEvent.click(await screen.findByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("conversation-block"));
    expect((await screen.findByTestId("conversation-notice")).textContent).toBe(
      "Grace is blocked.",
    );
    expect(invoke).toHaveBeenCalledWith("block_user", { userId: "u2" });
  });

  it("has the composer ready to type in when it opens, but not when it opens on a search hit", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "found me")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      throw new Error(command);
    });
    const { unmount } = render(
      <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />,
    );
    expect(document.activeElement).toBe(screen.getByTestId("composer"));
    unmount();

    const search = document.createElement("input");
    document.body.append(search);
    search.focus();
    render(<Conversation open={{ chatId: "c1", focus: "m1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("found me");
    expect(document.activeElement).toBe(search);
    search.remove();
  });

  it("forwards to a contact without a chat yet by opening their chat first", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "worth passing on")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts")
        return [
          { ...GRACE, about: "", status_text: "", online: false, last_seen: null, added_at: 0 },
          {
            user_id: "u4",
            username: "alan",
            display_name: "Alan",
            about: "",
            status_text: "",
            photo: null,
            online: false,
            last_seen: null,
            added_at: 0,
          },
        ];
      if (command === "open_direct_chat") return "c-alan";
      if (command === "forward_message") return textMessage(3, "me", "worth passing on");
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("worth passing on");
    fireEvent.click(screen.getAllByTestId("message-menu")[0]!);
    fireEvent.click(screen.getByTestId("message-forward"));
    await vi.waitFor(() =>
      // Grace has a chat already: she is offered once.
      expect(screen.getAllByTestId("forward-to").map((t) => t.textContent)).toEqual([
        "Grace",
        "Alan",
      ]),
    );
    fireEvent.click(screen.getByText("Alan"));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("forward_message", { messageId: "m1", chatId: "c-alan" }),
    );
    expect(invoke).toHaveBeenCalledWith("open_direct_chat", { userId: "u4" });
  });

  it("searches in this chat by its id and jumps to the hit", async () => {
    const hit = textMessage(1, "u2", "the café at noon");
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [hit, textMessage(2, "me", "see you")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "search_messages") return [{ message: hit, snippet: "the [café] at noon" }];
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("see you");
    fireEvent.click(screen.getByTestId("conversation-search-toggle"));
    const box = screen.getByTestId("conversation-search");
    expect(document.activeElement).toBe(box);
    fireEvent.change(box, { target: { value: "café" } });
    fireEvent.click(await screen.findByTestId("search-hit"));
    expect(invoke).toHaveBeenCalledWith("search_messages", { text: "café", chatId: "c1" });
    expect(screen.queryByTestId("conversation-search")).toBeNull();
    await vi.waitFor(() =>
      expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
        "m1",
      ),
    );
  });

  it("deletes the chat for me from the header's menu, after asking, and closes it", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "first")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "delete_chat") return null;
      throw new Error(command);
    });
    const onClose = vi.fn();
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={onClose} />);
    await screen.findByText("first");
    fireEvent.click(screen.getByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("conversation-delete-chat"));
    expect(invoke).not.toHaveBeenCalledWith("delete_chat", expect.anything());
    fireEvent.click(screen.getByTestId("delete-chat-confirm"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("delete_chat", { chatId: "c1" });
  });

  it("clears the chat from the header's menu, after asking, keeping starred messages by default, and stays open, empty", async () => {
    let messages = [textMessage(1, "u2", "first"), textMessage(2, "me", "second")];
    let chats = [chat];
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "chat_messages") return messages;
      if (command === "list_chats") return chats;
      if (command === "list_contacts") return [];
      if (command === "watch_messages") {
        feed.onEvent = (args as unknown as Required<typeof feed>).onEvent;
        return;
      }
      if (command === "clear_chat") {
        messages = [];
        chats = [chatTile({ last_seq: 2, cleared_seq: 2, clear_listed: true })];
        return null;
      }
      throw new Error(command);
    });
    const onClose = vi.fn();
    render(<WithFeed onClose={onClose} />);
    await screen.findByText("first");
    await waitFor(() => expect(feed.onEvent).toBeDefined());
    fireEvent.click(screen.getByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("menu-clear-chat"));
    const dialog = screen.getByTestId("clear-dialog");
    expect(dialog.textContent).toContain("Clear this chat?");
    expect(dialog.textContent).toContain(
      "Messages will be removed from all your devices. Others in the chat keep theirs.",
    );
    expect((screen.getByTestId("clear-keep-starred") as HTMLInputElement).checked).toBe(true);
    expect(invoke).not.toHaveBeenCalledWith("clear_chat", expect.anything());
    fireEvent.click(screen.getByTestId("clear-confirm"));
    await waitFor(() => expect(screen.queryByTestId("clear-dialog")).toBeNull());
    expect(invoke).toHaveBeenCalledWith("clear_chat", { chatId: "c1", keepStarred: true });
    // Shown empty at once, as a new chat, without waiting for the messenger's word.
    await waitFor(() => expect(screen.queryByText("first")).toBeNull());
    expect(screen.queryByTestId("message")).toBeNull();
    expect(screen.getByTestId("timeline").dataset.loaded).toBe("0");
    expect(screen.getByTestId("composer")).toBeTruthy();
    // The chat stays in my list: it stays open.
    act(() => feed.onEvent!.onmessage({ event: "chats_changed" }));
    await waitFor(() =>
      expect(invoke.mock.calls.filter(([c]) => c === "list_chats").length).toBe(2),
    );
    // Let the cleared tile come in before looking.
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByTestId("conversation-name").textContent).toBe("Grace");
  });

  it("takes the keyboard into a dialog from the header's menu, and back to the menu's button", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "first")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("first");
    const more = screen.getByTestId("conversation-more");
    more.focus();
    fireEvent.click(more);
    // The menu's item has the keyboard when picked; it goes with the menu.
    const item = screen.getByTestId("menu-disappearing");
    item.focus();
    fireEvent.click(item);
    expect(document.activeElement).toBe(screen.getByTestId("timer-option-off"));
    fireEvent.click(screen.getByTestId("timer-cancel"));
    expect(screen.queryByTestId("timer-dialog")).toBeNull();
    expect(document.activeElement).toBe(more);
  });

  it("clears the starred messages too when unticked, and Cancel clears nothing", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "first")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "clear_chat") return null;
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("first");
    fireEvent.click(screen.getByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("menu-clear-chat"));
    fireEvent.click(screen.getByTestId("clear-cancel"));
    expect(screen.queryByTestId("clear-dialog")).toBeNull();
    expect(invoke).not.toHaveBeenCalledWith("clear_chat", expect.anything());
    fireEvent.click(screen.getByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("menu-clear-chat"));
    fireEvent.click(screen.getByTestId("clear-keep-starred"));
    expect((screen.getByTestId("clear-keep-starred") as HTMLInputElement).checked).toBe(false);
    fireEvent.click(screen.getByTestId("clear-confirm"));
    await waitFor(() => expect(screen.queryByTestId("clear-dialog")).toBeNull());
    expect(invoke).toHaveBeenCalledWith("clear_chat", { chatId: "c1", keepStarred: false });
  });

  it("keeps the clear dialog open with the error when clearing fails", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "first")];
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "clear_chat") throw new Error("offline");
      throw new Error(command);
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("first");
    fireEvent.click(screen.getByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("menu-clear-chat"));
    fireEvent.click(screen.getByTestId("clear-confirm"));
    expect((await screen.findByTestId("clear-error")).textContent).toContain("offline");
    expect(screen.getByTestId("clear-dialog")).toBeTruthy();
    expect((screen.getByTestId("clear-confirm") as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByText("first")).toBeTruthy();
  });

  it("closes when the chat goes from my list (deleted on another device)", async () => {
    let chats = [chat];
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "chat_messages") return [textMessage(1, "u2", "first")];
      if (command === "list_chats") return chats;
      if (command === "list_contacts") return [];
      if (command === "watch_messages") {
        feed.onEvent = (args as unknown as Required<typeof feed>).onEvent;
        return;
      }
      throw new Error(command);
    });
    const onClose = vi.fn();
    render(<WithFeed onClose={onClose} />);
    await screen.findByText("first");
    await waitFor(() => expect(feed.onEvent).toBeDefined());
    await waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe("Grace"));
    // Another event while the chat is still listed changes nothing.
    act(() => feed.onEvent!.onmessage({ event: "chats_changed" }));
    await waitFor(() =>
      expect(invoke.mock.calls.filter(([c]) => c === "list_chats").length).toBe(2),
    );
    expect(onClose).not.toHaveBeenCalled();
    chats = [];
    act(() => feed.onEvent!.onmessage({ event: "chats_changed" }));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
  });
});
