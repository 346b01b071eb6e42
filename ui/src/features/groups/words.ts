// How group happenings read in words: system messages, who is typing, who could not be added,
// and the server's refusals. The server sends structured events; the words are the client's.
import { ApiError, describeError, type MemberRole } from "../../api";
import type { EventField } from "../../bindings/EventField";
import { durationWords } from "../disappearing/words";
import type { AddRefusal, GroupSettings, SystemEvent } from "./api";

/** A person's display name by user id; nothing when this device does not know them. */
export type NameOf = (userId: string) => string | null | undefined;

/** "Bob", "Bob and Cal", "Bob, Cal and Dan", "Bob, Cal, Dan and 3 others". */
export function listWords(names: string[], most = 4): string {
  if (names.length <= 1) return names[0] ?? "";
  if (names.length > most + 1) {
    const others = names.length - most;
    return `${names.slice(0, most).join(", ")} and ${others} others`;
  }
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** One setting as it now stands, in words. */
function settingWords(key: keyof GroupSettings, on: boolean): string {
  switch (key) {
    case "only_admins_send":
      return on ? "only admins can send messages" : "all members can send messages";
    case "only_admins_edit":
      return on ? "only admins can edit the group info" : "all members can edit the group info";
    case "approve_joins":
      return on ? "admins must approve new members" : "new members can join without approval";
    case "only_admins_keep":
      return on ? "only admins can keep messages" : "all members can keep messages";
  }
}

const SETTING_KEYS: (keyof GroupSettings)[] = [
  "only_admins_send",
  "only_admins_edit",
  "approve_joins",
  "only_admins_keep",
];

/**
 * The settings after a change, in words: what changed when the settings before are known, else
 * how all of them stand.
 */
export function settingsWords(settings: GroupSettings, before?: GroupSettings | null): string {
  const keys = before ? SETTING_KEYS.filter((key) => settings[key] !== before[key]) : SETTING_KEYS;
  return (keys.length > 0 ? keys : SETTING_KEYS)
    .map((key) => settingWords(key, settings[key]))
    .join("; ");
}

/** What a change to an event changed, in words (as the timeline names it). */
const EVENT_FIELD_WORDS: Record<EventField, string> = {
  title: "title",
  description: "description",
  time: "time",
  place: "place",
  call_link: "call link",
};

/** "time, place": the fields a change to an event changed, in the order they were listed. */
export function eventChangesWords(changes: EventField[]): string {
  return changes.map((field) => EVENT_FIELD_WORDS[field]).join(", ");
}

/**
 * A group's system message in the client's words. `actorId` is the message's sender; `before`,
 * when known, the settings before a settings change (so only what changed is named);
 * `timerBefore`, when known, the timer before a timer change (`null`: it was off; `undefined`:
 * not known, and the words do not guess).
 */
export function systemText(
  event: SystemEvent,
  actorId: string,
  myId: string,
  nameOf: NameOf,
  before?: GroupSettings | null,
  timerBefore?: number | null,
): string {
  /** Someone as the subject: "You", "Ann", "Someone". */
  const subject = (id: string) => (id === myId ? "You" : (nameOf(id) ?? "Someone"));
  /** Someone as the object: "you", "Ann", "someone". */
  const object = (id: string) => (id === myId ? "you" : (nameOf(id) ?? "someone"));
  const actor = subject(actorId);
  switch (event.event) {
    case "created":
      return `${actor} created the group “${event.name}”`;
    case "added": {
      // "you" first, then the others as they were added.
      const ids = [...event.user_ids].sort((a, b) => Number(b === myId) - Number(a === myId));
      return `${actor} added ${listWords(ids.map(object))}`;
    }
    case "removed":
      return `${actor} removed ${object(event.user_id)}`;
    case "left":
      return `${actor} left`;
    case "joined_by_link":
      return `${actor} joined using the invite link`;
    case "join_approved":
      return event.user_id === myId
        ? `${actor} approved your request to join`
        : `${actor} approved ${object(event.user_id)}'s request to join`;
    case "name_changed":
      return `${actor} changed the group name to “${event.name}”`;
    case "photo_changed":
      return event.removed
        ? `${actor} removed the group photo`
        : `${actor} changed the group photo`;
    case "description_changed":
      return `${actor} changed the group description`;
    case "made_admin":
      return `${actor} made ${object(event.user_id)} an admin`;
    case "dismissed_admin":
      return `${actor} dismissed ${object(event.user_id)} as admin`;
    case "owner_changed":
      return event.user_id === myId
        ? "You are now the owner"
        : `${subject(event.user_id)} is now the owner`;
    case "settings_changed":
      return `${actor} changed the group settings: ${settingsWords(event.settings, before)}`;
    case "link_reset":
      return `${actor} reset the invite link`;
    case "deleted":
      return `${actor} deleted the group`;
    case "event_changed":
      return event.changes.length > 0
        ? `${actor} changed the event “${event.title}”: ${eventChangesWords(event.changes)}`
        : `${actor} changed the event “${event.title}”`;
    case "event_cancelled":
      return `${actor} cancelled the event “${event.title}”`;
    case "timer_changed":
      if (event.after_ms === null) return `${actor} turned off disappearing messages.`;
      if (timerBefore === undefined) {
        return `${actor} set messages to disappear after ${durationWords(event.after_ms)}.`;
      }
      return timerBefore === null
        ? `${actor} turned on disappearing messages. New messages will disappear ${durationWords(event.after_ms)} after they're sent.`
        : `${actor} changed the message timer to ${durationWords(event.after_ms)}.`;
    case "background_changed":
      return event.removed
        ? `${actor} removed the group's background`
        : `${actor} changed the group's background`;
  }
}

/** "Bob is typing…", "Bob and Cal are typing…", "3 people are typing…". */
export function typingText(names: string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** Why someone could not be added to a group, in words. `blockedByMe`: I blocked them. */
export function refusalText(refusal: AddRefusal, name: string, blockedByMe: boolean): string {
  switch (refusal.code) {
    case "add_not_allowed":
      // The server does not say which (their privacy, or a block): my own blocks I know.
      return blockedByMe
        ? `You blocked ${name}: unblock them to add them`
        : `${name}'s privacy settings don't allow you to add them`;
    case "blocked":
      return `${name} can't be added: blocked`;
    case "not_found":
      return `${name}'s account no longer exists`;
    case "group_full":
      return `${name} can't be added: the group is full`;
    default:
      return `${name} could not be added (${refusal.code})`;
  }
}

/** A failed group action in words: the group's own refusals said plainly, the rest as every
 * form shows them. */
export function groupErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case "admins_only":
        return "Only admins can do that";
      case "group_full":
        return "The group is full";
      case "add_not_allowed":
        return "Their privacy settings don't allow you to add them";
      case "invite_invalid":
        return "This invite link was reset or revoked";
      case "not_a_member":
        return "You're no longer a member of this group";
    }
  }
  return describeError(error);
}

/** "Owner", "Admin", or nothing for a plain member. */
export function roleLabel(role: MemberRole): string | null {
  return role === "owner" ? "Owner" : role === "admin" ? "Admin" : null;
}

/** Whether a role may do what admins do. */
export function isAdmin(role: MemberRole | null | undefined): boolean {
  return role === "admin" || role === "owner";
}
