// The media commands: staging a picked or pasted file, sending files as a message, cancelling,
// downloading, saving and opening media, the cache's settings, a chat's gallery, recording a
// voice message, a link's preview before the text goes, and sharing and saving contact cards.
// The bytes of media never cross the IPC: pictures, videos and voice load by URL (`mediaUrl`)
// from the app's `gkmedia:` scheme, which fetches what is missing and answers byte ranges.
import { convertFileSrc } from "@tauri-apps/api/core";
import { call, type LocalMessage } from "../../api";
import type { Attachment } from "../../bindings/Attachment";
import type { ContactCard } from "../../bindings/ContactCard";
import type { GalleryTab } from "../../bindings/GalleryTab";
import type { LinkPreview } from "../../bindings/LinkPreview";
import type { MediaCacheView } from "../../bindings/MediaCacheView";
import type { MediaSettings } from "../../bindings/MediaSettings";
import type { MediaSource } from "../../bindings/MediaSource";
import type { PreviewDraft } from "../../bindings/PreviewDraft";
import type { Thumb } from "../../bindings/Thumb";
import type { TransferUpdate } from "../../bindings/TransferUpdate";

export type {
  Attachment,
  ContactCard,
  GalleryTab,
  LinkPreview,
  MediaCacheView,
  MediaSettings,
  MediaSource,
  PreviewDraft,
  Thumb,
  TransferUpdate,
};

/** Mirrors src-tauri's `media::SCHEME`. */
const SCHEME = "gkmedia";

/**
 * Where the webview loads a media from: `gkmedia://localhost/<id>` (`http://gkmedia.localhost/
 * <id>` on Windows). `version` (bumped when an upload became ready) makes a picture that failed
 * to load ask again; the scheme reads the path only.
 */
export function mediaUrl(mediaId: string, version = 0): string {
  const url = convertFileSrc(mediaId, SCHEME);
  return version > 0 ? `${url}?v=${version}` : url;
}

/**
 * The address the page's players (`<audio>`, `<video>`) read a media from: the app's loopback
 * server (WebKitGTK's players cannot read the app's own URL scheme; pictures can), which streams
 * the cached file with ranges. The media is fetched into the cache first.
 */
export function playableUrl(mediaId: string): Promise<string> {
  return call<string>("playable_url", { mediaId });
}

export const mediaApi = {
  /** Keeps a file the page holds (picked or pasted) in the app's data until it is sent. */
  stageFile: (bytes: Uint8Array, name: string) =>
    call<MediaSource>("stage_file", bytes, {
      headers: { "x-file-name": encodeURIComponent(name) },
    }),
  /** The clipboard's picture, staged as a file; null when it holds none. (WebKitGTK's paste
   * event carries no image from the system clipboard, so the app reads it itself.) */
  pasteClipboardImage: () => call<MediaSource | null>("paste_clipboard_image"),
  /** A message with these files and a caption: shown at once as pending, uploaded after. */
  sendMedia: (chatId: string, sources: MediaSource[], caption: string, replyTo: string | null) =>
    call<LocalMessage>("send_media", { chatId, sources, caption, replyTo }),
  /** Gives up a message's uploads: taken back if not gone yet, else deleted for everyone. */
  cancelMedia: (messageId: string) => call<void>("cancel_media", { messageId }),
  /** Into the cache now; progress comes as `transfer` events. */
  downloadMedia: (mediaId: string) => call<void>("download_media", { mediaId }),
  /** Into the Downloads folder as `name` (made unique); answers the saved file's path. */
  saveMedia: (mediaId: string, name: string) => call<string>("save_media", { mediaId, name }),
  /** With the system's app for its type. */
  openMedia: (mediaId: string, name: string) => call<void>("open_media", { mediaId, name }),
  mediaCache: () => call<MediaCacheView>("media_cache"),
  setMediaSettings: (settings: MediaSettings) =>
    call<MediaCacheView>("set_media_settings", { settings }),
  /** Downloaded media go (what I sent stays); answers the bytes freed. */
  clearMediaCache: () => call<number>("clear_media_cache"),
  /** A page of a chat's media, links or documents, newest first, before the seq `before`. */
  chatGallery: (chatId: string, tab: GalleryTab, before: number | null, limit: number) =>
    call<LocalMessage[]>("chat_gallery", { chatId, tab, before, limit }),
  /** From the microphone the call settings choose; refused with `unavailable` without one. */
  startVoiceRecording: () => call<void>("start_voice_recording"),
  /**
   * Ends the recording: `send` sends it to the chat (refused with `bad_request` under half a
   * second), else it is thrown away; null when nothing was sent.
   */
  stopVoiceRecording: (chatId: string, send: boolean) =>
    call<LocalMessage | null>("stop_voice_recording", { chatId, send }),
  /** The preview of the text's first link; null when it has none or the page gives none. */
  linkPreview: (text: string) => call<PreviewDraft | null>("link_preview", { text }),
  /** A text with the preview `linkPreview` made for it. */
  sendTextWithPreview: (
    chatId: string,
    text: string,
    replyTo: string | null,
    preview: PreviewDraft,
  ) => call<LocalMessage>("send_text_with_preview", { chatId, text, replyTo, preview }),
  /** A contact card into the chat: a GK Chat user (id, name and username) or a vCard's person. */
  sendContact: (chatId: string, card: ContactCard, replyTo: string | null) =>
    call<LocalMessage>("send_contact", { chatId, card, replyTo }),
  /**
   * The first person of a .vcf file's text, as a card; refused with `bad_request` when the text
   * is no vCard, names no one or is over 16 KiB.
   */
  sendVcard: (chatId: string, vcard: string, replyTo: string | null) =>
    call<LocalMessage>("send_vcard", { chatId, vcard, replyTo }),
  /** A received card's vCard into Downloads as `<name>.vcf` (made unique); answers its path. */
  saveVcard: (name: string, vcard: string) => call<string>("save_vcard", { name, vcard }),
};
