import { act, fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { QuickEvent } from "../api";
import { invoke } from "../test-ipc";
import QuickChat from "./QuickChat";

const LINK = "http://127.0.0.1:8787/q/ab12/cd34";

describe("QuickChat", () => {
  let push: (event: QuickEvent) => void = () => {};

  beforeEach(() => {
    invoke.mockImplementation(async (command: string, args?: Record<string, unknown>) => {
      switch (command) {
        case "quick_create":
          return {
            idle_secs: 1800,
            invites: [
              {
                name: "Ada",
                code: "ABCD2345",
                web_link: LINK,
                app_link: "gkchat://quick/ab12/cd34",
                qr_svg: "<svg/>",
              },
              {
                name: "Grace",
                code: "WXYZ6789",
                web_link: `${LINK}0`,
                app_link: "gkchat://quick/x",
                qr_svg: "<svg/>",
              },
            ],
          };
        case "quick_open":
          if (args?.link === "nonsense")
            throw { code: "invalid_url", message: '"nonsense" is not a quick chat link' };
          return { link: LINK, name: "Grace", other_name: "Ada", resume: false };
        case "quick_join":
          if (args?.code !== "WXYZ6789")
            throw { code: "invalid_code", message: "the name or the code is wrong; 4 tries left" };
          return;
        case "quick_enter": {
          const channel = args?.onEvent as { onmessage: (event: QuickEvent) => void };
          push = (event) => channel.onmessage(event);
          return;
        }
        case "quick_say":
        case "quick_end":
        case "quick_leave":
          return;
      }
      throw new Error(`unexpected ${command}`);
    });
  });

  it("starts a chat and shows both links, QR codes and codes once", async () => {
    render(<QuickChat initialLink={null} onClose={() => {}} />);
    fireEvent.change(screen.getByTestId("quick-name-0"), { target: { value: "Ada" } });
    fireEvent.change(screen.getByTestId("quick-name-1"), { target: { value: "Grace" } });
    fireEvent.click(screen.getByTestId("quick-create"));
    expect((await screen.findByTestId("quick-code-1")).textContent).toBe("WXYZ6789");
    expect(screen.getByTestId("quick-link-0").textContent).toBe(LINK);
    expect(screen.getAllByAltText(/QR code of/)).toHaveLength(2);
    expect(invoke).toHaveBeenCalledWith("quick_create", { names: ["Ada", "Grace"] });
  });

  it("opens a link, says a wrong code in words, then chats until the other side ends it", async () => {
    render(<QuickChat initialLink="gkchat://quick/ab12/cd34?server=x" onClose={() => {}} />);
    expect((await screen.findByTestId("quick-hello")).textContent).toBe("Hello Grace");
    fireEvent.change(screen.getByTestId("quick-join-name"), { target: { value: "grace" } });
    fireEvent.change(screen.getByTestId("quick-join-code"), { target: { value: "nope" } });
    fireEvent.click(screen.getByTestId("quick-join"));
    expect((await screen.findByTestId("quick-error")).textContent).toBe(
      "the name or the code is wrong; 4 tries left (invalid_code)",
    );
    fireEvent.change(screen.getByTestId("quick-join-code"), { target: { value: "WXYZ6789" } });
    fireEvent.click(screen.getByTestId("quick-join"));
    await screen.findByTestId("quick-timeline");
    await vi.waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("quick_enter", expect.objectContaining({ link: LINK })),
    );

    act(() =>
      push({
        type: "frame",
        frame: {
          type: "joined",
          me: 1,
          names: ["Ada", "Grace"],
          other_here: true,
          messages: [{ seq: 1, from: 0, text: "hi Grace", at: 0 }],
        },
      }),
    );
    expect(screen.getByTestId("quick-chat-with").textContent).toBe("Ada");
    expect(screen.getByTestId("quick-other-status").textContent).toBe("is here");
    expect(screen.getByTestId("quick-timeline").textContent).toContain("hi Grace");

    fireEvent.change(screen.getByTestId("quick-say"), { target: { value: "hi Ada" } });
    fireEvent.keyDown(screen.getByTestId("quick-say"), { key: "Enter" });
    await vi.waitFor(() => expect(invoke).toHaveBeenCalledWith("quick_say", { text: "hi Ada" }));
    act(() =>
      push({ type: "frame", frame: { type: "message", seq: 2, from: 1, text: "hi Ada", at: 0 } }),
    );
    act(() => push({ type: "frame", frame: { type: "presence", other_here: false } }));
    expect(screen.getByTestId("quick-other-status").textContent).toBe("is away");
    expect(screen.getAllByTestId("quick-message")).toHaveLength(2);

    act(() => push({ type: "frame", frame: { type: "ended", reason: "the chat was ended" } }));
    expect(screen.getByTestId("quick-ended").textContent).toBe("This chat has ended.");
  });

  it("says when a pasted link is not a quick chat link", async () => {
    render(<QuickChat initialLink={null} onClose={() => {}} />);
    fireEvent.change(screen.getByTestId("quick-link"), { target: { value: "nonsense" } });
    fireEvent.click(screen.getByTestId("quick-open"));
    expect((await screen.findByTestId("quick-error")).textContent).toBe(
      '"nonsense" is not a quick chat link (invalid_url)',
    );
  });
});
