import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalChat, Message } from "../../api";
import { GRACE, chatTile, textMessage } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import { resetMembers } from "../groups/hooks";
import ChatList from "./ChatList";

const WEEK = 7 * 24 * 60 * 60 * 1000;

// Group tiles name senders from the members the page remembers: none from another test.
beforeEach(() => resetMembers());

const said = (text: string): Message => textMessage(1, "u2", text).message;

/** A direct chat with Bo where something was said. */
const chat = (over: Partial<LocalChat> = {}): LocalChat =>
  chatTile({
    title: "Bo",
    other_member: { ...GRACE, username: "bo", display_name: "Bo" },
    last_seq: 1,
    last_message: said("hi"),
    last_activity_at: Date.now(),
    my_delivered_seq: 1,
    my_read_seq: 1,
    ...over,
  });

const tile = (muted_until: number | null) => chat({ muted_until });

/** Programs `list_chats` to answer `chats`, and records every `update_chat`. */
function serve(chats: LocalChat[]): unknown[] {
  const updates: unknown[] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command === "list_chats") return chats;
    if (command === "update_chat") {
      updates.push(args);
      return null;
    }
    throw new Error(`unexpected ${command}`);
  });
  return updates;
}

describe("ChatList", () => {
  it("mutes a chat for a week, or for 8 hours, or always", async () => {
    const updates = serve([tile(null)]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    fireEvent.click(await screen.findByLabelText("More for Bo"));
    expect(screen.getByText("Mute 8 hours")).toBeTruthy();
    expect(screen.getByText("Mute always")).toBeTruthy();
    const before = Date.now();
    fireEvent.click(screen.getByText("Mute 1 week"));
    await waitFor(() => expect(updates).toHaveLength(1));
    const { update } = updates[0] as { update: { muted_until: number } };
    expect(update.muted_until).toBeGreaterThanOrEqual(before + WEEK);
    expect(update.muted_until).toBeLessThanOrEqual(Date.now() + WEEK);
  });

  it("shows until when a chat is muted, and offers to unmute", async () => {
    const until = Date.now() + 3 * 60 * 60 * 1000;
    const updates = serve([tile(until)]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    const icon = await screen.findByTestId("chat-tile-muted");
    expect(icon.getAttribute("title")).toMatch(/^Muted until /);
    fireEvent.click(screen.getByLabelText("More for Bo"));
    expect(screen.queryByText("Mute 1 week")).toBeNull();
    fireEvent.click(screen.getByText("Unmute"));
    await waitFor(() => expect(updates).toEqual([{ chatId: "c1", update: { muted_until: 0 } }]));
  });

  it("says just Muted when a chat is muted always", async () => {
    serve([tile(Number.MAX_SAFE_INTEGER)]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    expect((await screen.findByTestId("chat-tile-muted")).getAttribute("title")).toBe("Muted");
  });

  it("keeps message requests apart, behind their own entry, with the photo blurred", async () => {
    serve([
      chat(),
      chat({ id: "c2", title: "Stranger", request: true, photo: null }),
      chat({ id: "c3", title: "Old", archived: true }),
    ]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    const entry = await screen.findByTestId("requests-entry");
    expect(entry.textContent).toBe("Message requests (1)");
    const names = () => screen.queryAllByTestId("chat-tile-name").map((n) => n.textContent);
    expect(names()).toEqual(["Bo"]);
    fireEvent.click(entry);
    expect(names()).toEqual(["Stranger"]);
    expect(screen.getByTestId("chat-list").dataset.view).toBe("requests");
    expect(screen.getByTestId("requests-hint")).toBeTruthy();
    fireEvent.click(screen.getByText("← Chats"));
    expect(names()).toEqual(["Bo"]);
    fireEvent.click(screen.getByText("Archived (1)"));
    expect(names()).toEqual(["Old"]);
  });

  it("marks a chat with disappearing messages on", async () => {
    serve([chat({ disappear_after_ms: 604_800_000 }), chat({ id: "c2", title: "Cy" })]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    const marks = await screen.findAllByTestId("chat-tile-timer");
    expect(marks).toHaveLength(1);
    expect(marks[0]!.getAttribute("title")).toBe("Disappearing messages: 7 days");
  });

  it("opens a chat by its id, and names it by its title", async () => {
    serve([chat(), chat({ id: "g1", kind: "group", title: "Book club", other_member: null })]);
    const onOpen = vi.fn();
    render(<ChatList myId="u1" selectedId={null} onOpen={onOpen} />);
    await screen.findByText("Book club");
    expect(screen.getAllByTestId("chat-tile-name").map((n) => n.textContent)).toEqual([
      "Bo",
      "Book club",
    ]);
    fireEvent.click(screen.getByText("Book club"));
    expect(onOpen).toHaveBeenCalledWith({ chatId: "g1" });
  });

  it("leaves out direct chats where nothing was said yet", async () => {
    serve([
      chat({ id: "c-empty", title: "Quiet", last_seq: 0, last_message: null }),
      chat({ id: "c-said", title: "Talkative" }),
      // Everything in it was deleted for me: it was a conversation all the same.
      chat({ id: "c-cleared", title: "Cleared", last_seq: 4, last_message: null }),
      chat({ id: "g-new", kind: "group", title: "New group", last_seq: 0, last_message: null }),
    ]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    await screen.findByText("Talkative");
    expect(screen.getAllByTestId("chat-tile-name").map((n) => n.textContent)).toEqual([
      "Talkative",
      "Cleared",
      "New group",
    ]);
  });

  it("leaves out chats I deleted until something new is said in them", async () => {
    serve([
      chat({ id: "c-deleted", title: "Deleted", last_seq: 7, cleared_seq: 7, last_message: null }),
      // A reaction to an old message moves last_seq, but nothing is there to list it by.
      chat({ id: "c-reacted", title: "Reacted", last_seq: 9, cleared_seq: 7, last_message: null }),
      chat({
        id: "g-left",
        kind: "group",
        title: "Left",
        last_seq: 3,
        cleared_seq: 3,
        last_message: null,
      }),
      chat({ id: "c-back", title: "Back", last_seq: 8, cleared_seq: 7 }),
    ]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    await screen.findByText("Back");
    expect(screen.getAllByTestId("chat-tile-name").map((n) => n.textContent)).toEqual(["Back"]);
  });

  it("keeps a chat I cleared in the list, with an empty preview, unlike one I deleted", async () => {
    serve([
      chat({
        id: "c-cleared",
        title: "Cleared",
        last_seq: 7,
        cleared_seq: 7,
        clear_listed: true,
        last_message: null,
      }),
      chat({
        id: "g-cleared",
        kind: "group",
        title: "Cleared group",
        other_member: null,
        last_seq: 5,
        cleared_seq: 5,
        clear_listed: true,
        clear_keeps_starred: true,
        last_message: null,
      }),
      chat({
        id: "c-deleted",
        title: "Deleted",
        last_seq: 7,
        cleared_seq: 7,
        clear_listed: false,
        last_message: null,
      }),
    ]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    await screen.findByText("Cleared");
    expect(screen.getAllByTestId("chat-tile-name").map((n) => n.textContent)).toEqual([
      "Cleared",
      "Cleared group",
    ]);
    expect(screen.getAllByTestId("chat-tile-preview").map((p) => p.textContent)).toEqual(["", ""]);
  });

  it("says there are no chats when the only one is empty", async () => {
    serve([chat({ last_seq: 0, last_message: null })]);
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    await screen.findByText(/No chats yet/);
    expect(screen.queryByTestId("chat-tile")).toBeNull();
    expect(screen.queryByTestId("chat-search")).toBeNull();
  });

  it("names the sender in a group's tile, and says its happenings in words", async () => {
    const bob = { ...chat().other_member!, user_id: "u-bob", display_name: "Bob" };
    invoke.mockImplementation(async (command: string) => {
      if (command === "list_chats")
        return [
          chat({
            id: "g1",
            kind: "group",
            title: "Hikers",
            other_member: null,
            last_message: { ...said("hi"), chat_id: "g1", sender_id: "u-bob" },
          }),
          chat({
            id: "g2",
            kind: "group",
            title: "Climbers",
            other_member: null,
            last_message: {
              ...said(""),
              chat_id: "g2",
              sender_id: "u-bob",
              content: { kind: "system", event: { event: "made_admin", user_id: "u1" } },
            },
          }),
        ];
      if (command === "chat_members") return [bob, { ...bob, user_id: "u1", display_name: "Me" }];
      throw new Error(`unexpected ${command}`);
    });
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    await waitFor(() =>
      expect(screen.getAllByTestId("chat-tile-preview").map((p) => p.textContent)).toEqual([
        "Bob: hi",
        "Bob made you an admin",
      ]),
    );
  });

  it("shows a group's photo fetched as the group's, and a person's as theirs", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "list_chats")
        return [
          chat({ photo: "p-bo" }),
          chat({
            id: "g1",
            kind: "group",
            title: "Hikers",
            other_member: null,
            photo: "gp-hikers",
          }),
        ];
      if (command === "chat_members") return [];
      if (command === "user_photo") return "data:image/jpeg;base64,BO";
      if (command === "chat_photo") return "data:image/jpeg;base64,HIKERS";
      throw new Error(`unexpected ${command}`);
    });
    render(<ChatList myId="u1" selectedId={null} onOpen={() => {}} />);
    await waitFor(() =>
      expect(screen.getAllByTestId("avatar-photo").map((img) => img.getAttribute("src"))).toEqual([
        "data:image/jpeg;base64,BO",
        "data:image/jpeg;base64,HIKERS",
      ]),
    );
    expect(invoke).toHaveBeenCalledWith("chat_photo", { chatId: "g1", size: "thumb" });
    expect(invoke).toHaveBeenCalledWith("user_photo", { userId: "u2", size: "thumb" });
    expect(invoke).not.toHaveBeenCalledWith("user_photo", { userId: "g1", size: "thumb" });
  });
});
