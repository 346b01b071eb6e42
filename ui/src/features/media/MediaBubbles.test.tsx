import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalMessage, MessengerEvent } from "../../api";
import { useMessengerFeed } from "../../messages";
import { useShortcuts } from "../../shortcuts";
import { invoke } from "../../test-ipc";
import MessageBubble from "../conversation/MessageBubble";
import { MEDIA_NEWS_KEPT, mediaNewsHeld, resetTransfers } from "./hooks";
import { MediaProvider } from "./MediaContext";
import { fakeCanvas, mediaMessage, photo, plain, thumbHashOf } from "./test-media";

/** A bubble as the conversation shows it: in its media provider, with the window's Esc. */
function Bubble({
  local,
  mine = false,
  onOpenChat = null,
}: {
  local: LocalMessage;
  mine?: boolean;
  onOpenChat?: ((chatId: string) => void) | null;
}) {
  useShortcuts(() => undefined);
  useMessengerFeed();
  return (
    <MediaProvider chatId="c1" myId="me" onOpenChat={onOpenChat}>
      <MessageBubble
        local={local}
        mine={mine}
        tick={null}
        quoted={undefined}
        highlighted={false}
        info={null}
        onToggleMenu={() => {}}
        onCloseInfo={() => {}}
        menu={null}
      />
    </MediaProvider>
  );
}

/** The messenger's feed (watched once per file: messages.ts keeps following it). */
const feed: { channel?: { onmessage: (event: MessengerEvent) => void } } = {};
function serve(answer: (command: string, args: Record<string, unknown>) => unknown) {
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command === "watch_messages") {
      feed.channel = (args as unknown as { onEvent: typeof feed.channel }).onEvent;
      return;
    }
    return answer(command, (args ?? {}) as Record<string, unknown>);
  });
}

let putImageData: ReturnType<typeof fakeCanvas>;
beforeEach(() => {
  putImageData = fakeCanvas();
  resetTransfers();
});
afterEach(() => vi.restoreAllMocks());

