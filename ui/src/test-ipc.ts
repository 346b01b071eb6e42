import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { vi, type Mock } from "vitest";

/** The mocked Tauri `invoke` (see test-setup.ts): program it per test with any argument shape. */
export const invoke = vi.mocked(tauriInvoke) as unknown as Mock<
  (command: string, args?: never) => Promise<unknown>
>;
