// How media read in words: sizes, durations, a document's type, and its kind of icon.
import type { Attachment } from "./api";

const UNITS = ["KB", "MB", "GB", "TB"];

/** "512 bytes", "1.5 KB", "12 MB", "2 GB" (binary units, as the cache's limits are). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${shown} ${UNITS[unit]}`;
}

/** "0:07", "12:30", "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** "00:07", "12:30": a recording's running time, minutes and seconds. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(Math.floor(total / 60))}:${two(total % 60)}`;
}

/** Well-known types whose subtype says nothing to a person. */
const MIME_LABELS: Record<string, string> = {
  "application/pdf": "PDF",
  "application/zip": "ZIP",
  "application/x-7z-compressed": "7Z",
  "application/x-rar-compressed": "RAR",
  "application/vnd.rar": "RAR",
  "application/gzip": "GZ",
  "application/x-tar": "TAR",
  "application/msword": "DOC",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
  "application/vnd.ms-excel": "XLS",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
  "application/vnd.ms-powerpoint": "PPT",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
  "application/vnd.oasis.opendocument.text": "ODT",
  "application/vnd.oasis.opendocument.spreadsheet": "ODS",
  "application/json": "JSON",
  "text/plain": "TXT",
  "text/csv": "CSV",
  "text/html": "HTML",
  "audio/mpeg": "MP3",
  "audio/ogg": "OGG",
  "audio/opus": "OPUS",
  "audio/wav": "WAV",
  "audio/x-wav": "WAV",
  "audio/flac": "FLAC",
  "audio/mp4": "M4A",
  "audio/aac": "AAC",
};

/** A document's type in a word: "PDF", "DOCX", else the name's extension, else "File". */
export function typeLabel(mime: string, name?: string | null): string {
  const known = MIME_LABELS[mime.toLowerCase().split(";")[0]!.trim()];
  if (known) return known;
  const extension = name?.includes(".") ? name.split(".").pop() : undefined;
  if (extension && extension.length <= 5) return extension.toUpperCase();
  const subtype = mime.split("/")[1];
  if (subtype && subtype.length <= 5 && /^[a-z0-9]+$/i.test(subtype)) return subtype.toUpperCase();
  return "File";
}

/** Which icon a document tile shows. */
export type DocCategory = "pdf" | "archive" | "audio" | "sheet" | "text" | "file";

export function docCategory(attachment: Pick<Attachment, "kind" | "mime" | "name">): DocCategory {
  if (attachment.kind === "audio" || attachment.mime.startsWith("audio/")) return "audio";
  const label = typeLabel(attachment.mime, attachment.name);
  if (label === "PDF") return "pdf";
  if (["ZIP", "7Z", "RAR", "GZ", "TAR", "XZ", "BZ2"].includes(label)) return "archive";
  if (["XLS", "XLSX", "ODS", "CSV"].includes(label)) return "sheet";
  if (["DOC", "DOCX", "ODT", "TXT", "RTF", "MD"].includes(label)) return "text";
  return "file";
}

/** The name a file is saved or opened under: its own, else one from its kind and type. */
export function fileName(attachment: Attachment): string {
  if (attachment.name) return attachment.name;
  const extension = typeLabel(attachment.mime).toLowerCase();
  const base = { image: "photo", video: "video", audio: "audio", voice: "voice", file: "file" }[
    attachment.kind
  ];
  return extension === "file" ? base : `${base}.${extension}`;
}
