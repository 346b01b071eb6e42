// The status feed's state: read from the local cache when shown, and again (a little later, once
// for a burst) whenever the messenger says something about a post changed, or when the soonest
// post expires.
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError, type MessengerEvent } from "../../api";
import { useMessengerEvents } from "../../messages";
import { statusApi, type StatusFeed } from "./api";

/** How long after a status event the feed is read again (a burst reads it once). */
export const RELOAD_DELAY_MS = 250;

const EMPTY: StatusFeed = { mine: [], others: [] };

/** Whether a messenger event is about status posts. */
export function isStatusEvent(event: MessengerEvent): boolean {
  return event.event === "status";
}

/** The feed (null until read), why it could not be read, and reading it again now or soon. */
export function useStatusFeed(): {
  feed: StatusFeed | null;
  error: string | null;
  reload: () => void;
  reloadSoon: () => void;
} {
  const [feed, setFeed] = useState<StatusFeed | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the latest read's answer counts (an older one may come after it).
  const asked = useRef(0);
  const gone = useRef(false);
  const reload = useCallback(() => {
    const ask = ++asked.current;
    statusApi
      .feed()
      .then((read) => {
        if (gone.current || ask !== asked.current) return;
        setFeed(read ? { mine: read.mine ?? [], others: read.others ?? [] } : EMPTY);
        setError(null);
      })
      .catch((e) => {
        if (gone.current || ask !== asked.current) return;
        setError(describeError(e));
      });
  }, []);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadSoon = useCallback(() => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, RELOAD_DELAY_MS);
  }, [reload]);
  useEffect(() => {
    gone.current = false;
    reload();
    return () => {
      gone.current = true;
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [reload]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (isStatusEvent(event)) reloadSoon();
      },
      [reloadSoon],
    ),
  );
  // A post left on screen goes when it expires.
  useEffect(() => {
    if (!feed) return;
    const ends = [...feed.mine, ...feed.others.flatMap((owner) => owner.posts)].map(
      (post) => post.expires_at,
    );
    if (ends.length === 0) return;
    const wait = Math.min(...ends) - Date.now() + 1000;
    // setTimeout takes at most ~24.8 days; a post lasts 24 hours.
    const timeout = setTimeout(reload, Math.min(Math.max(wait, 1000), 2 ** 31 - 1));
    return () => clearTimeout(timeout);
  }, [feed, reload]);
  return { feed, error, reload, reloadSoon };
}
