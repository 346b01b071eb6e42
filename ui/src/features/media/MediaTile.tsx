import { useState, type CSSProperties } from "react";
import type { LocalMessage } from "../../api";
import { PlayIcon } from "../../components/Icon";
import { mediaUrl, type Attachment } from "./api";
import { useMediaVersion } from "./hooks";
import { useMediaActions } from "./MediaContext";
import ThumbHashPlaceholder from "./ThumbHashPlaceholder";
import { fromBase64, thumbHashRatio } from "./thumbhash";
import TransferBadge from "./TransferBadge";
import { formatDuration } from "./words";

/** Width / height of an attachment as the sender measured it (else its ThumbHash's), kept
 * between tall and wide limits so one odd picture does not take the whole timeline. */
export function aspectOf(attachment: Attachment): { width: number; height: number } {
  let width = attachment.width ?? 0;
  let height = attachment.height ?? 0;
  if (!(width > 0 && height > 0)) {
    const hash = attachment.thumbhash ? fromBase64(attachment.thumbhash) : null;
    const ratio = hash && hash.length >= 5 ? thumbHashRatio(hash) : 4 / 3;
    width = Math.round(ratio * 1000);
    height = 1000;
  }
  const ratio = width / height;
  if (ratio < 0.5) return { width: 1, height: 2 };
  if (ratio > 2.5) return { width: 5, height: 2 };
  return { width, height };
}

/** The picture a tile shows: the larger thumbnail in the timeline, the small one in a grid. */
export function thumbOf(attachment: Attachment, large: boolean): string | null {
  const thumbs = attachment.thumbs ?? [];
  const pick = large ? (thumbs[1] ?? thumbs[0]) : thumbs[0];
  if (pick) return pick.media_id;
  // A picture without thumbnails (small already) shows itself; a video without a poster, none.
  return attachment.kind === "image" ? attachment.media_id : null;
}

/** A picture by URL over its placeholder, which shows until the picture is in. */
export function Picture({
  mediaId,
  hash,
  testId,
}: {
  mediaId: string | null;
  hash: string | undefined;
  testId?: string;
}) {
  const version = useMediaVersion(mediaId ?? undefined);
  // Which URL has loaded: a new version (the upload became ready) is worth another try.
  const url = mediaId ? mediaUrl(mediaId, version) : null;
  const [loadedUrl, setLoadedUrl] = useState<string | null>(null);
  const loaded = url !== null && loadedUrl === url;
  return (
    <>
      <ThumbHashPlaceholder hash={hash} />
      {url && (
        <img
          key={url}
          className={loaded ? "media-picture loaded" : "media-picture"}
          src={url}
          alt=""
          draggable={false}
          loading="lazy"
          decoding="async"
          data-testid={testId}
          onLoad={() => setLoadedUrl(url)}
        />
      )}
    </>
  );
}

/**
 * One picture or video of a message in the timeline: its box sized from the sender's
 * measurements before anything loads, the placeholder, the thumbnail, a video's play button and
 * length, how far its transfer got, and "+N" on the last of a grid with more.
 */
export default function MediaTile({
  local,
  attachment,
  mine,
  single,
  more = 0,
}: {
  local: LocalMessage;
  attachment: Attachment;
  mine: boolean;
  /** The message's only picture: shaped like it; in a grid, square. */
  single: boolean;
  /** How many more pictures the grid does not show. */
  more?: number;
}) {
  const { view } = useMediaActions();
  const video = attachment.kind === "video";
  const aspect = aspectOf(attachment);
  const style: CSSProperties | undefined = single
    ? { aspectRatio: `${aspect.width} / ${aspect.height}` }
    : undefined;
  const label = video
    ? `Video${attachment.duration_ms != null ? `, ${formatDuration(attachment.duration_ms)}` : ""}`
    : "Photo";
  return (
    <div
      className={single ? "media-tile single" : "media-tile"}
      style={style}
      data-testid={video ? "media-video" : "media-tile"}
      data-media-id={attachment.media_id}
    >
      <button
        type="button"
        className="media-open"
        aria-label={more > 0 ? `${label}, and ${more} more` : `Open ${label.toLowerCase()}`}
        onClick={() => view(local, attachment.media_id)}
      >
        <Picture
          mediaId={thumbOf(attachment, true)}
          hash={attachment.thumbhash}
          testId={video ? "media-poster" : "media-image"}
        />
        {video && (
          <span className="media-play" aria-hidden="true">
            <PlayIcon size={22} />
          </span>
        )}
        {video && attachment.duration_ms != null && (
          <span className="media-duration">{formatDuration(attachment.duration_ms)}</span>
        )}
        {more > 0 && <span className="media-more">+{more}</span>}
      </button>
      <span className="media-transfer">
        <TransferBadge local={local} mediaId={attachment.media_id} mine={mine} />
      </span>
    </div>
  );
}
