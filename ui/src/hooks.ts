import { useEffect, useState } from "react";
import { api, type ConnectionState } from "./api";
import { loadThemeChoice, resolveTheme, saveThemeChoice, type ThemeChoice } from "./theme";

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

/** The theme choice, applied to <html data-theme>, following the OS when "system". */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(loadThemeChoice);
  useEffect(() => {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const apply = () => {
      document.documentElement.dataset.theme = resolveTheme(choice, query.matches);
    };
    apply();
    query.addEventListener("change", apply);
    return () => query.removeEventListener("change", apply);
  }, [choice]);
  const update = (next: ThemeChoice) => {
    saveThemeChoice(next);
    setChoice(next);
  };
  return [choice, update];
}
