import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalChat, Me, MessengerEvent } from "../../api";
import { useAccount } from "../../account";
import App from "../../App";
import type { Appearance } from "../../bindings/Appearance";
import { useMessengerFeed } from "../../messages";
import { ME, chatTile, groupTile } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import ConversationHeader from "../conversation/ConversationHeader";
import { systemText } from "../groups/words";
import {
  accentContrast,
  backgroundMarker,
  effectiveBackground,
  loadLastAppearance,
} from "./appearance";
import AppearanceSettings from "./AppearanceSettings";
import BackgroundDialog from "./BackgroundDialog";
import BackgroundPicker from "./BackgroundPicker";
import { useAppliedAppearance } from "./hooks";

const root = document.documentElement;

/** The OS's colour scheme, as `matchMedia` answers it. */
function osPrefersDark(dark: boolean) {
  window.matchMedia = (query: string) =>
    ({
      matches: dark,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    }) as unknown as MediaQueryList;
}

beforeEach(() => osPrefersDark(false));

/** The messenger's feed, as the test running listened to it (each test starts its own). */
const feed: { onmessage?: (event: MessengerEvent) => void } = {};
const listen = (args: unknown) => Object.assign(feed, (args as { onEvent: typeof feed }).onEvent);
afterEach(() => {
  localStorage.clear();
  delete root.dataset.theme;
  delete root.dataset.textSize;
  root.removeAttribute("style");
});

/** Settings → Appearance as the app has it: my account (`useAccount`, following the messenger)
 * above, shown on the page, and a sign-out. */
function SettingsInApp() {
  useMessengerFeed();
  const { account, chooseAppearance, signOut } = useAccount();
  useAppliedAppearance(account.status === "signed-in" ? account.me.appearance : null);
  if (account.status !== "signed-in") return <p data-testid="account-status">{account.status}</p>;
  return (
    <>
      <AppearanceSettings appearance={account.me.appearance} onChoose={chooseAppearance} />
      <button type="button" data-testid="sign-out" onClick={signOut} />
    </>
  );
}

/**
 * The desktop side for `SettingsInApp`: I am signed in (ME), and the server saves any profile
 * update and answers my account with it (or refuses it: `fail`). With `held`, each answer waits
 * until the test gives it (`answers`, in the order asked).
 */
function serveProfile({ fail = false, held = false } = {}) {
  const answers: (() => void)[] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    switch (command) {
      case "current_account":
        return ME;
      case "watch_account":
      case "sign_out":
        return null;
      case "watch_messages":
        listen(args);
        return null;
      case "update_profile": {
        if (held) await new Promise<void>((resolve) => answers.push(resolve));
        if (fail) throw { code: "unreachable", message: "no connection" };
        const { update } = args as unknown as { update: { appearance: Appearance } };
        return { ...ME, appearance: update.appearance } satisfies Me;
      }
      default:
        throw new Error(command);
    }
  });
  return { answers };
}