describe("media in bubbles", () => {
  it("sizes a lone picture by its own shape, over its ThumbHash until the thumbnail loads", () => {
    serve(() => undefined);
    const hash = thumbHashOf(8, 6, plain(8, 6, [200, 40, 40]));
    render(<Bubble local={mediaMessage("m1", [photo("img1", { thumbhash: hash })])} />);
    const tile = screen.getByTestId("media-tile");
    expect(tile.style.aspectRatio).toBe("800 / 600");
    const placeholder = within(tile).getByTestId("media-placeholder") as HTMLCanvasElement;
    expect(placeholder.width).toBe(32);
    expect(placeholder.style.background).toMatch(/^rgb\(/);
    expect(putImageData).toHaveBeenCalledTimes(1);
    const image = within(tile).getByTestId("media-image") as HTMLImageElement;
    // The large thumbnail, by URL from the app's media scheme.
    expect(image.getAttribute("src")).toBe("gkmedia://localhost/img1-l");
    expect(image.className).toBe("media-picture");
    fireEvent.load(image);
    expect(image.className).toBe("media-picture loaded");
    expect(screen.getByRole("group").getAttribute("aria-label")).toBe("Photo");
  });

  it("shows up to four pictures as a grid, the last saying how many more", () => {
    serve(() => undefined);
    const six = ["a", "b", "c", "d", "e", "f"].map((id) => photo(id));
    render(<Bubble local={mediaMessage("m1", six, { caption: "the trip" })} />);
    expect(screen.getAllByTestId("media-image")).toHaveLength(4);
    expect(screen.getByText("+2")).toBeTruthy();
    expect(screen.getByTestId("message-text").textContent).toBe("the trip");
    expect(screen.getByRole("group").getAttribute("aria-label")).toBe("6 photos");
  });

  it("shows a document's name, type and size, and saves or opens it", async () => {
    serve((command) => {
      if (command === "save_media") return "/home/ann/Downloads/report.pdf";
      if (command === "open_media") return null;
      throw new Error(command);
    });
    const doc = {
      media_id: "doc1",
      kind: "file" as const,
      mime: "application/pdf",
      size: 1536 * 1024,
      name: "report.pdf",
    };
    render(<Bubble local={mediaMessage("m1", [doc])} />);
    const tile = screen.getByTestId("doc-tile");
    expect(within(tile).getByTestId("doc-name").textContent).toBe("report.pdf");
    expect(within(tile).getByTestId("doc-size").textContent).toBe("PDF · 1.5 MB");
    fireEvent.click(within(tile).getByTestId("doc-save"));
    expect((await screen.findByTestId("media-notice")).textContent).toBe(
      "Saved to /home/ann/Downloads/report.pdf",
    );
    expect(invoke).toHaveBeenCalledWith("save_media", { mediaId: "doc1", name: "report.pdf" });
    fireEvent.click(within(tile).getByTestId("doc-open"));
    expect(invoke).toHaveBeenCalledWith("open_media", { mediaId: "doc1", name: "report.pdf" });
  });

  it("plays a voice message at 1×, 1.5× and 2× in turn", () => {
    serve(() => undefined);
    const voice = {
      media_id: "v1",
      kind: "voice" as const,
      mime: "audio/ogg",
      size: 9000,
      duration_ms: 7000,
      waveform: [0, 64, 255, 128],
    };
    render(<Bubble local={mediaMessage("m1", [voice])} />);
    const player = screen.getByTestId("voice-player");
    const audio = player.querySelector("audio")!;
    expect(audio.getAttribute("src")).toBeNull();
    expect(within(player).getByTestId("voice-time").textContent).toBe("0:07");
    expect(player.querySelectorAll(".voice-bar")).toHaveLength(4);
    const speed = within(player).getByTestId("voice-speed");
    expect(speed.textContent).toBe("1×");
    fireEvent.click(speed);
    expect(speed.textContent).toBe("1.5×");
    expect(audio.playbackRate).toBe(1.5);
    fireEvent.click(speed);
    expect(speed.textContent).toBe("2×");
    expect(audio.playbackRate).toBe(2);
    fireEvent.click(speed);
    expect(speed.textContent).toBe("1×");
    expect(screen.getByRole("group").getAttribute("aria-label")).toBe("Voice message (0:07)");
  });

  it("rings my upload as it goes, cancels it, and says when it failed", async () => {
    serve((command) => {
      if (command === "cancel_media") return null;
      throw new Error(command);
    });
    render(<Bubble local={mediaMessage("m1", [photo("img1")], { sender: "me" })} mine />);
    await waitFor(() => expect(feed.channel).toBeDefined());
    expect(screen.queryByTestId("progress-ring")).toBeNull();
    const progress = (done: number, state: "waiting" | "failed") =>
      act(() =>
        feed.channel!.onmessage({
          event: "transfer",
          message_id: "m1",
          media_id: "img1",
          direction: "up",
          done,
          total: 200,
          state,
        }),
      );
    progress(50, "waiting");
    expect(screen.getByTestId("progress-ring").dataset.percent).toBe("25");
    progress(150, "waiting");
    expect(screen.getByTestId("progress-ring").dataset.percent).toBe("75");
    fireEvent.click(screen.getByTestId("upload-cancel"));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("cancel_media", { messageId: "m1" }),
    );
    progress(150, "failed");
    expect(screen.queryByTestId("progress-ring")).toBeNull();
    expect(screen.getByTestId("upload-failed").textContent).toBe("Not sent");
  });

  it("loads a picture again once its upload is ready", async () => {
    serve(() => undefined);
    render(<Bubble local={mediaMessage("m1", [photo("img1")])} />);
    await waitFor(() => expect(feed.channel).toBeDefined());
    act(() =>
      feed.channel!.onmessage({
        event: "media",
        media_id: "img1-l",
        state: "ready",
        length: 10,
        offset: 10,
      }),
    );
    expect(screen.getByTestId("media-image").getAttribute("src")).toBe(
      "gkmedia://localhost/img1-l?v=1",
    );
  });

  it("keeps the news of the latest files only, however many went through", async () => {
    serve(() => undefined);
    render(<Bubble local={mediaMessage("m1", [photo("img1")])} mine />);
    await waitFor(() => expect(feed.channel).toBeDefined());
    act(() => {
      for (let i = 0; i < 2 * MEDIA_NEWS_KEPT; i++) {
        const media_id = `file${i}`;
        feed.channel!.onmessage({
          event: "transfer",
          message_id: `m${i}`,
          media_id,
          direction: "down",
          done: 10,
          total: 10,
          state: "done",
        });
        feed.channel!.onmessage({
          event: "media",
          media_id,
          state: "ready",
          length: 10,
          offset: 10,
        });
      }
    });
    expect(mediaNewsHeld()).toEqual({ transfers: MEDIA_NEWS_KEPT, versions: MEDIA_NEWS_KEPT });
    // The file in view, heard of last, still shows how far it got.
    act(() =>
      feed.channel!.onmessage({
        event: "transfer",
        message_id: "m1",
        media_id: "img1",
        direction: "up",
        done: 50,
        total: 200,
        state: "waiting",
      }),
    );
    expect(screen.getByTestId("progress-ring").dataset.percent).toBe("25");
    expect(mediaNewsHeld().transfers).toBe(MEDIA_NEWS_KEPT);
  });

  it("opens the viewer on a picture, goes through the chat's pictures, zooms and closes", async () => {
    const older = mediaMessage("m1", [photo("img1"), photo("img2")], { seq: 3 });
    const newer = mediaMessage("m2", [photo("img3")], { seq: 5 });
    serve((command, args) => {
      if (command === "chat_gallery") {
        expect(args).toEqual({ chatId: "c1", tab: "media", before: null, limit: 100 });
        return [newer, older];
      }
      if (command === "save_media") return "/home/ann/Downloads/photo.jpeg";
      throw new Error(command);
    });
    render(<Bubble local={older} />);
    fireEvent.click(screen.getAllByRole("button", { name: "Open photo" })[1]!);
    const viewer = screen.getByTestId("media-viewer");
    const shown = () => within(viewer).getByTestId("media-viewer-image").getAttribute("src");
    expect(shown()).toBe("gkmedia://localhost/img2");
    await waitFor(() =>
      expect(within(viewer).getByTestId("media-viewer-position").textContent).toBe(" · 2 of 3"),
    );
    fireEvent.click(within(viewer).getByTestId("media-viewer-next"));
    expect(shown()).toBe("gkmedia://localhost/img3");
    expect(within(viewer).queryByTestId("media-viewer-next")).toBeNull();
    fireEvent.keyDown(window, { key: "ArrowLeft" });
    fireEvent.keyDown(window, { key: "ArrowLeft" });
    expect(shown()).toBe("gkmedia://localhost/img1");
    const image = within(viewer).getByTestId("media-viewer-image");
    expect(image.dataset.scale).toBe("fit");
    fireEvent.click(image);
    expect(image.dataset.scale).toBe("1");
    expect(image.style.width).toBe("800px");
    fireEvent.click(image);
    expect(image.dataset.scale).toBe("fit");
    fireEvent.click(within(viewer).getByTestId("media-viewer-save"));
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("save_media", { mediaId: "img1", name: "photo.jpeg" }),
    );
    fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByTestId("media-viewer")).toBeNull();
  });

  it("plays a video in the viewer from the app's player address, whatever its size", async () => {
    serve((command, args) =>
      command === "playable_url"
        ? `http://127.0.0.1:4321/s3cr3t/${(args as { mediaId: string }).mediaId}`
        : undefined,
    );
    const video = {
      media_id: "vid1",
      kind: "video" as const,
      mime: "video/mp4",
      size: 500_000_000,
      width: 1280,
      height: 720,
      duration_ms: 12_000,
      thumbs: [{ media_id: "vid1-poster", width: 640, height: 360 }],
    };
    render(<Bubble local={mediaMessage("m1", [video], { seq: 0 })} />);
    const tile = screen.getByTestId("media-video");
    expect(within(tile).getByTestId("media-poster").getAttribute("src")).toBe(
      "gkmedia://localhost/vid1-poster",
    );
    expect(tile.textContent).toContain("0:12");
    fireEvent.click(within(tile).getByRole("button", { name: "Open video, 0:12" }));
    const player = (await screen.findByTestId("media-viewer-video")) as HTMLVideoElement;
    expect(player.getAttribute("src")).toBe("http://127.0.0.1:4321/s3cr3t/vid1");
    expect(player.controls).toBe(true);
  });

  it("offers the system's player for a video the viewer cannot play", async () => {
    serve((command) =>
      command === "playable_url"
        ? "http://127.0.0.1:4321/s3cr3t/vid2"
        : command === "open_media"
          ? null
          : undefined,
    );
    const odd = {
      media_id: "vid2",
      kind: "video" as const,
      mime: "video/x-msvideo",
      size: 5_000_000,
      name: "film.avi",
      duration_ms: 60_000,
      thumbs: [],
    };
    render(<Bubble local={mediaMessage("m3", [odd], { seq: 0 })} />);
    fireEvent.click(
      within(screen.getByTestId("media-video")).getByRole("button", { name: "Open video, 1:00" }),
    );
    fireEvent.error(await screen.findByTestId("media-viewer-video"));
    fireEvent.click(
      within(screen.getByTestId("media-viewer-external")).getByRole("button", {
        name: "Open in player",
      }),
    );
    expect(invoke).toHaveBeenCalledWith("open_media", { mediaId: "vid2", name: "film.avi" });
  });

  it("shows a shared contact with Message, and a link's preview under its text", async () => {
    serve((command) =>
      command === "open_direct_chat" ? "c-alan" : command === "list_contacts" ? [] : undefined,
    );
    const onOpenChat = vi.fn();
    const card: LocalMessage = {
      ...mediaMessage("m1", []),
    };
    card.message.content = {
      kind: "contact",
      card: { user_id: "u9", display_name: "Alan", username: "alan" },
    };
    const { unmount } = render(<Bubble local={card} onOpenChat={onOpenChat} />);
    const shown = screen.getByTestId("contact-card");
    expect(shown.textContent).toContain("Alan");
    expect(shown.textContent).toContain("@alan");
    fireEvent.click(within(shown).getByTestId("contact-card-message"));
    await vi.waitFor(() => expect(onOpenChat).toHaveBeenCalledWith("c-alan"));
    expect(invoke).toHaveBeenCalledWith("open_direct_chat", { userId: "u9" });
    unmount();

    const link = mediaMessage("m2", []);
    link.message.content = {
      kind: "text",
      text: "look https://example.org/a",
      preview: {
        url: "https://example.org/a",
        title: "A page",
        description: "What it is about",
        image: { media_id: "pv1", width: 600, height: 300 },
      },
    };
    render(<Bubble local={link} />);
    const preview = screen.getByTestId("link-preview");
    expect(preview.textContent).toContain("example.org");
    expect(preview.textContent).toContain("A page");
    expect(preview.querySelector("img")!.getAttribute("src")).toBe("gkmedia://localhost/pv1");
    expect(screen.getByTestId("message-text").textContent).toBe("look https://example.org/a");
  });

  it("opens the links in a text, in a caption and the preview's through the app", async () => {
    const opened: string[] = [];
    serve((command, args) => {
      if (command === "list_contacts") return [];
      if (command !== "open_link") throw new Error(command);
      opened.push(args.link as string);
      return null;
    });
    const local = mediaMessage("m3", []);
    local.message.content = {
      kind: "text",
      text: "<@u9> look https://example.org/a, or gkchat://join/abc.",
      preview: { url: "https://example.org/a", title: "A page" },
    };
    const { unmount } = render(<Bubble local={local} />);
    const text = screen.getByTestId("message-text");
    // The words stay as they were; the mention and the links are marked in them.
    expect(text.textContent).toBe("@someone look https://example.org/a, or gkchat://join/abc.");
    expect(within(text).getByTestId("mention").textContent).toBe("@someone");
    const links = within(text).getAllByTestId("message-link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      "https://example.org/a",
      "gkchat://join/abc",
    ]);
    expect(links[0]!.className).toBe("message-link");
    // The window does not follow it itself: the app opens it.
    expect(fireEvent.click(links[0]!)).toBe(false);
    fireEvent.click(links[1]!);
    const preview = screen.getByTestId("link-preview");
    expect(preview.getAttribute("href")).toBe("https://example.org/a");
    expect(screen.getByRole("link", { name: /A page/ })).toBe(preview);
    expect(fireEvent.click(preview)).toBe(false);
    await vi.waitFor(() =>
      expect(opened).toEqual([
        "https://example.org/a",
        "gkchat://join/abc",
        "https://example.org/a",
      ]),
    );
    unmount();

    render(
      <Bubble
        local={mediaMessage("m4", [photo("img4")], { caption: "from http://pics.example/4" })}
      />,
    );
    fireEvent.click(screen.getByTestId("message-link"));
    await vi.waitFor(() => expect(opened).toHaveLength(4));
    expect(invoke).toHaveBeenLastCalledWith("open_link", { link: "http://pics.example/4" });
  });

  it("says why a link did not open", async () => {
    serve((command) => {
      if (command === "open_link") {
        throw { code: "bad_request", message: "only web and gkchat: links open" };
      }
      return [];
    });
    const local = mediaMessage("m5", []);
    local.message.content = { kind: "text", text: "gkchat:nowhere" };
    render(<Bubble local={local} />);
    fireEvent.click(screen.getByTestId("message-link"));
    expect((await screen.findByTestId("media-notice")).textContent).toBe(
      "Could not open the link: only web and gkchat: links open (bad_request)",
    );
  });

  it("asks the app for a voice message's player address on the first play", async () => {
    serve((command) =>
      command === "playable_url" ? "http://127.0.0.1:4321/s3cr3t/v2" : undefined,
    );
    const play = vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue(undefined);
    const voice = {
      media_id: "v2",
      kind: "voice" as const,
      mime: "audio/ogg",
      size: 9000,
      duration_ms: 3000,
      waveform: [10, 20, 30],
    };
    render(<Bubble local={mediaMessage("m2", [voice])} />);
    const player = screen.getByTestId("voice-player");
    fireEvent.click(within(player).getByTestId("voice-play"));
    await waitFor(() =>
      expect(player.querySelector("audio")!.getAttribute("src")).toBe(
        "http://127.0.0.1:4321/s3cr3t/v2",
      ),
    );
    expect(invoke).toHaveBeenCalledWith("playable_url", { mediaId: "v2" });
    expect(play).toHaveBeenCalled();
    play.mockRestore();
  });
});
