// The poll commands: sending one. Votes and closing go through the conversation's
// `act_on_message` (`vote`, `close_poll`), like any change to a message.
import { call, type LocalMessage } from "../../api";
import type { Poll } from "../../bindings/Poll";
import type { Vote } from "../../bindings/Vote";

export type { Poll, Vote };

export const pollsApi = {
  /** A poll as a new message, shown at once as pending; a refused one answers `bad_request`. */
  sendPoll: (chatId: string, poll: Poll) => call<LocalMessage>("send_poll", { chatId, poll }),
};