describe("Settings → Appearance", () => {
  it("saves a theme with the whole appearance and shows it at once", async () => {
    serveProfile();
    render(<SettingsInApp />);
    expect(await screen.findByTestId("settings-appearance")).toBeTruthy();
    expect(root.dataset.theme).toBe("light");
    expect((screen.getByTestId("theme-system") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId("theme-dark"));
    expect(root.dataset.theme).toBe("dark");
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: { appearance: { ...ME.appearance, theme: "dark" } },
    });
    await waitFor(() =>
      expect((screen.getByTestId("theme-dark") as HTMLInputElement).checked).toBe(true),
    );
    // What the page showed last is kept for the next start's first paint.
    expect(loadLastAppearance().theme).toBe("dark");
  });

  it("follows the OS while the theme is the system's", async () => {
    serveProfile();
    osPrefersDark(true);
    render(<SettingsInApp />);
    await screen.findByTestId("settings-appearance");
    expect(root.dataset.theme).toBe("dark");
  });

  it("sets an accent with a readable contrast, the text size, and back to the app's accent", async () => {
    serveProfile();
    render(<SettingsInApp />);
    fireEvent.click(await screen.findByTestId("accent-ca8a04"));
    expect(root.style.getPropertyValue("--accent")).toBe("#ca8a04");
    expect(root.style.getPropertyValue("--accent-contrast")).toBe("#0b141a");
    expect(screen.getByTestId("accent-ca8a04").getAttribute("aria-pressed")).toBe("true");
    await waitFor(() =>
      expect(invoke).toHaveBeenLastCalledWith("update_profile", {
        update: { appearance: { ...ME.appearance, accent: "#ca8a04" } },
      }),
    );
    fireEvent.click(screen.getByTestId("text-size-large"));
    expect(root.dataset.textSize).toBe("large");
    expect(root.style.getPropertyValue("--text-scale")).toBe("1.15");
    expect(invoke).toHaveBeenLastCalledWith("update_profile", {
      update: { appearance: { ...ME.appearance, accent: "#ca8a04", text_size: "large" } },
    });
    fireEvent.click(screen.getByTestId("accent-default"));
    expect(root.style.getPropertyValue("--accent")).toBe("");
    expect(invoke).toHaveBeenLastCalledWith("update_profile", {
      update: { appearance: { ...ME.appearance, accent: null, text_size: "large" } },
    });
  });

  it("picks the default chat background", async () => {
    serveProfile();
    render(<SettingsInApp />);
    fireEvent.click(await screen.findByTestId("bg-pattern-leaves"));
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: {
        appearance: { ...ME.appearance, background: { kind: "pattern", pattern: "leaves" } },
      },
    });
    expect(screen.getByTestId("bg-pattern-leaves").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("bg-none").getAttribute("aria-pressed")).toBe("false");
  });

  it("puts back what was there when the server refuses", async () => {
    serveProfile({ fail: true });
    render(<SettingsInApp />);
    fireEvent.click(await screen.findByTestId("theme-dark"));
    expect(root.dataset.theme).toBe("dark");
    expect((await screen.findByTestId("appearance-error")).textContent).toBe(
      "no connection (unreachable)",
    );
    expect(root.dataset.theme).toBe("light");
    expect((screen.getByTestId("theme-system") as HTMLInputElement).checked).toBe(true);
  });

  it("keeps my latest choice over the echo of an earlier one until its own save settles", async () => {
    const { answers } = serveProfile({ held: true });
    render(<SettingsInApp />);
    fireEvent.click(await screen.findByTestId("theme-dark"));
    fireEvent.click(screen.getByTestId("text-size-large"));
    await waitFor(() => expect(answers).toHaveLength(2));
    // The server pushes my account as the first save left it (dark, medium text).
    await waitFor(() => expect(feed.onmessage).toBeTypeOf("function"));
    const first = { ...ME.appearance, theme: "dark" as const };
    act(() => feed.onmessage!({ event: "me", me: { ...ME, appearance: first } }));
    expect(root.dataset.textSize).toBe("large");
    expect((screen.getByTestId("text-size-large") as HTMLInputElement).checked).toBe(true);
    // A third choice builds on the second, not on the echo.
    fireEvent.click(screen.getByTestId("accent-ca8a04"));
    const third = { ...first, text_size: "large" as const, accent: "#ca8a04" };
    expect(invoke).toHaveBeenLastCalledWith("update_profile", { update: { appearance: third } });
    // The earlier saves' answers (and echoes) come late: the latest choice stays.
    await act(async () => answers[0]!());
    await act(async () => answers[1]!());
    expect(root.dataset.textSize).toBe("large");
    expect(root.style.getPropertyValue("--accent")).toBe("#ca8a04");
    await act(async () => answers[2]!());
    act(() => feed.onmessage!({ event: "me", me: { ...ME, appearance: third } }));
    expect(root.dataset.theme).toBe("dark");
    expect(root.dataset.textSize).toBe("large");
    expect(root.style.getPropertyValue("--accent")).toBe("#ca8a04");
  });

  it("drops a save's answer that comes after signing out", async () => {
    const { answers } = serveProfile({ held: true });
    render(<SettingsInApp />);
    fireEvent.click(await screen.findByTestId("theme-dark"));
    await waitFor(() => expect(answers).toHaveLength(1));
    fireEvent.click(screen.getByTestId("sign-out"));
    expect((await screen.findByTestId("account-status")).textContent).toBe("signed-out");
    await act(async () => answers[0]!());
    expect(screen.getByTestId("account-status").textContent).toBe("signed-out");
    expect(screen.queryByTestId("settings-appearance")).toBeNull();
  });
});

