import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalMessage } from "../../api";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import { contact, layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import { mediaMessage, serve } from "./test-media";

/** The conversation with the window's Esc, as the frame has it. */
function InFrame() {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.conversation, () => undefined);
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />;
}

const sent = () => mediaMessage("m9", [], { seq: 0, sender: "me" });
const sends = (command: string) => invoke.mock.calls.filter(([c]) => c === command);
const alan = contact("alan", "Alan Turing");
const grace = contact("grace", "Grace Hopper");
const ADA =
  "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nTEL:+44 20 7946 0000\r\nEND:VCARD\r\n";

/** Opens the clip's menu and picks Contact. */
async function openPicker() {
  fireEvent.click(screen.getByRole("button", { name: "Attach" }));
  fireEvent.click(screen.getByTestId("attach-contact"));
  return screen.findByTestId("contact-picker");
}

// jsdom's files have no `text()` (WebKit's do): read them as it would.
if (!Blob.prototype.text) {
  Blob.prototype.text = function (this: Blob) {
    return new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.onerror = () => reject(reader.error);
      reader.readAsText(this);
    });
  };
}

layOutTimeline();
beforeEach(() => {
  URL.createObjectURL = vi.fn(() => "blob:picked");
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => vi.restoreAllMocks());

describe("sharing a contact", () => {
  it("opens from the clip's Contact, filters my contacts, and shares the one picked", async () => {
    const hello: LocalMessage = mediaMessage("m1", [], { seq: 1 });
    hello.message.content = { kind: "text", text: "who knows compilers?" };
    serve([hello], { list_contacts: () => [alan, grace], send_contact: sent });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    // As an answer to a message.
    fireEvent.click(await screen.findByTestId("message-menu"));
    fireEvent.click(screen.getByRole("button", { name: "Reply" }));
    const picker = await openPicker();
    expect(screen.queryByRole("menu")).toBeNull();
    expect(screen.getByRole("dialog", { name: "Share a contact" })).toBe(picker);
    expect(await within(picker).findAllByTestId("contact-picker-row")).toHaveLength(2);
    fireEvent.change(within(picker).getByTestId("contact-picker-filter"), {
      target: { value: "hop" },
    });
    const rows = within(picker).getAllByTestId("contact-picker-row");
    expect(rows).toHaveLength(1);
    fireEvent.click(within(picker).getByRole("button", { name: "Share Grace Hopper" }));
    await waitFor(() => expect(screen.queryByTestId("contact-picker")).toBeNull());
    expect(sends("send_contact")).toEqual([
      [
        "send_contact",
        {
          chatId: "c1",
          card: { user_id: "id-grace", display_name: "Grace Hopper", username: "grace" },
          replyTo: "m1",
        },
      ],
    ]);
    // The reply went with it.
    expect(screen.queryByTestId("composer-context")).toBeNull();
  });

  it("says when no contact matches, and when there are none", async () => {
    serve([], { list_contacts: () => [alan] });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const picker = await openPicker();
    await within(picker).findByTestId("contact-picker-row");
    fireEvent.change(within(picker).getByRole("searchbox", { name: "Search contacts" }), {
      target: { value: "zuse" },
    });
    expect(within(picker).queryByTestId("contact-picker-row")).toBeNull();
    expect(picker.textContent).toContain("No contact matches “zuse”.");
  });

  it("shares a vCard file's first person, and shows why one is refused", async () => {
    let refuse = true;
    serve([], {
      send_vcard: () => {
        if (refuse) throw { code: "bad_request", message: "this file is no vCard" };
        return sent();
      },
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const picker = await openPicker();
    expect(await within(picker).findByText("No contacts yet.")).toBeTruthy();
    const input = within(picker).getByTestId("contact-picker-vcard") as HTMLInputElement;
    expect(input.type).toBe("file");
    expect(input.accept).toBe(".vcf,text/vcard,text/x-vcard");
    // The button opens the hidden input.
    const click = vi.spyOn(HTMLInputElement.prototype, "click").mockImplementation(() => {});
    fireEvent.click(within(picker).getByRole("button", { name: "From a vCard file…" }));
    expect(click.mock.contexts).toEqual([input]);
    fireEvent.change(input, {
      target: { files: [new File(["hello"], "notes.vcf", { type: "text/vcard" })] },
    });
    expect((await within(picker).findByTestId("contact-picker-error")).textContent).toBe(
      "this file is no vCard (bad_request)",
    );
    expect(screen.getByTestId("contact-picker")).toBeTruthy();
    refuse = false;
    fireEvent.change(input, {
      target: { files: [new File([ADA], "ada.vcf", { type: "text/vcard" })] },
    });
    await waitFor(() => expect(screen.queryByTestId("contact-picker")).toBeNull());
    expect(sends("send_vcard")[1]).toEqual([
      "send_vcard",
      { chatId: "c1", vcard: ADA, replyTo: null },
    ]);
  });

  it("closes on Esc (the clip's menu first) and on Cancel, sending nothing", async () => {
    serve([], { list_contacts: () => [alan] });
    render(<InFrame />);
    fireEvent.click(screen.getByRole("button", { name: "Attach" }));
    const menu = screen.getByRole("menu", { name: "Attach" });
    expect(
      within(menu)
        .getAllByRole("menuitem")
        .map((item) => item.textContent),
    ).toEqual(["Photos and files", "Contact", "Poll", "Event"]);
    fireEvent.keyDown(screen.getByTestId("composer"), { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    let picker = await openPicker();
    fireEvent.keyDown(within(picker).getByTestId("contact-picker-filter"), { key: "Escape" });
    expect(screen.queryByTestId("contact-picker")).toBeNull();
    picker = await openPicker();
    fireEvent.click(within(picker).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("contact-picker")).toBeNull();
    expect(sends("send_contact")).toHaveLength(0);
  });

  it("keeps Photos and files as before: a picked .vcf goes as a file", async () => {
    serve([]);
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const input = screen.getByTestId("attach-input");
    const click = vi.spyOn(HTMLInputElement.prototype, "click").mockImplementation(() => {});
    fireEvent.click(screen.getByRole("button", { name: "Attach" }));
    fireEvent.click(screen.getByTestId("attach-files"));
    expect(click.mock.contexts).toEqual([input]);
    expect(screen.queryByRole("menu")).toBeNull();
    fireEvent.change(input, {
      target: { files: [new File([ADA], "ada.vcf", { type: "text/vcard" })] },
    });
    const sheet = await screen.findByTestId("media-sheet");
    expect(within(sheet).getByTestId("media-sheet-item").textContent).toContain("ada.vcf");
    expect(sends("send_vcard")).toHaveLength(0);
  });
});
