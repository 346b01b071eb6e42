import { useEffect, useState } from "react";
import { api, describeError, type Contact } from "../../api";
import Avatar from "../../components/Avatar";
import { CloseIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { chatsApi } from "../chats/api";
import type { NameOf } from "../groups/words";
import { statusApi, type StatusViewers } from "./api";
import { statusTime, viewsWord } from "./words";

/** A person as the list can show them: from my contacts, my direct chats, or what the caller
 * knows (the feed's owners, group members). */
interface Known {
  name: string;
  photo: string | null;
}

/** Who I can put a name to: my contacts, and the other person of each of my direct chats. */
function useKnownPeople(): Map<string, Known> {
  const [known, setKnown] = useState<Map<string, Known>>(() => new Map());
  useEffect(() => {
    let current = true;
    Promise.all([
      api.listContacts().catch(() => [] as Contact[]),
      chatsApi.listChats().catch(() => []),
    ]).then(([contacts, chats]) => {
      if (!current) return;
      const found = new Map<string, Known>();
      for (const chat of chats ?? []) {
        const person = chat.kind === "direct" ? chat.other_member : null;
        if (person) found.set(person.user_id, { name: person.display_name, photo: chat.photo });
      }
      for (const contact of contacts ?? []) {
        found.set(contact.user_id, { name: contact.display_name, photo: contact.photo });
      }
      setKnown(found);
    });
    return () => {
      current = false;
    };
  }, []);
  return known;
}

/**
 * Who viewed one of my posts: each named viewer with the day and time of their view and their
 * reaction; how many more there were without a name (they keep read receipts off), or, while I
 * keep mine off, the count only.
 */
export default function ViewersList({
  postId,
  nameOf,
  onClose,
}: {
  postId: string;
  /** Names the caller knows (the feed's owners, group members). */
  nameOf: NameOf;
  onClose: () => void;
}) {
  const [viewers, setViewers] = useState<StatusViewers | null>(null);
  const [error, setError] = useState<string | null>(null);
  const known = useKnownPeople();
  useEscape(true, LAYER.overlay, onClose);
  useEffect(() => {
    let current = true;
    setViewers(null);
    setError(null);
    statusApi
      .viewers(postId)
      .then((list) => current && setViewers(list))
      .catch((e) => current && setError(describeError(e)));
    return () => {
      current = false;
    };
  }, [postId]);

  const named = viewers?.viewers ?? [];
  const more = viewers ? Math.max(0, viewers.count - named.length) : 0;
  return (
    <div
      className="status-viewers"
      role="dialog"
      aria-label="Viewed by"
      data-testid="status-viewers"
      // Its clicks are not the viewer's taps.
      onPointerDown={(event) => event.stopPropagation()}
    >
      <header className="status-viewers-header">
        <h3 data-testid="status-viewers-title">
          {viewers ? `Viewed by ${viewers.count}` : "Viewed by"}
        </h3>
        <button
          type="button"
          className="status-icon-button"
          aria-label="Close the list"
          data-testid="status-viewers-close"
          onClick={onClose}
        >
          <CloseIcon size={18} />
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!viewers && !error && <p className="hint">Loading…</p>}
      {viewers?.hidden && (
        <p className="hint" data-testid="status-viewers-hidden">
          Read receipts are off: you see the count only
        </p>
      )}
      {viewers && viewers.count === 0 && named.length === 0 && (
        <p className="hint" data-testid="status-viewers-none">
          No views yet.
        </p>
      )}
      {named.length > 0 && (
        <ul className="status-viewer-list">
          {named.map((viewer) => {
            const person = known.get(viewer.user_id);
            const name = person?.name ?? nameOf(viewer.user_id) ?? "Someone";
            return (
              <li
                key={viewer.user_id}
                className="status-viewer-row"
                data-testid="status-viewer-row"
                data-user-id={viewer.user_id}
              >
                <Avatar
                  owner={{ kind: "user", id: viewer.user_id }}
                  photo={person?.photo ?? null}
                  name={name}
                />
                <span className="status-viewer-text">
                  <span className="status-viewer-name">{name}</span>
                  <span className="hint">{statusTime(viewer.viewed_at)}</span>
                </span>
                {viewer.reaction && (
                  <span
                    className="status-viewer-reaction"
                    data-testid="status-viewer-reaction"
                    aria-label={`Reacted ${viewer.reaction}`}
                  >
                    {viewer.reaction}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {viewers && !viewers.hidden && more > 0 && (
        <p className="hint" data-testid="status-viewers-more">
          {more} more with read receipts off
        </p>
      )}
      {viewers && viewers.hidden && viewers.count > 0 && (
        <p className="hint" data-testid="status-viewers-count">
          {viewsWord(viewers.count)}
        </p>
      )}
    </div>
  );
}
