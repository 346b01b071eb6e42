// How the status feed reads: the list's sections and their order, a post's time in words, how
// long each post shows, and the text posts' colours and typefaces.
import type { ChatPeer } from "../../api";
import { clockTime, dayLabel } from "../../time";
import type { StatusFeed, StatusFont, StatusOwner, StatusPost } from "./api";

/** Mirrors proto's `STATUS_TEXT_MAX_BYTES`. */
export const STATUS_TEXT_MAX_BYTES = 700;
/** Mirrors proto's `CAPTION_MAX_BYTES`. */
export const CAPTION_MAX_BYTES = 4 * 1024;

/** The backgrounds a text post may have (any `#rrggbb` goes; these are offered). */
export const BACKGROUNDS = [
  "#1f7a5c",
  "#2c5f8a",
  "#6b3fa0",
  "#b03a5b",
  "#c0562a",
  "#8a6d1f",
  "#37474f",
  "#111b21",
] as const;

/** The typefaces in the order the composer's button goes through them. */
export const FONTS: readonly StatusFont[] = ["sans", "serif", "mono", "script", "bold"];

export const FONT_NAMES: Record<StatusFont, string> = {
  sans: "Sans",
  serif: "Serif",
  mono: "Typewriter",
  script: "Script",
  bold: "Bold",
};

/** The typeface after `font`, round again after the last. */
export function nextFont(font: StatusFont): StatusFont {
  return FONTS[(FONTS.indexOf(font) + 1) % FONTS.length] ?? "sans";
}

/** How long a post shows before the next: a text or picture 5 s, a video its length up to 30 s
 * (15 s when it does not say). */
export const DURATIONS = { text: 5000, image: 5000, videoMax: 30000, videoUnknown: 15000 };
export type Durations = typeof DURATIONS;

export function postDuration(post: StatusPost, durations: Durations = DURATIONS): number {
  const content = post.content;
  if (content.kind === "text") return durations.text;
  if (content.attachment.kind !== "video") return durations.image;
  const length = content.attachment.duration_ms;
  if (length == null || !(length > 0)) return durations.videoUnknown;
  return Math.min(length, durations.videoMax);
}

/** "Today 10:42", "Yesterday 21:03" (older only in odd cases: "3 Mar 09:15"). */
export function statusTime(ms: number, now: number = Date.now()): string {
  const day = dayLabel(ms, now);
  const word = day === "today" ? "Today" : day === "yesterday" ? "Yesterday" : day;
  return `${word} ${clockTime(ms)}`;
}

/** The bytes of a text as the server counts them (UTF-8). */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Someone's posts the list and the viewer go through. */
export interface Owner {
  peer: ChatPeer;
  posts: StatusPost[];
  muted: boolean;
  notify: boolean;
  /** Mine: no view, no reply, a viewers list and Delete instead. */
  mine: boolean;
}

/** The live ones (the feed drops expired posts; a list left open drops them too). */
export function livePosts(posts: StatusPost[], now: number): StatusPost[] {
  return posts.filter((post) => post.expires_at > now);
}

function newest(owner: Owner): number {
  return owner.posts.reduce((latest, post) => Math.max(latest, post.posted_at), 0);
}

/** How many of an owner's posts I have not seen. */
export function unseenCount(owner: { posts: StatusPost[] }): number {
  return owner.posts.filter((post) => !post.seen).length;
}

/**
 * The list's sections: those with something I have not seen ("Recent updates"), those I have
 * seen all of ("Viewed updates"), and the muted apart ("Muted updates"); each newest first.
 * Owners without live posts are left out.
 */
export function feedSections(
  others: StatusOwner[],
  now: number = Date.now(),
): { recent: Owner[]; viewed: Owner[]; muted: Owner[] } {
  const owners: Owner[] = others
    .map((other) => ({
      peer: other.owner,
      posts: livePosts(other.posts, now),
      muted: other.muted,
      notify: other.notify,
      mine: false,
    }))
    .filter((owner) => owner.posts.length > 0);
  const byNewest = (a: Owner, b: Owner) => newest(b) - newest(a);
  return {
    recent: owners.filter((o) => !o.muted && unseenCount(o) > 0).sort(byNewest),
    viewed: owners.filter((o) => !o.muted && unseenCount(o) === 0).sort(byNewest),
    muted: owners.filter((o) => o.muted).sort(byNewest),
  };
}

/** My own posts as an owner the viewer goes through. */
export function myOwner(feed: StatusFeed, me: ChatPeer, now: number = Date.now()): Owner {
  return { peer: me, posts: livePosts(feed.mine, now), muted: false, notify: false, mine: true };
}

/** The newest post's time, for a row. */
export function newestTime(owner: Owner, now: number = Date.now()): string {
  return owner.posts.length > 0 ? statusTime(newest(owner), now) : "";
}

/** Where to start in someone's posts: the first I have not seen, else the first. */
export function firstUnseen(posts: StatusPost[]): number {
  const at = posts.findIndex((post) => !post.seen);
  return at === -1 ? 0 : at;
}

/** "1 view", "3 views". */
export function viewsWord(count: number): string {
  return `${count} ${count === 1 ? "view" : "views"}`;
}
