// Vitest set-up for every UI test. The Tauri IPC boundary does not exist in jsdom, so
// `@tauri-apps/api/core` is a mock the tests program through `invoke` in test-ipc.ts; the
// real path is covered by the WebDriver test.
import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { forgetChats } from "./features/chats/hooks";
import { resetMessengerFeed } from "./messages";
import { resetStartup } from "./startup";

vi.mock("@tauri-apps/api/core", () => ({
  invoke: vi.fn(),
  Channel: class {},
  // As on Linux and macOS: `<scheme>://localhost/<path>`.
  convertFileSrc: (path: string, scheme = "asset") =>
    `${scheme}://localhost/${encodeURIComponent(path)}`,
}));

afterEach(async () => {
  cleanup();
  // Each test follows the messenger on its own (a feed started by an earlier one is not theirs).
  resetMessengerFeed();
  // The page's chat list and start are the page's: each test has its own.
  forgetChats();
  resetStartup();
  const core = await import("@tauri-apps/api/core");
  vi.mocked(core.invoke).mockReset();
});
