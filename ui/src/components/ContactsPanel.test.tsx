import { act, waitFor, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { contact } from "../test-fixtures";
import { invoke } from "../test-ipc";

import { usePresenceFeed } from "../presence";
import ContactsPanel from "./ContactsPanel";

function WithPresence() {
  usePresenceFeed();
  return <ContactsPanel />;
}

describe("ContactsPanel", () => {
  it("adds what was typed and filters by search", async () => {
    let list = [contact("bob", "Bob Builder")];
    invoke.mockImplementation(async (command: string, args?: { who?: string }) => {
      if (command === "list_contacts") return list;
      if (command === "add_contact") {
        list = [...list, contact(args!.who!.replace(/^@/, ""), "Carol")];
        return list[list.length - 1];
      }
      throw new Error(command);
    });
    render(<ContactsPanel />);
    await screen.findByText("Bob Builder");
    fireEvent.change(screen.getByTestId("add-contact-username"), { target: { value: "@carol" } });
    fireEvent.click(screen.getByTestId("add-contact"));
    await screen.findByText("Carol");
    expect(invoke).toHaveBeenCalledWith("add_contact", { who: "@carol" });
    fireEvent.change(screen.getByTestId("contacts-search"), { target: { value: "build" } });
    expect(screen.getAllByTestId("contact")).toHaveLength(1);
  });

  it("shows an unknown username in words", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "list_contacts") return [];
      throw { code: "not_found", message: "nobody is called @zed" };
    });
    render(<ContactsPanel />);
    fireEvent.change(screen.getByTestId("add-contact-username"), { target: { value: "zed" } });
    fireEvent.click(screen.getByTestId("add-contact"));
    expect((await screen.findByTestId("contacts-error")).textContent).toBe(
      "nobody is called @zed (not_found)",
    );
  });

  it("shows presence from the list, then as it is pushed", async () => {
    let channel: { onmessage?: (presence: unknown) => void } = {};
    invoke.mockImplementation(async (command: string, args?: { onPresence?: typeof channel }) => {
      if (command === "list_contacts") return [{ ...contact("bob", "Bob"), online: true }];
      if (command === "watch_presence") {
        channel = args!.onPresence!;
        return;
      }
      throw new Error(command);
    });
    render(<WithPresence />);
    expect((await screen.findByTestId("contact-presence")).textContent).toBe("online");
    // The push subscription is set up after the first render: push until it is heard.
    await waitFor(() => {
      act(() => channel.onmessage?.({ user_id: "id-bob", online: false, last_seen: Date.now() }));
      expect(screen.getByTestId("contact-presence").textContent).toMatch(/^last seen today at /);
    });
    act(() => channel.onmessage!({ user_id: "id-bob", online: false, last_seen: null }));
    expect(screen.queryByTestId("contact-presence")).toBeNull();
  });

  it("shows the groups in common with a contact, and opens one", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "list_contacts") return [contact("bob", "Bob")];
      if (command === "groups_in_common")
        return [{ id: "g1", kind: "group", title: "Hikers", member_count: 4 }];
      throw new Error(command);
    });
    const onOpenChat = vi.fn();
    render(<ContactsPanel onOpenChat={onOpenChat} />);
    await screen.findByText("Bob");
    fireEvent.click(screen.getByTestId("contact-groups"));
    const group = await screen.findByTestId("common-group");
    expect(group.textContent).toContain("Hikers");
    expect(invoke).toHaveBeenCalledWith("groups_in_common", { userId: "id-bob" });
    fireEvent.click(group);
    expect(onOpenChat).toHaveBeenCalledWith("g1");
  });
});
