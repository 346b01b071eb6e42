import { useState, type ReactNode } from "react";
import { describeError, type LocalMessage } from "../../api";
import { CloseIcon, LinkIcon, PlayIcon } from "../../components/Icon";
import Tabs from "../../components/Tabs";
import { firstLink, openLink } from "../../links";
import { LAYER, useEscape } from "../../shortcuts";
import { dayLabel } from "../../time";
import type { Attachment, GalleryTab } from "./api";
import { DocIcon } from "./DocTile";
import { useGallery } from "./hooks";
import { isVisual } from "./MediaAttachments";
import { Picture, thumbOf } from "./MediaTile";
import { docCategory, fileName, formatBytes, formatDuration, typeLabel } from "./words";

const TABS = [
  { id: "media", label: "Media" },
  { id: "links", label: "Links" },
  { id: "docs", label: "Docs" },
] as const;

const EMPTY: Record<GalleryTab, string> = {
  media: "No photos or videos in this chat yet.",
  links: "No links in this chat yet.",
  docs: "No documents in this chat yet.",
};

function attachmentsOf(local: LocalMessage, keep: (a: Attachment) => boolean) {
  const content = local.message.content;
  return content?.kind === "media" ? content.attachments.filter(keep) : [];
}

/** Photos and videos as a grid of small thumbnails. */
function MediaGrid({ items, onPick }: { items: LocalMessage[]; onPick: (id: string) => void }) {
  return (
    <div className="gallery-grid">
      {items.flatMap((local) =>
        attachmentsOf(local, isVisual).map((attachment) => (
          <button
            key={attachment.media_id}
            type="button"
            className="gallery-item gallery-thumb"
            data-testid="gallery-item"
            data-message-id={local.message.id}
            aria-label={`${attachment.kind === "video" ? "Video" : "Photo"}, ${dayLabel(local.message.sent_at)}`}
            onClick={() => onPick(local.message.id)}
          >
            <Picture mediaId={thumbOf(attachment, false)} hash={attachment.thumbhash} />
            {attachment.kind === "video" && (
              <span className="gallery-video" aria-hidden="true">
                <PlayIcon size={12} />
                {attachment.duration_ms != null && formatDuration(attachment.duration_ms)}
              </span>
            )}
          </button>
        )),
      )}
    </div>
  );
}

/** Documents (and audio files) as rows: icon, name, type, size and day. */
function DocRows({ items, onPick }: { items: LocalMessage[]; onPick: (id: string) => void }) {
  return (
    <ul className="gallery-rows">
      {items.flatMap((local) =>
        attachmentsOf(local, (a) => !isVisual(a)).map((attachment) => (
          <li key={attachment.media_id}>
            <button
              type="button"
              className="gallery-item gallery-row"
              data-testid="gallery-item"
              data-message-id={local.message.id}
              onClick={() => onPick(local.message.id)}
            >
              <span className={`doc-icon doc-kind-${docCategory(attachment)}`} aria-hidden="true">
                <DocIcon category={docCategory(attachment)} size={20} />
              </span>
              <span className="gallery-row-text">
                <span className="gallery-row-title">{fileName(attachment)}</span>
                <span className="hint">
                  {typeLabel(attachment.mime, attachment.name)} · {formatBytes(attachment.size)} ·{" "}
                  {dayLabel(local.message.sent_at)}
                </span>
              </span>
            </button>
          </li>
        )),
      )}
    </ul>
  );
}

/**
 * Links as rows: the preview's title and site, else the link itself; a row shows its message,
 * and Open beside it opens the link (the browser for a web address).
 */
function LinkRows({
  items,
  onPick,
  onOpen,
}: {
  items: LocalMessage[];
  onPick: (id: string) => void;
  onOpen: (url: string) => void;
}) {
  return (
    <ul className="gallery-rows">
      {items.map((local) => {
        const content = local.message.content;
        const text = content?.kind === "text" ? content.text : "";
        const preview = content?.kind === "text" ? content.preview : undefined;
        // The first link, as the app found it (a message that came without a preview).
        const link = preview?.url ?? firstLink(text);
        const url = link ?? text;
        return (
          <li key={local.message.id} className="gallery-link-row">
            <button
              type="button"
              className="gallery-item gallery-row"
              data-testid="gallery-item"
              data-message-id={local.message.id}
              onClick={() => onPick(local.message.id)}
            >
              <span className="doc-icon" aria-hidden="true">
                <LinkIcon size={20} />
              </span>
              <span className="gallery-row-text">
                <span className="gallery-row-title">{preview?.title ?? url}</span>
                <span className="hint">
                  {preview?.site_name ? `${preview.site_name} · ` : ""}
                  {dayLabel(local.message.sent_at)}
                </span>
                {preview?.title && <span className="hint gallery-url">{url}</span>}
              </span>
            </button>
            {link && (
              <button
                type="button"
                className="link-button gallery-link-open"
                title={link}
                aria-label={`Open ${link}`}
                data-testid="gallery-link-open"
                onClick={() => onOpen(link)}
              >
                Open
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * A chat's media, links and documents beside its conversation, newest first, a page at a time;
 * a pick closes it and shows the message in the conversation, a link's Open opens the link (a
 * refused or failed one says why). `children` go above the tabs.
 */
export default function Gallery({
  chatId,
  onPick,
  onClose,
  children,
}: {
  chatId: string;
  /** Shows this message in the conversation. */
  onPick: (messageId: string) => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  const [tab, setTab] = useState<GalleryTab>("media");
  const { items, more, loadMore, error } = useGallery(chatId, tab);
  const [openError, setOpenError] = useState<string | null>(null);
  const open = (url: string) => {
    setOpenError(null);
    openLink(url).catch((e) => setOpenError(`Could not open the link: ${describeError(e)}`));
  };
  useEscape(true, LAYER.pane, onClose);
  return (
    <aside className="gallery" aria-label="Media, links and docs" data-testid="gallery">
      <header className="gallery-header">
        <h2>Media, links and docs</h2>
        <button
          type="button"
          className="link-button"
          aria-label="Close"
          data-testid="gallery-close"
          onClick={onClose}
        >
          <CloseIcon size={18} />
        </button>
      </header>
      {children}
      <Tabs
        tabs={TABS}
        current={tab}
        onSelect={(next) => {
          setTab(next);
          setOpenError(null);
        }}
        label="Media, links and docs"
        testIdPrefix="gallery-tab-"
      />
      <div className="gallery-body" data-testid="gallery-body" data-tab={tab}>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {openError && (
          <p className="error" role="alert" data-testid="gallery-open-error">
            {openError}
          </p>
        )}
        {items === null ? (
          !error && <p className="hint">Loading…</p>
        ) : items.length === 0 ? (
          <p className="hint gallery-empty">{EMPTY[tab]}</p>
        ) : tab === "media" ? (
          <MediaGrid items={items} onPick={onPick} />
        ) : tab === "docs" ? (
          <DocRows items={items} onPick={onPick} />
        ) : (
          <LinkRows items={items} onPick={onPick} onOpen={open} />
        )}
        {more && (
          <button
            type="button"
            className="link-button gallery-more"
            data-testid="gallery-more"
            onClick={loadMore}
          >
            Load more
          </button>
        )}
      </div>
    </aside>
  );
}
