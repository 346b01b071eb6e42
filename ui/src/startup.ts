// The page's start, measured and ordered from inside. Marks tell the desktop when the page
// reached each moment of its start (src-tauri/src/startup.rs logs them in milliseconds since the
// process started; BENCHMARKS.md reads them), and work the first screen does not need (photos,
// the contact list, the panels' code) waits until that screen is painted. Only a page main.tsx
// started does either: components rendered on their own (the unit tests) neither mark nor wait.
import { api } from "./api";

/** The moments the page marks; on a start signed in, in this order. */
export type StartupMarkName =
  /** main.tsx runs: the bundle is loaded and evaluated, React not started yet. */
  | "ui_start"
  /** `current_account` answered, signed in or not. */
  | "account_answered"
  /** `list_chats` answered for the first time: the tiles from the local store. */
  | "chats_answered"
  /** `list_chats` failed for the first time (the local store not open yet, say). */
  | "chats_failed"
  /** React put the chat list's tiles in the page. */
  | "chat_list_rendered"
  /** The browser painted them: the start is over. */
  | "chat_list_painted"
  /** The first screen is the sign-in screen, painted: the start is over. */
  | "sign_in_painted";

/** Held work never waits longer than this for the first screen (a start in the tray paints
 * nothing; a chat list whose store does not open never shows). */
export const START_LIMIT_MS = 3000;

/** Whether main.tsx started this page. */
let began = false;
/** Whether held work may go. */
let over = false;
/** Whether the first screen was shown (only the first counts), and painted (no marks after). */
let shown = false;
let painted = false;
let limit: ReturnType<typeof setTimeout> | undefined;
const marked = new Set<StartupMarkName>();
let waiting: (() => void)[] = [];

/** The page starts (main.tsx, before anything else): marks `ui_start`. */
export function beginStart(): void {
  began = true;
  mark("ui_start");
  limit = setTimeout(endStart, START_LIMIT_MS);
}

/** Tells the desktop the page reached `name` (once per name, until the first screen is painted;
 * never fails the page). */
export function mark(name: StartupMarkName): void {
  if (!began || painted || marked.has(name)) return;
  marked.add(name);
  // For the log: a mark the desktop refuses changes nothing on screen.
  api.startupMark(name).catch(() => undefined);
}

/**
 * The page's first screen is in the page (called as React commits it): the chat list marks
 * `chat_list_rendered` now and `chat_list_painted` once painted, the sign-in screen
 * `sign_in_painted`; the start is over then. A later screen (the chat list after signing in)
 * marks nothing.
 */
export function firstScreenShown(screen: "chat_list" | "sign_in"): void {
  if (!began || shown) return;
  shown = true;
  if (screen === "chat_list") mark("chat_list_rendered");
  afterPaint(() => {
    mark(screen === "chat_list" ? "chat_list_painted" : "sign_in_painted");
    painted = true;
    endStart();
  });
}

/** Runs `work`, which the first screen does not need, once that screen is painted (at once after
 * that, and in a page main.tsx did not start). */
export function afterStart<T>(work: () => Promise<T>): Promise<T> {
  if (!began || over) return work();
  return new Promise<void>((resolve) => waiting.push(resolve)).then(work);
}

function endStart() {
  if (over) return;
  over = true;
  clearTimeout(limit);
  const ready = waiting;
  waiting = [];
  ready.forEach((resolve) => resolve());
}

/**
 * Calls `then` once the browser has painted the page as it is now. A frame callback runs just
 * before its frame is painted, and a task queued from it runs right after that paint; a second
 * frame callback would come a whole frame (~16 ms) later and count that frame as start time.
 * A hidden window paints nothing, so this waits until it is shown.
 */
function afterPaint(then: () => void) {
  requestAnimationFrame(() => setTimeout(then, 0));
}

/** For tests: a page main.tsx did not start (nothing marked, nothing held). */
export function resetStartup(): void {
  began = false;
  shown = false;
  painted = false;
  marked.clear();
  endStart();
  over = false;
}
