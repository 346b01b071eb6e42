import { useEffect, useState } from "react";
import { describeError } from "../../api";
import Confirm from "../../components/Confirm";
import { mediaApi, type MediaCacheView, type MediaSettings } from "./api";
import { formatBytes } from "./words";

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** Media up to this size download by themselves (0: only thumbnails). */
const AUTO_DOWNLOAD = [
  { bytes: 0, label: "Off (thumbnails only)" },
  { bytes: MB, label: "Up to 1 MB" },
  { bytes: 5 * MB, label: "Up to 5 MB" },
  { bytes: 16 * MB, label: "Up to 16 MB" },
  { bytes: 100 * MB, label: "Up to 100 MB" },
];

/** Downloaded media kept at most. */
const CACHE_LIMITS = [
  { bytes: 500 * MB, label: "500 MB" },
  { bytes: GB, label: "1 GB" },
  { bytes: 2 * GB, label: "2 GB" },
  { bytes: 5 * GB, label: "5 GB" },
];

/** The choices, with the saved value among them even when it is none of them. */
function withSaved(choices: { bytes: number; label: string }[], saved: number) {
  return choices.some((c) => c.bytes === saved)
    ? choices
    : [...choices, { bytes: saved, label: formatBytes(saved) }].sort((a, b) => a.bytes - b.bytes);
}

/**
 * Storage and media: which media download by themselves, how much the cache keeps, link
 * previews for what I write, how much the cache holds now, and clearing it (after asking).
 */
export default function StorageSettings() {
  const [view, setView] = useState<MediaCacheView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    mediaApi
      .mediaCache()
      .then(setView)
      .catch((e) => setError(describeError(e)));
  }, []);

  const change = (next: MediaSettings) => {
    setError(null);
    setNotice(null);
    mediaApi
      .setMediaSettings(next)
      .then(setView)
      .catch((e) => setError(describeError(e)));
  };

  const clear = () => {
    setBusy(true);
    setError(null);
    mediaApi
      .clearMediaCache()
      .then((freed) => {
        setNotice(`Cleared ${formatBytes(freed)}.`);
        setAsking(false);
        return mediaApi.mediaCache().then(setView);
      })
      .catch((e) => setError(describeError(e)))
      .finally(() => setBusy(false));
  };

  return (
    <fieldset className="settings-section" data-testid="storage-settings">
      <legend>Storage and media</legend>
      {view && (
        <>
          <label className="field">
            Download automatically
            <select
              value={view.settings.auto_download_bytes}
              data-testid="storage-auto-download"
              onChange={(event) =>
                change({ ...view.settings, auto_download_bytes: Number(event.target.value) })
              }
            >
              {withSaved(AUTO_DOWNLOAD, view.settings.auto_download_bytes).map((choice) => (
                <option key={choice.bytes} value={choice.bytes}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Keep downloaded media up to
            <select
              value={view.settings.cache_bytes}
              data-testid="storage-cache-limit"
              onChange={(event) =>
                change({ ...view.settings, cache_bytes: Number(event.target.value) })
              }
            >
              {withSaved(CACHE_LIMITS, view.settings.cache_bytes).map((choice) => (
                <option key={choice.bytes} value={choice.bytes}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
          <label className="radio">
            <input
              type="checkbox"
              checked={view.settings.link_previews}
              data-testid="storage-link-previews"
              onChange={(event) =>
                change({ ...view.settings, link_previews: event.target.checked })
              }
            />
            Show a preview of the first link in what I write (this computer asks the site)
          </label>
          <p className="hint" data-testid="storage-cached">
            Downloaded media use {formatBytes(view.cached_bytes)}. What you sent stays.
          </p>
          {asking ? (
            <Confirm
              label="Clear media cache"
              testId="storage-clear-confirm"
              busy={busy}
              onConfirm={clear}
              onCancel={() => setAsking(false)}
            >
              Delete the downloaded photos, videos and files from this computer? They download again
              when you open them.
            </Confirm>
          ) : (
            <button
              type="button"
              className="danger-button"
              data-testid="storage-clear"
              onClick={() => (setNotice(null), setAsking(true))}
            >
              Clear media cache
            </button>
          )}
          {notice && (
            <p className="hint" role="status" data-testid="storage-notice">
              {notice}
            </p>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
