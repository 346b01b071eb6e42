// Mentions in a group's messages. On the wire (for now) a mention is the token `<@USER_ID>` in
// the text; the composer shows `@Name`, and the picked mentions are turned into tokens on send.
import { createElement, Fragment, type ReactNode } from "react";
import type { ChatMember } from "../../api";
import type { NameOf } from "../groups/words";

/** A member picked from the @-completion: who, and the name the text shows. */
export interface PickedMention {
  userId: string;
  name: string;
}

/** Who a mention may name: a chat's members, or any way of finding a name by id. */
export type MentionNames = readonly Pick<ChatMember, "user_id" | "display_name">[] | NameOf;

/** A mention on the wire: `<@USER_ID>`. */
export const MENTION_TOKEN = /<@([^<>\s]+)>/g;

function lookup(names: MentionNames | null): NameOf {
  if (typeof names === "function") return names;
  const byId = new Map((names ?? []).map((m) => [m.user_id, m.display_name]));
  return (id) => byId.get(id);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The text to send: each picked `@Name` still in it becomes `<@USER_ID>`. Like the completion,
 * only an `@` at the start or after a space counts, and a name directly followed by a letter or
 * digit is another word, not the mention.
 */
export function encodeMentions(text: string, picked: readonly PickedMention[]): string {
  // Longer names first: "@Bo Lee" before "@Bo".
  const ordered = [...picked].sort((a, b) => b.name.length - a.name.length);
  let out = text;
  for (const { userId, name } of ordered) {
    if (name === "") continue;
    out = out.replace(
      new RegExp(`(^|\\s)@${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, "gu"),
      (_, before: string) => `${before}<@${userId}>`,
    );
  }
  return out;
}

/** The text with each `<@USER_ID>` as `@Name` ("@someone" for a name not known here). */
export function mentionsToText(text: string, names: MentionNames | null): string {
  const nameOf = lookup(names);
  return text.replace(MENTION_TOKEN, (_, id: string) => `@${nameOf(id) ?? "someone"}`);
}

/** The text to edit: tokens back as `@Name`, with the mentions they were (to send them again). */
export function decodeMentions(
  text: string,
  names: MentionNames | null,
): { text: string; picked: PickedMention[] } {
  const nameOf = lookup(names);
  const picked: PickedMention[] = [];
  const shown = text.replace(MENTION_TOKEN, (_, id: string) => {
    const name = nameOf(id);
    if (!name) return "@someone";
    if (!picked.some((p) => p.userId === id)) picked.push({ userId: id, name });
    return `@${name}`;
  });
  return { text: shown, picked };
}

/**
 * A message's text for the timeline: each `<@USER_ID>` as a highlighted `@Name`
 * (`data-testid="mention"`), the rest as it is.
 */
export function renderMentions(text: string, names: MentionNames | null): ReactNode {
  if (!text.includes("<@")) return text;
  const nameOf = lookup(names);
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION_TOKEN)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    const id = match[1]!;
    parts.push(
      createElement(
        "strong",
        { key: `${at}`, className: "mention", "data-testid": "mention", "data-user-id": id },
        `@${nameOf(id) ?? "someone"}`,
      ),
    );
    last = at + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return createElement(Fragment, null, ...parts);
}

/**
 * The mention being typed at `caret`: an `@` at the start or after a space, and the word after
 * it up to the caret. Null when the caret is not in one.
 */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf("@");
  if (at === -1) return null;
  if (at > 0 && !/\s/.test(before[at - 1]!)) return null;
  const query = before.slice(at + 1);
  if (/\s/.test(query) || query.length > 32) return null;
  return { start: at, query };
}

/** The members a query names: by the start of any word of their name, or of their username. */
export function mentionCandidates(
  members: readonly ChatMember[],
  query: string,
  myId: string,
): ChatMember[] {
  const q = query.toLowerCase();
  return members.filter(
    (m) =>
      m.user_id !== myId &&
      (q === "" ||
        m.username.toLowerCase().startsWith(q) ||
        m.display_name
          .toLowerCase()
          .split(/\s+/)
          .some((word) => word.startsWith(q)) ||
        m.display_name.toLowerCase().startsWith(q)),
  );
}
