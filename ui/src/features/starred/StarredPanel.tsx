import { useState } from "react";
import { describeError, type LocalChat } from "../../api";
import { CloseIcon, StarIcon } from "../../components/Icon";
import { placeOf } from "../../messages";
import { LAYER, useEscape } from "../../shortcuts";
import type { OpenChat } from "../chats/ChatList";
import { useChats } from "../chats/hooks";
import { conversationApi } from "../conversation/api";
import { useStarred } from "./hooks";
import StarredText from "./StarredText";
import "./starred.css";

/**
 * My starred messages across chats, newest first, in place of the chat list: each with its
 * chat's name, who sent it, its first line and date. A click opens its chat on it (as a search
 * hit does); Unstar beside it takes the star off (on all my devices).
 */
export default function StarredPanel({
  myId,
  onOpen,
  onClose,
}: {
  myId: string;
  /** Opens a chat on one of its messages. */
  onOpen: (open: OpenChat) => void;
  onClose: () => void;
}) {
  const { starred, error, setError, drop } = useStarred(null);
  const { chats } = useChats();
  const [busy, setBusy] = useState<string | null>(null);
  useEscape(true, LAYER.menu, onClose);
  const chatOf = (chatId: string): LocalChat | null =>
    chats?.find((chat) => chat.id === chatId) ?? null;
  const unstar = (chatId: string, messageId: string) => {
    setBusy(messageId);
    setError(null);
    conversationApi
      .actOnMessage(chatId, messageId, { action: "star", starred: false })
      .then(() => drop(messageId))
      .catch((e) => setError(describeError(e)))
      .finally(() => setBusy(null));
  };
  return (
    <section
      className="contacts starred-panel"
      role="dialog"
      aria-label="Starred messages"
      data-testid="starred-panel"
    >
      <div className="row starred-header">
        <h2 className="contacts-title">Starred messages</h2>
        <button
          type="button"
          className="link-button"
          aria-label="Close"
          data-testid="starred-close"
          onClick={onClose}
        >
          <CloseIcon />
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {starred?.length === 0 && (
        <p className="hint starred-empty" data-testid="starred-empty">
          <StarIcon size={28} />
          <span>No starred messages</span>
          <span>Star a message from its menu to find it here later.</span>
        </p>
      )}
      <ul className="starred-list">
        {(starred ?? []).map((local) => {
          const m = local.message;
          return (
            <li key={m.id} className="starred-item">
              <button
                type="button"
                className="starred-row"
                data-testid="starred-row"
                data-message-id={m.id}
                onClick={() => onOpen({ chatId: m.chat_id, focus: m.id, focusSeq: placeOf(m) })}
              >
                <StarredText local={local} chat={chatOf(m.chat_id)} myId={myId} showChat />
              </button>
              <button
                type="button"
                className="link-button starred-unstar"
                data-testid="starred-unstar"
                disabled={busy === m.id}
                onClick={() => unstar(m.chat_id, m.id)}
              >
                Unstar
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
