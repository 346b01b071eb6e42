import { useCallback, useState } from "react";
import { describeError } from "./api";

/**
 * One form action at a time: `run` clears the last error, marks the form busy, and words a
 * failure the way every form shows it ("message (code)"), or as `describe` says (keep it stable).
 */
export function useSubmit(describe: (error: unknown) => string = describeError): {
  error: string | null;
  setError: (error: string | null) => void;
  busy: boolean;
  run: (step: () => Promise<void>) => Promise<void>;
} {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (step: () => Promise<void>) => {
      setError(null);
      setBusy(true);
      try {
        await step();
      } catch (e) {
        setError(describe(e));
      } finally {
        setBusy(false);
      }
    },
    [describe],
  );
  return { error, setError, busy, run };
}
