import { render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LocalMessage } from "../../api";
import MessageBubble from "../conversation/MessageBubble";
import { chatMessage } from "../../test-fixtures";
import { MediaProvider } from "../media/MediaContext";
import { fakeCanvas, plain, thumbHashOf } from "../media/test-media";
import type { StatusQuote } from "./api";
import StatusQuoteView from "./StatusQuoteView";
import { serveStatus } from "./test-status";

const names = (id: string) => (id === "u2" ? "Grace" : undefined);

beforeEach(() => {
  fakeCanvas();
});
afterEach(() => vi.restoreAllMocks());

describe("a reply's status quote", () => {
  it("shows a text status's words on its background colour", () => {
    render(
      <StatusQuoteView
        quote={{ post_id: "p1", owner_id: "u2", text: "Off to the hills", background: "#6b3fa0" }}
        myId="me"
        nameOf={names}
      />,
    );
    const quote = screen.getByTestId("status-quote");
    expect(within(quote).getByTestId("status-quote-owner").textContent).toBe("Grace · Status");
    expect(within(quote).getByTestId("status-quote-text").textContent).toBe("Off to the hills");
    const swatch = within(quote).getByTestId("status-quote-swatch");
    expect(swatch.style.background).toBe("rgb(107, 63, 160)");
    expect(within(quote).queryByTestId("media-placeholder")).toBeNull();
  });

  it("shows a picture or video status as its kind with its placeholder; mine as You", () => {
    const hash = thumbHashOf(8, 6, plain(8, 6, [40, 120, 200]));
    const { rerender } = render(
      <StatusQuoteView
        quote={{ post_id: "p2", owner_id: "me", media: "image", thumbhash: hash }}
        myId="me"
        nameOf={names}
      />,
    );
    const quote = () => screen.getByTestId("status-quote");
    expect(within(quote()).getByTestId("status-quote-owner").textContent).toBe("You · Status");
    expect(within(quote()).getByTestId("status-quote-text").textContent).toBe("Photo");
    const placeholder = within(quote()).getByTestId("media-placeholder") as HTMLCanvasElement;
    expect(placeholder.style.background).toMatch(/^rgb\(/);
    rerender(
      <StatusQuoteView
        quote={{ post_id: "p3", owner_id: "u2", media: "video", text: "Waves" }}
        myId="me"
        nameOf={names}
      />,
    );
    expect(within(quote()).getByTestId("status-quote-text").textContent).toBe("Video · Waves");
    expect(quote().getAttribute("data-kind")).toBe("video");
  });

  it("sits above the text of a reply in its bubble", () => {
    serveStatus();
    const status: StatusQuote = {
      post_id: "p1",
      owner_id: "u2",
      text: "Off to the hills",
      background: "#1f7a5c",
    };
    const local: LocalMessage = chatMessage(
      4,
      "me",
      { kind: "text", text: "Have fun!", status },
      { id: "m1" },
    );
    render(
      <MediaProvider chatId="c1" myId="me" onOpenChat={null}>
        <MessageBubble
          local={local}
          mine
          tick="read"
          quoted={undefined}
          highlighted={false}
          info={null}
          onToggleMenu={() => {}}
          onCloseInfo={() => {}}
          menu={null}
          voterName={names}
        />
      </MediaProvider>,
    );
    const bubble = screen.getByTestId("message");
    const quote = within(bubble).getByTestId("status-quote");
    expect(within(quote).getByTestId("status-quote-owner").textContent).toBe("Grace · Status");
    const text = within(bubble).getByTestId("message-text");
    expect(text.textContent).toBe("Have fun!");
    expect(quote.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
