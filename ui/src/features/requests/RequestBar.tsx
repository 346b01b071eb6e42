import { useState } from "react";
import type { LocalChat } from "../../api";
import { useSubmit } from "../../useSubmit";
import { chatsApi } from "../chats/api";
import { requestsApi } from "./api";
import "./requests.css";

/** What a report made from a request says, for the server's operator. */
const REPORT_REASON = "Unwanted message request";

/**
 * In place of the composer while a chat is a message request (someone I do not know started
 * it): what they cannot see yet, and Accept, Delete, or Block and report (asked once more: it
 * cannot be taken back).
 */
export default function RequestBar({ chat, onGone }: { chat: LocalChat; onGone: () => void }) {
  const { error, busy, run } = useSubmit();
  const [confirming, setConfirming] = useState(false);
  const name = chat.title || "This person";
  if (confirming) {
    return (
      <div
        className="request-bar"
        data-testid="request-bar"
        role="region"
        aria-label="Message request"
      >
        <p>
          Block <strong>{name}</strong> and report them? Their last messages go with the report, and
          this chat is deleted.
        </p>
        {error && (
          <p className="error" role="alert" data-testid="request-error">
            {error}
          </p>
        )}
        <div className="request-actions">
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="danger-button"
            data-testid="request-block-confirm"
            disabled={busy}
            onClick={() =>
              run(async () => {
                await requestsApi.blockAndReport(chat.id, REPORT_REASON);
                onGone();
              })
            }
          >
            Block and report
          </button>
        </div>
      </div>
    );
  }
  return (
    <div
      className="request-bar"
      data-testid="request-bar"
      role="region"
      aria-label="Message request"
    >
      <p>
        <strong>{name}</strong> is not in your contacts. Until you accept, they cannot see when you
        read their messages or when you are online.
      </p>
      {error && (
        <p className="error" role="alert" data-testid="request-error">
          {error}
        </p>
      )}
      <div className="request-actions">
        <button
          type="button"
          className="danger-button"
          data-testid="request-block"
          disabled={busy}
          onClick={() => setConfirming(true)}
        >
          Block and report
        </button>
        <button
          type="button"
          data-testid="request-delete"
          disabled={busy}
          onClick={() =>
            run(async () => {
              await chatsApi.deleteChat(chat.id);
              onGone();
            })
          }
        >
          Delete
        </button>
        <button
          type="button"
          className="primary-button"
          data-testid="request-accept"
          disabled={busy}
          onClick={() => run(() => requestsApi.acceptRequest(chat.id))}
        >
          Accept
        </button>
      </div>
    </div>
  );
}
