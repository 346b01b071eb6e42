import { act, fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Me, WindowRequest } from "./api";
import App from "./App";
import { ME, contact } from "./test-fixtures";
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
      case "direct_chat_with":
        return given.userId === "id-grace" ? "c-grace" : null;
      case "list_chats":
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
    expect((await screen.findByTestId("conversation-name")).textContent).toBe("Grace Hopper");
    expect(invoke).toHaveBeenCalledWith("direct_chat_with", { userId: "id-grace" });
    expect(screen.queryByTestId("new-chat")).toBeNull();
  });

  it("closes the innermost pane on each Esc: the picker, settings, then the chat", async () => {
    desktop({ signedIn: true });
    render(<App />);
    await screen.findByText("Bob Builder");
    fireEvent.click(screen.getAllByTestId("contact-message")[1]!);
    await screen.findByTestId("conversation-name");
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
});
