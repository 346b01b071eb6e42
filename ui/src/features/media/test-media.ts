// Fixtures for the media tests: a chat and the desktop side serving it, messages with
// attachments, and a ThumbHash encoder (the reference `rgbaToThumbHash`, as the client's crate
// runs it) to make real placeholders.
import { vi } from "vitest";
import type { LocalChat, LocalMessage } from "../../api";
import { chatMessage, chatTile, readTo } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import type { Attachment } from "./api";

/** The direct chat c1 with Grace, everything read. */
export const chat: LocalChat = chatTile(readTo(3));

/**
 * The desktop side: the chat, its messages (and its events among them), no contacts, staging
 * that answers where each file went, and `more` commands (which win over those); any other
 * command fails.
 */
export function serve(
  messages: LocalMessage[],
  more: Record<string, (args: never) => unknown> = {},
) {
  invoke.mockImplementation(
    async (command: string, args?: never, options?: { headers: Record<string, string> }) => {
      const answer = more[command];
      if (answer) return answer(args as never);
      if (command === "chat_messages") return messages;
      // Its events: the store's index keeps those to come, the list beside the chat the rest.
      if (command === "upcoming_events") {
        return messages.filter((local) => local.message.content?.kind === "event");
      }
      // My starred ones, newest first.
      if (command === "starred_messages") {
        return messages.filter((local) => local.message.starred).reverse();
      }
      if (command === "list_chats") return [chat];
      if (command === "list_contacts") return [];
      if (command === "set_typing") return null;
      if (command === "stage_file") {
        const name = decodeURIComponent(options!.headers["x-file-name"]!);
        return { path: `/data/staged/${name}`, name };
      }
      throw new Error(command);
    },
  );
}

/** A message in chat c1 with these attachments. */
export function mediaMessage(
  id: string,
  attachments: Attachment[],
  { seq = 1, sender = "u2", caption }: { seq?: number; sender?: string; caption?: string } = {},
): LocalMessage {
  return chatMessage(seq, sender, { kind: "media", attachments, caption }, { id });
}

export const photo = (mediaId: string, extra: Partial<Attachment> = {}): Attachment => ({
  media_id: mediaId,
  kind: "image",
  mime: "image/jpeg",
  size: 120_000,
  width: 800,
  height: 600,
  thumbs: [
    { media_id: `${mediaId}-s`, width: 160, height: 120 },
    { media_id: `${mediaId}-l`, width: 640, height: 480 },
  ],
  ...extra,
});

/** jsdom draws nothing: a 2D context that records what is put on it. */
export function fakeCanvas() {
  const putImageData = vi.fn();
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(
    () =>
      ({
        createImageData: (width: number, height: number) => ({
          width,
          height,
          data: new Uint8ClampedArray(width * height * 4),
        }),
        putImageData,
      }) as unknown as CanvasRenderingContext2D,
  );
  return putImageData;
}

/** The ThumbHash of a w×h RGBA picture (w, h ≤ 100), base64. */
export function thumbHashOf(w: number, h: number, rgba: Uint8Array): string {
  let avgR = 0;
  let avgG = 0;
  let avgB = 0;
  let avgA = 0;
  for (let i = 0; i < w * h; i++) {
    const alpha = rgba[i * 4 + 3] / 255;
    avgR += (alpha / 255) * rgba[i * 4];
    avgG += (alpha / 255) * rgba[i * 4 + 1];
    avgB += (alpha / 255) * rgba[i * 4 + 2];
    avgA += alpha;
  }
  if (avgA > 0) {
    avgR /= avgA;
    avgG /= avgA;
    avgB /= avgA;
  }
  const hasAlpha = avgA < w * h;
  const lLimit = hasAlpha ? 5 : 7;
  const lx = Math.max(1, Math.round((lLimit * w) / Math.max(w, h)));
  const ly = Math.max(1, Math.round((lLimit * h) / Math.max(w, h)));
  const l: number[] = [];
  const p: number[] = [];
  const q: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < w * h; i++) {
    const alpha = rgba[i * 4 + 3] / 255;
    const r = avgR * (1 - alpha) + (alpha / 255) * rgba[i * 4];
    const g = avgG * (1 - alpha) + (alpha / 255) * rgba[i * 4 + 1];
    const b = avgB * (1 - alpha) + (alpha / 255) * rgba[i * 4 + 2];
    l.push((r + g + b) / 3);
    p.push((r + g) / 2 - b);
    q.push(r - g);
    a.push(alpha);
  }
  const encode = (channel: number[], nx: number, ny: number) => {
    let dc = 0;
    const ac: number[] = [];
    let scale = 0;
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = 0; cx * ny < nx * (ny - cy); cx++) {
        let f = 0;
        for (let y = 0; y < h; y++) {
          const fy = Math.cos((Math.PI / h) * cy * (y + 0.5));
          for (let x = 0; x < w; x++) {
            f += channel[x + y * w] * Math.cos((Math.PI / w) * cx * (x + 0.5)) * fy;
          }
        }
        f /= w * h;
        if (cx > 0 || cy > 0) {
          ac.push(f);
          scale = Math.max(scale, Math.abs(f));
        } else {
          dc = f;
        }
      }
    }
    if (scale > 0) for (let i = 0; i < ac.length; i++) ac[i] = 0.5 + (0.5 / scale) * ac[i];
    return { dc, ac, scale };
  };
  const L = encode(l, Math.max(3, lx), Math.max(3, ly));
  const P = encode(p, 3, 3);
  const Q = encode(q, 3, 3);
  const A = hasAlpha ? encode(a, 5, 5) : { dc: 1, ac: [], scale: 1 };
  const landscape = w > h;
  const header24 =
    Math.round(63 * L.dc) |
    (Math.round(31.5 + 31.5 * P.dc) << 6) |
    (Math.round(31.5 + 31.5 * Q.dc) << 12) |
    (Math.round(31 * L.scale) << 18) |
    (hasAlpha ? 1 << 23 : 0);
  const header16 =
    (landscape ? ly : lx) |
    (Math.round(63 * P.scale) << 3) |
    (Math.round(63 * Q.scale) << 9) |
    (landscape ? 1 << 15 : 0);
  const hash = [
    header24 & 255,
    (header24 >> 8) & 255,
    header24 >> 16,
    header16 & 255,
    header16 >> 8,
  ];
  if (hasAlpha) hash.push(Math.round(15 * A.dc) | (Math.round(15 * A.scale) << 4));
  let odd = false;
  for (const ac of hasAlpha ? [L.ac, P.ac, Q.ac, A.ac] : [L.ac, P.ac, Q.ac]) {
    for (const f of ac) {
      const u = Math.round(15 * f);
      if (odd) hash[hash.length - 1] |= u << 4;
      else hash.push(u);
      odd = !odd;
    }
  }
  return btoa(String.fromCharCode(...hash));
}

/** A w×h picture of one colour. */
export function plain(w: number, h: number, [r, g, b]: [number, number, number]): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([r, g, b, 255], i * 4);
  return rgba;
}
