import { useLayoutEffect, useState } from "react";
import type { Appearance } from "../../bindings/Appearance";
import { applyAppearance, loadLastAppearance, saveLastAppearance } from "./appearance";

/**
 * Shows `appearance` (my account's; null while there is none, e.g. signed out: the last one this
 * device showed stays) on the page at once, following the OS while its theme is "system", and
 * keeps it as this device's last for the next start's first paint.
 */
export function useAppliedAppearance(appearance: Appearance | null): void {
  const [last] = useState(loadLastAppearance);
  const shown = appearance ?? last;
  const { theme, accent, text_size } = shown;
  useLayoutEffect(() => {
    const query =
      typeof window.matchMedia === "function"
        ? window.matchMedia("(prefers-color-scheme: dark)")
        : null;
    const apply = () =>
      applyAppearance(
        document.documentElement,
        { theme, accent, text_size, background: null },
        query?.matches ?? false,
      );
    apply();
    query?.addEventListener?.("change", apply);
    return () => query?.removeEventListener?.("change", apply);
  }, [theme, accent, text_size]);
  useLayoutEffect(() => {
    if (appearance) saveLastAppearance(appearance);
  }, [appearance]);
}
