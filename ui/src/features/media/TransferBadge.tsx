import { describeError, type LocalMessage } from "../../api";
import { CloseIcon } from "../../components/Icon";
import { mediaApi } from "./api";
import { useTransfer } from "./hooks";
import { useMediaActions } from "./MediaContext";

const RADIUS = 18;
const ROUND = 2 * Math.PI * RADIUS;

/** A ring filling with `fraction` (spinning while unknown), and a cancel button in it. */
export function ProgressRing({
  fraction,
  label,
  onCancel,
}: {
  /** 0–1; null while nothing is known yet. */
  fraction: number | null;
  label: string;
  onCancel?: () => void;
}) {
  const percent = fraction === null ? null : Math.round(fraction * 100);
  return (
    <span className="progress-ring" data-testid="progress-ring" data-percent={percent ?? ""}>
      <svg
        viewBox="0 0 44 44"
        className={fraction === null ? "progress-spin" : undefined}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
      >
        <circle className="progress-track" cx="22" cy="22" r={RADIUS} />
        <circle
          className="progress-bar"
          cx="22"
          cy="22"
          r={RADIUS}
          strokeDasharray={ROUND}
          strokeDashoffset={ROUND * (1 - (fraction ?? 0.25))}
        />
      </svg>
      {onCancel && (
        <button
          type="button"
          className="progress-cancel"
          aria-label="Cancel sending"
          title="Cancel"
          data-testid="upload-cancel"
          onClick={(event) => {
            event.stopPropagation();
            onCancel();
          }}
        >
          <CloseIcon size={16} />
        </button>
      )}
    </span>
  );
}

/**
 * Over an attachment: how far its upload (mine, with a cancel) or download got, or "Not sent"
 * once its upload failed. Nothing once it is through.
 */
export default function TransferBadge({
  local,
  mediaId,
  mine,
}: {
  local: LocalMessage;
  mediaId: string;
  mine: boolean;
}) {
  const transfer = useTransfer(mediaId);
  const { notify } = useMediaActions();
  const cancel = () =>
    mediaApi
      .cancelMedia(local.message.id)
      .catch((e) => notify(`Could not cancel: ${describeError(e)}`));
  if (transfer?.state === "failed" && transfer.direction === "up") {
    return (
      <span className="media-failed" data-testid="upload-failed">
        Not sent
      </span>
    );
  }
  if (transfer?.state === "waiting") {
    const fraction = transfer.total > 0 ? Math.min(1, transfer.done / transfer.total) : null;
    return transfer.direction === "up" ? (
      <ProgressRing fraction={fraction} label="Sending" onCancel={mine ? cancel : undefined} />
    ) : (
      <ProgressRing fraction={fraction} label="Downloading" />
    );
  }
  // My message waits its turn (its files not reserved yet): it can still be taken back.
  if (!transfer && mine && local.status.state === "pending") {
    return <ProgressRing fraction={null} label="Waiting to send" onCancel={cancel} />;
  }
  return null;
}
