import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LocalChat } from "../../api";
import { clockTime } from "../../time";
import { chatTile, groupTile } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import MutedChats from "./MutedChats";

/** Later today (or just after midnight, when the test runs late in the evening). */
const LATER = Date.now() + 60_000;

const CHATS: LocalChat[] = [
  chatTile({ id: "c-grace", title: "Grace", muted_until: Number.MAX_SAFE_INTEGER }),
  groupTile({ id: "g-hikers", title: "Hikers", muted_until: LATER }),
  chatTile({ id: "c-bob", title: "Bob", muted_until: null }),
  chatTile({ id: "c-eve", title: "Eve", muted_until: Date.now() - 1000 }),
];

/** Programs `list_chats`, and `update_chat` to record (or refuse with `refusal`). */
function serve(refusal?: unknown): unknown[] {
  const updates: unknown[] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command === "list_chats") return CHATS;
    if (command === "update_chat") {
      updates.push(args);
      if (refusal) throw refusal;
      return null;
    }
    throw new Error(`unexpected ${command}`);
  });
  return updates;
}

const rows = () =>
  screen.queryAllByTestId("muted-chat").map((row) => ({
    name: row.querySelector(".device-name")!.textContent,
    until: within(row).getByTestId("muted-chat-until").textContent,
  }));

describe("MutedChats", () => {
  it("lists the muted chats with until when, and unmutes one", async () => {
    const updates = serve();
    render(<MutedChats />);
    await screen.findAllByTestId("muted-chat");
    expect(rows()[0]).toEqual({ name: "Grace", until: "Always" });
    expect(rows()[1]!.name).toBe("Hikers");
    expect(rows()[1]!.until).toContain(clockTime(LATER));
    expect(rows()[1]!.until).toMatch(/^Muted until /);
    expect(rows()).toHaveLength(2);

    fireEvent.click(screen.getByTestId("unmute-g-hikers"));
    expect(rows().map((row) => row.name)).toEqual(["Grace"]);
    await waitFor(() =>
      expect(updates).toEqual([{ chatId: "g-hikers", update: { muted_until: 0 } }]),
    );
  });

  it("says when nothing is muted", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "list_chats") return [chatTile()];
      throw new Error(`unexpected ${command}`);
    });
    render(<MutedChats />);
    await screen.findByText("No chat is muted.");
    expect(screen.queryByTestId("muted-chat")).toBeNull();
  });

  it("puts a chat back, and says why, when unmuting fails", async () => {
    serve({ code: "unreachable", message: "no connection" });
    render(<MutedChats />);
    fireEvent.click(await screen.findByTestId("unmute-c-grace"));
    expect((await screen.findByRole("alert")).textContent).toBe("no connection (unreachable)");
    expect(screen.getByTestId("unmute-c-grace")).toBeTruthy();
  });
});