describe("my appearance from another device", () => {
  it("shows at once when the messenger brings my new account", async () => {
    invoke.mockImplementation(async (command: string, args?: never) => {
      switch (command) {
        case "current_account":
          return ME;
        case "watch_messages":
          listen(args);
          return;
        case "list_chats":
        case "list_contacts":
        case "call_log":
          return [];
        default:
          return null;
      }
    });
    render(<App />);
    await screen.findByTestId("me-name");
    await waitFor(() => expect(feed.onmessage).toBeTypeOf("function"));
    expect(root.dataset.theme).toBe("light");
    const appearance: Appearance = {
      theme: "dark",
      accent: "#db2777",
      text_size: "small",
      background: null,
    };
    act(() => feed.onmessage!({ event: "me", me: { ...ME, appearance, display_name: "Annie" } }));
    expect(root.dataset.theme).toBe("dark");
    expect(root.style.getPropertyValue("--accent")).toBe("#db2777");
    expect(root.style.getPropertyValue("--accent-contrast")).toBe("#ffffff");
    expect(root.dataset.textSize).toBe("small");
    expect(screen.getByTestId("me-name").textContent).toBe("Annie");
    // Someone else's account (a stale event after switching accounts) changes nothing.
    act(() =>
      feed.onmessage!({
        event: "me",
        me: { ...ME, id: "other", appearance: { ...appearance, theme: "light" } },
      }),
    );
    expect(root.dataset.theme).toBe("dark");
  });
});

