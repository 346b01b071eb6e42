import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { LocalMessage } from "../../api";
import { chatMessage, layOutTimeline } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import Conversation from "../conversation/Conversation";
import MessageBubble from "../conversation/MessageBubble";
import { MediaProvider } from "../media/MediaContext";
import { serve } from "../media/test-media";
import type { Poll, Vote } from "./api";

const NAMES: Record<string, string> = { u2: "Grace", u3: "Alan" };

/** A bubble as the conversation shows it: in its media provider, where I am "me". */
function Bubble({ local }: { local: LocalMessage }) {
  return (
    <MediaProvider chatId="c1" myId="me" onOpenChat={null}>
      <MessageBubble
        local={local}
        mine={local.message.sender_id === "me"}
        tick={null}
        quoted={undefined}
        highlighted={false}
        info={null}
        onToggleMenu={() => {}}
        onCloseInfo={() => {}}
        menu={null}
        voterName={(userId) => NAMES[userId]}
      />
    </MediaProvider>
  );
}

/** A poll message in chat c1 with these votes (the tally counted from them unless given). */
function pollMessage(
  poll: Partial<Poll> = {},
  {
    votes = [],
    tally,
    sender = "u2",
    pending = false,
  }: { votes?: Vote[]; tally?: number[]; sender?: string; pending?: boolean } = {},
): LocalMessage {
  const full: Poll = {
    question: "Lunch?",
    options: ["Pizza", "Sushi", "Salad"],
    multiple: false,
    anonymous: false,
    ...poll,
  };
  return {
    ...chatMessage(
      pending ? 0 : 4,
      sender,
      { kind: "poll", poll: full },
      {
        id: "p1",
        updated_seq: 4,
        votes,
        tally:
          tally ?? full.options.map((_, i) => votes.filter((v) => v.options.includes(i)).length),
      },
    ),
    status: pending ? { state: "pending" } : { state: "sent" },
  };
}

const vote = (user_id: string, options: number[], at = 1): Vote => ({ user_id, options, at });

/** The act command answers at once; anything else fails. */
function serveActs() {
  invoke.mockImplementation(async (command: string) => {
    if (command === "act_on_message") return null;
    throw new Error(command);
  });
}
const acts = () =>
  invoke.mock.calls
    .filter(([c]) => c === "act_on_message")
    .map(([, args]) => args as unknown as { action: unknown });

const rows = () => screen.getAllByTestId("poll-option-row");
const row = (option: string) => screen.getByRole("radio", { name: option });

