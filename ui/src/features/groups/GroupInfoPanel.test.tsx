import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatMember, LocalChat, LocalMessage, MemberRole } from "../../api";
import { chatMessage, groupTile, readTo } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import type { GroupInfo } from "./api";
import GroupInfoPanel from "./GroupInfoPanel";
import { resetMembers } from "./hooks";

const person = (username: string, role: MemberRole): ChatMember => ({
  user_id: `id-${username}`,
  username,
  display_name: username[0]!.toUpperCase() + username.slice(1),
  photo: null,
  role,
  joined_at: 0,
});

const MEMBERS = [person("ann", "owner"), person("me", "member"), person("bob", "admin")];
const MEMBERS_WITH_ME = (role: MemberRole) =>
  MEMBERS.map((m) => (m.username === "me" ? { ...m, role } : m));

const INFO: GroupInfo = {
  chat_id: "g1",
  name: "Hikers",
  description: "Sunday walks",
  photo: null,
  created_by: "id-ann",
  created_at: 0,
  settings: {
    only_admins_send: false,
    only_admins_edit: true,
    approve_joins: false,
    only_admins_keep: false,
  },
};

const group = (my_role: MemberRole | null): LocalChat =>
  groupTile({ ...readTo(3), id: "g1", members_seq: 3, my_role });

/** The desktop side for the panel; `refuse` makes every change fail with that code. */
function serve(myRole: MemberRole | null, refuse: string | null = null, info: GroupInfo = INFO) {
  invoke.mockImplementation(async (command: string) => {
    switch (command) {
      case "group_info":
        return info;
      case "chat_photo":
        return "data:image/jpeg;base64,GROUP";
      case "report_group":
        return "r1";
      case "delete_chat":
        return null;
      case "chat_members":
        return myRole ? MEMBERS_WITH_ME(myRole) : MEMBERS.filter((m) => m.username !== "me");
      case "join_requests":
        return [];
      case "upcoming_events":
        return [PICNIC];
      case "starred_messages":
        return [{ ...PICNIC, message: { ...PICNIC.message, starred: true } }];
      case "leave_group":
      case "set_chat_timer":
        return null;
      case "group_invite":
        return { link: "gkchat://join/abc", code: "abc", svg: "<svg></svg>" };
      case "set_member_role":
      case "remove_group_member":
      case "update_group":
        if (refuse) throw { code: refuse, message: "nope" };
        return command === "update_group" ? info : null;
      case "set_group_photo":
        if (refuse) throw { code: refuse, message: "nope" };
        return { ...info, photo: "gp-new" };
      case "remove_group_photo":
        return { ...info, photo: null };
      default:
        throw new Error(command);
    }
  });
}

/** An event in the group, tomorrow, that I am going to. */
const PICNIC: LocalMessage = chatMessage(
  2,
  "id-ann",
  {
    kind: "event",
    event: { title: "Picnic", starts_at: Date.now() + 86_400_000, time_zone: "UTC" },
  },
  { id: "e1", chat_id: "g1", sent_at: 0, rsvps: [{ user_id: "id-me", rsvp: "going", at: 1 }] },
);

function Panel({
  role,
  photo = null,
  onDeleted = () => {},
  onShowMessage,
}: {
  role: MemberRole | null;
  photo?: string | null;
  onDeleted?: () => void;
  onShowMessage?: (messageId: string) => void;
}) {
  const members = role ? MEMBERS_WITH_ME(role) : MEMBERS.filter((m) => m.username !== "me");
  return (
    <GroupInfoPanel
      chat={{ ...group(role), photo }}
      myId="id-me"
      members={members}
      onClose={() => {}}
      onDeleted={onDeleted}
      onShowMessage={onShowMessage}
    />
  );
}

beforeEach(() => resetMembers());
afterEach(() => vi.restoreAllMocks());

