import type { LocalChat } from "../../api";
import { useStarred } from "./hooks";
import StarredText from "./StarredText";
import "./starred.css";

/**
 * A chat's starred messages, newest first, beside it (a group's info panel, a direct chat's
 * gallery): who sent each, its first line and date; a click shows it in the conversation.
 */
export default function ChatStarred({
  chat,
  myId,
  onPick,
}: {
  chat: LocalChat;
  myId: string;
  /** Shows this message in the conversation. */
  onPick: (messageId: string) => void;
}) {
  const { starred, error } = useStarred(chat.id);
  return (
    <section className="chat-starred" data-testid="chat-starred">
      <h3 className="contacts-title">Starred messages</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {starred?.length === 0 && (
        <p className="hint" data-testid="chat-starred-none">
          No starred messages
        </p>
      )}
      {starred && starred.length > 0 && (
        <ul className="starred-list">
          {starred.map((local) => (
            <li key={local.message.id}>
              <button
                type="button"
                className="starred-row"
                data-testid="chat-starred-row"
                data-message-id={local.message.id}
                onClick={() => onPick(local.message.id)}
              >
                <StarredText local={local} chat={chat} myId={myId} showChat={false} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
