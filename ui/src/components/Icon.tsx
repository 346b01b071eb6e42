import type React from "react";

// Small line icons drawn as SVG, so they look the same everywhere (emoji fonts are not on every
// desktop: under a bare X server they show as empty boxes). They take the text colour.

type IconProps = { size?: number };

const frame = (size: number) => ({
  width: size,
  height: size,
  viewBox: "0 0 24 24",
  fill: "none",
  stroke: "currentColor",
  strokeWidth: 2,
  strokeLinecap: "round" as const,
  strokeLinejoin: "round" as const,
  "aria-hidden": true,
  className: "icon",
});

/** A telephone handset: voice calls. */
export function PhoneIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z" />
    </svg>
  );
}

/** A video camera: video calls. */
export function VideoIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M23 7l-7 5 7 5V7z" />
      <rect x="1" y="5" width="15" height="14" rx="2" ry="2" />
    </svg>
  );
}

/** A magnifier: search. */
export function SearchIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <circle cx="11" cy="11" r="7" />
      <path d="M21 21l-4.35-4.35" />
    </svg>
  );
}

/** A smiling face: the emoji picker. */
export function SmileIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <circle cx="12" cy="12" r="10" />
      <path d="M8 14s1.5 2 4 2 4-2 4-2" />
      <path d="M9 9h.01M15 9h.01" />
    </svg>
  );
}

/** An "i" in a circle: a group's info. */
export function InfoIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <circle cx="12" cy="12" r="10" />
      <path d="M12 16v-4M12 8h.01" />
    </svg>
  );
}

/** Three dots in a row: more actions. */
export function MoreIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M5 12h.01M12 12h.01M19 12h.01" />
    </svg>
  );
}

/** A cross: close, cancel. */
export function CloseIcon({ size = 16 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M18 6L6 18M6 6l12 12" />
    </svg>
  );
}

/** A chevron pointing down: to the newest message. */
export function ChevronDownIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M6 9l6 6 6-6" />
    </svg>
  );
}

/** A push pin: a pinned chat. */
export function PinIcon({ size = 14 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M12 17v5" />
      <path d="M5 17h14v-1.8a2 2 0 0 0-1.1-1.8l-1.8-.9A2 2 0 0 1 15 10.8V6h1a2 2 0 0 0 0-4H8a2 2 0 0 0 0 4h1v4.8a2 2 0 0 1-1.1 1.8l-1.8.9A2 2 0 0 0 5 15.2z" />
    </svg>
  );
}

/** A five-pointed star: a starred message. */
export function StarIcon({ size = 14, filled = false }: IconProps & { filled?: boolean }) {
  return (
    <svg {...frame(size)} fill={filled ? "currentColor" : "none"}>
      <path d="M12 2l3.1 6.3 6.9 1-5 4.9 1.2 6.8L12 17.8 5.8 21l1.2-6.8-5-4.9 6.9-1z" />
    </svg>
  );
}

/** A bell struck through: a muted chat. */
export function MutedIcon({ size = 14 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M13.7 21a2 2 0 0 1-3.4 0" />
      <path d="M18.6 13A17.9 17.9 0 0 1 18 8" />
      <path d="M6.3 6.3A5.9 5.9 0 0 0 6 8c0 7-3 9-3 9h14" />
      <path d="M18 8a6 6 0 0 0-9.3-5" />
      <path d="M1 1l22 22" />
    </svg>
  );
}

/** A clock face: a message waiting to be sent. */
export function ClockIcon({ size = 14 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7v5l3 2" />
    </svg>
  );
}

/** A stopwatch: disappearing messages (a chat's timer, a message that will go). */
export function TimerIcon({ size = 14 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <circle cx="12" cy="14" r="8" />
      <path d="M12 10v4l2 2" />
      <path d="M10 2h4M12 2v4" />
    </svg>
  );
}

