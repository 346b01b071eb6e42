// The starred messages' commands: listing mine. Starring, and taking the star off, go through
// the conversation's `act_on_message` (`star`), like any change to a message.
import { call, type LocalMessage } from "../../api";

export const starredApi = {
  /** My starred messages, newest first: in one chat, or (null) in all of them; from the store. */
  starredMessages: (chatId: string | null) => call<LocalMessage[]>("starred_messages", { chatId }),
};
