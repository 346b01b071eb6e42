import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalMessage } from "../../api";
import { invoke } from "../../test-ipc";
import Gallery from "./Gallery";
import { GALLERY_PAGE } from "./hooks";
import { fakeCanvas, mediaMessage, photo } from "./test-media";

/** `count` messages of one kind, newest first, from seq `top` down. */
function page(kind: "media" | "docs" | "links", top: number, count: number): LocalMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = top - i;
    if (kind === "media") return mediaMessage(`m${seq}`, [photo(`p${seq}`)], { seq });
    if (kind === "docs") {
      const doc = {
        media_id: `d${seq}`,
        kind: "file" as const,
        mime: "application/pdf",
        size: 2048,
        name: `file${seq}.pdf`,
      };
      return mediaMessage(`m${seq}`, [doc], { seq });
    }
    const local = mediaMessage(`m${seq}`, [], { seq });
    local.message.content = {
      kind: "text",
      text: `see https://example.org/${seq}`,
      preview: { url: `https://example.org/${seq}`, title: `Page ${seq}`, site_name: "Example" },
    };
    return local;
  });
}

type Ask = {
  chatId: string;
  tab: "media" | "docs" | "links";
  before: number | null;
  limit: number;
};

beforeEach(() => {
  fakeCanvas();
});
afterEach(() => vi.restoreAllMocks());

describe("Gallery", () => {
  it("asks for each tab's items, and pages back from the last one's seq", async () => {
    const asked: Ask[] = [];
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command !== "chat_gallery") throw new Error(command);
      const ask = args as unknown as Ask;
      asked.push(ask);
      if (ask.tab === "media") return page("media", 10, 3);
      if (ask.tab === "links") return page("links", 20, 2);
      return ask.before === null ? page("docs", 200, GALLERY_PAGE) : page("docs", 140, 5);
    });
    const onPick = vi.fn();
    render(<Gallery chatId="c1" onPick={onPick} onClose={() => {}} />);
    await waitFor(() => expect(screen.getAllByTestId("gallery-item")).toHaveLength(3));
    expect(asked).toEqual([{ chatId: "c1", tab: "media", before: null, limit: GALLERY_PAGE }]);
    // A short page: nothing more to load.
    expect(screen.queryByTestId("gallery-more")).toBeNull();

    fireEvent.click(screen.getByTestId("gallery-tab-docs"));
    await waitFor(() => expect(screen.getAllByTestId("gallery-item")).toHaveLength(GALLERY_PAGE));
    expect(asked[1]).toEqual({ chatId: "c1", tab: "docs", before: null, limit: GALLERY_PAGE });
    expect(screen.getAllByTestId("gallery-item")[0]!.textContent).toContain("file200.pdf");
    fireEvent.click(screen.getByTestId("gallery-more"));
    await waitFor(() =>
      expect(screen.getAllByTestId("gallery-item")).toHaveLength(GALLERY_PAGE + 5),
    );
    expect(asked[2]).toEqual({ chatId: "c1", tab: "docs", before: 141, limit: GALLERY_PAGE });
    expect(screen.queryByTestId("gallery-more")).toBeNull();

    fireEvent.click(screen.getByTestId("gallery-tab-links"));
    await waitFor(() => expect(screen.getAllByTestId("gallery-item")).toHaveLength(2));
    expect(asked[3]).toEqual({ chatId: "c1", tab: "links", before: null, limit: GALLERY_PAGE });
    const link = screen.getAllByTestId("gallery-item")[0]!;
    expect(link.textContent).toContain("Page 20");
    expect(link.textContent).toContain("https://example.org/20");
    fireEvent.click(link);
    expect(onPick).toHaveBeenCalledWith("m20");
  });

  it("opens a link's address from its row, and still shows its message", async () => {
    invoke.mockImplementation(async (command: string, args?: never) => {
      if (command === "chat_gallery") {
        const bare = mediaMessage("m30", [], { seq: 30 });
        bare.message.content = { kind: "text", text: "no preview: (http://plain.example/x)." };
        return [bare, ...page("links", 20, 1)];
      }
      if (command !== "open_link") throw new Error(command);
      if ((args as unknown as { link: string }).link.includes("plain")) {
        throw { code: "internal", message: "no browser" };
      }
      return null;
    });
    const onPick = vi.fn();
    render(<Gallery chatId="c1" onPick={onPick} onClose={() => {}} />);
    fireEvent.click(screen.getByTestId("gallery-tab-links"));
    await waitFor(() => expect(screen.getAllByTestId("gallery-link-open")).toHaveLength(2));
    const [bare, previewed] = screen.getAllByTestId("gallery-link-open");
    expect(bare!.getAttribute("aria-label")).toBe("Open http://plain.example/x");
    fireEvent.click(previewed!);
    expect(invoke).toHaveBeenLastCalledWith("open_link", { link: "https://example.org/20" });
    expect(onPick).not.toHaveBeenCalled();
    fireEvent.click(bare!);
    expect(invoke).toHaveBeenLastCalledWith("open_link", { link: "http://plain.example/x" });
    expect((await screen.findByTestId("gallery-open-error")).textContent).toBe(
      "Could not open the link: no browser (internal)",
    );
    // The row itself still shows the message.
    fireEvent.click(screen.getAllByTestId("gallery-item")[1]!);
    expect(onPick).toHaveBeenCalledWith("m20");
  });

  it("says when a tab has nothing yet", async () => {
    invoke.mockResolvedValue([]);
    render(<Gallery chatId="c1" onPick={() => {}} onClose={() => {}} />);
    expect(await screen.findByText("No photos or videos in this chat yet.")).toBeTruthy();
    fireEvent.click(screen.getByTestId("gallery-tab-docs"));
    expect(await screen.findByText("No documents in this chat yet.")).toBeTruthy();
    expect(within(screen.getByTestId("gallery")).queryByTestId("gallery-item")).toBeNull();
  });
});
