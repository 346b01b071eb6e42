import { CallButtons, PhoneIcon, VideoIcon } from "./Icon";
import { useState } from "react";
import { api, describeError, type CallKind, type CallLogEntry } from "../api";
import { outcomeWords, useCallLog } from "../calls";
import { clockTime, dayLabel } from "../time";
import Avatar from "./Avatar";
import EmptyPanel from "./EmptyPanel";

/** Missed and declined calls read in red, as in every phone's log. */
const BAD_OUTCOMES = new Set<CallLogEntry["outcome"]>(["missed", "declined"]);

/** The Calls tab: my call log, newest first, with a voice and a video call-back on each line. */
export default function CallsPanel() {
  const { entries, error } = useCallLog();
  const [callError, setCallError] = useState<string | null>(null);

  const callBack = (entry: CallLogEntry, kind: CallKind) => {
    setCallError(null);
    api.startCall(entry.peer.user_id, kind).catch((e) => setCallError(describeError(e)));
  };

  const message = callError ?? error;
  const failure = message && (
    <p className="error" role="alert" data-testid="call-log-error">
      {message}
    </p>
  );
  if (entries === null) return failure || <p className="hint call-log-loading">Loading calls…</p>;
  if (entries.length === 0) {
    return (
      <>
        {failure}
        <EmptyPanel title="No calls yet" body="Voice and video calls you make show up here." />
      </>
    );
  }
  const now = Date.now();
  return (
    <section className="call-log" data-testid="call-log">
      {failure}
      <ul className="contact-list">
        {entries.map((entry) => {
          const incoming = entry.direction === "incoming";
          const bad = BAD_OUTCOMES.has(entry.outcome);
          return (
            <li
              key={entry.call_id}
              className="contact call-log-row"
              data-testid="call-log-row"
              data-outcome={entry.outcome}
            >
              <Avatar
                owner={{ kind: "user", id: entry.peer.user_id }}
                photo={entry.peer.photo}
                name={entry.peer.display_name}
              />
              <div className="contact-text">
                <div className="contact-name" data-testid="call-log-name">
                  {entry.peer.display_name}
                </div>
                <div className={bad ? "hint call-log-bad" : "hint"} data-testid="call-log-outcome">
                  <span
                    className="call-log-direction"
                    role="img"
                    aria-label={incoming ? "Incoming" : "Outgoing"}
                  >
                    {incoming ? "↙" : "↗"}
                  </span>{" "}
                  <span role="img" aria-label={entry.kind === "video" ? "Video" : "Voice"}>
                    {entry.kind === "video" ? <VideoIcon size={13} /> : <PhoneIcon size={13} />}
                  </span>{" "}
                  {outcomeWords(entry)}
                </div>
                <div className="hint" data-testid="call-log-when">
                  {dayLabel(entry.started_at, now)} at {clockTime(entry.started_at)}
                </div>
              </div>
              <div className="contact-actions">
                <CallButtons
                  onCall={(kind) => callBack(entry, kind)}
                  className="call-back"
                  testIdPrefix="call-back-"
                  whom={entry.peer.display_name}
                />
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
