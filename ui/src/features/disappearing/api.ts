// Disappearing messages' commands: setting a chat's timer. Keeping a message (and letting it go
// again) goes through the conversation's `act_on_message` (`keep`), like any change to a
// message; my default timer for new chats is part of my privacy settings.
import { call } from "../../api";

export const disappearingApi = {
  /**
   * Sets the chat's timer for everyone in it (`null`: off; else one of `TIMER_CHOICES`). When it
   * returns the messenger has synced: `chats_changed` and the timeline's system message follow.
   */
  setChatTimer: (chatId: string, afterMs: number | null) =>
    call<void>("set_chat_timer", { chatId, afterMs }),
};
