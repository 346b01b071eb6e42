import { api, describeError, type LocalChat, type LocalMessage } from "../../api";
import { CloseIcon } from "../../components/Icon";
import { useLoaded } from "../../useLoaded";
import { chatsApi } from "../chats/api";
import { isListed } from "../chats/hooks";
import { conversationApi } from "./api";

/**
 * Where to forward a message: my chats as the list shows them, then my contacts I have no
 * conversation with yet (their direct chat is opened first).
 */
export default function ForwardPicker({
  message,
  chats,
  onClose,
  onError,
}: {
  message: LocalMessage;
  chats: LocalChat[] | null;
  onClose: () => void;
  onError: (error: string) => void;
}) {
  const { data: contacts } = useLoaded(api.listContacts);
  const listed = (chats ?? []).filter(isListed);
  const talkedTo = new Set(listed.map((c) => c.other_member?.user_id));
  const others = (contacts ?? []).filter((c) => !talkedTo.has(c.user_id));

  const forward = (to: () => Promise<string>) => {
    onClose();
    to()
      .then((chatId) => conversationApi.forwardMessage(message.message.id, chatId))
      .catch((e) => onError(describeError(e)));
  };

  return (
    <div className="forward-picker" data-testid="forward-picker">
      <div className="row">
        <strong>Forward to…</strong>
        <button type="button" className="link-button" aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      {listed.map((chat) => (
        <button
          key={chat.id}
          type="button"
          className="link-button"
          data-testid="forward-to"
          onClick={() => forward(async () => chat.id)}
        >
          {chat.title}
        </button>
      ))}
      {others.map((contact) => (
        <button
          key={contact.user_id}
          type="button"
          className="link-button"
          data-testid="forward-to"
          onClick={() => forward(() => chatsApi.openDirectChat(contact.user_id))}
        >
          {contact.display_name}
        </button>
      ))}
    </div>
  );
}
