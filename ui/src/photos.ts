// Photos as `data:` URLs (a person's, a group's, an invite's), fetched once per photo id and
// size (a photo id names its content, so a cached one never goes stale; a new photo has a new id).
import { useEffect, useState } from "react";
import { api, type PhotoSize } from "./api";
import { groupsApi } from "./features/groups/api";
import { afterStart } from "./startup";

/**
 * Whose photo it is, which says how to fetch it: a person's by user id (`user_photo`), a group's
 * by chat id for its members (`chat_photo`), or the one an invite shows by its code
 * (`invite_photo`).
 */
export interface PhotoOwner {
  kind: "user" | "chat" | "invite";
  id: string;
}

const cache = new Map<string, Promise<string | null>>();

function fetchPhoto(owner: PhotoOwner, size: PhotoSize): Promise<string | null> {
  switch (owner.kind) {
    case "user":
      return api.userPhoto(owner.id, size);
    case "chat":
      return groupsApi.chatPhoto(owner.id, size);
    case "invite":
      return groupsApi.invitePhoto(owner.id, size);
  }
}

function load(owner: PhotoOwner, photoId: string, size: PhotoSize): Promise<string | null> {
  const key = `${photoId}:${size}`;
  let entry = cache.get(key);
  if (!entry) {
    // The first screen paints with letters; the photos come once it is painted.
    entry = afterStart(() => fetchPhoto(owner, size)).catch((error) => {
      cache.delete(key);
      console.warn("loading a photo failed", error);
      return null;
    });
    cache.set(key, entry);
  }
  return entry;
}

/** The photo of `owner` whose id is `photoId` (null: none), as a URL for an `<img>`. */
export function usePhoto(
  owner: PhotoOwner,
  photoId: string | null,
  size: PhotoSize,
): string | null {
  const [loaded, setLoaded] = useState<{ key: string; url: string | null } | null>(null);
  const key = photoId ? `${photoId}:${size}` : null;
  const { kind, id } = owner;
  useEffect(() => {
    if (!photoId || !key) return;
    let current = true;
    load({ kind, id }, photoId, size).then((url) => {
      if (current) setLoaded({ key, url });
    });
    return () => {
      current = false;
    };
  }, [kind, id, photoId, size, key]);
  return loaded && loaded.key === key ? loaded.url : null;
}
