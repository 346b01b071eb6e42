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
