import { afterEach, beforeEach, vi } from "vitest";
import type { ChatMember, Contact, LocalChat, LocalMessage, Me, Message } from "./api";

/** A signed-in account for component tests. */
export const ME: Me = {
  id: "u1",
  username: "ann",
  email: "ann@example.org",
  display_name: "Ann",
  about: "",
  status_text: "",
  phone: null,
  photo: null,
  privacy: {
    last_seen: "everyone",
    photo: "everyone",
    about: "everyone",
    read_receipts: true,
    groups: "everyone",
  },
  created_at: 0,
  appearance: { theme: "system", accent: null, text_size: "medium", background: null },
};

/** A contact for component tests: `@username`, id `id-<username>`, offline. */
export const contact = (username: string, display_name: string): Contact => ({
  user_id: `id-${username}`,
  username,
  display_name,
  about: "",
  status_text: "",
  photo: null,
  online: false,
  last_seen: null,
  added_at: 0,
});

/** Grace (u2), the other person of the direct chat c1. */
export const GRACE: ChatMember = {
  user_id: "u2",
  display_name: "Grace",
  username: "grace",
  photo: null,
  role: "member",
  joined_at: 0,
};

/**
 * A chat's tile for component tests: the direct chat c1 with Grace where nothing was said yet,
 * timer off, nothing pinned, archived or muted; `over` sets anything else.
 */
export const chatTile = (over: Partial<LocalChat> = {}): LocalChat => ({
  id: "c1",
  kind: "direct",
  title: "Grace",
  photo: null,
  member_count: 2,
  my_role: "member",
  only_admins_send: false,
  only_admins_keep: false,
  disappear_after_ms: null,
  background: null,
  shared_background: null,
  members_seq: 1,
  other_member: GRACE,
  last_seq: 0,
  cleared_seq: 0,
  clear_listed: false,
  clear_keeps_starred: false,
  request: false,
  last_message: null,
  unread: 0,
  last_activity_at: 0,
  my_delivered_seq: 0,
  my_read_seq: 0,
  delivered_to_all_seq: 0,
  read_by_all_seq: 0,
  pinned_at: null,
  archived: false,
  muted_until: null,
  ...over,
});

/** A group's tile: chat c1 "Hikers" of three, otherwise as `chatTile`; `over` sets the rest. */
export const groupTile = (over: Partial<LocalChat> = {}): LocalChat =>
  chatTile({
    kind: "group",
    title: "Hikers",
    member_count: 3,
    other_member: null,
    ...over,
  });

/** A tile's sequence numbers when everything up to `seq` is delivered and read, both ways. */
export const readTo = (seq: number): Partial<LocalChat> => ({
  last_seq: seq,
  my_delivered_seq: seq,
  my_read_seq: seq,
  delivered_to_all_seq: seq,
  read_by_all_seq: seq,
});

/**
 * A sent message of `sender`'s with this content, `m<seq>` in chat c1, sent just now, not
 * starred; `over` sets anything else of the message.
 */
export const chatMessage = (
  seq: number,
  sender: string,
  content: Message["content"],
  over: Partial<Message> = {},
): LocalMessage => ({
  message: {
    id: `m${seq}`,
    chat_id: "c1",
    seq,
    updated_seq: seq,
    sender_id: sender,
    content,
    reply_to: null,
    forwarded: false,
    sent_at: Date.now(),
    edited_at: null,
    deleted_at: null,
    reactions: [],
    hidden: false,
    starred: false,
    ...over,
  },
  status: { state: "sent" },
});

/** A sent text message, as `chatMessage`. */
export const textMessage = (
  seq: number,
  sender: string,
  text: string,
  over: Partial<Message> = {},
): LocalMessage => chatMessage(seq, sender, { kind: "text", text }, over);

/**
 * jsdom lays nothing out: for every test of the calling file, the timeline gets a window's
 * height and each row a line's, so the virtualised list has something to show.
 */
export function layOutTimeline() {
  beforeEach(() => {
    vi.spyOn(Element.prototype, "getBoundingClientRect").mockImplementation(function (
      this: Element,
    ) {
      const height = this.classList.contains("timeline") ? 600 : 40;
      return {
        x: 0,
        y: 0,
        top: 0,
        left: 0,
        right: 800,
        bottom: height,
        width: 800,
        height,
        toJSON: () => ({}),
      };
    });
    Object.defineProperty(HTMLElement.prototype, "clientHeight", {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains("timeline") ? 600 : 40;
      },
    });
    Object.defineProperty(HTMLElement.prototype, "clientWidth", {
      configurable: true,
      get: () => 800,
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
    delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
    delete (HTMLElement.prototype as { offsetHeight?: number }).offsetHeight;
  });
}
