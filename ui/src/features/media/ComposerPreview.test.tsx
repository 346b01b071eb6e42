import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import type { PreviewDraft } from "./api";
import { PREVIEW_DEBOUNCE_MS, firstLink } from "./ComposerPreview";
import { mediaMessage, serve } from "./test-media";

const draft = (url: string, title: string): PreviewDraft => ({
  url,
  title,
  description: "All about it",
  site_name: "Example",
  image: { media_id: "preview-1", width: 1200, height: 630 },
});

const sent = () => mediaMessage("m9", [], { seq: 0, sender: "me" });
const asked = () => invoke.mock.calls.filter(([command]) => command === "link_preview");
const composer = () => screen.getByTestId("composer");
const type = (text: string) => fireEvent.change(composer(), { target: { value: text } });
const send = () => fireEvent.keyDown(composer(), { key: "Enter" });

/** Types `text` and lets the debounce run out: its link's preview is asked for. */
async function typeAndPause(text: string) {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  type(text);
  await act(() => vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS));
  vi.useRealTimers();
}

function renderConversation() {
  render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
}

layOutTimeline();
afterEach(() => vi.useRealTimers());

describe("a link's preview in the composer", () => {
  it("is asked for once typing pauses, shows, and goes with the text", async () => {
    serve([], {
      link_preview: () => draft("https://example.org/a", "The A page"),
      send_text_with_preview: () => sent(),
    });
    renderConversation();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    type("look at https://example.org/a");
    await act(() => vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS - 100));
    // Still typing: the wait starts again.
    type("look at https://example.org/a now");
    await act(() => vi.advanceTimersByTimeAsync(PREVIEW_DEBOUNCE_MS - 1));
    expect(asked()).toHaveLength(0);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(asked()).toEqual([["link_preview", { text: "look at https://example.org/a now" }]]);
    vi.useRealTimers();

    const card = await screen.findByTestId("composer-preview");
    expect(card.textContent).toContain("Example");
    expect(card.textContent).toContain("The A page");
    expect(card.textContent).toContain("All about it");
    expect(card.querySelector("img")!.getAttribute("src")).toBe("gkmedia://localhost/preview-1");

    // More words around the same link ask nothing more.
    await typeAndPause("look at https://example.org/a now, please");
    expect(asked()).toHaveLength(1);

    send();
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("send_text_with_preview", {
        chatId: "c1",
        text: "look at https://example.org/a now, please",
        replyTo: null,
        preview: draft("https://example.org/a", "The A page"),
      }),
    );
    expect(invoke).not.toHaveBeenCalledWith("send_text", expect.anything());
    await waitFor(() => expect(screen.queryByTestId("composer-preview")).toBeNull());
    expect((composer() as HTMLTextAreaElement).value).toBe("");
  });

  it("once removed, stays away for that link and the text goes plain", async () => {
    serve([], {
      link_preview: ({ text }: { text: string }) =>
        draft(firstLink(text)!, text.includes("/b") ? "The B page" : "The A page"),
      send_text: () => sent(),
    });
    renderConversation();
    await typeAndPause("https://example.org/a");
    const card = await screen.findByTestId("composer-preview");
    fireEvent.click(within(card).getByTestId("composer-preview-remove"));
    expect(screen.queryByTestId("composer-preview")).toBeNull();
    await typeAndPause("https://example.org/a is it");
    expect(screen.queryByTestId("composer-preview")).toBeNull();

    // Another link has its own.
    await typeAndPause("https://example.org/b is it");
    expect((await screen.findByTestId("composer-preview")).textContent).toContain("The B page");
    fireEvent.click(screen.getByTestId("composer-preview-remove"));

    send();
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("send_text", {
        chatId: "c1",
        text: "https://example.org/b is it",
        replyTo: null,
      }),
    );
    expect(invoke).not.toHaveBeenCalledWith("send_text_with_preview", expect.anything());
  });

  it("keeps only the answer for the link the text has now", async () => {
    const answers: Record<string, (answer: PreviewDraft) => void> = {};
    serve([], {
      link_preview: ({ text }: { text: string }) =>
        new Promise((resolve) => (answers[firstLink(text)!] = resolve)),
    });
    renderConversation();
    await typeAndPause("https://example.org/a");
    await typeAndPause("https://example.org/b");
    expect(Object.keys(answers)).toEqual(["https://example.org/a", "https://example.org/b"]);
    await act(async () => answers["https://example.org/b"]!(draft("https://example.org/b", "Bee")));
    await act(async () => answers["https://example.org/a"]!(draft("https://example.org/a", "Ay")));
    const title = screen.getByTestId("composer-preview").querySelector(".link-preview-title");
    expect(title!.textContent).toBe("Bee");
  });

  it("asks nothing for a text without a link", async () => {
    serve([], { send_text: () => sent() });
    renderConversation();
    await typeAndPause("no link here, nor at http:// or example.org");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    await act(() => vi.advanceTimersByTimeAsync(5 * PREVIEW_DEBOUNCE_MS));
    vi.useRealTimers();
    expect(asked()).toHaveLength(0);
    send();
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("send_text", expect.anything()));
  });

  it("is not asked for while a message is edited", async () => {
    const mine = mediaMessage("m1", [], { seq: 1, sender: "me" });
    mine.message.content = { kind: "text", text: "see https://example.org/a" };
    serve([mine], { act_on_message: () => null });
    renderConversation();
    fireEvent.click(await screen.findByTestId("message-menu"));
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    expect((composer() as HTMLTextAreaElement).value).toBe("see https://example.org/a");
    await typeAndPause("see https://example.org/b");
    expect(asked()).toHaveLength(0);
    expect(screen.getByTestId("send").textContent).toBe("Save");
    send();
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("act_on_message", expect.anything()));
  });

  it("says nothing when the preview fails, and the text goes plain", async () => {
    serve([], {
      link_preview: () => {
        throw { code: "internal", message: "no preview" };
      },
      send_text: () => sent(),
    });
    renderConversation();
    await typeAndPause("see https://example.org/a");
    await waitFor(() => expect(asked()).toHaveLength(1));
    expect(screen.queryByTestId("composer-error")).toBeNull();
    expect(screen.queryByTestId("composer-preview")).toBeNull();
    send();
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("send_text", {
        chatId: "c1",
        text: "see https://example.org/a",
        replyTo: null,
      }),
    );
    expect(screen.queryByTestId("composer-error")).toBeNull();
  });
});

describe("firstLink", () => {
  it("finds the first http(s) link, without the sentence around it", () => {
    expect(firstLink("see (https://example.org/a?b=1), then http://x.org")).toBe(
      "https://example.org/a?b=1",
    );
    expect(firstLink("«http://example.org/path.» ok")).toBe(null);
    expect(firstLink("'http://example.org/path.'")).toBe("http://example.org/path");
    expect(firstLink("ftp://example.org www.example.org http:// HTTPS://caps.org")).toBe(null);
    expect(firstLink("")).toBe(null);
  });
});
