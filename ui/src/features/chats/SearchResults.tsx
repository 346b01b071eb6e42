import { useCallback, useEffect, useState } from "react";
import { describeError, type Message, type MessengerEvent, type SearchHit } from "../../api";
import { tileTime } from "../../chatText";
import { goneAt, useMessengerEvents } from "../../messages";
import { EXPIRY_CHECK_MS, nextExpiry } from "../conversation/hooks";
import { mentionsToText } from "../conversation/mentions";
import { useNames } from "../groups/hooks";
import { chatsApi } from "./api";
import "./chats.css";

/** The snippet with its `[match]` marks shown as highlights. */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/(\[[^\]]*\])/);
  return (
    <>
      {parts.map((part, i) =>
        part.startsWith("[") && part.endsWith("]") ? (
          <mark key={i}>{part.slice(1, -1)}</mark>
        ) : (
          <span key={i}>{part}</span>
        ),
      )}
    </>
  );
}

/** Whether a message is no longer there to be found: disappeared, or deleted (for everyone, or
 * for me). */
function went(message: Message, now: number): boolean {
  return goneAt(message, now) || message.deleted_at !== null || message.hidden;
}

/** The hits whose messages are still there. */
function stillThere(hits: SearchHit[]): SearchHit[] {
  const now = Date.now();
  const kept = hits.filter((hit) => !went(hit.message.message, now));
  return kept.length === hits.length ? hits : kept;
}

/**
 * Messages on this device matching `query` (in one chat when `chatId` is set). A hit whose
 * message goes while shown (it expires, its time comes, it is deleted) leaves the list.
 */
export default function SearchResults({
  query,
  chatId,
  onPick,
}: {
  query: string;
  chatId: string | null;
  onPick: (hit: SearchHit) => void;
}) {
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nameOf = useNames();
  useEffect(() => {
    if (query.trim() === "") return;
    let current = true;
    const timer = setTimeout(() => {
      chatsApi
        .searchMessages(query, chatId)
        .then((found) => current && (setHits(stillThere(found)), setError(null)))
        .catch((e) => current && setError(describeError(e)));
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, chatId]);
  // Their time comes: out at once (the store's timers take them from its index too).
  useEffect(() => {
    const next = hits && nextExpiry(hits.map((hit) => hit.message));
    if (next === null) return;
    const timer = setTimeout(
      () => setHits((shown) => shown && stillThere(shown)),
      Math.max(0, Math.min(next - Date.now(), EXPIRY_CHECK_MS)),
    );
    return () => clearTimeout(timer);
  }, [hits]);
  // The messenger says one went (expired, deleted): out at once.
  useMessengerEvents(
    useCallback((event: MessengerEvent) => {
      if (event.event !== "message") return;
      const message = event.message.message;
      if (!went(message, Date.now())) return;
      const other = (hit: SearchHit) => hit.message.message.id !== message.id;
      setHits((shown) => (shown && !shown.every(other) ? shown.filter(other) : shown));
    }, []),
  );
  if (query.trim() === "") return null;
  return (
    <section className="search-results" data-testid="search-results">
      <h2 className="contacts-title">Messages</h2>
      {error && <p className="error">{error}</p>}
      {hits?.length === 0 && <p className="hint">No messages found.</p>}
      <ul className="contact-list">
        {(hits ?? []).map((hit) => (
          <li key={hit.message.message.id}>
            <button
              type="button"
              className="search-hit"
              data-testid="search-hit"
              onClick={() => onPick(hit)}
            >
              <span className="hint">{tileTime(hit.message.message.sent_at)}</span>
              <span>
                <Snippet text={mentionsToText(hit.snippet, nameOf)} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
