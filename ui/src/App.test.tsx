import { act, fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalChat, LocalMessage, Me, WindowRequest } from "./api";
import App from "./App";
import { GRACE, ME, chatTile, contact, textMessage } from "./test-fixtures";
import { invoke } from "./test-ipc";

const LINK = "gkchat://add/tok-pia";

// jsdom has no media queries; the theme follows a light OS here.
beforeEach(() => {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    }) as unknown as MediaQueryList;
});

/** My direct chat with Grace, opened on the server, where nothing was said yet. */
const GRACE_CHAT: LocalChat = chatTile({
  id: "c-grace",
  title: "Grace Hopper",
  other_member: { ...GRACE, user_id: "id-grace", display_name: "Grace Hopper" },
});

/** A message of Grace's I starred. */
const STARRED: LocalMessage = textMessage(1, "id-grace", "The café at noon", {
  id: "m-star",
  chat_id: "c-grace",
  starred: true,
});

/** The desktop side for App: who is signed in, the contacts, and the window's requests. */
function desktop({ signedIn }: { signedIn: boolean }) {
  let requests: { onmessage?: (request: WindowRequest) => void } = {};
  let contacts = [contact("bob", "Bob Builder"), contact("grace", "Grace Hopper")];
  invoke.mockImplementation(async (command: string, args?: never) => {
    const given = (args ?? {}) as Record<string, unknown>;
    switch (command) {
      case "current_account":
        return signedIn ? ME : null;
      case "sign_in":
        return ME satisfies Me;
      case "watch_requests":
        requests = given.onRequest as typeof requests;
        return;
      case "list_contacts":
        return contacts;
      case "add_contact":
        if (given.who !== LINK) throw { code: "not_found", message: "this link was reset" };
        contacts = [...contacts, contact("pia", "Pia")];
        return contacts[contacts.length - 1];
      case "open_direct_chat":
        if (given.userId === "id-grace") return "c-grace";
        throw { code: "unreachable", message: "no connection" };
      case "list_chats":
        return [GRACE_CHAT];
      case "invite_preview":
        return {
          name: "Hikers",
          description: "",
          photo: null,
          member_count: 4,
          approval_needed: false,
          member: false,
          requested: false,
        };
      case "join_group":
        return { outcome: "joined", chat: { ...GRACE_CHAT, id: "g-hikers", kind: "group" } };
      case "create_group":
        return { chat: { ...GRACE_CHAT, id: "g-new", kind: "group" }, added: [], refused: [] };
      case "starred_messages":
        return [STARRED];
      case "chat_messages":
      case "call_log":
        return [];
      default:
        // Live feeds, settings and the like: nothing to report in these tests.
        return null;
    }
  });
  return { open: (request: WindowRequest) => act(() => requests.onmessage!(request)) };
}

/** The open conversation shows `name`: its screen is a chunk of its own (`later.tsx`), loaded
 * when first shown, which in a fresh test worker can take more than waitFor's usual second. */
async function conversationOpens(name: string) {
  await vi.waitFor(() => expect(screen.getByTestId("conversation-name").textContent).toBe(name), {
    timeout: 5000,
  });
}

