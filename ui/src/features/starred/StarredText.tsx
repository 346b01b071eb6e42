import type { LocalChat, LocalMessage } from "../../api";
import { messagePreview, tileTime } from "../../chatText";
import { useMembers, useNames } from "../groups/hooks";
import type { NameOf } from "../groups/words";

/** Who sent a starred message: "You", the other person in a direct chat, else by name. */
export function senderName(
  local: LocalMessage,
  chat: LocalChat | null,
  myId: string,
  nameOf: NameOf,
): string {
  const senderId = local.message.sender_id;
  if (senderId === myId) return "You";
  const peer = chat?.other_member;
  if (peer?.user_id === senderId) return peer.display_name;
  return nameOf(senderId) ?? (chat?.kind === "direct" ? chat.title : "Someone");
}

/**
 * A starred message in words, for a row of the lists: the chat's name (across chats), who sent
 * it, its first line and its date. In a group, names come from its members.
 */
export default function StarredText({
  local,
  chat,
  myId,
  showChat,
}: {
  local: LocalMessage;
  /** Its chat's tile; null while the tiles load (or once the chat is gone). */
  chat: LocalChat | null;
  myId: string;
  /** Names the chat too (the list across chats). */
  showChat: boolean;
}) {
  const group = chat?.kind === "group";
  useMembers(group && chat ? chat.id : null, chat?.members_seq ?? 0);
  const nameOf = useNames();
  const m = local.message;
  return (
    <>
      <span className="starred-top">
        <span className="starred-who">
          {showChat && (
            <span className="starred-chat" data-testid="starred-chat">
              {chat?.title ?? ""}
            </span>
          )}
          {showChat && <span className="hint"> · </span>}
          <span className="starred-sender" data-testid="starred-sender">
            {senderName(local, chat, myId, nameOf)}
          </span>
        </span>
        <span className="hint starred-date" data-testid="starred-date">
          {tileTime(m.sent_at)}
        </span>
      </span>
      <span className="hint starred-preview" data-testid="starred-preview">
        {messagePreview(m, myId, nameOf)}
      </span>
    </>
  );
}
