import { useState } from "react";
import type { SearchHit } from "../../api";
import SearchResults from "../chats/SearchResults";

/** Search in one chat: the box under the header and the hits; a pick jumps to the message. */
export default function ConversationSearch({
  chatId,
  onPick,
}: {
  chatId: string;
  onPick: (hit: SearchHit) => void;
}) {
  const [query, setQuery] = useState("");
  return (
    <div className="conversation-search">
      <input
        type="search"
        data-testid="conversation-search"
        placeholder="Search this chat"
        aria-label="Search this chat"
        autoFocus
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <SearchResults query={query} chatId={chatId} onPick={onPick} />
    </div>
  );
}
