// Recording a voice message from the composer, as WhatsApp Desktop does: hold the microphone
// and let go to send, slide off it to throw the recording away; a click records hands-free
// until Send, Cancel or Esc. The app records (the bytes never cross the IPC); the page only
// starts and stops it.
import { useEffect, useRef, useState } from "react";
import { describeError } from "../../api";
import { CloseIcon, MicIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { mediaApi } from "./api";
import { formatClock } from "./words";

/** A press let go sooner than this is a click: it records hands-free instead of sending. */
export const CLICK_MS = 300;
/** How often the running time is redrawn. */
const TICK_MS = 250;

/** Not recording; recording while the button is held; recording hands-free after a click. */
export type RecordingPhase = "idle" | "holding" | "locked";

/** A recording's state and what the microphone button and the recording bar do to it. */
export interface VoiceRecording {
  phase: RecordingPhase;
  /** When it began (`Date.now()`). */
  since: number;
  /** The button pressed: recording starts, held. */
  press: () => void;
  /** The button let go over it: a click locks the recording, a hold sends it. */
  release: () => void;
  /** Recording starts hands-free (the button clicked from the keyboard). */
  lock: () => void;
  /** Sends the recording, or throws it away. */
  finish: (send: boolean) => void;
}

/**
 * The voice recording of a chat's composer. Errors (no microphone, too short) go to `onError`;
 * `onSent` follows a voice message sent. Leaving the chat while recording throws it away.
 */
export function useVoiceRecording(
  chatId: string,
  { onError, onSent }: { onError: (message: string | null) => void; onSent: () => void },
): VoiceRecording {
  const [phase, setPhase] = useState<RecordingPhase>("idle");
  const [since, setSince] = useState(0);
  const latest = useRef({ onError, onSent });
  latest.current = { onError, onSent };
  /** The recording's start: true once the microphone records, false when it could not. */
  const started = useRef<Promise<boolean> | null>(null);
  /** The last stop: a start waits for it, so that stop cannot end the new recording. */
  const stopped = useRef<Promise<unknown>>(Promise.resolve());

  const begin = (next: "holding" | "locked") => {
    if (started.current) return;
    latest.current.onError(null);
    setSince(Date.now());
    setPhase(next);
    const starting: Promise<boolean> = stopped.current
      .then(() => mediaApi.startVoiceRecording())
      .then(
        () => true,
        (error) => {
          if (started.current === starting) {
            started.current = null;
            setPhase("idle");
          }
          latest.current.onError(describeError(error));
          return false;
        },
      );
    started.current = starting;
  };

  const finish = (send: boolean) => {
    const starting = started.current;
    if (!starting) return;
    started.current = null;
    setPhase("idle");
    stopped.current = starting.then(async (recording) => {
      if (!recording) return;
      try {
        await mediaApi.stopVoiceRecording(chatId, send);
        if (send) latest.current.onSent();
      } catch (error) {
        latest.current.onError(describeError(error));
      }
    });
  };

  const release = () => {
    if (phase !== "holding") return;
    if (Date.now() - since < CLICK_MS) setPhase("locked");
    else finish(true);
  };

  useEscape(phase !== "idle", LAYER.menu, () => finish(false));

  // Leaving the chat (the conversation goes) with the microphone on throws the recording away.
  useEffect(
    () => () => {
      const starting = started.current;
      started.current = null;
      void starting?.then((recording) => {
        if (recording) mediaApi.stopVoiceRecording(chatId, false).catch(() => null);
      });
    },
    [chatId],
  );

  return {
    phase,
    since,
    press: () => begin("holding"),
    release,
    lock: () => begin("locked"),
    finish,
  };
}

/** The time since `since` as mm:ss, redrawn while it shows. */
function RecordingClock({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <span className="voice-clock" data-testid="voice-clock">
      {formatClock(now - since)}
    </span>
  );
}

/**
 * The microphone. Pointer presses hold or click (see `VoiceRecording`); a click that came
 * from no pointer press (the keyboard) records hands-free.
 */
function MicButton({ recording }: { recording: VoiceRecording }) {
  /** A pointer press is under way: its click is the press's, already handled. */
  const pressed = useRef(false);
  const holding = recording.phase === "holding";
  return (
    <button
      type="button"
      className={`link-button voice-record${holding ? " holding" : ""}`}
      aria-label="Record voice message"
      title="Hold to record, click to record hands-free"
      data-testid="voice-record"
      onPointerDown={(event) => {
        // The main button, a finger or a pen; not a right click.
        if (event.button > 0) return;
        // A touch holds on to the button it began on; let go, so sliding off it leaves it.
        const button = event.currentTarget;
        if (button.hasPointerCapture?.(event.pointerId)) {
          button.releasePointerCapture(event.pointerId);
        }
        pressed.current = true;
        recording.press();
      }}
      onPointerUp={recording.release}
      onPointerLeave={() => {
        pressed.current = false;
        if (holding) recording.finish(false);
      }}
      onPointerCancel={() => {
        pressed.current = false;
        if (holding) recording.finish(false);
      }}
      onClick={() => {
        if (!pressed.current) recording.lock();
        pressed.current = false;
      }}
      // A long touch would open the context menu.
      onContextMenu={(event) => event.preventDefault()}
    >
      <MicIcon size={22} />
    </button>
  );
}

/**
 * In the composer in place of Send while there is no text: the microphone, and while a
 * recording runs, what it is at in place of the text box — held: the time and "Slide away to
 * cancel"; hands-free: a red dot, the time, Cancel and Send.
 */
export default function VoiceRecorder({ recording }: { recording: VoiceRecording }) {
  const { phase, since } = recording;
  if (phase === "locked") {
    return (
      <div className="voice-recording" data-testid="voice-recording">
        <button
          type="button"
          className="link-button voice-cancel"
          aria-label="Cancel the voice message"
          title="Cancel (Esc)"
          data-testid="voice-cancel"
          onClick={() => recording.finish(false)}
        >
          <CloseIcon size={20} />
        </button>
        <span className="voice-dot" aria-hidden="true" />
        <RecordingClock since={since} />
        <span className="voice-recording-label">Recording</span>
        <button
          type="button"
          className="voice-send"
          aria-label="Send the voice message"
          data-testid="voice-send"
          autoFocus
          onClick={() => recording.finish(true)}
        >
          Send
        </button>
      </div>
    );
  }
  return (
    <>
      {phase === "holding" && (
        <div className="voice-hint" data-testid="voice-hint">
          <span className="voice-dot" aria-hidden="true" />
          <RecordingClock since={since} />
          <span className="voice-recording-label">Slide away to cancel</span>
        </div>
      )}
      <MicButton recording={recording} />
    </>
  );
}
