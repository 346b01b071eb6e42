import { useEffect, useState } from "react";
import { describeError, type SearchHit } from "../../api";
import { tileTime } from "../../chatText";
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

/** Messages on this device matching `query` (in one chat when `chatId` is set). */
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
        .then((found) => current && (setHits(found), setError(null)))
        .catch((e) => current && setError(describeError(e)));
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, chatId]);
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
