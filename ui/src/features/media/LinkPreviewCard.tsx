import { mediaUrl, type LinkPreview } from "./api";

/**
 * Under a message's text: its first link's site, title, description and picture. With `onOpen`
 * (in a bubble) the whole card is a link to the address, opened through the app on a click or
 * Enter; without it (the composer's preview) it only shows.
 */
export default function LinkPreviewCard({
  preview,
  onOpen,
}: {
  preview: LinkPreview;
  /** Opens the address (the browser for a web address). */
  onOpen?: (url: string) => void;
}) {
  let host = preview.url;
  try {
    host = new URL(preview.url).host;
  } catch {
    // Not a URL this page can read: shown as sent.
  }
  const card = (
    <>
      {preview.image && (
        <img
          className="link-preview-image"
          src={mediaUrl(preview.image.media_id)}
          alt=""
          loading="lazy"
          style={{ aspectRatio: `${preview.image.width} / ${preview.image.height}` }}
        />
      )}
      <div className="link-preview-text">
        <span className="link-preview-site">{preview.site_name ?? host}</span>
        {preview.title && <span className="link-preview-title">{preview.title}</span>}
        {preview.description && (
          <span className="link-preview-description">{preview.description}</span>
        )}
      </div>
    </>
  );
  if (!onOpen) {
    return (
      <div className="link-preview" data-testid="link-preview">
        {card}
      </div>
    );
  }
  return (
    <a
      className="link-preview link-preview-open"
      href={preview.url}
      title={preview.url}
      // In the Tab order on every desktop (WebKit on macOS leaves plain links out).
      tabIndex={0}
      data-testid="link-preview"
      onClick={(event) => {
        // The window itself never follows a link: the app hands it on.
        event.preventDefault();
        onOpen(preview.url);
      }}
    >
      {card}
    </a>
  );
}
