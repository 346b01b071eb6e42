// The conversation's commands: its messages (from the local store, older pages from the
// server), sending and acting on messages, reading, typing and message info.
import { call, type LocalMessage, type MessageAction, type MessageInfo } from "../../api";

export const conversationApi = {
  /** A chat's newest `limit` messages before `before` (a seq; null for the newest). */
  chatMessages: (chatId: string, before: number | null, limit: number) =>
    call<LocalMessage[]>("chat_messages", { chatId, before, limit }),
  /** Fetches older messages from the server into the store; false when none are left. */
  loadOlderMessages: (chatId: string) => call<boolean>("load_older_messages", { chatId }),
  sendText: (chatId: string, text: string, replyTo: string | null) =>
    call<LocalMessage>("send_text", { chatId, text, replyTo }),
  forwardMessage: (messageId: string, chatId: string) =>
    call<LocalMessage>("forward_message", { messageId, chatId }),
  markRead: (chatId: string) => call<void>("mark_read", { chatId }),
  actOnMessage: (chatId: string, messageId: string, action: MessageAction) =>
    call<void>("act_on_message", { chatId, messageId, action }),
  setTyping: (chatId: string, typing: boolean) => call<void>("set_typing", { chatId, typing }),
  /** When each other member received and read one of my messages. */
  messageInfo: (chatId: string, messageId: string) =>
    call<MessageInfo>("message_info", { chatId, messageId }),
};
