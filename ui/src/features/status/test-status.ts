// Fixtures for the status tests: people, posts and feeds, and the desktop side serving them.
import type { ChatPeer } from "../../api";
import { invoke } from "../../test-ipc";
import type { Attachment } from "../media/api";
import type { StatusFeed, StatusOwner, StatusPost } from "./api";

export const HOUR = 60 * 60 * 1000;

export const peer = (id: string, name: string): ChatPeer => ({
  user_id: id,
  username: name.toLowerCase(),
  display_name: name,
  photo: null,
});

export const ME_PEER = peer("u1", "Ann");

/** A text post of `owner`, posted `ago` ms before now (live for 24 hours from then). */
export function textPost(
  id: string,
  owner: string,
  {
    ago = HOUR,
    seen = false,
    text = `words of ${id}`,
    ...extra
  }: Partial<StatusPost> & {
    ago?: number;
    text?: string;
  } = {},
): StatusPost {
  const posted = Date.now() - ago;
  return {
    id,
    owner_id: owner,
    content: { kind: "text", text, background: "#1f7a5c", font: "serif" },
    posted_at: posted,
    expires_at: posted + 24 * HOUR,
    seen,
    ...extra,
  };
}

export const picture = (mediaId: string, extra: Partial<Attachment> = {}): Attachment => ({
  media_id: mediaId,
  kind: "image",
  mime: "image/jpeg",
  size: 120_000,
  width: 800,
  height: 600,
  ...extra,
});

/** A picture or video post. */
export function mediaPost(
  id: string,
  owner: string,
  attachment: Attachment,
  { ago = HOUR, seen = false, caption }: { ago?: number; seen?: boolean; caption?: string } = {},
): StatusPost {
  const posted = Date.now() - ago;
  return {
    id,
    owner_id: owner,
    content: { kind: "media", attachment, ...(caption ? { caption } : {}) },
    posted_at: posted,
    expires_at: posted + 24 * HOUR,
    seen,
  };
}

export const owner = (
  who: ChatPeer,
  posts: StatusPost[],
  { muted = false, notify = false }: { muted?: boolean; notify?: boolean } = {},
): StatusOwner => ({ owner: who, posts, muted, notify });

export const feedOf = (others: StatusOwner[], mine: StatusPost[] = []): StatusFeed => ({
  mine,
  others,
});

/** Every call of `command` so far, with its arguments. */
export const callsOf = (command: string) =>
  invoke.mock.calls.filter(([c]) => c === command).map(([, args]) => args as unknown);

/**
 * The desktop side: the commands in `answers` (by name; a function gets the arguments), null for
 * the rest of the status commands, contacts and chats empty; anything else fails.
 */
export function serveStatus(answers: Record<string, unknown> = {}) {
  invoke.mockImplementation(async (command: string, args?: never) => {
    if (command in answers) {
      const answer = answers[command];
      return typeof answer === "function" ? (answer as (a: unknown) => unknown)(args) : answer;
    }
    switch (command) {
      case "view_status":
      case "react_to_status":
      case "set_status_prefs":
      case "delete_status":
      case "watch_messages":
        return null;
      case "list_contacts":
      case "list_chats":
        return [];
      case "playable_url":
        return "http://127.0.0.1:1/video";
    }
    throw new Error(`unexpected command ${command}`);
  });
}
