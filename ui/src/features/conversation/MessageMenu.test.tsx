import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { LocalMessage } from "../../api";
import { chatMessage } from "../../test-fixtures";
import MessageMenu from "./MessageMenu";

type Content = LocalMessage["message"]["content"];

/** A message of Grace's in chat c1 with this content. */
function message(content: Content, status: LocalMessage["status"] = { state: "sent" }) {
  return {
    ...chatMessage(status.state === "sent" ? 4 : 0, "u2", content, {
      id: "m1",
      updated_seq: 4,
      deleted_at: content === null ? Date.now() : null,
    }),
    status,
  } satisfies LocalMessage;
}

/** Whether the menu of this message offers Forward. */
function offersForward(local: LocalMessage): boolean {
  const none = () => {};
  const { unmount } = render(
    <MessageMenu
      local={local}
      myId="me"
      now={Date.now()}
      onAct={none}
      onReply={none}
      onForward={none}
      onEdit={none}
      onInfo={none}
      onClose={none}
    />,
  );
  const offered = screen.queryByTestId("message-forward") !== null;
  unmount();
  return offered;
}

const event = { title: "Picnic", starts_at: Date.now() + 86_400_000, time_zone: "UTC" };
const poll = { question: "Lunch?", options: ["Pizza", "Sushi"], multiple: false, anonymous: false };

describe("a message's Forward", () => {
  it("is offered for a sent message, an event and a poll still open", () => {
    expect(offersForward(message({ kind: "text", text: "hi" }))).toBe(true);
    expect(offersForward(message({ kind: "event", event }))).toBe(true);
    expect(offersForward(message({ kind: "poll", poll }))).toBe(true);
  });

  it("is not offered for a cancelled event or a closed poll (the app refuses them)", () => {
    expect(offersForward(message({ kind: "event", event: { ...event, cancelled_at: 5 } }))).toBe(
      false,
    );
    expect(offersForward(message({ kind: "poll", poll: { ...poll, closed_at: 5 } }))).toBe(false);
  });

  it("is not offered for a deleted message or one not sent yet", () => {
    expect(offersForward(message(null))).toBe(false);
    expect(offersForward(message({ kind: "text", text: "hi" }, { state: "pending" }))).toBe(false);
  });
});

/** The menu of this message, with `onAct` watched. */
function menuOf(local: LocalMessage, canKeep?: boolean) {
  const none = () => {};
  const onAct = vi.fn();
  const view = render(
    <MessageMenu
      local={local}
      myId="me"
      now={Date.now()}
      canKeep={canKeep}
      onAct={onAct}
      onReply={none}
      onForward={none}
      onEdit={none}
      onInfo={none}
      onClose={none}
    />,
  );
  return { onAct, ...view };
}

describe("a message's Star", () => {
  it("stars a message not starred yet", () => {
    const { onAct } = menuOf(message({ kind: "text", text: "hi" }));
    const star = screen.getByTestId("message-star");
    expect(star.textContent).toBe("Star");
    fireEvent.click(star);
    expect(onAct).toHaveBeenCalledWith({ action: "star", starred: true });
  });

  it("takes the star off a starred one", () => {
    const starred: LocalMessage = message({ kind: "poll", poll });
    starred.message.starred = true;
    const { onAct } = menuOf(starred);
    const unstar = screen.getByTestId("message-star");
    expect(unstar.textContent).toBe("Unstar");
    fireEvent.click(unstar);
    expect(onAct).toHaveBeenCalledWith({ action: "star", starred: false });
  });

  it("is not offered for a deleted message or a group's happening", () => {
    const { unmount } = menuOf(message(null));
    expect(screen.queryByTestId("message-star")).toBeNull();
    unmount();
    menuOf(message({ kind: "system", event: { event: "left" } }));
    expect(screen.queryByTestId("message-star")).toBeNull();
  });
});

describe("a message's Keep", () => {
  /** A message of Grace's with a timer. */
  const timed = (over: Partial<LocalMessage["message"]> = {}): LocalMessage => {
    const local = message({ kind: "text", text: "hi" });
    return { ...local, message: { ...local.message, expires_at: Date.now() + 1000, ...over } };
  };

  it("keeps a message that is to disappear, and lets a kept one go", () => {
    const { onAct, unmount } = menuOf(timed());
    expect(screen.getByTestId("menu-keep").textContent).toBe("Keep");
    fireEvent.click(screen.getByTestId("menu-keep"));
    expect(onAct).toHaveBeenCalledWith({ action: "keep", kept: true });
    unmount();
    const kept = menuOf(timed({ kept: true }));
    expect(screen.getByTestId("menu-keep").textContent).toBe("Unkeep");
    fireEvent.click(screen.getByTestId("menu-keep"));
    expect(kept.onAct).toHaveBeenCalledWith({ action: "keep", kept: false });
  });

  it("is not offered for a message without a timer, a deleted or expired one", () => {
    const { unmount } = menuOf(message({ kind: "text", text: "hi" }));
    expect(screen.queryByTestId("menu-keep")).toBeNull();
    unmount();
    const deleted = message(null);
    const second = menuOf({
      ...deleted,
      message: { ...deleted.message, expires_at: Date.now() + 1000 },
    });
    expect(screen.queryByTestId("menu-keep")).toBeNull();
    second.unmount();
    menuOf(timed({ expired: true }));
    expect(screen.queryByTestId("menu-keep")).toBeNull();
  });

  it("is not offered where I may not keep messages", () => {
    menuOf(timed(), false);
    expect(screen.getByTestId("message-star")).toBeTruthy();
    expect(screen.queryByTestId("menu-keep")).toBeNull();
  });
});
