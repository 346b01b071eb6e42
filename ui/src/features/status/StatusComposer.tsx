import { useEffect, useState, type FormEvent } from "react";
import { describeError } from "../../api";
import { CloseIcon } from "../../components/Icon";
import { kindOf, usePickedFiles } from "../media/picked";
import { LAYER, useEscape } from "../../shortcuts";
import { statusApi, type StatusFont, type StatusPost } from "./api";
import TextCard from "./TextCard";
import {
  BACKGROUNDS,
  CAPTION_MAX_BYTES,
  FONT_NAMES,
  nextFont,
  STATUS_TEXT_MAX_BYTES,
  utf8Length,
} from "./words";
import "./status.css";

type Tab = "text" | "media";

/**
 * A new post: words on a background colour in a typeface (previewed as they will show), or a
 * picture or video with a caption. Esc or × closes it.
 */
export default function StatusComposer({
  onPosted,
  onClose,
  initialTab = "text",
}: {
  onPosted: (post: StatusPost) => void;
  onClose: () => void;
  initialTab?: Tab;
}) {
  const [tab, setTab] = useState<Tab>(initialTab);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEscape(true, LAYER.overlay, onClose);

  const post = async (send: () => Promise<StatusPost>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onPosted(await send());
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop status-backdrop">
      <div
        className="modal status-composer"
        role="dialog"
        aria-modal="true"
        aria-label="New status"
        data-testid="status-composer"
      >
        <header className="status-composer-header">
          <h2 className="modal-title">New status</h2>
          <button
            type="button"
            className="link-button"
            aria-label="Close"
            title="Close (Esc)"
            data-testid="status-composer-close"
            onClick={onClose}
          >
            <CloseIcon size={20} />
          </button>
        </header>
        <div className="status-composer-tabs" role="tablist" aria-label="Kind of post">
          {(["text", "media"] as const).map((kind) => (
            <button
              key={kind}
              type="button"
              role="tab"
              aria-selected={tab === kind}
              className={tab === kind ? "tab tab-active" : "tab"}
              data-testid={`status-tab-${kind}`}
              onClick={() => {
                setTab(kind);
                setError(null);
              }}
            >
              {kind === "text" ? "Text" : "Photo or video"}
            </button>
          ))}
        </div>
        {tab === "text" ? (
          <TextTab busy={busy} onPost={post} />
        ) : (
          <MediaTab busy={busy} onPost={post} onError={setError} />
        )}
        {error && (
          <p className="error" role="alert" data-testid="status-error">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

type Poster = (send: () => Promise<StatusPost>) => Promise<void>;

function TextTab({ busy, onPost }: { busy: boolean; onPost: Poster }) {
  const [text, setText] = useState("");
  const [background, setBackground] = useState<string>(BACKGROUNDS[0]);
  const [font, setFont] = useState<StatusFont>("sans");
  const bytes = utf8Length(text.trim());
  const tooLong = bytes > STATUS_TEXT_MAX_BYTES;
  const ready = text.trim() !== "" && !tooLong;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    void onPost(() => statusApi.postText(text.trim(), background, font));
  };
  return (
    <form className="status-composer-body" onSubmit={submit}>
      <TextCard
        text={text}
        background={background}
        font={font}
        testId="status-preview"
        placeholder="Type a status"
      />
      <textarea
        className="status-text-input"
        placeholder="Type a status"
        aria-label="Status text"
        data-testid="status-text"
        rows={3}
        autoFocus
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      {bytes > STATUS_TEXT_MAX_BYTES - 100 && (
        <p className={tooLong ? "error" : "hint"} data-testid="status-text-count">
          {bytes} / {STATUS_TEXT_MAX_BYTES}
        </p>
      )}
      <div className="status-style-row">
        <div className="status-swatches" role="group" aria-label="Background colour">
          {BACKGROUNDS.map((colour) => (
            <button
              key={colour}
              type="button"
              className={colour === background ? "status-bg chosen" : "status-bg"}
              style={{ background: colour }}
              aria-label={`Background ${colour}`}
              aria-pressed={colour === background}
              data-testid="status-bg"
              data-color={colour}
              onClick={() => setBackground(colour)}
            />
          ))}
        </div>
        <button
          type="button"
          className={`status-font-button status-font-${font}`}
          title="Change the typeface"
          aria-label={`Typeface: ${FONT_NAMES[font]}`}
          data-testid="status-font"
          data-font={font}
          onClick={() => setFont(nextFont(font))}
        >
          Aa · {FONT_NAMES[font]}
        </button>
      </div>
      <div className="row modal-actions">
        <button type="submit" data-testid="status-post" disabled={busy || !ready}>
          {busy ? "Posting…" : "Post"}
        </button>
      </div>
    </form>
  );
}

function MediaTab({
  busy,
  onPost,
  onError,
}: {
  busy: boolean;
  onPost: Poster;
  onError: (error: string | null) => void;
}) {
  const { picked, addFiles, clear } = usePickedFiles();
  const [caption, setCaption] = useState("");
  const item = picked[0] ?? null;
  // A video's preview plays from the file the page holds.
  const [video, setVideo] = useState<{ url: string } | null>(null);
  useEffect(() => {
    if (!video) return;
    return () => URL.revokeObjectURL(video.url);
  }, [video]);
  const tooLong = utf8Length(caption.trim()) > CAPTION_MAX_BYTES;

  const pick = (file: File | undefined) => {
    if (!file) return;
    const kind = kindOf(file.name, file.type);
    if (kind !== "image" && kind !== "video") {
      onError("A status is a picture or a video.");
      return;
    }
    onError(null);
    clear();
    addFiles([file]);
    setVideo(
      kind === "video" && typeof URL.createObjectURL === "function"
        ? { url: URL.createObjectURL(file) }
        : null,
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!item || tooLong) return;
    void onPost(async () => statusApi.postMedia(await item.source, caption.trim()));
  };
  return (
    <form className="status-composer-body" onSubmit={submit}>
      <label className="button-like status-pick">
        {item ? "Choose another" : "Choose a photo or video"}
        <input
          type="file"
          className="visually-hidden"
          accept="image/*,video/*"
          data-testid="status-file"
          onChange={(event) => {
            pick(event.target.files?.[0]);
            event.target.value = "";
          }}
        />
      </label>
      {item && (
        <div className="status-media-preview" data-testid="status-media-preview">
          {item.kind === "video" && video ? (
            <video src={video.url} muted autoPlay loop playsInline />
          ) : item.preview ? (
            <img src={item.preview} alt="" />
          ) : (
            <span className="hint">{item.name}</span>
          )}
        </div>
      )}
      {item && (
        <input
          type="text"
          className="status-caption"
          placeholder="Add a caption"
          aria-label="Caption"
          data-testid="status-caption"
          value={caption}
          onChange={(event) => setCaption(event.target.value)}
        />
      )}
      {tooLong && (
        <p className="error" data-testid="status-caption-long">
          The caption is too long.
        </p>
      )}
      <div className="row modal-actions">
        <button type="submit" data-testid="status-post" disabled={busy || !item || tooLong}>
          {busy ? "Posting…" : "Post"}
        </button>
      </div>
    </form>
  );
}
