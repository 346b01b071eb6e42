import { useState } from "react";
import { api, describeError, type CallView, type LocalChat } from "../api";
import { endedWords, formatDuration, useCall, usePeer } from "../calls";
import { useNow } from "../hooks";
import Avatar from "./Avatar";
import VideoCanvas from "./VideoCanvas";

/** The line under the name: what the call is doing now. */
function statusWords(call: CallView): string {
  switch (call.phase) {
    case "ringing":
      if (call.direction === "outgoing") return "Ringing…";
      return call.kind === "video" ? "Incoming video call" : "Incoming voice call";
    case "calling":
      return "Calling…";
    case "connecting":
      return "Connecting…";
    case "connected":
      return call.kind === "video" ? "Video call" : "Voice call";
    case "ended":
      return endedWords(call);
  }
}

/**
 * The call over the whole window while there is one: ringing with Accept / Decline, calling,
 * connecting, then the timer, the far side's picture with my self-view, and the controls; for
 * a moment after the end, how it ended.
 */
export default function CallScreen({ chats }: { chats: LocalChat[] | null }) {
  const call = useCall();
  // Keyed by the call: its error and volume start afresh with the next one.
  return call && <CallPane key={call.call_id} call={call} chats={chats} />;
}

function CallPane({ call, chats }: { call: CallView; chats: LocalChat[] | null }) {
  const peer = usePeer(call.peer_id, chats);
  const [error, setError] = useState<string | null>(null);
  const [volume, setVolume] = useState(1);
  const connected = call.phase === "connected";
  const now = useNow(connected);

  const act = (step: () => Promise<void>) => {
    setError(null);
    step().catch((e) => setError(describeError(e)));
  };
  const name = peer?.display_name ?? "Someone";
  const ended = call.phase === "ended";
  const ringing = call.phase === "ringing" && call.direction === "incoming";
  const video = call.kind === "video" && !ended;
  const sendingVideo = call.kind === "video" && call.camera_on;
  const hasMedia = call.phase === "connecting" || connected;
  const showPicture = video && call.remote_video;

  return (
    <div
      className={showPicture ? "call-screen call-screen-video" : "call-screen"}
      data-testid="call-screen"
      data-phase={call.phase}
      role="dialog"
      aria-label={`Call with ${name}`}
    >
      {video && (
        <VideoCanvas
          which={0}
          className={showPicture ? "call-remote-video" : "call-remote-video call-video-off"}
          testId="call-remote-video"
          label={`${name}'s video`}
        />
      )}
      {video && call.camera_on && (
        <VideoCanvas
          which={1}
          className="call-self-view"
          testId="call-self-view"
          label="Your video"
        />
      )}
      <div className="call-info">
        {!showPicture && (
          <Avatar
            owner={{ kind: "user", id: call.peer_id }}
            photo={peer?.photo ?? null}
            name={name}
            size="full"
            large
          />
        )}
        <h2 className="call-peer-name" data-testid="call-peer-name">
          {name}
        </h2>
        <p
          className={ended ? "call-status call-status-ended" : "call-status"}
          data-testid="call-status"
        >
          {statusWords(call)}
        </p>
        {connected && call.answered_at !== null && (
          <p className="call-timer" data-testid="call-timer">
            {formatDuration(now - call.answered_at)}
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="call-error">
            {error}
          </p>
        )}
      </div>
      {!ended && (
        <div className="call-controls">
          {ringing ? (
            <>
              <button
                type="button"
                className="call-button call-button-hangup"
                data-testid="call-decline"
                onClick={() => act(api.declineCall)}
              >
                Decline
              </button>
              <button
                type="button"
                className="call-button call-button-accept"
                data-testid="call-accept"
                // The window came up for this call: Enter answers it.
                autoFocus
                onClick={() => act(api.acceptCall)}
              >
                Accept
              </button>
            </>
          ) : (
            <>
              <button
                type="button"
                className="call-button"
                aria-pressed={call.muted}
                data-testid="call-mute"
                onClick={() => act(() => api.setCallMuted(!call.muted))}
              >
                {call.muted ? "Unmute" : "Mute"}
              </button>
              {call.kind === "video" && (
                <button
                  type="button"
                  className="call-button"
                  aria-pressed={!call.camera_on}
                  data-testid="call-camera"
                  onClick={() => act(() => api.setCallCamera(!call.camera_on))}
                >
                  {call.camera_on ? "Camera off" : "Camera on"}
                </button>
              )}
              {hasMedia && (
                <button
                  type="button"
                  className="call-button"
                  data-testid="call-switch"
                  onClick={() => act(() => api.switchCall(sendingVideo ? "audio" : "video"))}
                >
                  {sendingVideo ? "Switch to voice" : "Switch to video"}
                </button>
              )}
              {hasMedia && (
                <label className="call-volume">
                  <span className="visually-hidden">Volume</span>
                  <input
                    type="range"
                    min={0}
                    max={2}
                    step={0.1}
                    value={volume}
                    data-testid="call-volume"
                    onChange={(event) => {
                      const next = Number(event.target.value);
                      setVolume(next);
                      act(() => api.setCallVolume(next));
                    }}
                  />
                </label>
              )}
              <button
                type="button"
                className="call-button call-button-hangup"
                data-testid="call-hangup"
                onClick={() => act(api.hangUpCall)}
              >
                Hang up
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