describe("a chat's background", () => {
  const dots = { kind: "pattern", pattern: "dots" } as const;
  const mint = { kind: "colour", colour: "#dcf8c6" } as const;
  const photo = { kind: "image", media_id: "bg1" } as const;

  it("is mine, else the group's, else my default, else none", () => {
    const tile = (over: Partial<LocalChat>) => groupTile(over);
    expect(effectiveBackground(tile({ background: dots, shared_background: mint }), photo)).toEqual(
      { background: dots, source: "mine" },
    );
    expect(effectiveBackground(tile({ shared_background: mint }), photo)).toEqual({
      background: mint,
      source: "group",
    });
    expect(effectiveBackground(tile({}), photo)).toEqual({ background: photo, source: "default" });
    expect(effectiveBackground(tile({}), null)).toEqual({ background: null, source: "none" });
    expect(effectiveBackground(null, dots).source).toBe("default");
    expect([dots, mint, photo, null].map(backgroundMarker)).toEqual([
      "pattern:dots",
      "colour:#dcf8c6",
      "image",
      "none",
    ]);
  });

  /** One open group chat whose tile the test changes; the feed says when it did. */
  function serveChat(initial: LocalChat) {
    let chat = initial;
    invoke.mockImplementation(async (command: string, args?: never) => {
      switch (command) {
        case "list_chats":
          return [chat];
        case "chat_messages":
        case "chat_members":
        case "former_members":
        case "list_contacts":
          return [];
        case "watch_messages":
          listen(args);
          return;
        default:
          return null;
      }
    });
    return {
      change: (over: Partial<LocalChat>) => {
        chat = { ...chat, ...over };
        act(() => feed.onmessage?.({ event: "chats_changed" }));
      },
    };
  }

  function OpenChat() {
    useMessengerFeed();
    return (
      <Conversation
        open={{ chatId: "c1" }}
        myId="u1"
        defaultBackground={{ kind: "colour", colour: "#cfe8fc" }}
        onClose={() => {}}
      />
    );
  }

  it("shows behind the conversation, following the chat's changes", async () => {
    const server = serveChat(groupTile({ shared_background: dots }));
    render(<OpenChat />);
    await waitFor(() => expect(feed.onmessage).toBeTypeOf("function"));
    const pane = screen.getByTestId("conversation");
    await waitFor(() => expect(pane.getAttribute("data-background")).toBe("pattern:dots"));
    expect(pane.getAttribute("data-background-source")).toBe("group");
    expect(screen.getByTestId("timeline").classList.contains("bg-pattern-dots")).toBe(true);
    // My own wins over the group's.
    server.change({ background: mint });
    await waitFor(() => expect(pane.getAttribute("data-background")).toBe("colour:#dcf8c6"));
    expect(pane.getAttribute("data-background-source")).toBe("mine");
    expect(screen.getByTestId("timeline").classList.contains("bg-colour")).toBe(true);
    // Neither: my default.
    server.change({ background: null, shared_background: null });
    await waitFor(() => expect(pane.getAttribute("data-background")).toBe("colour:#cfe8fc"));
    expect(pane.getAttribute("data-background-source")).toBe("default");
    // A picture loads from the app's media scheme.
    server.change({ background: photo });
    await waitFor(() => expect(pane.getAttribute("data-background")).toBe("image"));
    expect(screen.getByTestId("timeline").style.backgroundImage).toContain(
      "gkmedia://localhost/bg1",
    );
  });

  it("is chosen from the header's menu", async () => {
    serveChat(chatTile());
    render(
      <ConversationHeader
        chatId="c1"
        chat={chatTile()}
        onToggleSearch={() => {}}
        onDeleted={() => {}}
      />,
    );
    fireEvent.click(screen.getByTestId("conversation-more"));
    fireEvent.click(screen.getByTestId("menu-background"));
    expect(screen.getByTestId("background-dialog")).toBeTruthy();
    // A direct chat's background is mine alone.
    expect(screen.queryByTestId("background-for-everyone")).toBeNull();
    fireEvent.click(screen.getByTestId("background-cancel"));
    expect(screen.queryByTestId("background-dialog")).toBeNull();
  });
});

