import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ChatSummary } from "../../api";
import { invoke } from "../../test-ipc";
import type { InvitePreview, JoinOutcome } from "./api";
import JoinDialog from "./JoinDialog";

const LINK = "gkchat://join/abc";

const PREVIEW: InvitePreview = {
  name: "Hikers",
  description: "Sunday walks",
  photo: null,
  member_count: 12,
  approval_needed: false,
  member: false,
  requested: false,
};

function serve(preview: InvitePreview | { code: string; message: string }, outcome?: JoinOutcome) {
  invoke.mockImplementation(async (command: string) => {
    if (command === "invite_preview") {
      if ("code" in preview) throw preview;
      return preview;
    }
    if (command === "join_group") return outcome;
    throw new Error(command);
  });
}

describe("JoinDialog", () => {
  it("shows what the link leads to, joins and opens the group", async () => {
    serve(PREVIEW, { outcome: "joined", chat: { id: "g-hikers" } as ChatSummary });
    const onJoined = vi.fn();
    render(<JoinDialog link={LINK} onJoined={onJoined} onClose={() => {}} />);
    expect((await screen.findByTestId("join-group-name")).textContent).toBe("Hikers");
    expect(screen.getByTestId("join-member-count").textContent).toBe("Group · 12 members");
    expect(screen.getByTestId("join-group-description").textContent).toBe("Sunday walks");
    expect(screen.queryByTestId("join-approval")).toBeNull();
    expect(invoke).toHaveBeenCalledWith("invite_preview", { link: LINK });
    fireEvent.click(screen.getByTestId("join-group"));
    await waitFor(() => expect(onJoined).toHaveBeenCalledWith("g-hikers"));
    expect(invoke).toHaveBeenCalledWith("join_group", { link: LINK });
  });

  it("asks to join when an admin must approve, and says the request was sent", async () => {
    serve({ ...PREVIEW, approval_needed: true }, { outcome: "requested" });
    const onJoined = vi.fn();
    render(<JoinDialog link={LINK} onJoined={onJoined} onClose={() => {}} />);
    expect((await screen.findByTestId("join-approval")).textContent).toBe(
      "An admin must approve your request to join.",
    );
    fireEvent.click(screen.getByTestId("join-group"));
    expect((await screen.findByTestId("join-requested")).textContent).toMatch(/^Request sent/);
    expect(screen.queryByTestId("join-group")).toBeNull();
    expect(onJoined).not.toHaveBeenCalled();
  });

  it("says a reset or revoked link in words, and cancels", async () => {
    serve({ code: "invite_invalid", message: "no such invite" });
    const onClose = vi.fn();
    render(<JoinDialog link={LINK} onJoined={() => {}} onClose={onClose} />);
    expect((await screen.findByTestId("join-error")).textContent).toBe(
      "This invite link was reset or revoked",
    );
    expect(screen.queryByTestId("join-group")).toBeNull();
    fireEvent.click(screen.getByTestId("join-cancel"));
    expect(onClose).toHaveBeenCalled();
  });

  it("shows the invite's photo, fetched by the link's code", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "invite_preview") return { ...PREVIEW, photo: "gp-invite" };
      if (command === "invite_photo") return "data:image/jpeg;base64,INVITE";
      throw new Error(command);
    });
    render(<JoinDialog link={` ${LINK}/ `} onJoined={() => {}} onClose={() => {}} />);
    const photo = await screen.findByTestId("avatar-photo");
    expect(photo.getAttribute("src")).toBe("data:image/jpeg;base64,INVITE");
    expect(invoke).toHaveBeenCalledWith("invite_photo", { code: "abc", size: "full" });
  });
});
