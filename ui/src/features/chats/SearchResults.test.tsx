import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { SearchHit } from "../../api";
import { textMessage } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import SearchResults from "./SearchResults";

const hit: SearchHit = {
  message: textMessage(1, "u2", "meet at the café"),
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
