// How chats and messages read in words: previews, ticks, and tile times.
import type { ChatSummary, LocalMessage, Message } from "./api";
import { clockTime, dayLabel } from "./time";

/** The text of a message, or how a tombstone reads. */
export function messageText(message: Message): string {
  if (message.deleted_at !== null || message.content === null) return "This message was deleted";
  return message.content.text;
}

/** The tile's one-line preview of the last message. */
export function preview(chat: ChatSummary, myId: string): string {
  const last = chat.last_message;
  if (!last) return "";
  const text = messageText(last).split("\n")[0];
  return last.sender_id === myId && last.deleted_at === null ? `You: ${text}` : text;
}

/** "14:02" today, "yesterday", or the date. */
export function tileTime(ms: number, now: number = Date.now()): string {
  const day = dayLabel(ms, now);
  return day === "today" ? clockTime(ms) : day;
}

export type Tick = "pending" | "failed" | "sent" | "delivered" | "read";

/** Where one of my messages stands, from its status and the peer's cursors. */
export function tickOf(local: LocalMessage, chat: ChatSummary | null): Tick {
  if (local.status.state === "pending") return "pending";
  if (local.status.state === "failed") return "failed";
  const seq = local.message.seq;
  if (chat && seq > 0 && seq <= chat.peer_read_seq) return "read";
  if (chat && seq > 0 && seq <= chat.peer_delivered_seq) return "delivered";
  return "sent";
}

export const TICK_MARK: Record<Tick, string> = {
  pending: "🕓",
  failed: "⚠",
  sent: "✓",
  delivered: "✓✓",
  read: "✓✓",
};

/** Whether a chat is muted now. */
export function isMuted(chat: ChatSummary, now: number = Date.now()): boolean {
  return chat.muted_until !== null && chat.muted_until > now;
}
