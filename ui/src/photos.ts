// Profile photos as `data:` URLs, fetched once per photo id and size (a photo id names its
// content, so a cached one never goes stale; a new photo has a new id).
import { useEffect, useState } from "react";
import { api, type PhotoSize } from "./api";

const cache = new Map<string, Promise<string | null>>();

function load(userId: string, photoId: string, size: PhotoSize): Promise<string | null> {
  const key = `${photoId}:${size}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = api.userPhoto(userId, size).catch((error) => {
      cache.delete(key);
      console.warn("loading a photo failed", error);
      return null;
    });
    cache.set(key, entry);
  }
  return entry;
}

/** The photo of `userId` whose id is `photoId` (null: none), as a URL for an `<img>`. */
export function usePhoto(userId: string, photoId: string | null, size: PhotoSize): string | null {
  const [loaded, setLoaded] = useState<{ key: string; url: string | null } | null>(null);
  const key = photoId ? `${photoId}:${size}` : null;
  useEffect(() => {
    if (!photoId || !key) return;
    let current = true;
    load(userId, photoId, size).then((url) => {
      if (current) setLoaded({ key, url });
    });
    return () => {
      current = false;
    };
  }, [userId, photoId, size, key]);
  return loaded && loaded.key === key ? loaded.url : null;
}
