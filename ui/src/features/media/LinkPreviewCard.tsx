import { mediaUrl, type LinkPreview } from "./api";

/** Under a message's text: its first link's site, title, description and picture. */
export default function LinkPreviewCard({ preview }: { preview: LinkPreview }) {
  let host = preview.url;
  try {
    host = new URL(preview.url).host;
  } catch {
    // Not a URL this page can read: shown as sent.
  }
  return (
    <div className="link-preview" data-testid="link-preview">
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
    </div>
  );
}
