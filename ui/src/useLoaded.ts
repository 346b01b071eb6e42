import { useCallback, useEffect, useState } from "react";
import { describeError } from "./api";

/**
 * Loads `fetch` on mount; `reload` fetches again (after a change). Errors land in `error`,
 * worded like every form's.
 */
export function useLoaded<T>(fetch: () => Promise<T>): {
  data: T | null;
  error: string | null;
  setError: (error: string | null) => void;
  reload: () => void;
} {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    fetch()
      .then((loaded) => {
        setData(loaded);
        setError(null);
      })
      .catch((e) => setError(describeError(e)));
  }, [fetch]);
  useEffect(reload, [reload]);
  return { data, error, setError, reload };
}
