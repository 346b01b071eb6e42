// The chat list's commands: the tiles, my settings for a chat, the direct chat with someone,
// clearing or deleting a chat for me, and search over the messages on this device.
import { call, type ChatSettingsUpdate, type LocalChat, type SearchHit } from "../../api";

export const chatsApi = {
  /** My chats as tiles, from the local store (shown before the network answers). */
  listChats: () => call<LocalChat[]>("list_chats"),
  /**
   * The id of my direct chat with `userId`: known on this device, or opened on the server (which
   * needs the connection the first time).
   */
  openDirectChat: (userId: string) => call<string>("open_direct_chat", { userId }),
  /** My own settings for a chat (pin, archive, mute). */
  updateChat: (chatId: string, update: ChatSettingsUpdate) =>
    call<void>("update_chat", { chatId, update }),
  /**
   * Deletes a chat and its messages for me, on all my devices; from a group I am still in, I
   * exit first. A new message in a direct chat brings it back.
   */
  deleteChat: (chatId: string) => call<void>("delete_chat", { chatId }),
  /**
   * Empties a chat for me, on all my devices (my starred messages stay when `keepStarred`); it
   * stays in my list, and nobody else's copy changes. Resolves once this device has synced.
   */
  clearChat: (chatId: string, keepStarred: boolean) =>
    call<void>("clear_chat", { chatId, keepStarred }),
  /** Searches the messages on this device; in one chat when `chatId` is given. */
  searchMessages: (text: string, chatId: string | null) =>
    call<SearchHit[]>("search_messages", { text, chatId }),
};
