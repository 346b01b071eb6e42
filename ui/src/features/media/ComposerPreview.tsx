// A link's preview before the text goes: asked for once the writer pauses, shown over the
// composer, sent with the text unless removed.
import { useEffect, useRef, useState } from "react";
import { CloseIcon } from "../../components/Icon";
import { mediaApi, type LinkPreview, type PreviewDraft } from "./api";
import LinkPreviewCard from "./LinkPreviewCard";

/** How long the text stays unchanged before its link's preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 600;

/** Stripped from a word's ends: what surrounds a link in a sentence. */
const AROUND = /^[<>()"',.!?]+|[<>()"',.!?]+$/g;

/** The first `http(s)://` link in a text, found as the client's `preview::first_link` does. */
export function firstLink(text: string): string | null {
  for (const word of text.split(/\s+/)) {
    const link = word.replace(AROUND, "");
    if (!link.startsWith("https://") && !link.startsWith("http://")) continue;
    try {
      new URL(link);
      return link;
    } catch {
      // "http://" alone, or something else that is no URL.
    }
  }
  return null;
}

/**
 * The preview of `text`'s first link while `enabled` (not while editing): asked for
 * `PREVIEW_DEBOUNCE_MS` after the text last changed, asked again only for another link, an
 * answer for an older link dropped, a failure silent. `dismiss` hides it for that link;
 * `clear` forgets everything once the text is sent.
 */
export function useLinkPreviewDraft(
  text: string,
  enabled: boolean,
): { draft: PreviewDraft | null; dismiss: () => void; clear: () => void } {
  const link = enabled ? firstLink(text) : null;
  const [fetched, setFetched] = useState<{ link: string; draft: PreviewDraft } | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  /** The link last asked about. */
  const asked = useRef<string | null>(null);
  /** Bumped by each question (and by `clear`): only the latest one's answer is kept. */
  const generation = useRef(0);

  useEffect(() => {
    if (link === null || link === asked.current) return;
    const timer = setTimeout(() => {
      asked.current = link;
      const question = ++generation.current;
      mediaApi
        .linkPreview(text)
        .then((draft) => {
          if (question === generation.current) setFetched(draft ? { link, draft } : null);
        })
        // No preview is no error for the one writing.
        .catch(() => null);
    }, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, link]);

  const shown = fetched !== null && fetched.link === link && dismissed !== link;
  return {
    draft: shown ? fetched.draft : null,
    dismiss: () => setDismissed(link),
    clear: () => {
      asked.current = null;
      generation.current++;
      setFetched(null);
      setDismissed(null);
    },
  };
}

/** The draft as a sent message's preview has it (absent rather than null). */
function asLinkPreview(draft: PreviewDraft): LinkPreview {
  return {
    url: draft.url,
    title: draft.title ?? undefined,
    description: draft.description ?? undefined,
    site_name: draft.site_name ?? undefined,
    image: draft.image ?? undefined,
  };
}

/** Over the composer: the link's preview as it will go, and × to send the text without it. */
export default function ComposerPreview({
  draft,
  onRemove,
}: {
  draft: PreviewDraft;
  onRemove: () => void;
}) {
  return (
    <div className="composer-preview" data-testid="composer-preview">
      <LinkPreviewCard preview={asLinkPreview(draft)} />
      <button
        type="button"
        className="link-button composer-preview-remove"
        aria-label="Remove the link preview"
        title="Send without the preview"
        data-testid="composer-preview-remove"
        onClick={onRemove}
      >
        <CloseIcon />
      </button>
    </div>
  );
}
