import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { invoke } from "../../test-ipc";
import type { MediaCacheView, MediaSettings } from "./api";
import StorageSettings from "./StorageSettings";

const MB = 1024 * 1024;

describe("StorageSettings", () => {
  it("saves the automatic download size, the cache's limit and link previews, and clears the cache after asking", async () => {
    let view: MediaCacheView = {
      settings: { cache_bytes: 2048 * MB, auto_download_bytes: 16 * MB, link_previews: true },
      cached_bytes: 300 * MB,
    };
    invoke.mockImplementation(async (command: string, args?: never) => {
      switch (command) {
        case "media_cache":
          return view;
        case "set_media_settings":
          view = { ...view, settings: (args as unknown as { settings: MediaSettings }).settings };
          return view;
        case "clear_media_cache":
          view = { ...view, cached_bytes: 0 };
          return 300 * MB;
      }
      throw new Error(command);
    });
    render(<StorageSettings />);
    const auto = (await screen.findByTestId("storage-auto-download")) as HTMLSelectElement;
    expect(auto.value).toBe(String(16 * MB));
    expect(screen.getByTestId("storage-cached").textContent).toContain("300 MB");

    fireEvent.change(auto, { target: { value: "0" } });
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_media_settings", {
        settings: { cache_bytes: 2048 * MB, auto_download_bytes: 0, link_previews: true },
      }),
    );
    fireEvent.change(screen.getByTestId("storage-cache-limit"), {
      target: { value: String(5 * 1024 * MB) },
    });
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_media_settings", {
        settings: { cache_bytes: 5 * 1024 * MB, auto_download_bytes: 0, link_previews: true },
      }),
    );
    fireEvent.click(screen.getByTestId("storage-link-previews"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_media_settings", {
        settings: { cache_bytes: 5 * 1024 * MB, auto_download_bytes: 0, link_previews: false },
      }),
    );
    expect((screen.getByTestId("storage-cache-limit") as HTMLSelectElement).value).toBe(
      String(5 * 1024 * MB),
    );

    fireEvent.click(screen.getByTestId("storage-clear"));
    expect(invoke).not.toHaveBeenCalledWith("clear_media_cache", undefined);
    fireEvent.click(screen.getByTestId("storage-clear-confirm"));
    expect((await screen.findByTestId("storage-notice")).textContent).toBe("Cleared 300 MB.");
    await waitFor(() =>
      expect(screen.getByTestId("storage-cached").textContent).toContain("0 bytes"),
    );
    expect(invoke.mock.calls.filter(([c]) => c === "clear_media_cache")).toHaveLength(1);
  });
});
