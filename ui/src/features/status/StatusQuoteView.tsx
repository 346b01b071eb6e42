import type { NameOf } from "../groups/words";
import ThumbHashPlaceholder from "../media/ThumbHashPlaceholder";
import type { StatusQuote } from "./api";
import "./status.css";

/**
 * Above a reply to a status post: "Status" with whose post it was, its words (or "Photo" /
 * "Video"), and a small picture: the post's placeholder, or its background colour.
 */
export default function StatusQuoteView({
  quote,
  myId,
  nameOf,
}: {
  quote: StatusQuote;
  /** Who I am: my own post reads "You". */
  myId: string | null;
  nameOf: NameOf;
}) {
  const owner = quote.owner_id === myId ? "You" : (nameOf(quote.owner_id) ?? "Someone");
  const text = quote.text?.trim()
    ? quote.text
    : quote.media === "video"
      ? "Video"
      : quote.media
        ? "Photo"
        : "";
  return (
    <div
      className="status-quote"
      data-testid="status-quote"
      data-post-id={quote.post_id}
      data-kind={quote.media ?? "text"}
    >
      <div className="status-quote-words">
        <span className="status-quote-label" data-testid="status-quote-owner">
          {owner} · Status
        </span>
        <span className="status-quote-text" data-testid="status-quote-text">
          {quote.media && quote.text?.trim() ? (
            <>
              <span className="hint">{quote.media === "video" ? "Video · " : "Photo · "}</span>
              {quote.text}
            </>
          ) : (
            text
          )}
        </span>
      </div>
      {quote.media ? (
        <span className="status-quote-thumb" data-testid="status-quote-thumb">
          <ThumbHashPlaceholder hash={quote.thumbhash} />
        </span>
      ) : (
        <span
          className="status-quote-thumb status-quote-swatch"
          data-testid="status-quote-swatch"
          style={quote.background ? { background: quote.background } : undefined}
          aria-hidden="true"
        >
          {Array.from(quote.text?.trim() ?? "")[0] ?? ""}
        </span>
      )}
    </div>
  );
}
