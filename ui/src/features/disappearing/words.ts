// How disappearing messages read in words: the timers, a chat's timer mark, when a message goes.
import { clockTime, dayLabel } from "../../time";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** A timer as the dialog offers it: `id` names its test id (`timer-option-<id>`). */
export interface TimerChoice {
  id: "off" | "24h" | "7d" | "90d";
  /** `null`: off. */
  ms: number | null;
  label: string;
}

/** Off, and the timers a chat may have (mirrors proto's `DISAPPEAR_TIMERS_MS`). */
export const TIMER_CHOICES: TimerChoice[] = [
  { id: "off", ms: null, label: "Off" },
  { id: "24h", ms: DAY_MS, label: "24 hours" },
  { id: "7d", ms: 7 * DAY_MS, label: "7 days" },
  { id: "90d", ms: 90 * DAY_MS, label: "90 days" },
];

/** "24 hours", "7 days", "90 days" (and, for a timer this app does not offer, "3 days", "5 hours"). */
export function durationWords(ms: number): string {
  const days = ms / DAY_MS;
  if (Number.isInteger(days) && days > 1) return `${days} days`;
  const hours = Math.max(1, Math.round(ms / HOUR_MS));
  return hours === 1 ? "1 hour" : `${hours} hours`;
}

/** "24h", "7d", "90d": a timer in a few letters. */
export function durationShort(ms: number): string {
  const days = ms / DAY_MS;
  if (Number.isInteger(days) && days > 1) return `${days}d`;
  return `${Math.max(1, Math.round(ms / HOUR_MS))}h`;
}

/** "Off" or "24 hours": a chat's timer as the settings show it. */
export function timerLabel(afterMs: number | null | undefined): string {
  return afterMs == null ? "Off" : durationWords(afterMs);
}

/** "Disappearing messages: 24 hours": the timer mark's title. */
export function timerTitle(afterMs: number): string {
  return `Disappearing messages: ${durationWords(afterMs)}`;
}

/** "Disappears today at 14:02", "Disappears tomorrow at 09:30", "Disappears 3 Mar at 09:30". */
export function disappearsWords(at: number, now: number = Date.now()): string {
  const tomorrow = dayLabel(at - DAY_MS, now) === "today";
  return `Disappears ${tomorrow ? "tomorrow" : dayLabel(at, now)} at ${clockTime(at)}`;
}
