import { useRef, useState, type FormEvent } from "react";
import { describeError } from "../../api";
import { CloseIcon, PaperclipIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { mediaApi } from "./api";
import { DocIcon } from "./DocTile";
import { pastedFiles, type Picked } from "./picked";
import { formatBytes } from "./words";

/**
 * The paper clip and its file input (hidden; the button opens it). With `onContact` (the
 * composer's clip) it opens a menu instead: Photos and files, Contact, Poll with `onPoll` and
 * Event with `onEvent`.
 */
export function AttachButton({
  onFiles,
  onContact,
  onPoll,
  onEvent,
  inputTestId = "attach-input",
  className = "composer-attach",
  disabled = false,
}: {
  onFiles: (files: File[]) => void;
  /** Opens the contact picker. */
  onContact?: () => void;
  /** Opens the poll dialog. */
  onPoll?: () => void;
  /** Opens the event dialog. */
  onEvent?: () => void;
  inputTestId?: string;
  className?: string;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [menu, setMenu] = useState(false);
  useEscape(menu, LAYER.menu, () => setMenu(false));
  const pickFiles = () => {
    setMenu(false);
    input.current?.click();
  };
  return (
    <span className="attach">
      <button
        type="button"
        className={`link-button ${className}`}
        aria-label="Attach"
        title={
          onContact
            ? `Attach files${onPoll || onEvent ? ", a contact" : " or a contact"}${
                onPoll ? (onEvent ? ", a poll" : " or a poll") : ""
              }${onEvent ? " or an event" : ""}`
            : "Attach photos, videos or files"
        }
        aria-haspopup={onContact ? "menu" : undefined}
        aria-expanded={onContact ? menu : undefined}
        data-testid={`${inputTestId.replace(/-input$/, "")}-button`}
        disabled={disabled}
        onClick={() => (onContact ? setMenu(!menu) : pickFiles())}
      >
        <PaperclipIcon size={22} />
      </button>
      {menu && onContact && !disabled && (
        <div className="menu attach-menu" role="menu" aria-label="Attach">
          <button type="button" role="menuitem" data-testid="attach-files" onClick={pickFiles}>
            Photos and files
          </button>
          <button
            type="button"
            role="menuitem"
            data-testid="attach-contact"
            onClick={() => {
              setMenu(false);
              onContact();
            }}
          >
            Contact
          </button>
          {onPoll && (
            <button
              type="button"
              role="menuitem"
              data-testid="attach-poll"
              onClick={() => {
                setMenu(false);
                onPoll();
              }}
            >
              Poll
            </button>
          )}
          {onEvent && (
            <button
              type="button"
              role="menuitem"
              data-testid="attach-event"
              onClick={() => {
                setMenu(false);
                onEvent();
              }}
            >
              Event
            </button>
          )}
        </div>
      )}
      <input
        ref={input}
        type="file"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid={inputTestId}
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          // The same file picked again is a change too.
          event.target.value = "";
          if (files.length > 0) onFiles(files);
        }}
      />
    </span>
  );
}

/** Over the conversation while files are dragged over the window. */
export function DropZone() {
  return (
    <div className="drop-zone" data-testid="drop-zone" aria-hidden="true">
      <PaperclipIcon size={40} />
      <span>Drop files to send them</span>
    </div>
  );
}

/** One file in the sheet: its picture or icon, name and size, and × to leave it out. */
function PickedItem({ item, onRemove }: { item: Picked; onRemove: () => void }) {
  return (
    <li className="sheet-item" data-testid="media-sheet-item">
      {item.preview ? (
        <img className="sheet-preview" src={item.preview} alt="" />
      ) : (
        <span
          className={`sheet-icon doc-icon doc-kind-${item.kind === "audio" ? "audio" : "file"}`}
        >
          <DocIcon category={item.kind === "audio" ? "audio" : "file"} size={32} />
        </span>
      )}
      <span className="sheet-name" title={item.name}>
        {item.name}
      </span>
      {item.size !== null && <span className="hint">{formatBytes(item.size)}</span>}
      <button
        type="button"
        className="sheet-remove"
        aria-label={`Remove ${item.name}`}
        data-testid="media-sheet-remove"
        onClick={onRemove}
      >
        <CloseIcon size={14} />
      </button>
    </li>
  );
}

/**
 * The files about to be sent, before they are: each listed (pictures as thumbnails) with × to
 * leave it out, more added with the clip, a caption, Send and Cancel (Esc too).
 */
export default function MediaSheet({
  chatId,
  replyTo,
  picked,
  onAdd,
  onRemove,
  onCancel,
  onSent,
}: {
  chatId: string;
  /** The message the new one answers. */
  replyTo: string | null;
  picked: Picked[];
  onAdd: (files: File[]) => void;
  onRemove: (key: number) => void;
  onCancel: () => void;
  onSent: () => void;
}) {
  const [caption, setCaption] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEscape(true, LAYER.menu, onCancel);

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy || picked.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const sources = await Promise.all(picked.map((item) => item.source));
      await mediaApi.sendMedia(chatId, sources, caption.trim(), replyTo);
      onSent();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const count = picked.length;
  return (
    <div className="media-sheet" role="dialog" aria-label="Send files" data-testid="media-sheet">
      <header className="media-sheet-header">
        <button
          type="button"
          className="link-button"
          aria-label="Cancel"
          title="Cancel (Esc)"
          onClick={onCancel}
        >
          <CloseIcon size={20} />
        </button>
        <h2>{count === 1 ? "Send 1 file" : `Send ${count} files`}</h2>
      </header>
      <ul className="media-sheet-items">
        {picked.map((item) => (
          <PickedItem key={item.key} item={item} onRemove={() => onRemove(item.key)} />
        ))}
      </ul>
      {error && (
        <p className="error media-sheet-error" role="alert" data-testid="media-sheet-error">
          {error}
        </p>
      )}
      <form className="media-sheet-foot" onSubmit={send}>
        <AttachButton
          onFiles={onAdd}
          inputTestId="media-sheet-add-input"
          className="media-sheet-add"
        />
        <input
          type="text"
          className="media-caption"
          placeholder="Add a caption"
          aria-label="Caption"
          data-testid="media-caption"
          autoFocus
          value={caption}
          onChange={(event) => setCaption(event.target.value)}
          onPaste={(event) => {
            const pasted = pastedFiles(event.clipboardData);
            if (pasted.length === 0) return;
            event.preventDefault();
            onAdd(pasted);
          }}
        />
        <button type="button" className="link-button" data-testid="media-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" data-testid="media-send" disabled={busy || count === 0}>
          {busy ? "Sending…" : "Send"}
        </button>
      </form>
    </div>
  );
}
