// Contacts' presence as pushed by the server, kept in one place for every component.
// The contact list brings each contact's presence when it loads; pushes that arrive later win.
import { useEffect, useSyncExternalStore } from "react";
import { api, type Contact, type Presence } from "./api";

const latest = new Map<string, Presence>();
const listeners = new Set<() => void>();
let watching = false;

function publish() {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Starts following presence pushes (once per page). */
export function usePresenceFeed(): void {
  useEffect(() => {
    if (watching) return;
    watching = true;
    api
      .watchPresence((presence) => {
        latest.set(presence.user_id, presence);
        publish();
      })
      .catch((error) => {
        watching = false;
        console.error("watch_presence failed", error);
      });
  }, []);
}

/** A freshly loaded contact list is newer than every push before it. */
export function presenceLoaded(): void {
  latest.clear();
  publish();
}

/** `contact`'s presence now: the latest push, else what the list said. */
export function usePresence(contact: Contact): { online: boolean; last_seen: number | null } {
  const pushed = useSyncExternalStore(subscribe, () => latest.get(contact.user_id));
  return pushed ?? { online: contact.online, last_seen: contact.last_seen };
}
