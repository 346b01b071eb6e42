import { useEffect, useRef, useState, type WheelEvent } from "react";
import type { LocalMessage } from "../../api";
import { ChevronLeftIcon, ChevronRightIcon, CloseIcon, DownloadIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { clockTime, dayLabel } from "../../time";
import { mediaApi, mediaUrl, playableUrl, type Attachment } from "./api";
import { isVisual } from "./MediaAttachments";

/** One picture or video of the chat, with the message it came in. */
export interface ViewerItem {
  local: LocalMessage;
  attachment: Attachment;
}

/** How many gallery items a look for the chat's sequence asks at a time, and how many pages. */
const SEQUENCE_PAGE = 100;
const SEQUENCE_PAGES = 5;
const MIN_SCALE = 0.25;
const MAX_SCALE = 8;

function captionOf(local: LocalMessage): string {
  const content = local.message.content;
  return content?.kind === "media" ? (content.caption ?? "") : "";
}

function itemsOf(local: LocalMessage): ViewerItem[] {
  const content = local.message.content;
  if (content?.kind !== "media") return [];
  return content.attachments.filter(isVisual).map((attachment) => ({ local, attachment }));
}

/**
 * The chat's pictures and videos in order, oldest first, around the message opened: its own at
 * once, then the chat's from its gallery (newest pages until the message is among them).
 */
function useSequence(chatId: string, local: LocalMessage): ViewerItem[] {
  const [items, setItems] = useState<ViewerItem[]>(() => itemsOf(local));
  useEffect(() => {
    const seq = local.message.seq;
    // Mine, not sent yet: only its own.
    if (seq <= 0) return;
    let gone = false;
    (async () => {
      const found: LocalMessage[] = [];
      let before: number | null = null;
      for (let page = 0; page < SEQUENCE_PAGES; page++) {
        const got = await mediaApi.chatGallery(chatId, "media", before, SEQUENCE_PAGE);
        found.push(...got);
        const last = got[got.length - 1];
        if (got.length < SEQUENCE_PAGE || !last || last.message.seq <= seq) break;
        before = last.message.seq;
      }
      if (gone || !found.some((m) => m.message.id === local.message.id)) return;
      setItems(found.reverse().flatMap(itemsOf));
    })().catch((error) => console.warn("the chat's media did not load", error));
    return () => {
      gone = true;
    };
  }, [chatId, local]);
  return items;
}

/**
 * The full-window viewer: the picture at full size (a click toggles fit / 100 %, the wheel
 * zooms) or the video playing, previous / next through the chat's pictures and videos (the
 * arrow keys too), Save, and Esc or × to close.
 */
export default function MediaViewer({
  chatId,
  local,
  mediaId,
  onSave,
  onClose,
}: {
  chatId: string;
  local: LocalMessage;
  mediaId: string;
  onSave: (attachment: Attachment) => void;
  onClose: () => void;
}) {
  const items = useSequence(chatId, local);
  const [current, setCurrent] = useState(mediaId);
  // null: fit to the window; else the scale of the full size.
  const [scale, setScale] = useState<number | null>(null);
  // The picture's own size once loaded (the sender's measurements until then).
  const [loadedSize, setLoadedSize] = useState<{
    id: string;
    width: number;
    height: number;
  } | null>(null);
  const frame = useRef<HTMLDivElement>(null);
  const at = Math.max(
    0,
    items.findIndex((item) => item.attachment.media_id === current),
  );
  const item = items[at];
  useEscape(true, LAYER.overlay, onClose);

  const go = (step: number) => {
    const next = items[at + step];
    if (!next) return;
    setCurrent(next.attachment.media_id);
    setScale(null);
  };
  const latest = useRef(go);
  latest.current = go;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // A playing video keeps its arrows (seeking).
      if (event.target instanceof HTMLMediaElement) return;
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        latest.current(event.key === "ArrowRight" ? 1 : -1);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => frame.current?.focus(), []);

  if (!item) return null;
  const { attachment } = item;
  const video = attachment.kind === "video";
  const natural =
    loadedSize?.id === attachment.media_id
      ? loadedSize
      : attachment.width && attachment.height
        ? { width: attachment.width, height: attachment.height }
        : null;
  const onWheel = (event: WheelEvent) => {
    if (video) return;
    const base = scale ?? fitScale();
    const next = base * Math.exp(-event.deltaY / 500);
    setScale(Math.min(MAX_SCALE, Math.max(MIN_SCALE, next)));
  };
  /** The scale "fit" is now, to zoom from it. */
  const fitScale = () => {
    const box = frame.current?.getBoundingClientRect();
    if (!box || !natural || box.width === 0 || box.height === 0) return 1;
    return Math.min(1, box.width / natural.width, box.height / natural.height);
  };
  const sent = item.local.message.sent_at;
  return (
    <div
      className="media-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={video ? "Video" : "Photo"}
      data-testid="media-viewer"
    >
      <div className="media-viewer-bar">
        <span className="media-viewer-when">
          {dayLabel(sent)} at {clockTime(sent)}
          {items.length > 1 && (
            <span data-testid="media-viewer-position">
              {" "}
              · {at + 1} of {items.length}
            </span>
          )}
        </span>
        <button
          type="button"
          className="media-viewer-button"
          aria-label="Save"
          title="Save to Downloads"
          data-testid="media-viewer-save"
          onClick={() => onSave(attachment)}
        >
          <DownloadIcon size={20} />
        </button>
        <button
          type="button"
          className="media-viewer-button"
          aria-label="Close"
          title="Close (Esc)"
          data-testid="media-viewer-close"
          onClick={onClose}
        >
          <CloseIcon size={22} />
        </button>
      </div>
      <div
        ref={frame}
        tabIndex={-1}
        className={scale === null ? "media-viewer-stage fit" : "media-viewer-stage zoomed"}
        onWheel={onWheel}
      >
        {video ? (
          <ViewerVideo key={attachment.media_id} attachment={attachment} />
        ) : (
          <img
            key={attachment.media_id}
            className="media-viewer-image"
            src={mediaUrl(attachment.media_id)}
            alt={captionOf(item.local)}
            draggable={false}
            data-testid="media-viewer-image"
            data-scale={scale ?? "fit"}
            style={
              scale === null || !natural
                ? undefined
                : { width: natural.width * scale, height: natural.height * scale }
            }
            onLoad={(event) =>
              setLoadedSize({
                id: attachment.media_id,
                width: event.currentTarget.naturalWidth,
                height: event.currentTarget.naturalHeight,
              })
            }
            onClick={() => setScale(scale === null ? 1 : null)}
          />
        )}
      </div>
      {at > 0 && (
        <button
          type="button"
          className="media-viewer-nav previous"
          aria-label="Previous"
          data-testid="media-viewer-previous"
          onClick={() => go(-1)}
        >
          <ChevronLeftIcon size={28} />
        </button>
      )}
      {at < items.length - 1 && (
        <button
          type="button"
          className="media-viewer-nav next"
          aria-label="Next"
          data-testid="media-viewer-next"
          onClick={() => go(1)}
        >
          <ChevronRightIcon size={28} />
        </button>
      )}
    </div>
  );
}

/** A video playing in the viewer, streamed by the app; one the player cannot decode offers the
 * system's player. */
function ViewerVideo({ attachment }: { attachment: Attachment }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let gone = false;
    setSrc(null);
    setFailed(false);
    playableUrl(attachment.media_id)
      .then((url) => {
        if (!gone) setSrc(url);
      })
      .catch(() => {
        if (!gone) setFailed(true);
      });
    return () => {
      gone = true;
    };
  }, [attachment.media_id]);
  if (failed) {
    return (
      <div className="media-viewer-external" data-testid="media-viewer-external">
        <p>This video cannot play here.</p>
        <button
          type="button"
          onClick={() =>
            void mediaApi
              .openMedia(attachment.media_id, attachment.name ?? "video.mp4")
              .catch(() => {})
          }
        >
          Open in player
        </button>
      </div>
    );
  }
  return src ? (
    <video
      className="media-viewer-video"
      src={src}
      controls
      autoPlay
      onError={() => setFailed(true)}
      data-testid="media-viewer-video"
    />
  ) : (
    <div className="media-viewer-loading" role="status">
      Loading…
    </div>
  );
}
