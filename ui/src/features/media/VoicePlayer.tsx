import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import type { LocalMessage } from "../../api";
import { PauseIcon, PlayIcon } from "../../components/Icon";
import { playableUrl, type Attachment } from "./api";
import TransferBadge from "./TransferBadge";
import { formatDuration } from "./words";

/** The speeds the toggle goes through, in order. */
export const SPEEDS = [1, 1.5, 2] as const;
/** Bars drawn when a voice message came without its waveform. */
const FLAT = Array.from({ length: 40 }, () => 64);
/** At most this many bars (a long waveform is averaged down). */
const MAX_BARS = 60;

/** The waveform as at most `MAX_BARS` bars of 0–1 (a tenth at least, so silence shows). */
function bars(waveform: number[] | undefined): number[] {
  const points = waveform && waveform.length > 0 ? waveform : FLAT;
  const count = Math.min(MAX_BARS, points.length);
  const step = points.length / count;
  return Array.from({ length: count }, (_, i) => {
    const slice = points.slice(Math.floor(i * step), Math.max(Math.floor((i + 1) * step), 1));
    const mean = slice.reduce((sum, v) => sum + v, 0) / slice.length;
    return Math.max(0.1, mean / 255);
  });
}

/**
 * A voice message: play / pause, its waveform filling as it plays (a click seeks), the time
 * (what is left while playing, else the length), and the speed (1×, 1.5×, 2×).
 */
export default function VoicePlayer({
  local,
  attachment,
  mine,
}: {
  local: LocalMessage;
  attachment: Attachment;
  mine: boolean;
}) {
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [speed, setSpeed] = useState<(typeof SPEEDS)[number]>(1);
  const [failed, setFailed] = useState(false);
  const length = (attachment.duration_ms ?? 0) / 1000;
  const shown = bars(attachment.waveform);

  useEffect(() => {
    if (audio.current) audio.current.playbackRate = speed;
  }, [speed]);

  const duration = () => {
    const element = audio.current;
    return element && Number.isFinite(element.duration) && element.duration > 0
      ? element.duration
      : length;
  };
  // The sound's address is asked once, on the first play (the app fetches it into its cache
  // and serves it to the player).
  const loaded = useRef<string | null>(null);
  const toggle = async () => {
    const element = audio.current;
    if (!element) return;
    if (!element.paused) {
      element.pause();
      return;
    }
    setFailed(false);
    try {
      if (!loaded.current) {
        loaded.current = await playableUrl(attachment.media_id);
        element.src = loaded.current;
      }
      element.playbackRate = speed;
      await element.play();
    } catch {
      setFailed(true);
    }
  };
  const seek = (fraction: number) => {
    const element = audio.current;
    const total = duration();
    if (!element || total <= 0) return;
    element.currentTime = Math.min(total, Math.max(0, fraction * total));
    setPosition(element.currentTime);
  };
  const onWaveClick = (event: MouseEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width > 0) seek((event.clientX - box.left) / box.width);
  };
  const onWaveKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const total = duration();
    if (total <= 0) return;
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      seek((position + (event.key === "ArrowRight" ? 5 : -5)) / total);
    }
  };
  const total = duration();
  const progress = total > 0 ? Math.min(1, position / total) : 0;
  const nextSpeed = SPEEDS[(SPEEDS.indexOf(speed) + 1) % SPEEDS.length]!;
  return (
    <div className="voice-player" data-testid="voice-player" data-media-id={attachment.media_id}>
      <button
        type="button"
        className="voice-play"
        aria-label={playing ? "Pause voice message" : "Play voice message"}
        data-testid="voice-play"
        onClick={() => void toggle()}
      >
        {playing ? <PauseIcon size={16} /> : <PlayIcon size={16} />}
      </button>
      <div
        className="voice-wave"
        role="slider"
        tabIndex={0}
        aria-label="Position"
        aria-valuemin={0}
        aria-valuemax={Math.round(total)}
        aria-valuenow={Math.round(position)}
        aria-valuetext={formatDuration(position * 1000)}
        onClick={onWaveClick}
        onKeyDown={onWaveKey}
      >
        {shown.map((height, i) => (
          <span
            key={i}
            className={(i + 0.5) / shown.length <= progress ? "voice-bar played" : "voice-bar"}
            style={{ height: `${Math.round(height * 100)}%` }}
          />
        ))}
      </div>
      <span className="voice-time" data-testid="voice-time">
        {formatDuration((playing || position > 0 ? Math.max(0, total - position) : total) * 1000)}
      </span>
      <button
        type="button"
        className="voice-speed"
        aria-label={`Playback speed ${speed}×, change to ${nextSpeed}×`}
        data-testid="voice-speed"
        onClick={() => setSpeed(nextSpeed)}
      >
        {speed}×
      </button>
      <TransferBadge local={local} mediaId={attachment.media_id} mine={mine} />
      {failed && (
        <span className="error voice-error" role="alert">
          Cannot play it
        </span>
      )}
      <audio
        ref={audio}
        preload="none"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => {
          setPlaying(false);
          setPosition(0);
        }}
        onTimeUpdate={(event) => setPosition(event.currentTarget.currentTime)}
      />
    </div>
  );
}
