import { useCallback, useMemo, useState } from "react";

/** The fields of `next` that differ from `base` (each compared as it is: plain values). */
function differences<T extends object>(base: T, next: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(next).filter(([key, value]) => base[key as keyof T] !== value),
  ) as Partial<T>;
}

/**
 * A settings form's fields over what my account has (`saved`, which may change while the form is
 * open: a setting changed on another device): the fields changed here and not saved yet, and for
 * every other one what my account has now, so a save sends nothing stale.
 */
export function useDraft<T extends object>(
  saved: T,
): {
  /** What the form shows and a save sends. */
  value: T;
  /** The form as changed here (a whole value, as the fields hand it over). */
  change: (next: T) => void;
  /** `sent` was saved: those fields are my account's again (changes made since stay). */
  settle: (sent: T) => void;
} {
  const [edits, setEdits] = useState<Partial<T>>({});
  const value = useMemo(() => ({ ...saved, ...edits }), [saved, edits]);
  const change = useCallback((next: T) => setEdits(differences(saved, next)), [saved]);
  const settle = useCallback(
    (sent: T) => setEdits((current) => differences(sent, { ...sent, ...current })),
    [],
  );
  return { value, change, settle };
}
