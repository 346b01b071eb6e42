// The groups' commands: making and joining groups, their info, photo, settings and members,
// invite links and requests to join, reports, groups in common, and who may add me to groups.
import { call, type ChatMember, type ChatSummary, type PhotoCrop, type PhotoSize } from "../../api";
import type { GroupInfo } from "../../bindings/GroupInfo";
import type { GroupInfoUpdate } from "../../bindings/GroupInfoUpdate";
import type { InviteCode } from "../../bindings/InviteCode";
import type { InvitePreview } from "../../bindings/InvitePreview";
import type { JoinOutcome } from "../../bindings/JoinOutcome";
import type { JoinRequest } from "../../bindings/JoinRequest";
import type { MembersAdded } from "../../bindings/MembersAdded";
import type { AddRefusal } from "../../bindings/AddRefusal";
import type { GroupSettings } from "../../bindings/GroupSettings";
import type { SystemEvent } from "../../bindings/SystemEvent";
import type { GroupAdd } from "../../bindings/GroupAdd";

export type {
  AddRefusal,
  GroupAdd,
  GroupInfo,
  GroupInfoUpdate,
  GroupSettings,
  InviteCode,
  InvitePreview,
  JoinOutcome,
  JoinRequest,
  MembersAdded,
  SystemEvent,
};

/** Mirrors proto's `INVITE_LINK_PREFIX` form of `InviteLink::for_code`. */
export const JOIN_LINK_PREFIX = "gkchat://join/";

/** The code in a `gkchat://join/<code>` link (or a bare code); mirrors proto's
 * `InviteLink::code_of`. */
export function inviteCode(link: string): string {
  const text = link.trim();
  const code = text.startsWith(JOIN_LINK_PREFIX) ? text.slice(JOIN_LINK_PREFIX.length) : text;
  return code.replace(/\/+$/, "");
}

/** Mirrors proto's `GroupSettings::new_group`: what a group starts with. */
export const NEW_GROUP_SETTINGS: GroupSettings = {
  only_admins_send: false,
  only_admins_edit: true,
  approve_joins: false,
  only_admins_keep: false,
};

export const groupsApi = {
  /** Makes a group with the members who may be added; its tile and members are on this
   * device when it returns, and `refused` names who could not be added and why. */
  createGroup: (name: string, description: string, memberIds: string[]) =>
    call<MembersAdded>("create_group", { name, description, memberIds }),
  groupInfo: (chatId: string) => call<GroupInfo>("group_info", { chatId }),
  /** Name, description, settings (admins; the info by anyone unless only admins may edit). */
  updateGroup: (chatId: string, update: GroupInfoUpdate) =>
    call<GroupInfo>("update_group", { chatId, update }),
  /** Sends the image file's bytes as they are (raw IPC), as `api.setPhoto` does; the server
   * crops and scales. Admins, or anyone while the group lets all members edit its info. */
  setGroupPhoto: (chatId: string, image: Uint8Array, crop: PhotoCrop | null) =>
    call<GroupInfo>("set_group_photo", image, {
      headers: {
        "x-chat-id": chatId,
        ...(crop ? { "x-crop": `${crop.x},${crop.y},${crop.size}` } : {}),
      },
    }),
  removeGroupPhoto: (chatId: string) => call<GroupInfo>("remove_group_photo", { chatId }),
  /** A group's image as a `data:` URL (for its members), or null when it has none. */
  chatPhoto: (chatId: string, size: PhotoSize) =>
    call<string | null>("chat_photo", { chatId, size }),
  /** The image an invite shows before joining (`code`: see `inviteCode`), or null. */
  invitePhoto: (code: string, size: PhotoSize) =>
    call<string | null>("invite_photo", { code, size }),
  /** A chat's members from this device's store (synced by itself). */
  chatMembers: (chatId: string) => call<ChatMember[]>("chat_members", { chatId }),
  /** Those who left a chat or were removed, from this device's store (for their names). */
  formerMembers: (chatId: string) => call<ChatMember[]>("former_members", { chatId }),
  /** A group's members fresh from the server. */
  groupMembers: (chatId: string) => call<ChatMember[]>("group_members", { chatId }),
  addMembers: (chatId: string, userIds: string[]) =>
    call<MembersAdded>("add_group_members", { chatId, userIds }),
  removeMember: (chatId: string, userId: string) =>
    call<void>("remove_group_member", { chatId, userId }),
  setRole: (chatId: string, userId: string, role: "admin" | "member") =>
    call<void>("set_member_role", { chatId, userId, role }),
  leave: (chatId: string) => call<void>("leave_group", { chatId }),
  /** The owner only: everyone is out, each keeping what they had. */
  deleteGroup: (chatId: string) => call<void>("delete_group", { chatId }),
  /** The invite link (made if there is none) and its QR code (admins). */
  invite: (chatId: string) => call<InviteCode>("group_invite", { chatId }),
  /** A new link: the old one no longer joins. */
  resetInvite: (chatId: string) => call<InviteCode>("reset_group_invite", { chatId }),
  revokeInvite: (chatId: string) => call<void>("revoke_group_invite", { chatId }),
  /** What a `gkchat://join/…` link shows before joining. */
  invitePreview: (link: string) => call<InvitePreview>("invite_preview", { link }),
  /** Joins (the group is on this device when it returns), or asks an admin to let me in. */
  joinGroup: (link: string) => call<JoinOutcome>("join_group", { link }),
  joinRequests: (chatId: string) => call<JoinRequest[]>("join_requests", { chatId }),
  decideJoinRequest: (chatId: string, userId: string, approve: boolean) =>
    call<void>("decide_join_request", { chatId, userId, approve }),
  /** Reports a group to the server's operator (also after I left it); `includeMessages`
   * attaches its last messages, `leave` exits it too. The report's id. */
  reportGroup: (chatId: string, reason: string, includeMessages: boolean, leave: boolean) =>
    call<string>("report_group", { chatId, reason, includeMessages, leave }),
  groupsInCommon: (userId: string) => call<ChatSummary[]>("groups_in_common", { userId }),
  /** The contacts who may not add me to groups ("my contacts except …"). */
  groupAddExceptions: () => call<string[]>("group_add_exceptions"),
  setGroupAddExceptions: (userIds: string[]) =>
    call<string[]>("set_group_add_exceptions", { userIds }),
};
