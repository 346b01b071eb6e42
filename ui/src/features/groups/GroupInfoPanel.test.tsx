import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { ChatMember, LocalChat, MemberRole } from "../../api";
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
  settings: { only_admins_send: false, only_admins_edit: true, approve_joins: false },
};

const group = (my_role: MemberRole | null): LocalChat => ({
  id: "g1",
  kind: "group",
  title: "Hikers",
  photo: null,
  member_count: 3,
  my_role,
  only_admins_send: false,
  members_seq: 3,
  other_member: null,
  last_seq: 3,
  last_message: null,
  unread: 0,
  last_activity_at: 0,
  my_delivered_seq: 3,
  my_read_seq: 3,
  delivered_to_all_seq: 3,
  read_by_all_seq: 3,
  pinned_at: null,
  archived: false,
  muted_until: null,
});

/** The desktop side for the panel; `refuse` makes every change fail with that code. */
function serve(myRole: MemberRole, refuse: string | null = null) {
  invoke.mockImplementation(async (command: string) => {
    switch (command) {
      case "group_info":
        return INFO;
      case "chat_members":
        return MEMBERS_WITH_ME(myRole);
      case "join_requests":
        return [];
      case "leave_group":
        return null;
      case "group_invite":
        return { link: "gkchat://join/abc", code: "abc", svg: "<svg></svg>" };
      case "set_member_role":
      case "remove_group_member":
      case "update_group":
        if (refuse) throw { code: refuse, message: "nope" };
        return command === "update_group" ? INFO : null;
      default:
        throw new Error(command);
    }
  });
}

function Panel({ role }: { role: MemberRole | null }) {
  const members = role ? MEMBERS_WITH_ME(role) : MEMBERS.filter((m) => m.username !== "me");
  return <GroupInfoPanel chat={group(role)} myId="id-me" members={members} onClose={() => {}} />;
}

beforeEach(() => resetMembers());

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
      <GroupInfoPanel chat={group("owner")} myId="id-me" members={members} onClose={() => {}} />,
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
    expect(screen.getByTestId("delete-group")).toBeTruthy();
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
});
