import { useState, type FormEvent } from "react";
import { describeError } from "../../api";
import { LAYER, useEscape } from "../../shortcuts";
import { chatsApi } from "../chats/api";

/**
 * "Clear this chat?": empties the chat for me on all my devices, my starred messages kept
 * unless unticked; the chat stays in my list and the others keep their messages. Once cleared it
 * says so (`onCleared`) and closes; a refusal stays in it in words.
 */
export default function ClearChatDialog({
  chatId,
  onCleared,
  onClose,
}: {
  chatId: string;
  /** The chat was cleared: show it empty at once. */
  onCleared: () => void;
  onClose: () => void;
}) {
  const [keepStarred, setKeepStarred] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEscape(true, LAYER.menu, onClose);

  const clear = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await chatsApi.clearChat(chatId, keepStarred);
      onCleared();
      onClose();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal clear-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-label="Clear this chat?"
        data-testid="clear-dialog"
        onSubmit={clear}
      >
        <h2 className="modal-title">Clear this chat?</h2>
        <p className="hint">
          Messages will be removed from all your devices. Others in the chat keep theirs.
        </p>
        <label className="radio">
          <input
            type="checkbox"
            data-testid="clear-keep-starred"
            checked={keepStarred}
            disabled={busy}
            onChange={(event) => setKeepStarred(event.target.checked)}
          />
          Keep starred messages
        </label>
        {error && (
          <p className="error" role="alert" data-testid="clear-error">
            {error}
          </p>
        )}
        <div className="row modal-actions">
          <button
            type="button"
            className="link-button"
            data-testid="clear-cancel"
            onClick={onClose}
          >
            Cancel
          </button>
          <button
            type="submit"
            className="danger-button"
            data-testid="clear-confirm"
            disabled={busy}
          >
            {busy ? "Clearing…" : "Clear chat"}
          </button>
        </div>
      </form>
    </div>
  );
}
