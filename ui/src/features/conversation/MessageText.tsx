import { Fragment } from "react";
import { splitLinks } from "../../links";
import { useMediaActions } from "../media/MediaContext";
import { renderMentions, type MentionNames } from "./mentions";

/**
 * A message's words in its bubble (a text, a caption): each mention a highlighted `@Name`, each
 * link (`https://`, `http://`, `gkchat:`) a link that opens through the app, the browser for a
 * web address (`data-testid="message-link"`; its address kept as `href` for screen readers).
 */
export default function MessageText({ text, names }: { text: string; names: MentionNames | null }) {
  const { openLink } = useMediaActions();
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.kind === "text" ? (
          <Fragment key={i}>{renderMentions(part.text, names)}</Fragment>
        ) : (
          <a
            key={i}
            className="message-link"
            href={part.url}
            // In the Tab order on every desktop (WebKit on macOS leaves plain links out).
            tabIndex={0}
            data-testid="message-link"
            onClick={(event) => {
              // The window itself never follows a link: the app hands it on.
              event.preventDefault();
              openLink(part.url);
            }}
          >
            {part.url}
          </a>
        ),
      )}
    </>
  );
}
