import { useState, type RefObject } from "react";
import { describeError } from "../../api";
import FormDialog from "../../components/FormDialog";
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
  returnFocus,
}: {
  chatId: string;
  /** The chat was cleared: show it empty at once. */
  onCleared: () => void;
  onClose: () => void;
  /** Where the keyboard goes back to on close (the menu that opened it is gone). */
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const [keepStarred, setKeepStarred] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const clear = async () => {
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
    <FormDialog
      name="clear"
      title="Clear this chat?"
      alert
      error={error}
      busy={busy}
      danger
      submitLabel="Clear chat"
      busyLabel="Clearing…"
      submitTestId="clear-confirm"
      onSubmit={clear}
      onClose={onClose}
      returnFocus={returnFocus}
    >
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
    </FormDialog>
  );
}
