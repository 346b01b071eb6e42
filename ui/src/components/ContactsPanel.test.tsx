import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { invoke } from "../test-ipc";

import type { Contact } from "../api";
import ContactsPanel from "./ContactsPanel";

const contact = (username: string, display_name: string): Contact => ({
  user_id: `id-${username}`,
  username,
  display_name,
  about: "",
  status_text: "",
  added_at: 0,
});

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
});
