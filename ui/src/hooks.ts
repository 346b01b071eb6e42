import { useEffect, useState } from "react";
import { api, type ConnectionState } from "./api";

/** The live connection state and when it arrived (for retry countdowns). */
export function useConnectionState(): { state: ConnectionState | null; receivedAt: number } {
  const [value, setValue] = useState<{ state: ConnectionState | null; receivedAt: number }>({
    state: null,
    receivedAt: Date.now(),
  });
  useEffect(() => {
    api
      .watchConnection((state) => setValue({ state, receivedAt: Date.now() }))
      .catch((error) => console.error("watch_connection failed", error));
  }, []);
  return value;
}

/** Re-renders every `ms` while `active`; returns the current time. */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
  return now;
}
