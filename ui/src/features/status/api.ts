// The status (stories) commands: my feed (from the local cache, so it shows offline), posting a
// text or a picture / video, taking a post down, what a viewer does (viewing, reacting,
// replying into our direct chat), who viewed mine, how I follow someone, and who sees my next
// posts. Post media load by URL (`mediaUrl`) like message attachments.
import { call, type LocalMessage } from "../../api";
import type { MediaSource } from "../../bindings/MediaSource";
import type { StatusAudience } from "../../bindings/StatusAudience";
import type { StatusAudienceMode } from "../../bindings/StatusAudienceMode";
import type { StatusContent } from "../../bindings/StatusContent";
import type { StatusEvent } from "../../bindings/StatusEvent";
import type { StatusFeed } from "../../bindings/StatusFeed";
import type { StatusFont } from "../../bindings/StatusFont";
import type { StatusOwner } from "../../bindings/StatusOwner";
import type { StatusPost } from "../../bindings/StatusPost";
import type { StatusPrefs } from "../../bindings/StatusPrefs";
import type { StatusQuote } from "../../bindings/StatusQuote";
import type { StatusViewer } from "../../bindings/StatusViewer";
import type { StatusViewers } from "../../bindings/StatusViewers";

export type {
  StatusAudience,
  StatusAudienceMode,
  StatusContent,
  StatusEvent,
  StatusFeed,
  StatusFont,
  StatusOwner,
  StatusPost,
  StatusPrefs,
  StatusQuote,
  StatusViewer,
  StatusViewers,
};

export const statusApi = {
  /** My live posts and everyone else's I may see, from the local cache (expired ones never). */
  feed: () => call<StatusFeed>("status_feed"),
  /** Words on a `#rrggbb` background; refused with `bad_request` when blank. */
  postText: (text: string, background: string, font: StatusFont) =>
    call<StatusPost>("post_text_status", { text, background, font }),
  /** A picture or a video staged with `stage_file` (see features/media). */
  postMedia: (source: MediaSource, caption: string) =>
    call<StatusPost>("post_media_status", { source, caption }),
  /** Takes one of my posts down before its time. */
  delete: (postId: string) => call<void>("delete_status", { postId }),
  /** Marks someone's post seen (on all my devices) and tells its owner. */
  view: (postId: string) => call<void>("view_status", { postId }),
  /** A quick emoji to the owner only; null takes mine back. */
  react: (postId: string, emoji: string | null) => call<void>("react_to_status", { postId, emoji }),
  /** Who viewed one of my posts. */
  viewers: (postId: string) => call<StatusViewers>("status_viewers", { postId }),
  /** Mutes someone's posts, or asks for a notification of each new one. */
  setPrefs: (ownerId: string, prefs: StatusPrefs) =>
    call<void>("set_status_prefs", { ownerId, prefs }),
  /** Who sees my next posts. */
  audience: () => call<StatusAudience>("status_audience"),
  setAudience: (audience: StatusAudience) =>
    call<StatusAudience>("set_status_audience", { audience }),
  /** A text into our direct chat quoting the post. */
  reply: (postId: string, text: string) => call<LocalMessage>("reply_to_status", { postId, text }),
};
