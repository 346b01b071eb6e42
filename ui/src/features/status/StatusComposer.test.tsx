import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { LAYER, useEscape, useShortcuts } from "../../shortcuts";
import StatusComposer from "./StatusComposer";
import { callsOf, mediaPost, picture, serveStatus, textPost } from "./test-status";
import { BACKGROUNDS } from "./words";

/** The composer with the window's Esc, as the frame has it. */
function InFrame(props: Parameters<typeof StatusComposer>[0]) {
  useShortcuts(() => undefined);
  useEscape(true, LAYER.pane, () => undefined);
  return <StatusComposer {...props} />;
}

/** Staging answers where the file went, as the desktop side does. */
const staging = {
  stage_file: () => ({ path: "/data/staged/f", name: "f" }),
};

describe("the status composer", () => {
  it("posts words with the chosen background and typeface, previewed as they will show", async () => {
    const posted = textPost("new", "u1");
    serveStatus({ post_text_status: posted });
    const onPosted = vi.fn();
    render(<InFrame onPosted={onPosted} onClose={() => {}} />);
    const composer = screen.getByTestId("status-composer");
    const post = within(composer).getByTestId("status-post") as HTMLButtonElement;
    expect(post.disabled).toBe(true);
    fireEvent.change(screen.getByTestId("status-text"), {
      target: { value: "  Off to the hills  " },
    });
    expect(post.disabled).toBe(false);
    const swatches = screen.getAllByTestId("status-bg");
    expect(swatches.length).toBe(BACKGROUNDS.length);
    fireEvent.click(swatches[2]!);
    expect(swatches[2]!.getAttribute("aria-pressed")).toBe("true");
    const font = screen.getByTestId("status-font");
    expect(font.getAttribute("data-font")).toBe("sans");
    fireEvent.click(font);
    fireEvent.click(font);
    expect(font.getAttribute("data-font")).toBe("mono");
    const preview = screen.getByTestId("status-preview");
    expect(preview.getAttribute("data-font")).toBe("mono");
    expect(preview.getAttribute("data-background")).toBe(BACKGROUNDS[2]);
    expect(preview.textContent).toBe("  Off to the hills  ");
    fireEvent.click(post);
    await waitFor(() => expect(onPosted).toHaveBeenCalledWith(posted));
    expect(callsOf("post_text_status")).toEqual([
      { text: "Off to the hills", background: BACKGROUNDS[2], font: "mono" },
    ]);
  });

  it("shows the refusal and stays open", async () => {
    serveStatus({
      post_text_status: () => {
        throw { code: "bad_request", message: "a text status needs words" };
      },
    });
    const onPosted = vi.fn();
    render(<InFrame onPosted={onPosted} onClose={() => {}} />);
    fireEvent.change(screen.getByTestId("status-text"), { target: { value: "hi" } });
    fireEvent.click(screen.getByTestId("status-post"));
    expect((await screen.findByTestId("status-error")).textContent).toBe(
      "a text status needs words (bad_request)",
    );
    expect(onPosted).not.toHaveBeenCalled();
    expect(screen.getByTestId("status-composer")).toBeTruthy();
  });

  it("stages a picked picture and posts it with its caption", async () => {
    const posted = mediaPost("new", "u1", picture("img"));
    serveStatus({ ...staging, post_media_status: posted });
    const onPosted = vi.fn();
    render(<InFrame onPosted={onPosted} onClose={() => {}} />);
    fireEvent.click(screen.getByTestId("status-tab-media"));
    const post = screen.getByTestId("status-post") as HTMLButtonElement;
    expect(post.disabled).toBe(true);
    const input = screen.getByTestId("status-file") as HTMLInputElement;
    expect(input.accept).toBe("image/*,video/*");
    const file = new File([new Uint8Array([1, 2, 3])], "hills.jpg", { type: "image/jpeg" });
    fireEvent.change(input, { target: { files: [file] } });
    expect(screen.getByTestId("status-media-preview")).toBeTruthy();
    fireEvent.change(screen.getByTestId("status-caption"), { target: { value: " View " } });
    fireEvent.click(post);
    await waitFor(() => expect(onPosted).toHaveBeenCalledWith(posted));
    expect(callsOf("stage_file")).toHaveLength(1);
    expect(callsOf("post_media_status")).toEqual([
      { source: { path: "/data/staged/f", name: "f" }, caption: "View" },
    ]);
  });

  it("takes a video too, but no other file", async () => {
    serveStatus({ ...staging, post_media_status: mediaPost("v", "u1", picture("v")) });
    render(<InFrame onPosted={() => {}} onClose={() => {}} />);
    fireEvent.click(screen.getByTestId("status-tab-media"));
    const input = screen.getByTestId("status-file");
    const doc = new File(["x"], "notes.pdf", { type: "application/pdf" });
    fireEvent.change(input, { target: { files: [doc] } });
    expect(screen.getByTestId("status-error").textContent).toBe(
      "A status is a picture or a video.",
    );
    expect(screen.queryByTestId("status-media-preview")).toBeNull();
    const clip = new File(["x"], "clip.mp4", { type: "video/mp4" });
    fireEvent.change(input, { target: { files: [clip] } });
    expect(screen.queryByTestId("status-error")).toBeNull();
    fireEvent.click(screen.getByTestId("status-post"));
    await waitFor(() => expect(callsOf("post_media_status")).toHaveLength(1));
  });

  it("closes on Esc", () => {
    serveStatus();
    const onClose = vi.fn();
    render(<InFrame onPosted={() => {}} onClose={onClose} />);
    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
