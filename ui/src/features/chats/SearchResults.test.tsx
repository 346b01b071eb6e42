import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { SearchHit } from "../../api";
import { invoke } from "../../test-ipc";
import SearchResults from "./SearchResults";

const hit: SearchHit = {
  message: {
    message: {
      id: "m1",
      chat_id: "c1",
      seq: 1,
      updated_seq: 1,
      sender_id: "u2",
      content: { kind: "text", text: "meet at the café" },
      reply_to: null,
      forwarded: false,
      sent_at: Date.now(),
      edited_at: null,
      deleted_at: null,
      reactions: [],
      hidden: false,
      starred: false,
    },
    status: { state: "sent" },
  },
  snippet: "meet at the [café]",
};

describe("SearchResults", () => {
  it("asks the store, marks the match and hands back the pick", async () => {
    invoke.mockResolvedValue([hit]);
    const onPick = vi.fn();
    render(<SearchResults query="caf" chatId="c1" onPick={onPick} />);
    const found = await screen.findByTestId("search-hit");
    expect(found.querySelector("mark")?.textContent).toBe("café");
    expect(invoke).toHaveBeenCalledWith("search_messages", { text: "caf", chatId: "c1" });
    fireEvent.click(found);
    expect(onPick).toHaveBeenCalledWith(hit);
  });
});
