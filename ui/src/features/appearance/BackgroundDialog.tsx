import { useState, type RefObject } from "react";
import type { LocalChat } from "../../api";
import type { Background } from "../../bindings/Background";
import FormDialog from "../../components/FormDialog";
import { groupErrorText, isAdmin } from "../groups/words";
import { appearanceApi } from "./api";
import { sameBackground } from "./appearance";
import BackgroundPicker from "./BackgroundPicker";
import "./appearance.css";

/**
 * A chat's background: mine for this chat (Default: the group's, else my default for all chats),
 * or, for a group's admins with "Set for everyone in the group", the group's for all its members
 * (announced in its timeline; each member may still choose their own). Save sets it and closes;
 * a refusal stays in it in words.
 */
export default function BackgroundDialog({
  chat,
  onClose,
  returnFocus,
}: {
  chat: LocalChat;
  onClose: () => void;
  /** Where the keyboard goes back to on close (the menu that opened it is gone). */
  returnFocus?: RefObject<HTMLElement | null>;
}) {
  const mayShare = chat.kind === "group" && isAdmin(chat.my_role);
  const [forEveryone, setForEveryone] = useState(false);
  const current = forEveryone ? chat.shared_background : chat.background;
  const [choice, setChoice] = useState<Background | null>(chat.background);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const share = (on: boolean) => {
    setForEveryone(on);
    // Each starts from what it is now: the group's, or mine.
    setChoice(on ? chat.shared_background : chat.background);
    setError(null);
  };

  const save = async () => {
    if (busy) return;
    if (sameBackground(choice, current)) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await appearanceApi.setChatBackground(chat.id, choice, forEveryone);
      onClose();
    } catch (e) {
      setError(groupErrorText(e));
      setBusy(false);
    }
  };

  return (
    <FormDialog
      name="background"
      title="Chat background"
      error={error}
      busy={busy}
      submitLabel="Save"
      busyLabel="Saving…"
      submitTestId="background-save"
      onSubmit={save}
      onClose={onClose}
      returnFocus={returnFocus}
    >
      <p className="hint">
        {forEveryone
          ? "Everyone in the group sees this background, unless they choose their own."
          : chat.kind === "group"
            ? "Only you see this. Default shows the group's background, else your own default."
            : "Only you see this. Default shows your default background (Settings → Appearance)."}
      </p>
      {mayShare && (
        <label className="radio">
          <input
            type="checkbox"
            data-testid="background-for-everyone"
            checked={forEveryone}
            disabled={busy}
            onChange={(event) => share(event.target.checked)}
          />
          Set for everyone in the group
        </label>
      )}
      <BackgroundPicker
        key={forEveryone ? "everyone" : "mine"}
        value={choice}
        onChange={setChoice}
        noneLabel={forEveryone ? "None" : "Default"}
        disabled={busy}
      />
    </FormDialog>
  );
}
