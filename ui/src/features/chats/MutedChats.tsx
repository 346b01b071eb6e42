import { useState } from "react";
import { describeError, type LocalChat } from "../../api";
import { isMuted, mutedUntilText } from "../../chatText";
import { chatsApi } from "./api";
import { useChats } from "./hooks";

/**
 * Settings → Notifications: the chats I muted, each with until when, and Unmute (as the chat
 * list's menu does it: `muted_until: 0`, on all my devices). A chat unmuted here leaves the list
 * at once; the chat list follows when the messenger says the chat changed.
 */
export default function MutedChats() {
  const { chats, error: loadError } = useChats();
  // Unmuted here, before the chat list says so: each chat with the mute it had (muted again
  // since, it shows again).
  const [unmuted, setUnmuted] = useState<ReadonlyMap<string, number | null>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const now = Date.now();
  const muted = (chats ?? []).filter(
    (chat) => isMuted(chat, now) && unmuted.get(chat.id) !== chat.muted_until,
  );

  const unmute = (chat: LocalChat) => {
    setError(null);
    setUnmuted((map) => new Map(map).set(chat.id, chat.muted_until));
    chatsApi.updateChat(chat.id, { muted_until: 0 }).catch((e) => {
      setUnmuted((map) => {
        const next = new Map(map);
        next.delete(chat.id);
        return next;
      });
      setError(describeError(e));
    });
  };

  return (
    <section className="settings-section" data-testid="muted-chats">
      <h2>Muted chats</h2>
      {chats && muted.length === 0 && <p className="hint">No chat is muted.</p>}
      {muted.length > 0 && (
        <ul className="device-list">
          {muted.map((chat) => (
            <li key={chat.id} className="device" data-testid="muted-chat">
              <div>
                <div className="device-name">{chat.title}</div>
                <div className="hint" data-testid="muted-chat-until">
                  {mutedUntilText(chat.muted_until ?? 0, now)}
                </div>
              </div>
              <button
                type="button"
                className="link-button"
                data-testid={`unmute-${chat.id}`}
                onClick={() => unmute(chat)}
              >
                Unmute
              </button>
            </li>
          ))}
        </ul>
      )}
      {(error ?? loadError) && (
        <p className="error" role="alert">
          {error ?? loadError}
        </p>
      )}
    </section>
  );
}
