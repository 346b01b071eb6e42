import { act, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { MessengerEvent } from "./api";
import { useMessengerFeed, useTypingUsers } from "./messages";
import { invoke } from "./test-ipc";

type Channel = { onmessage: (event: MessengerEvent) => void };

/** The page following the messenger, saying who is typing in c1. */
function Page() {
  useMessengerFeed();
  return <p data-testid="typing">{useTypingUsers("c1").join(",")}</p>;
}

/** Serves watch_messages; answers the channels the page listened on, in order. */
function serve(): Channel[] {
  const channels: Channel[] = [];
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command !== "watch_messages") throw new Error(command);
    channels.push((args as unknown as { onEvent: Channel }).onEvent);
    return null;
  });
  return channels;
}

const typing = (userId: string): MessengerEvent => ({
  event: "typing",
  chat_id: "c1",
  user_id: userId,
  typing: true,
});

/** The channel the first test listened on (the second sends through it too). */
let earlier: Channel | undefined;

describe("the messenger's feed between tests", () => {
  it("is followed once for the page", () => {
    const channels = serve();
    const { rerender } = render(<Page />);
    rerender(<Page />);
    render(<Page />, { container: document.body.appendChild(document.createElement("div")) });
    expect(channels).toHaveLength(1);
    act(() => channels[0]!.onmessage(typing("u2")));
    expect(screen.getAllByTestId("typing")[0]!.textContent).toBe("u2");
    earlier = channels[0];
  });

  it("starts again in the next test, with nobody typing and the earlier feed going nowhere", () => {
    const channels = serve();
    render(<Page />);
    expect(channels).toHaveLength(1);
    expect(screen.getByTestId("typing").textContent).toBe("");
    act(() => earlier!.onmessage(typing("u3")));
    expect(screen.getByTestId("typing").textContent).toBe("");
    act(() => channels[0]!.onmessage(typing("u4")));
    expect(screen.getByTestId("typing").textContent).toBe("u4");
  });
});
