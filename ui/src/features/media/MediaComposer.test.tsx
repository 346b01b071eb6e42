import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalMessage } from "../../api";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import { fakeCanvas, mediaMessage, photo, serve } from "./test-media";

const text = (seq: number, words: string): LocalMessage => {
  const local = mediaMessage(`m${seq}`, [], { seq });
  local.message.content = { kind: "text", text: words };
  return local;
};

/** The conversation with the window's Esc, as the frame has it. */
function InFrame() {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.conversation, () => undefined);
  return <Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />;
}

const file = (name: string, type: string) => new File([new Uint8Array([1, 2, 3])], name, { type });

layOutTimeline();
beforeEach(() => {
  fakeCanvas();
  URL.createObjectURL = vi.fn(() => "blob:picked");
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => vi.restoreAllMocks());

describe("attachments in the composer", () => {
  it("lists picked files in the sheet, leaves one out, and sends the rest with the caption", async () => {
    serve([], { send_media: () => mediaMessage("m9", [], { seq: 0, sender: "me" }) });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    expect(screen.getByRole("button", { name: "Attach" })).toBeTruthy();
    fireEvent.change(screen.getByTestId("attach-input"), {
      target: { files: [file("beach.png", "image/png"), file("plan.pdf", "application/pdf")] },
    });
    const sheet = await screen.findByTestId("media-sheet");
    const items = within(sheet).getAllByTestId("media-sheet-item");
    expect(items.map((i) => i.textContent)).toEqual(["beach.png3 bytes", "plan.pdf3 bytes"]);
    // A picked picture shows itself; a document its icon.
    expect(items[0]!.querySelector("img")!.getAttribute("src")).toBe("blob:picked");
    expect(items[1]!.querySelector("img")).toBeNull();
    fireEvent.click(within(items[0]!).getByRole("button", { name: "Remove beach.png" }));
    expect(within(sheet).getAllByTestId("media-sheet-item")).toHaveLength(1);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith("blob:picked");
    fireEvent.change(within(sheet).getByTestId("media-caption"), {
      target: { value: "  the plan  " },
    });
    fireEvent.click(within(sheet).getByTestId("media-send"));
    await waitFor(() => expect(screen.queryByTestId("media-sheet")).toBeNull());
    const staged = invoke.mock.calls.filter(([command]) => command === "stage_file");
    expect(staged).toHaveLength(2);
    expect(staged[1]).toEqual([
      "stage_file",
      new Uint8Array([1, 2, 3]),
      { headers: { "x-file-name": "plan.pdf" } },
    ]);
    expect(invoke).toHaveBeenCalledWith("send_media", {
      chatId: "c1",
      sources: [{ path: "/data/staged/plan.pdf", name: "plan.pdf" }],
      caption: "the plan",
      replyTo: null,
    });
  });

  it("asks the app for the clipboard's picture when the paste carried no file", async () => {
    serve([], {
      paste_clipboard_image: () => ({ path: "/data/staged/clip.png", name: "Pasted image.png" }),
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    fireEvent.paste(screen.getByTestId("composer"), {
      clipboardData: { files: [], items: [], getData: () => "" },
    });
    const sheet = await screen.findByTestId("media-sheet");
    expect(within(sheet).getByTestId("media-sheet-item").textContent).toContain("Pasted image.png");
    // Text on the clipboard is pasted as text: the app is not asked.
    invoke.mockClear();
    fireEvent.paste(screen.getByTestId("composer"), {
      clipboardData: { files: [], items: [], getData: () => "words" },
    });
    expect(invoke.mock.calls.some(([command]) => command === "paste_clipboard_image")).toBe(false);
  });

  it("takes pasted pictures to the sheet, and Esc or Cancel drops them", async () => {
    serve([]);
    render(<InFrame />);
    const composer = screen.getByTestId("composer");
    fireEvent.paste(composer, {
      clipboardData: { files: [file("image.png", "image/png")], items: [] },
    });
    const sheet = await screen.findByTestId("media-sheet");
    expect(within(sheet).getByTestId("media-sheet-item").textContent).toContain("image.png");
    fireEvent.keyDown(within(sheet).getByTestId("media-caption"), { key: "Escape" });
    expect(screen.queryByTestId("media-sheet")).toBeNull();
    // Text pastes as text.
    fireEvent.paste(composer, { clipboardData: { files: [], items: [] } });
    expect(screen.queryByTestId("media-sheet")).toBeNull();
    fireEvent.paste(composer, {
      clipboardData: { files: [file("shot.png", "image/png")], items: [] },
    });
    fireEvent.click(within(await screen.findByTestId("media-sheet")).getByTestId("media-cancel"));
    expect(screen.queryByTestId("media-sheet")).toBeNull();
    expect(invoke).not.toHaveBeenCalledWith("send_media", expect.anything());
  });

  it("says why a send was refused, and keeps the sheet", async () => {
    serve([], {
      send_media: () => {
        throw { code: "too_many_attachments", message: "at most 30 files" };
      },
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    fireEvent.change(screen.getByTestId("attach-input"), {
      target: { files: [file("a.png", "image/png")] },
    });
    fireEvent.click(await screen.findByTestId("media-send"));
    expect((await screen.findByTestId("media-sheet-error")).textContent).toBe(
      "at most 30 files (too_many_attachments)",
    );
    expect(screen.getByTestId("media-sheet")).toBeTruthy();
  });
});

describe("the chat's gallery", () => {
  it("opens from the header, and a pick closes it and shows the message", async () => {
    const shared = mediaMessage("m1", [photo("img1")], { seq: 1 });
    serve([shared, text(2, "nice"), text(3, "thanks")], {
      chat_gallery: () => [shared],
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByText("thanks");
    fireEvent.click(screen.getByTestId("open-gallery"));
    const gallery = await screen.findByTestId("gallery");
    fireEvent.click(await within(gallery).findByTestId("gallery-item"));
    expect(screen.queryByTestId("gallery")).toBeNull();
    await vi.waitFor(() =>
      expect(document.querySelector(".bubble.highlight")?.getAttribute("data-message-id")).toBe(
        "m1",
      ),
    );
  });
});
