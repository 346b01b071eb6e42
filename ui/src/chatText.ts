// How chats and messages read in words: previews, ticks, and tile times.
import type { ChatSummary, LocalMessage, Message } from "./api";
import type { Attachment } from "./bindings/Attachment";
import { mentionsToText } from "./features/conversation/mentions";
import { systemText, type NameOf } from "./features/groups/words";
import { goneAt } from "./messages";
import { clockTime, dayLabel } from "./time";

/** The text of a message, or how a tombstone reads: deleted, or disappeared (a group's system
 * messages have their own words, from the names of the people involved). */
export function messageText(message: Message): string {
  if (message.expired) return "Message expired";
  if (message.deleted_at !== null || message.content === null) return "This message was deleted";
  const content = message.content;
  switch (content.kind) {
    case "system":
      return "";
    case "text":
      return content.text;
    case "contact":
      return `Contact: ${content.card.display_name}`;
    case "poll":
      return `📊 Poll: ${content.poll.question}`;
    case "event":
      return `📅 Event: ${content.event.title}`;
    case "media":
      return content.caption ? content.caption : attachmentsLabel(content.attachments);
  }
}

const KIND_WORDS: Record<Attachment["kind"], [string, string]> = {
  image: ["Photo", "photos"],
  video: ["Video", "videos"],
  audio: ["Audio", "audio files"],
  voice: ["Voice message", "voice messages"],
  file: ["Document", "documents"],
};

/** "Photo", "Voice message (0:07)", "report.pdf", "3 photos", "4 attachments". */
export function attachmentsLabel(attachments: Attachment[]): string {
  const first = attachments[0];
  if (!first) return "";
  if (attachments.length > 1) {
    const same = attachments.every((a) => a.kind === first.kind);
    return same
      ? `${attachments.length} ${KIND_WORDS[first.kind][1]}`
      : `${attachments.length} attachments`;
  }
  if (first.kind === "voice" && first.duration_ms != null) {
    const seconds = Math.round(first.duration_ms / 1000);
    return `Voice message (${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")})`;
  }
  if ((first.kind === "file" || first.kind === "audio") && first.name) return first.name;
  return KIND_WORDS[first.kind][0];
}

/**
 * The tile's one-line preview of the last message: mine as "You: …", in a group others' as
 * "Bob: …" (once `nameOf` knows them), a group's happenings in words, mentions as "@Name";
 * nothing for one that disappeared (the tile is reloaded without it).
 */
export function preview(chat: ChatSummary, myId: string, nameOf: NameOf = () => undefined): string {
  const last = chat.last_message;
  if (!last || goneAt(last, Date.now())) return "";
  const text = messagePreview(last, myId, nameOf);
  if (last.deleted_at !== null || last.content?.kind === "system") return text;
  if (last.sender_id === myId) return `You: ${text}`;
  const sender = chat.kind === "group" ? nameOf(last.sender_id) : null;
  return sender ? `${sender}: ${text}` : text;
}

/**
 * One message in a line, without who sent it: its first line with mentions as "@Name", a
 * group's happenings in words, a tombstone as such (the tile's preview, a starred message's).
 */
export function messagePreview(
  message: Message,
  myId: string,
  nameOf: NameOf = () => undefined,
): string {
  if (message.deleted_at === null && message.content?.kind === "system") {
    return systemText(message.content.event, message.sender_id, myId, nameOf);
  }
  return mentionsToText(messageText(message), nameOf).split("\n")[0] ?? "";
}

/** "14:02" today, "yesterday", or the date. */
export function tileTime(ms: number, now: number = Date.now()): string {
  const day = dayLabel(ms, now);
  return day === "today" ? clockTime(ms) : day;
}

export type Tick = "pending" | "failed" | "sent" | "delivered" | "read";

/**
 * Where one of my messages stands, from its status and how far all the others have got: read
 * once everyone (who shares read receipts) read it, delivered once everyone received it.
 */
export function tickOf(local: LocalMessage, chat: ChatSummary | null): Tick {
  if (local.status.state === "pending") return "pending";
  if (local.status.state === "failed") return "failed";
  const seq = local.message.seq;
  if (chat && seq > 0 && seq <= chat.read_by_all_seq) return "read";
  if (chat && seq > 0 && seq <= chat.delivered_to_all_seq) return "delivered";
  return "sent";
}

/** Whether a chat is muted now. */
export function isMuted(chat: ChatSummary, now: number = Date.now()): boolean {
  return chat.muted_until !== null && chat.muted_until > now;
}

/**
 * Mirrors proto's MUTED_FOREVER (i64::MAX), which JSON carries as a number past the safe
 * integers: a mute until then (or later) is "always".
 */
export const MUTED_FOREVER = Number.MAX_SAFE_INTEGER;

/** Until when a muted chat stays muted: "Always", "Muted until 18:30" (today), or with the day. */
export function mutedUntilText(until: number, now: number = Date.now()): string {
  if (until >= MUTED_FOREVER) return "Always";
  const time = clockTime(until);
  if (dayLabel(until, now) === "today") return `Muted until ${time}`;
  if (dayLabel(until, now + 24 * 60 * 60 * 1000) === "today")
    return `Muted until tomorrow, ${time}`;
  return `Muted until ${dayLabel(until, now)}, ${time}`;
}
