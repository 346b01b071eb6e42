import type { LocalMessage } from "../../api";
import { ArchiveIcon, DownloadIcon, FileIcon, MusicIcon } from "../../components/Icon";
import type { Attachment } from "./api";
import { useMediaActions } from "./MediaContext";
import TransferBadge from "./TransferBadge";
import { docCategory, fileName, formatBytes, typeLabel, type DocCategory } from "./words";

/** A document's icon by its kind. */
export function DocIcon({ category, size = 26 }: { category: DocCategory; size?: number }) {
  switch (category) {
    case "audio":
      return <MusicIcon size={size} />;
    case "archive":
      return <ArchiveIcon size={size} />;
    default:
      return <FileIcon size={size} />;
  }
}

/**
 * A document or audio file in the timeline: its icon, name, type and size, Open (with the
 * system's app) and Save (into Downloads), and how far its transfer got.
 */
export default function DocTile({
  local,
  attachment,
  mine,
}: {
  local: LocalMessage;
  attachment: Attachment;
  mine: boolean;
}) {
  const { open, save } = useMediaActions();
  const category = docCategory(attachment);
  const name = fileName(attachment);
  const type = typeLabel(attachment.mime, attachment.name);
  // My message still on its way names placeholders: nothing to open from the server yet.
  const ready = local.status.state !== "pending";
  return (
    <div className="doc-tile" data-testid="doc-tile" data-media-id={attachment.media_id}>
      <span className={`doc-icon doc-kind-${category}`} aria-hidden="true">
        <DocIcon category={category} />
        <span className="doc-type-badge">{type}</span>
      </span>
      <span className="doc-text">
        <span className="doc-name" title={name} data-testid="doc-name">
          {name}
        </span>
        <span className="hint" data-testid="doc-size">
          {type} · {formatBytes(attachment.size)}
        </span>
      </span>
      <span className="doc-transfer">
        <TransferBadge local={local} mediaId={attachment.media_id} mine={mine} />
      </span>
      <span className="doc-actions">
        <button
          type="button"
          className="link-button"
          aria-label={`Open ${name}`}
          data-testid="doc-open"
          disabled={!ready}
          onClick={() => open(attachment)}
        >
          Open
        </button>
        <button
          type="button"
          className="link-button"
          aria-label={`Save ${name}`}
          title="Save to Downloads"
          data-testid="doc-save"
          disabled={!ready}
          onClick={() => save(attachment)}
        >
          <DownloadIcon size={14} /> Save
        </button>
      </span>
    </div>
  );
}