describe("a poll in the timeline", () => {
  it("shows the question, each option's count, share and bar, and my choice", () => {
    serveActs();
    render(
      <Bubble
        local={pollMessage({}, { votes: [vote("u2", [0]), vote("me", [1]), vote("u3", [0])] })}
      />,
    );
    const card = screen.getByTestId("poll-card");
    expect(within(card).getByTestId("poll-question").textContent).toBe("Lunch?");
    expect(within(card).getByTestId("poll-kind").textContent).toBe("Select one");
    expect(within(card).getByRole("radiogroup", { name: "Lunch?" })).toBeTruthy();
    expect(rows().map((r) => r.getAttribute("data-option"))).toEqual(["0", "1", "2"]);
    expect(rows().map((r) => r.getAttribute("aria-checked"))).toEqual(["false", "true", "false"]);
    expect(screen.getAllByTestId("poll-option-count").map((c) => c.textContent)).toEqual([
      "2",
      "1",
      "0",
    ]);
    expect(screen.getAllByTestId("poll-option-percent").map((c) => c.textContent)).toEqual([
      "67%",
      "33%",
      "0%",
    ]);
    expect(screen.getAllByTestId("poll-bar").map((b) => b.style.width)).toEqual([
      "67%",
      "33%",
      "0%",
    ]);
    expect(screen.getByTestId("poll-total").textContent).toBe("3 voters");
    // The count is the option's description.
    expect(row("Pizza").getAttribute("aria-describedby")).toBeTruthy();
    expect(screen.queryByTestId("poll-closed")).toBeNull();
    // Not mine: no Close poll.
    expect(screen.queryByTestId("poll-close")).toBeNull();
  });

  it("votes with a tap, swaps to another option, and takes the vote back on my choice", () => {
    serveActs();
    const { rerender } = render(<Bubble local={pollMessage()} />);
    expect(screen.getByTestId("poll-total").textContent).toBe("No votes yet");
    fireEvent.click(row("Sushi"));
    // The message comes again with my vote.
    rerender(<Bubble local={pollMessage({}, { votes: [vote("me", [1])] })} />);
    expect(row("Sushi").getAttribute("aria-checked")).toBe("true");
    fireEvent.click(row("Salad"));
    rerender(<Bubble local={pollMessage({}, { votes: [vote("me", [2])] })} />);
    fireEvent.click(row("Salad"));
    expect(acts()).toEqual([
      { chatId: "c1", messageId: "p1", action: { action: "vote", options: [1] } },
      { chatId: "c1", messageId: "p1", action: { action: "vote", options: [2] } },
      { chatId: "c1", messageId: "p1", action: { action: "vote", options: [] } },
    ]);
  });

  it("toggles options of a multiple-choice poll, with shares of voters past 100% in all", () => {
    serveActs();
    render(
      <Bubble
        local={pollMessage({ multiple: true }, { votes: [vote("me", [0, 2]), vote("u2", [0, 1])] })}
      />,
    );
    expect(screen.getByTestId("poll-kind").textContent).toBe("Select one or more");
    expect(screen.getByRole("group", { name: "Lunch?" })).toBeTruthy();
    const pizza = screen.getByRole("checkbox", { name: "Pizza" });
    expect(pizza.getAttribute("aria-checked")).toBe("true");
    expect(screen.getAllByTestId("poll-option-percent").map((c) => c.textContent)).toEqual([
      "100%",
      "50%",
      "50%",
    ]);
    expect(screen.getByTestId("poll-total").textContent).toBe("2 voters");
    fireEvent.click(screen.getByRole("checkbox", { name: "Sushi" }));
    fireEvent.click(pizza);
    expect(acts().map((a) => a.action)).toEqual([
      { action: "vote", options: [0, 1, 2] },
      { action: "vote", options: [2] },
    ]);
  });

  it("counts an anonymous poll in votes from the tally, and lists no voters", () => {
    serveActs();
    render(
      <Bubble
        local={pollMessage({ anonymous: true }, { votes: [vote("me", [1])], tally: [3, 1, 0] })}
      />,
    );
    expect(screen.getByTestId("poll-kind").textContent).toBe("Select one · Anonymous");
    expect(screen.getByTestId("poll-total").textContent).toBe("4 votes");
    expect(screen.getAllByTestId("poll-option-count").map((c) => c.textContent)).toEqual([
      "3",
      "1",
      "0",
    ]);
    expect(screen.getAllByTestId("poll-bar").map((b) => b.style.width)).toEqual([
      "75%",
      "25%",
      "0%",
    ]);
    expect(row("Sushi").getAttribute("aria-checked")).toBe("true");
    expect(screen.queryByTestId("poll-view-votes")).toBeNull();
  });

  it("lists who chose what on View votes", () => {
    serveActs();
    render(
      <Bubble
        local={pollMessage(
          {},
          { votes: [vote("u3", [0], 3), vote("me", [0], 2), vote("u9", [1], 1)] },
        )}
      />,
    );
    expect(screen.queryByTestId("poll-votes")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "View votes" }));
    const list = screen.getByTestId("poll-votes");
    const options = within(list).getAllByTestId("poll-votes-option");
    expect(
      options.map((o) =>
        within(o)
          .queryAllByTestId("poll-voter")
          .map((v) => v.textContent),
      ),
    ).toEqual([["You", "Alan"], ["Someone"], []]);
    expect(options[2]!.textContent).toContain("No votes");
    fireEvent.click(screen.getByRole("button", { name: "Hide votes" }));
    expect(screen.queryByTestId("poll-votes")).toBeNull();
  });

  it("lets its creator close it, and takes no votes once closed", () => {
    serveActs();
    const { rerender } = render(<Bubble local={pollMessage({}, { sender: "me" })} />);
    fireEvent.click(screen.getByRole("button", { name: "Close poll" }));
    expect(acts()).toEqual([{ chatId: "c1", messageId: "p1", action: { action: "close_poll" } }]);
    rerender(
      <Bubble local={pollMessage({ closed_at: 5 }, { sender: "me", votes: [vote("u2", [0])] })} />,
    );
    expect(screen.getByTestId("poll-closed").textContent).toBe("Closed");
    expect(screen.queryByTestId("poll-close")).toBeNull();
    expect(rows().every((r) => (r as HTMLButtonElement).disabled)).toBe(true);
    fireEvent.click(row("Pizza"));
    expect(acts()).toHaveLength(1);
  });

  it("takes no votes and offers no Close while it is not sent yet", () => {
    serveActs();
    render(<Bubble local={pollMessage({}, { sender: "me", pending: true })} />);
    expect(rows().every((r) => (r as HTMLButtonElement).disabled)).toBe(true);
    expect(screen.queryByTestId("poll-close")).toBeNull();
  });

  it("says why a vote failed", async () => {
    invoke.mockImplementation(async () => {
      throw { code: "poll_closed", message: "the poll is closed" };
    });
    render(<Bubble local={pollMessage()} />);
    fireEvent.click(row("Pizza"));
    expect((await screen.findByTestId("poll-action-error")).textContent).toBe(
      "the poll is closed (poll_closed)",
    );
  });
});

describe("a poll in a conversation", () => {
  layOutTimeline();

  it("shows as a card, names the other person among the voters, and has no Edit", async () => {
    serve([pollMessage({}, { sender: "me", votes: [vote("u2", [2])] })], {
      act_on_message: () => null,
    });
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    const card = await screen.findByTestId("poll-card");
    fireEvent.click(within(card).getByTestId("poll-view-votes"));
    await waitFor(() =>
      expect(
        within(card)
          .getAllByTestId("poll-voter")
          .map((v) => v.textContent),
      ).toEqual(["Grace"]),
    );
    fireEvent.click(screen.getByTestId("message-menu"));
    const menu = screen.getByRole("menu");
    expect(within(menu).queryByRole("button", { name: "Edit" })).toBeNull();
    expect(within(menu).getByRole("button", { name: "Reply" })).toBeTruthy();
    expect(within(menu).getByTestId("message-forward")).toBeTruthy();
  });

  it("offers no Forward for a closed poll", async () => {
    serve([pollMessage({ closed_at: 5 })]);
    render(<Conversation open={{ chatId: "c1" }} myId="me" onClose={() => {}} />);
    await screen.findByTestId("poll-card");
    fireEvent.click(screen.getByTestId("message-menu"));
    const menu = screen.getByRole("menu");
    expect(within(menu).getByRole("button", { name: "Reply" })).toBeTruthy();
    expect(within(menu).queryByTestId("message-forward")).toBeNull();
  });
});
