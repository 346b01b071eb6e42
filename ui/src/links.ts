// Links in messages: where a text has them, and opening one. The rule for a link is the one
// gkchat-proto's `first_link` uses (a web address as a word of its own, with brackets, quotes
// and punctuation around it left off), so the text, its preview and the gallery agree; the app's
// own `gkchat:` links count too. Opening goes through the app (`open_link`): the system's
// browser for a web address, the app itself for a `gkchat:` link (as a window request).
import { call } from "./api";
import { MENTION_TOKEN } from "./features/conversation/mentions";

/** A piece of a message's text: words as they are (mention tokens among them), or a link. */
export type TextPart = { kind: "text"; text: string } | { kind: "link"; url: string };

const WEB_SCHEMES = ["https://", "http://"] as const;
const SCHEMES = [...WEB_SCHEMES, "gkchat:"] as const;

/** What `first_link` leaves off a word's ends. */
const AROUND = `<>()"',.!?`;
const LEADING = new RegExp(`^[${AROUND}]*`);
const TRAILING = new RegExp(`[${AROUND}]*$`);

/** The word with brackets, quotes and punctuation off its ends, as `first_link` trims it. */
function trimmed(word: string): { before: string; core: string; after: string } {
  const start = LEADING.exec(word)![0].length;
  const rest = word.slice(start);
  const core = rest.replace(TRAILING, "");
  return { before: word.slice(0, start), core, after: rest.slice(core.length) };
}

/** A link with more than its scheme (a bare "https://" is a word, not an address). */
function isLink(word: string, schemes: readonly string[]): boolean {
  return schemes.some((scheme) => word.startsWith(scheme) && word.length > scheme.length);
}

/**
 * A text as plain parts and links, in order; joined back they are the text. A link is a word
 * starting with `https://`, `http://` or `gkchat:`, without the `<>()"',.!?` around it. A mention
 * token (`<@USER_ID>`) stays whole in the plain parts, even right next to a link.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const plain = (words: string) => {
    if (words === "") return;
    const last = parts[parts.length - 1];
    if (last?.kind === "text") last.text += words;
    else parts.push({ kind: "text", text: words });
  };
  const word = (piece: string) => {
    const { before, core, after } = trimmed(piece);
    if (!isLink(core, SCHEMES)) return plain(piece);
    plain(before);
    parts.push({ kind: "link", url: core });
    plain(after);
  };
  // Words lie between whitespace and mention tokens: a link never takes in either.
  const breaks = new RegExp(`\\s+|${MENTION_TOKEN.source}`, "gu");
  let last = 0;
  for (const match of text.matchAll(breaks)) {
    word(text.slice(last, match.index));
    plain(match[0]);
    last = match.index + match[0].length;
  }
  word(text.slice(last));
  return parts;
}

/** The first web address in a text (`http://` or `https://`), as `first_link` finds it. */
export function firstLink(text: string): string | null {
  for (const word of text.split(/\s+/)) {
    const { core } = trimmed(word);
    if (isLink(core, WEB_SCHEMES)) return core;
  }
  return null;
}

/**
 * Opens a link: a web address in the system's browser, a `gkchat:` link in this app; anything
 * else is refused (`bad_request`).
 */
export function openLink(url: string): Promise<void> {
  return call<void>("open_link", { link: url });
}