/** A bookmark: a disappearing message someone kept. */
export function BookmarkIcon({ size = 14, filled = false }: IconProps & { filled?: boolean }) {
  return (
    <svg {...frame(size)} fill={filled ? "currentColor" : "none"}>
      <path d="M19 21l-7-5-7 5V5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2z" />
    </svg>
  );
}

/** A warning triangle: a message that could not be sent. */
export function AlertIcon({ size = 14 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
      <path d="M12 9v4M12 17h.01" />
    </svg>
  );
}

/** One check mark: sent. */
export function CheckIcon({ size = 14 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M20 6L9 17l-5-5" />
    </svg>
  );
}

/** Two check marks: delivered (or read, in the read colour). */
export function DoubleCheckIcon({ size = 14 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M18 6L7 17l-5-5" />
      <path d="M22 10l-7.5 7.5L13 16" />
    </svg>
  );
}

/** A paper clip: attach files. */
export function PaperclipIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
    </svg>
  );
}

/** A picture frame with a mountain: photos, a chat's media. */
export function ImageIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <rect x="3" y="3" width="18" height="18" rx="2" />
      <circle cx="8.5" cy="8.5" r="1.5" />
      <path d="M21 15l-5-5L5 21" />
    </svg>
  );
}

/** A triangle pointing right: play. */
export function PlayIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M6 4l14 8-14 8z" fill="currentColor" />
    </svg>
  );
}

/** Two bars: pause. */
export function PauseIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M7 4h3v16H7zM14 4h3v16h-3z" fill="currentColor" />
    </svg>
  );
}

/** A sheet with a folded corner: a document. */
export function FileIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z" />
      <path d="M14 2v6h6" />
    </svg>
  );
}

/** A musical note: an audio file. */
export function MusicIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M9 18V5l12-2v13" />
      <circle cx="6" cy="18" r="3" />
      <circle cx="18" cy="16" r="3" />
    </svg>
  );
}

/** A box: an archive (zip and the like). */
export function ArchiveIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M21 8v13H3V8M1 3h22v5H1zM10 12h4" />
    </svg>
  );
}

/** An arrow into a tray: save, download. */
export function DownloadIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3" />
    </svg>
  );
}

/** Two chain links: a link. */
export function LinkIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7" />
      <path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7" />
    </svg>
  );
}

/** A microphone: record a voice message. */
export function MicIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <rect x="9" y="2" width="6" height="12" rx="3" />
      <path d="M5 10a7 7 0 0 0 14 0M12 17v5M8 22h8" />
    </svg>
  );
}

/** A chevron pointing left: previous. */
export function ChevronLeftIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M15 18l-6-6 6-6" />
    </svg>
  );
}

/** A chevron pointing right: next. */
export function ChevronRightIcon({ size = 18 }: IconProps) {
  return (
    <svg {...frame(size)}>
      <path d="M9 18l6-6-6-6" />
    </svg>
  );
}

type CallKind = "audio" | "video";

const CALLS: { kind: CallKind; label: string; Icon: (props: IconProps) => React.JSX.Element }[] = [
  { kind: "audio", label: "Voice call", Icon: PhoneIcon },
  { kind: "video", label: "Video call", Icon: VideoIcon },
];

/** The voice and video call buttons (a chat's header, a call log row). */
export function CallButtons({
  onCall,
  className,
  testIdPrefix,
  whom,
  size,
}: {
  onCall: (kind: CallKind) => void;
  className: string;
  /** Each button's data-testid is this plus `audio` or `video`. */
  testIdPrefix: string;
  /** Named in the buttons' labels ("Voice call Grace"), when there are several on screen. */
  whom?: string;
  size?: number;
}) {
  return (
    <>
      {CALLS.map(({ kind, label, Icon }) => (
        <button
          key={kind}
          type="button"
          className={`link-button ${className}`}
          aria-label={whom ? `${label} ${whom}` : label}
          title={label}
          data-testid={`${testIdPrefix}${kind}`}
          onClick={() => onCall(kind)}
        >
          <Icon size={size} />
        </button>
      ))}
    </>
  );
}
