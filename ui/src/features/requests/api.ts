// Message requests' commands: accepting one, or blocking and reporting its sender. Deleting one
// is the chat list's `deleteChat`.
import { call } from "../../api";

export const requestsApi = {
  /** Accepts a message request: the chat moves to my chats, on all my devices. */
  acceptRequest: (chatId: string) => call<void>("accept_request", { chatId }),
  /**
   * Reports the request's sender (its last messages attached), blocks them and deletes the chat
   * for me; the report's id.
   */
  blockAndReport: (chatId: string, reason: string) =>
    call<string>("block_and_report", { chatId, reason }),
};