describe("App", () => {
  it("adds the contact of a gkchat://add/ link opened while signed in, from any tab", async () => {
    const window = desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.click(screen.getByTestId("tab-settings"));
    expect(screen.queryByTestId("contacts")).toBeNull();
    window.open({ type: "open_link", link: LINK });
    expect((await screen.findByTestId("contacts-notice")).textContent).toBe(
      "Pia (@pia) is in your contacts.",
    );
    expect(invoke).toHaveBeenCalledWith("add_contact", { who: LINK });
    await screen.findByText("Pia");
    expect(invoke.mock.calls.filter(([command]) => command === "add_contact")).toHaveLength(1);
  });

  it("shows a contact link the server refuses in words", async () => {
    const window = desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    window.open({ type: "open_link", link: "gkchat://add/old" });
    expect((await screen.findByTestId("contacts-error")).textContent).toBe(
      "This contact link did not work: this link was reset (not_found)",
    );
  });

  it("keeps a contact link opened while signed out and adds it after sign-in", async () => {
    const window = desktop({ signedIn: false });
    render(<App />);
    await screen.findByTestId("auth-submit");
    window.open({ type: "open_link", link: LINK });
    expect(screen.getByTestId("auth-notice").textContent).toBe(
      "Sign in to add the contact from your link.",
    );
    expect(invoke).not.toHaveBeenCalledWith("add_contact", expect.anything());
    fireEvent.change(screen.getByTestId("auth-login"), { target: { value: "ann" } });
    fireEvent.change(screen.getByTestId("auth-password"), { target: { value: "secret words" } });
    fireEvent.click(screen.getByTestId("auth-submit"));
    expect((await screen.findByTestId("contacts-notice")).textContent).toContain("@pia");
    expect(invoke).toHaveBeenCalledWith("add_contact", { who: LINK });
  });

  it("leaves quick-chat links to the quick chat", async () => {
    const window = desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    window.open({ type: "open_link", link: "gkchat://quick/room/person?server=x" });
    await vi.waitFor(() => expect(screen.queryByTestId("contacts")).toBeNull());
    expect(invoke).not.toHaveBeenCalledWith("add_contact", expect.anything());
  });

  it("opens a new-chat picker on Ctrl+N that searches contacts and opens the chat", async () => {
    desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.keyDown(document.body, { key: "n", ctrlKey: true });
    const search = await screen.findByTestId("new-chat-search");
    await vi.waitFor(() => expect(screen.getAllByTestId("new-chat-contact")).toHaveLength(2));
    expect(document.activeElement).toBe(search);
    fireEvent.change(search, { target: { value: "hop" } });
    const shown = screen.getAllByTestId("new-chat-contact").map((c) => c.textContent);
    expect(shown).toEqual([expect.stringContaining("Grace Hopper @grace")]);
    fireEvent.change(search, { target: { value: "nobody" } });
    expect(screen.getByTestId("new-chat-none")).toBeTruthy();
    fireEvent.change(search, { target: { value: "grace" } });
    fireEvent.submit(search);
    await conversationOpens("Grace Hopper");
    expect(invoke).toHaveBeenCalledWith("open_direct_chat", { userId: "id-grace" });
    expect(screen.queryByTestId("new-chat")).toBeNull();
  });

  it("closes the innermost pane on each Esc: the picker, settings, then the chat", async () => {
    desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.click(screen.getAllByTestId("contact-message")[1]!);
    await conversationOpens("Grace Hopper");
    fireEvent.click(screen.getByTestId("tab-settings"));
    fireEvent.click(screen.getByTestId("open-new-chat"));
    await screen.findByTestId("new-chat");
    const esc = () => fireEvent.keyDown(document.body, { key: "Escape" });

    esc();
    expect(screen.queryByTestId("new-chat")).toBeNull();
    expect(screen.getByTestId("contacts")).toBeTruthy();
    fireEvent.click(screen.getByTestId("tab-settings"));
    expect(screen.queryByTestId("contacts")).toBeNull();
    esc();
    expect(screen.getByTestId("contacts")).toBeTruthy();
    expect(screen.getByTestId("conversation-name").textContent).toBe("Grace Hopper");
    esc();
    expect(screen.queryByTestId("conversation-name")).toBeNull();
  });

  it("opens a contact's chat by its id, ready to type in, and keeps it out of the list while empty", async () => {
    desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    expect(screen.queryByTestId("chat-tile")).toBeNull();
    fireEvent.click(screen.getAllByTestId("contact-message")[1]!);
    await conversationOpens("Grace Hopper");
    expect(invoke).toHaveBeenCalledWith("open_direct_chat", { userId: "id-grace" });
    expect(invoke).toHaveBeenCalledWith("chat_messages", {
      chatId: "c-grace",
      before: null,
      limit: 200,
    });
    expect(document.activeElement).toBe(screen.getByTestId("composer"));
    expect(screen.queryByTestId("chat-tile")).toBeNull();
  });

  it("says so when a contact's chat cannot be opened", async () => {
    desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.click(screen.getAllByTestId("contact-message")[0]!);
    expect((await screen.findByTestId("open-chat-error")).textContent).toBe(
      "Could not open the chat with Bob Builder: no connection (unreachable)",
    );
    expect(screen.queryByTestId("conversation")).toBeNull();
  });

  it("opens the chat of a clicked notification by its id", async () => {
    const window = desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    window.open({ type: "open_chat", chat_id: "c-grace" });
    await conversationOpens("Grace Hopper");
    expect(invoke).toHaveBeenCalledWith("set_open_chat", { chatId: "c-grace" });
  });

  it("shows the join dialog for a gkchat://join/ link, and opens the group once in", async () => {
    const window = desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.click(screen.getByTestId("tab-settings"));
    window.open({ type: "open_link", link: "gkchat://join/abc" });
    expect((await screen.findByTestId("join-group-name")).textContent).toBe("Hikers");
    expect(invoke).toHaveBeenCalledWith("invite_preview", { link: "gkchat://join/abc" });
    expect(invoke).not.toHaveBeenCalledWith("add_contact", expect.anything());
    fireEvent.click(screen.getByTestId("join-group"));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_open_chat", { chatId: "g-hikers" }),
    );
    expect(screen.queryByTestId("join-dialog")).toBeNull();
    expect(screen.getByTestId("contacts")).toBeTruthy();
  });

  it("takes a pasted group link in the add-contact field to the join dialog", async () => {
    desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.change(screen.getByTestId("add-contact-username"), {
      target: { value: " gkchat://join/xyz " },
    });
    fireEvent.click(screen.getByTestId("add-contact"));
    await screen.findByTestId("join-dialog");
    expect(invoke).toHaveBeenCalledWith("invite_preview", { link: "gkchat://join/xyz" });
    expect(invoke).not.toHaveBeenCalledWith("add_contact", expect.anything());
    fireEvent.click(screen.getByTestId("join-cancel"));
    expect(screen.queryByTestId("join-dialog")).toBeNull();
  });

  it("makes a new group from the New group action and opens it", async () => {
    desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.click(screen.getByTestId("new-group"));
    fireEvent.click(await screen.findByTestId("group-member-grace"));
    fireEvent.change(screen.getByTestId("group-name"), { target: { value: "Hikers" } });
    fireEvent.click(screen.getByTestId("create-group"));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_open_chat", { chatId: "g-new" }),
    );
    expect(invoke).toHaveBeenCalledWith("create_group", {
      name: "Hikers",
      description: "",
      memberIds: ["id-grace"],
    });
    expect(screen.queryByTestId("new-group-form")).toBeNull();
    // The list is back once it has loaded my chats again (after the chat opened, maybe).
    await screen.findByTestId("chat-list");
  });

  it("shows my starred messages in place of the chat list, and opens one's chat", async () => {
    desktop({ signedIn: true });
    render(<App />);
    fireEvent.click(await screen.findByTestId("open-starred"));
    const row = await screen.findByTestId("starred-row");
    expect(screen.queryByTestId("chat-list")).toBeNull();
    expect(row.textContent).toContain("The café at noon");
    expect(invoke).toHaveBeenCalledWith("starred_messages", { chatId: null });
    fireEvent.click(row);
    await screen.findByTestId("conversation");
    expect(invoke).toHaveBeenCalledWith(
      "chat_messages",
      expect.objectContaining({ chatId: "c-grace" }),
    );
    fireEvent.click(screen.getByTestId("starred-close"));
    expect(screen.queryByTestId("starred-panel")).toBeNull();
    await screen.findByTestId("chat-list");
  });
});
