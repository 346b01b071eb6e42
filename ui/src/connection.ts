import type { ConnectionState } from "./api";

export interface ConnectionLabel {
  /** Short text for the badge. */
  text: string;
  /** Longer explanation for the tooltip. */
  detail: string;
  tone: "ok" | "busy" | "down";
}

/** Words for a connection state; `now` and `receivedAt` count down an offline retry. */
export function describeConnection(
  state: ConnectionState | null,
  receivedAt: number,
  now: number,
): ConnectionLabel {
  if (state === null) return { text: "Starting…", detail: "Starting up", tone: "busy" };
  switch (state.state) {
    case "connected":
      return {
        text: "Connected",
        detail: `Connected to gkchat-server ${state.server_version}`,
        tone: "ok",
      };
    case "connecting":
      return {
        text: "Connecting…",
        detail: state.attempt > 0 ? `Attempt ${state.attempt + 1}` : "Connecting to the server",
        tone: "busy",
      };
    case "offline": {
      const seconds = Math.max(0, Math.ceil((receivedAt + state.retry_in_ms - now) / 1000));
      const why = state.code ? `${state.reason} (${state.code})` : state.reason;
      return { text: `Offline — retrying in ${seconds} s`, detail: why, tone: "down" };
    }
    case "stopped":
      return { text: "Disconnected", detail: "Not connected", tone: "down" };
  }
}
