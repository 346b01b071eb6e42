import type { LocalMessage } from "../../api";
import { attachmentsLabel } from "../../chatText";
import type { Attachment } from "./api";
import DocTile from "./DocTile";
import MediaTile from "./MediaTile";
import VoicePlayer from "./VoicePlayer";
import "./media.css";

/** At most this many pictures in a message's grid; the last says how many more. */
const GRID_MAX = 4;

/** Whether an attachment shows as a picture (a photo, a video's poster). */
export function isVisual(attachment: Attachment): boolean {
  return attachment.kind === "image" || attachment.kind === "video";
}

/**
 * A media message's attachments in its bubble: pictures and videos as one grid (a lone one
 * shaped like itself), then voice messages, then documents.
 */
export default function MediaAttachments({
  local,
  attachments,
  mine,
}: {
  local: LocalMessage;
  attachments: Attachment[];
  mine: boolean;
}) {
  const visuals = attachments.filter(isVisual);
  const voices = attachments.filter((a) => a.kind === "voice");
  const docs = attachments.filter((a) => a.kind === "file" || a.kind === "audio");
  const shown = visuals.slice(0, GRID_MAX);
  const more = visuals.length - shown.length;
  return (
    <div className="media-attachments" role="group" aria-label={attachmentsLabel(attachments)}>
      {shown.length > 0 && (
        <div className={`media-grid media-grid-${shown.length}`}>
          {shown.map((attachment, i) => (
            <MediaTile
              key={attachment.media_id}
              local={local}
              attachment={attachment}
              mine={mine}
              single={shown.length === 1}
              more={i === shown.length - 1 ? more : 0}
            />
          ))}
        </div>
      )}
      {voices.map((attachment) => (
        <VoicePlayer key={attachment.media_id} local={local} attachment={attachment} mine={mine} />
      ))}
      {docs.map((attachment) => (
        <DocTile key={attachment.media_id} local={local} attachment={attachment} mine={mine} />
      ))}
    </div>
  );
}
