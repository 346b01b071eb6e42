import type { ReactNode } from "react";

const SIZE = 52;
const RADIUS = 24;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;
/** The gap between two posts' arcs, along the circle. */
const GAP = 4;

/**
 * An avatar inside a ring split in one arc per post, oldest first clockwise from the top:
 * those I have not seen in the accent colour, those I have in grey.
 */
export default function StatusRing({
  seen,
  children,
}: {
  /** Each post's seen flag, oldest first. */
  seen: boolean[];
  children: ReactNode;
}) {
  const count = seen.length;
  const unseen = seen.filter((s) => !s).length;
  const share = count > 0 ? CIRCUMFERENCE / count : CIRCUMFERENCE;
  const gap = count > 1 ? GAP : 0;
  const dash = Math.max(share - gap, 0.5);
  return (
    <span className="status-ring-wrap">
      <svg
        className="status-ring"
        data-testid="status-ring"
        data-unseen={unseen}
        data-seen={count - unseen}
        width={SIZE}
        height={SIZE}
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        aria-hidden="true"
      >
        <g transform={`rotate(-90 ${SIZE / 2} ${SIZE / 2})`}>
          {seen.map((wasSeen, i) => (
            <circle
              key={i}
              className={wasSeen ? "status-arc seen" : "status-arc unseen"}
              cx={SIZE / 2}
              cy={SIZE / 2}
              r={RADIUS}
              fill="none"
              strokeWidth={2.5}
              strokeDasharray={`${dash} ${CIRCUMFERENCE - dash}`}
              strokeDashoffset={-(i * share + gap / 2)}
            />
          ))}
        </g>
      </svg>
      <span className="status-ring-face">{children}</span>
    </span>
  );
}
