import { fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { invoke } from "../test-ipc";
import { ME } from "../test-fixtures";
import PhotoSettings from "./PhotoSettings";

// jsdom decodes no images: give every <img> a 300×200 picture.
beforeEach(() => {
  HTMLImageElement.prototype.decode = vi.fn(async () => undefined);
  vi.spyOn(HTMLImageElement.prototype, "naturalWidth", "get").mockReturnValue(300);
  vi.spyOn(HTMLImageElement.prototype, "naturalHeight", "get").mockReturnValue(200);
  URL.createObjectURL = vi.fn(() => "blob:picked");
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => vi.restoreAllMocks());

async function pick() {
  const file = new File([new Uint8Array([1, 2, 3])], "me.png", { type: "image/png" });
  fireEvent.change(screen.getByTestId("photo-file"), { target: { files: [file] } });
  await screen.findByTestId("photo-crop");
}

describe("PhotoSettings", () => {
  it("sends the file's bytes with the centred square, then shows the new photo", async () => {
    const onSaved = vi.fn();
    invoke.mockImplementation(async (command: string) => {
      if (command === "set_photo") return { ...ME, photo: "p1" };
      if (command === "user_photo") return "data:image/jpeg;base64,AAAA";
      throw new Error(command);
    });
    render(<PhotoSettings me={ME} onSaved={onSaved} />);
    await pick();
    fireEvent.change(screen.getByTestId("photo-zoom"), { target: { value: "2" } });
    fireEvent.click(screen.getByTestId("photo-save"));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledWith({ ...ME, photo: "p1" }));
    expect(invoke).toHaveBeenCalledWith("set_photo", new Uint8Array([1, 2, 3]), {
      headers: { "x-crop": "100,50,100" },
    });
  });

  it("shows the server's refusal in words", async () => {
    invoke.mockRejectedValue({ code: "invalid_image", message: "the image cannot be read" });
    render(<PhotoSettings me={ME} onSaved={vi.fn()} />);
    await pick();
    fireEvent.click(screen.getByTestId("photo-save"));
    expect((await screen.findByTestId("photo-error")).textContent).toBe(
      "the image cannot be read (invalid_image)",
    );
  });
});