describe("the background dialog", () => {
  function serveSet(refuse = false) {
    invoke.mockImplementation(async (command: string) => {
      if (command !== "set_chat_background") throw new Error(command);
      if (refuse) throw { code: "admins_only", message: "admins only" };
      return null;
    });
  }

  it("lets an admin set the group's background for everyone", async () => {
    serveSet();
    const onClose = vi.fn();
    const shared = { kind: "colour", colour: "#fde2e4" } as const;
    render(
      <BackgroundDialog
        chat={groupTile({ my_role: "admin", shared_background: shared })}
        onClose={onClose}
      />,
    );
    // Mine first: none of my own.
    expect(screen.getByTestId("bg-none").getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByTestId("background-for-everyone"));
    // The group's as it is now.
    expect(screen.getByTestId("bg-colour-fde2e4").getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByTestId("bg-pattern-waves"));
    fireEvent.click(screen.getByTestId("background-save"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("set_chat_background", {
      chatId: "c1",
      background: { kind: "pattern", pattern: "waves" },
      forEveryone: true,
    });
  });

  it("sets a member's own background, for them alone", async () => {
    serveSet();
    const onClose = vi.fn();
    render(
      <BackgroundDialog
        chat={groupTile({ my_role: "member", background: { kind: "pattern", pattern: "grid" } })}
        onClose={onClose}
      />,
    );
    expect(screen.queryByTestId("background-for-everyone")).toBeNull();
    expect(screen.getByTestId("bg-pattern-grid").getAttribute("aria-pressed")).toBe("true");
    // Back to the default (the group's, else mine for all chats).
    fireEvent.click(screen.getByTestId("bg-none"));
    fireEvent.click(screen.getByTestId("background-save"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("set_chat_background", {
      chatId: "c1",
      background: null,
      forEveryone: false,
    });
  });

  it("stays open with the server's refusal in words", async () => {
    serveSet(true);
    const onClose = vi.fn();
    render(<BackgroundDialog chat={groupTile({ my_role: "admin" })} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("background-for-everyone"));
    fireEvent.click(screen.getByTestId("bg-pattern-dots"));
    fireEvent.click(screen.getByTestId("background-save"));
    expect((await screen.findByTestId("background-error")).textContent).toBe(
      "Only admins can do that",
    );
    expect(onClose).not.toHaveBeenCalled();
  });
});

describe("the background picker", () => {
  it("uploads a chosen picture and picks it", async () => {
    invoke.mockImplementation(async (command: string) => {
      switch (command) {
        case "stage_file":
          return { path: "/data/staged/sea.jpg", name: "sea.jpg" };
        case "upload_background":
          return "media-sea";
        default:
          throw new Error(command);
      }
    });
    const onChange = vi.fn();
    render(<BackgroundPicker value={null} onChange={onChange} />);
    const input = screen.getByTestId("bg-image") as HTMLInputElement;
    expect(input.accept).toBe("image/*");
    const file = new File([new Uint8Array([1, 2, 3])], "sea.jpg", { type: "image/jpeg" });
    fireEvent.change(input, { target: { files: [file] } });
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith({ kind: "image", media_id: "media-sea" }),
    );
    expect(invoke).toHaveBeenCalledWith("upload_background", {
      source: { path: "/data/staged/sea.jpg", name: "sea.jpg" },
    });
  });

  it("takes only pictures", () => {
    const onChange = vi.fn();
    render(<BackgroundPicker value={null} onChange={onChange} />);
    const file = new File(["%PDF"], "notes.pdf", { type: "application/pdf" });
    fireEvent.change(screen.getByTestId("bg-image"), { target: { files: [file] } });
    expect(screen.getByTestId("bg-error").textContent).toBe("A background is a picture.");
    expect(onChange).not.toHaveBeenCalled();
    expect(invoke).not.toHaveBeenCalled();
  });

  it("offers the five patterns, the colours and none", () => {
    render(<BackgroundPicker value={null} onChange={() => {}} />);
    for (const pattern of ["dots", "grid", "waves", "leaves", "bubbles"]) {
      expect(screen.getByTestId(`bg-pattern-${pattern}`).className).toContain(
        `bg-pattern-${pattern}`,
      );
    }
    expect(screen.getByTestId("bg-colour-dcf8c6")).toBeTruthy();
    expect(screen.getByTestId("bg-none")).toBeTruthy();
  });
});

describe("appearance odds and ends", () => {
  it("words a group's background change", () => {
    const nameOf = (id: string) => ({ ann: "Ann" })[id];
    expect(systemText({ event: "background_changed", removed: false }, "ann", "me", nameOf)).toBe(
      "Ann changed the group's background",
    );
    expect(systemText({ event: "background_changed", removed: true }, "me", "me", nameOf)).toBe(
      "You removed the group's background",
    );
  });

  it("picks a readable text colour for an accent", () => {
    expect(accentContrast("#2563eb")).toBe("#ffffff");
    expect(accentContrast("#fff3c4")).toBe("#0b141a");
  });

  it("starts from the theme this device chose before, and ignores a corrupted last appearance", () => {
    localStorage.setItem("gkchat.theme", "dark");
    expect(loadLastAppearance()).toEqual({ ...ME.appearance, theme: "dark" });
    localStorage.setItem("gkchat.appearance", "{not json");
    expect(loadLastAppearance().theme).toBe("dark");
    localStorage.setItem(
      "gkchat.appearance",
      JSON.stringify({
        theme: "purple",
        accent: "red",
        text_size: "huge",
        background: { kind: "x" },
      }),
    );
    expect(loadLastAppearance()).toEqual(ME.appearance);
  });
});