/** jsdom decodes no images: every picked file is a 300×200 picture. */
function imagesDecode() {
  HTMLImageElement.prototype.decode = vi.fn(async () => undefined);
  vi.spyOn(HTMLImageElement.prototype, "naturalWidth", "get").mockReturnValue(300);
  vi.spyOn(HTMLImageElement.prototype, "naturalHeight", "get").mockReturnValue(200);
  URL.createObjectURL = vi.fn(() => "blob:picked");
  URL.revokeObjectURL = vi.fn();
}

async function pickPhoto() {
  const file = new File([new Uint8Array([1, 2, 3])], "group.png", { type: "image/png" });
  fireEvent.change(screen.getByTestId("group-photo-file"), { target: { files: [file] } });
  await screen.findByTestId("group-photo-crop");
}

describe("GroupInfoPanel", () => {
  it("shows name, description, size and members with their roles, me as You", async () => {
    serve("member");
    render(<Panel role="member" />);
    expect((await screen.findByTestId("group-info-description")).textContent).toBe("Sunday walks");
    expect(screen.getByTestId("group-info-name").textContent).toBe("Hikers");
    expect(screen.getByTestId("group-info-count").textContent).toBe("Group · 3 members");
    const rows = within(screen.getByTestId("group-members")).getAllByRole("listitem");
    expect(rows.map((r) => r.dataset.testid)).toEqual(["member-me", "member-ann", "member-bob"]);
    expect(screen.getByTestId("member-me").textContent).toContain("You");
    expect(within(screen.getByTestId("member-ann")).getByTestId("member-role").textContent).toBe(
      "Owner",
    );
    expect(within(screen.getByTestId("member-bob")).getByTestId("member-role").textContent).toBe(
      "Admin",
    );
  });

  it("keeps admin actions from plain members", async () => {
    serve("member");
    render(<Panel role="member" />);
    await screen.findByTestId("group-info-description");
    expect(screen.queryByTestId("member-actions-bob")).toBeNull();
    expect(screen.queryByTestId("add-members")).toBeNull();
    expect(screen.queryByTestId("group-settings")).toBeNull();
    expect(screen.queryByTestId("invite-section")).toBeNull();
    expect(screen.queryByTestId("delete-group")).toBeNull();
    // Only admins edit the info here (the group's setting).
    expect(screen.queryByTestId("edit-group-info")).toBeNull();
    // Everyone may leave, after saying so.
    fireEvent.click(screen.getByTestId("exit-group"));
    expect(invoke).not.toHaveBeenCalledWith("leave_group", expect.anything());
    fireEvent.click(screen.getByTestId("exit-group-confirm"));
    expect((await screen.findByTestId("group-info-notice")).textContent).toBe(
      "You left the group.",
    );
    expect(invoke).toHaveBeenCalledWith("leave_group", { chatId: "g1" });
  });

  it("gives admins the members' menus (not the owner's), settings and the invite link", async () => {
    serve("admin");
    render(<Panel role="admin" />);
    await screen.findByTestId("group-info-description");
    expect(screen.queryByTestId("member-actions-ann")).toBeNull();
    expect(screen.queryByTestId("member-actions-me")).toBeNull();
    fireEvent.click(screen.getByTestId("member-actions-bob"));
    expect(screen.queryByTestId("make-admin")).toBeNull();
    fireEvent.click(screen.getByTestId("dismiss-admin"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_member_role", {
        chatId: "g1",
        userId: "id-bob",
        role: "member",
      }),
    );
    expect((await screen.findByTestId("group-info-notice")).textContent).toBe(
      "Bob is no longer an admin.",
    );
    expect(screen.getByTestId("edit-group-info")).toBeTruthy();
    expect(screen.getByTestId("add-members")).toBeTruthy();
    expect(screen.queryByTestId("delete-group")).toBeNull();

    fireEvent.click(screen.getByTestId("group-setting-only_admins_send"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("update_group", {
        chatId: "g1",
        update: { only_admins_send: true },
      }),
    );

    fireEvent.click(screen.getByTestId("show-invite"));
    expect((await screen.findByTestId("invite-link")).textContent).toBe("gkchat://join/abc");
    expect(screen.getByTestId("invite-qr").querySelector("img")?.getAttribute("src")).toBe(
      `data:image/svg+xml;utf8,${encodeURIComponent("<svg></svg>")}`,
    );
  });

  it("lets the owner make admins, remove members and delete the group", async () => {
    serve("owner");
    const members = MEMBERS_WITH_ME("owner").map((m) =>
      m.username === "ann" ? { ...m, role: "member" as const } : m,
    );
    render(
      <GroupInfoPanel
        chat={group("owner")}
        myId="id-me"
        members={members}
        onClose={() => {}}
        onDeleted={() => {}}
      />,
    );
    await screen.findByTestId("group-info-description");
    fireEvent.click(screen.getByTestId("member-actions-ann"));
    fireEvent.click(screen.getByTestId("make-admin"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_member_role", {
        chatId: "g1",
        userId: "id-ann",
        role: "admin",
      }),
    );
    fireEvent.click(screen.getByTestId("member-actions-bob"));
    fireEvent.click(screen.getByTestId("remove-member"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("remove_group_member", {
        chatId: "g1",
        userId: "id-bob",
      }),
    );
    expect(screen.getByTestId("delete-group").textContent).toBe("Delete group for everyone");
  });

  it("shows the server's admins_only refusal in words", async () => {
    serve("admin", "admins_only");
    render(<Panel role="admin" />);
    await screen.findByTestId("group-info-description");
    fireEvent.click(screen.getByTestId("member-actions-bob"));
    fireEvent.click(screen.getByTestId("remove-member"));
    expect((await screen.findByTestId("group-info-error")).textContent).toBe(
      "Only admins can do that",
    );
  });

  it("says when I am no longer a member, without actions", async () => {
    serve("member");
    render(<Panel role={null} />);
    expect(screen.getByTestId("group-info-not-member").textContent).toBe(
      "You're no longer a member of this group",
    );
    expect(screen.queryByTestId("exit-group")).toBeNull();
    expect(invoke).not.toHaveBeenCalledWith("group_info", expect.anything());
  });

  it("shows the group's photo, fetched as the group's", async () => {
    serve("member", null, { ...INFO, photo: "gp-shown" });
    render(<Panel role="member" photo="gp-shown" />);
    const photo = await screen.findByTestId("avatar-photo");
    expect(photo.getAttribute("src")).toBe("data:image/jpeg;base64,GROUP");
    expect(invoke).toHaveBeenCalledWith("chat_photo", { chatId: "g1", size: "full" });
    expect(invoke).not.toHaveBeenCalledWith("user_photo", expect.anything());
  });

  it("lets admins set the group photo with the square chosen, and remove it", async () => {
    imagesDecode();
    serve("admin");
    render(<Panel role="admin" />);
    await screen.findByTestId("group-info-description");
    await pickPhoto();
    fireEvent.change(screen.getByTestId("group-photo-zoom"), { target: { value: "2" } });
    fireEvent.click(screen.getByTestId("group-photo-save"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_group_photo", new Uint8Array([1, 2, 3]), {
        headers: { "x-chat-id": "g1", "x-crop": "100,50,100" },
      }),
    );
    // The answer's photo shows, fetched as the group's.
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("chat_photo", { chatId: "g1", size: "full" }),
    );
    await screen.findByTestId("avatar-photo");
    expect(screen.queryByTestId("group-photo-crop")).toBeNull();
    fireEvent.click(screen.getByTestId("group-photo-remove"));
    await waitFor(() => expect(screen.queryByTestId("avatar-photo")).toBeNull());
    expect(invoke).toHaveBeenCalledWith("remove_group_photo", { chatId: "g1" });
  });

  it("shows the server's refusal of a photo in words", async () => {
    imagesDecode();
    serve("admin", "admins_only");
    render(<Panel role="admin" />);
    await screen.findByTestId("group-info-description");
    await pickPhoto();
    fireEvent.click(screen.getByTestId("group-photo-save"));
    expect((await screen.findByTestId("group-photo-error")).textContent).toBe(
      "Only admins can do that",
    );
  });

  it("lets members change the photo only when the group lets everyone edit its info", async () => {
    serve("member");
    const { unmount } = render(<Panel role="member" />);
    await screen.findByTestId("group-info-description");
    expect(screen.queryByTestId("group-photo-file")).toBeNull();
    unmount();
    serve("member", null, { ...INFO, settings: { ...INFO.settings, only_admins_edit: false } });
    render(<Panel role="member" />);
    expect(await screen.findByTestId("group-photo-file")).toBeTruthy();
    expect(screen.getByTestId("edit-group-info")).toBeTruthy();
  });

  it("reports the group with its last messages and exits it, then shows I left", async () => {
    serve("member");
    render(<Panel role="member" />);
    await screen.findByTestId("group-info-description");
    fireEvent.click(screen.getByTestId("report-group"));
    expect(screen.getByTestId<HTMLInputElement>("report-group-exit").checked).toBe(true);
    expect(screen.getByTestId<HTMLInputElement>("report-group-include-messages").checked).toBe(
      false,
    );
    fireEvent.change(screen.getByTestId("report-group-reason"), { target: { value: "spam" } });
    fireEvent.click(screen.getByTestId("report-group-include-messages"));
    fireEvent.click(screen.getByTestId("report-group-submit"));
    expect((await screen.findByTestId("group-info-notice")).textContent).toBe(
      "Thanks — the report was sent. You left the group.",
    );
    expect(invoke).toHaveBeenCalledWith("report_group", {
      chatId: "g1",
      reason: "spam",
      includeMessages: true,
      leave: true,
    });
    expect(screen.getByTestId("group-info-not-member")).toBeTruthy();
    expect(screen.queryByTestId("exit-group")).toBeNull();
    expect(screen.getByTestId("delete-group-for-me")).toBeTruthy();
  });

  it("reports a group I already left without offering to exit it", async () => {
    serve(null);
    render(<Panel role={null} />);
    fireEvent.click(screen.getByTestId("report-group"));
    expect(screen.queryByTestId("report-group-exit")).toBeNull();
    fireEvent.change(screen.getByTestId("report-group-reason"), { target: { value: "scam" } });
    fireEvent.click(screen.getByTestId("report-group-submit"));
    expect((await screen.findByTestId("group-info-notice")).textContent).toBe(
      "Thanks — the report was sent.",
    );
    expect(invoke).toHaveBeenCalledWith("report_group", {
      chatId: "g1",
      reason: "scam",
      includeMessages: false,
      leave: false,
    });
  });

  it("exits and deletes the group for me after asking, and closes it", async () => {
    serve("member");
    const onDeleted = vi.fn();
    render(<Panel role="member" onDeleted={onDeleted} />);
    await screen.findByTestId("group-info-description");
    fireEvent.click(screen.getByTestId("exit-and-delete"));
    expect(invoke).not.toHaveBeenCalledWith("delete_chat", expect.anything());
    fireEvent.click(screen.getByTestId("exit-and-delete-confirm"));
    await waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("delete_chat", { chatId: "g1" });
    expect(invoke).not.toHaveBeenCalledWith("leave_group", expect.anything());
  });

  it("deletes a group I left for me only, worded apart from the owner's delete for everyone", async () => {
    serve(null);
    const onDeleted = vi.fn();
    render(<Panel role={null} onDeleted={onDeleted} />);
    expect(screen.queryByTestId("delete-group")).toBeNull();
    expect(screen.getByTestId("delete-group-for-me").textContent).toBe("Delete group");
    fireEvent.click(screen.getByTestId("delete-group-for-me"));
    fireEvent.click(screen.getByTestId("delete-group-for-me-confirm"));
    await waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("delete_chat", { chatId: "g1" });
    expect(invoke).not.toHaveBeenCalledWith("delete_group", expect.anything());
  });

  it("lists the group's upcoming events with my answer; a click shows one", async () => {
    serve("member");
    const onShowMessage = vi.fn();
    render(<Panel role="member" onShowMessage={onShowMessage} />);
    const section = screen.getByTestId("upcoming-events");
    const row = await within(section).findByTestId("upcoming-event");
    expect(row.textContent).toContain("Picnic");
    expect(within(row).getByTestId("upcoming-event-answer").textContent).toBe("Going");
    fireEvent.click(row);
    expect(onShowMessage).toHaveBeenCalledWith("e1");
  });

  it("lists my starred messages in the group, by its id, with who sent them; a click shows one", async () => {
    serve("member");
    const onShowMessage = vi.fn();
    render(<Panel role="member" onShowMessage={onShowMessage} />);
    const section = screen.getByTestId("chat-starred");
    const row = await within(section).findByTestId("chat-starred-row");
    expect(invoke).toHaveBeenCalledWith("starred_messages", { chatId: "g1" });
    expect(row.getAttribute("data-message-id")).toBe("e1");
    expect(within(row).getByTestId("starred-preview").textContent).toBe("📅 Event: Picnic");
    await waitFor(() => expect(within(row).getByTestId("starred-sender").textContent).toBe("Ann"));
    fireEvent.click(row);
    expect(onShowMessage).toHaveBeenCalledWith("e1");
  });

  it("lets admins say only admins keep messages", async () => {
    serve("admin");
    render(<Panel role="admin" />);
    await screen.findByTestId("group-info-description");
    const keep = screen.getByTestId("setting-only-admins-keep") as HTMLInputElement;
    expect(keep.checked).toBe(false);
    expect(keep.closest("label")!.textContent).toContain("Only admins can keep messages");
    fireEvent.click(keep);
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("update_group", {
        chatId: "g1",
        update: { only_admins_keep: true },
      }),
    );
  });

  it("shows the group's timer; whoever may edit the info changes it", async () => {
    serve("admin");
    render(
      <GroupInfoPanel
        chat={{ ...group("admin"), disappear_after_ms: 604_800_000 }}
        myId="id-me"
        members={MEMBERS_WITH_ME("admin")}
        onClose={() => {}}
        onDeleted={() => {}}
      />,
    );
    await screen.findByTestId("group-info-description");
    expect(screen.getByTestId("group-disappearing-value").textContent).toBe("7 days");
    fireEvent.click(screen.getByTestId("group-disappearing-change"));
    expect((screen.getByTestId("timer-option-7d") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId("timer-option-off"));
    fireEvent.click(screen.getByTestId("timer-save"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_chat_timer", { chatId: "g1", afterMs: null }),
    );
    await waitFor(() => expect(screen.queryByTestId("timer-dialog")).toBeNull());
  });

  it("keeps the timer from plain members while only admins edit the info", async () => {
    serve("member");
    render(<Panel role="member" />);
    await screen.findByTestId("group-info-description");
    expect(screen.getByTestId("group-disappearing-value").textContent).toBe("Off");
    expect((screen.getByTestId("group-disappearing-change") as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(screen.getByTestId("group-disappearing-admins-only").textContent).toBe(
      "Only admins can change this",
    );
    expect(screen.queryByTestId("setting-only-admins-keep")).toBeNull();
  });

  it("lets plain members change the timer when all members edit the info", async () => {
    serve("member", null, {
      ...INFO,
      settings: { ...INFO.settings, only_admins_edit: false },
    });
    render(<Panel role="member" />);
    await waitFor(() =>
      expect((screen.getByTestId("group-disappearing-change") as HTMLButtonElement).disabled).toBe(
        false,
      ),
    );
    expect(screen.queryByTestId("group-disappearing-admins-only")).toBeNull();
  });
});
