// How the app looks for me (`Me.appearance`, kept on the server and the same on all my devices):
// the theme, an accent colour, the text size, and the background behind my chats. This module
// holds the choices on offer and applies them to the page; a chat's background is mine for the
// chat, else the one its group's admin set for everyone, else my default, else the theme's own.
import type { CSSProperties } from "react";
import type { LocalChat } from "../../api";
import type { Appearance } from "../../bindings/Appearance";
import type { Background } from "../../bindings/Background";
import type { Pattern } from "../../bindings/Pattern";
import type { TextSize } from "../../bindings/TextSize";
import { loadThemeChoice, resolveTheme } from "../../theme";
import { mediaUrl } from "../media/api";

export type { Appearance, Background, Pattern, TextSize };

/** What an account starts with: the OS's theme, the app's accent, medium text, no background. */
export const DEFAULT_APPEARANCE: Appearance = {
  theme: "system",
  accent: null,
  text_size: "medium",
  background: null,
};

/** Accent colours on offer (besides the app's own). */
export const ACCENTS = [
  { hex: "#2563eb", label: "Blue" },
  { hex: "#0891b2", label: "Cyan" },
  { hex: "#7c3aed", label: "Violet" },
  { hex: "#db2777", label: "Pink" },
  { hex: "#dc2626", label: "Red" },
  { hex: "#ea580c", label: "Orange" },
  { hex: "#ca8a04", label: "Amber" },
] as const;

/** Plain background colours on offer (in the dark theme each shows darkened, see the CSS). */
export const BACKGROUND_COLOURS = [
  { hex: "#dcf8c6", label: "Mint" },
  { hex: "#cfe8fc", label: "Sky" },
  { hex: "#fde2e4", label: "Blush" },
  { hex: "#fff3c4", label: "Butter" },
  { hex: "#e5dcf7", label: "Lavender" },
  { hex: "#d9dee2", label: "Stone" },
] as const;

/** The built-in patterns, in the order the picker shows them (pure CSS: appearance.css). */
export const PATTERNS: { name: Pattern; label: string }[] = [
  { name: "dots", label: "Dots" },
  { name: "grid", label: "Grid" },
  { name: "waves", label: "Waves" },
  { name: "leaves", label: "Leaves" },
  { name: "bubbles", label: "Bubbles" },
];

export const TEXT_SIZES: { size: TextSize; label: string }[] = [
  { size: "small", label: "Small" },
  { size: "medium", label: "Medium" },
  { size: "large", label: "Large" },
];

/** The text size as a factor of the app's sizes (its body text is 14px at "medium"). */
export const TEXT_SCALE: Record<TextSize, number> = { small: 0.9, medium: 1, large: 1.15 };

const HEX = /^#[0-9a-f]{6}$/i;

/** Whether `value` is a `#rrggbb` colour. */
export function isHexColour(value: unknown): value is string {
  return typeof value === "string" && HEX.test(value);
}

/** The sRGB relative luminance of a `#rrggbb` colour (WCAG). */
function luminance(hex: string): number {
  const channel = (at: number) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

const LIGHT_INK = "#ffffff";
const DARK_INK = "#0b141a";

/** The text colour that reads best on `accent`: white, or the dark theme's near-black. */
export function accentContrast(accent: string): string {
  const l = luminance(accent);
  const onWhite = 1.05 / (l + 0.05);
  const onDark = (l + 0.05) / (luminance(DARK_INK) + 0.05);
  return onWhite >= onDark ? LIGHT_INK : DARK_INK;
}

/**
 * Applies an appearance to the page's root: `data-theme` (the OS's when "system"), the accent
 * (`--accent` and a readable `--accent-contrast`; the theme's own when none) and the text size
 * (`--text-scale`, with `data-text-size`).
 */
export function applyAppearance(
  root: HTMLElement,
  appearance: Appearance,
  osPrefersDark: boolean,
): void {
  root.dataset.theme = resolveTheme(appearance.theme, osPrefersDark);
  root.dataset.textSize = appearance.text_size;
  root.style.setProperty("--text-scale", String(TEXT_SCALE[appearance.text_size] ?? 1));
  if (isHexColour(appearance.accent)) {
    root.style.setProperty("--accent", appearance.accent);
    root.style.setProperty("--accent-contrast", accentContrast(appearance.accent));
  } else {
    root.style.removeProperty("--accent");
    root.style.removeProperty("--accent-contrast");
  }
}

/** Where the last appearance I had is kept, for the first paint before the account loads. */
const KEY = "gkchat.appearance";

function isBackground(value: unknown): value is Background {
  if (typeof value !== "object" || value === null) return false;
  const bg = value as Record<string, unknown>;
  switch (bg.kind) {
    case "colour":
      return isHexColour(bg.colour);
    case "pattern":
      return PATTERNS.some((p) => p.name === bg.pattern);
    case "image":
      return typeof bg.media_id === "string";
    default:
      return false;
  }
}

/**
 * The last appearance this device showed; before any, the theme chosen on this device before
 * appearances were kept on the server. Anything corrupted reads as the default.
 */
export function loadLastAppearance(): Appearance {
  const fallback = { ...DEFAULT_APPEARANCE, theme: loadThemeChoice() };
  let saved: unknown;
  try {
    saved = JSON.parse(localStorage.getItem(KEY) ?? "null");
  } catch {
    return fallback;
  }
  if (typeof saved !== "object" || saved === null) return fallback;
  const s = saved as Record<string, unknown>;
  return {
    theme: s.theme === "light" || s.theme === "dark" || s.theme === "system" ? s.theme : "system",
    accent: isHexColour(s.accent) ? s.accent : null,
    text_size:
      s.text_size === "small" || s.text_size === "large" || s.text_size === "medium"
        ? s.text_size
        : "medium",
    background: isBackground(s.background) ? s.background : null,
  };
}

export function saveLastAppearance(appearance: Appearance): void {
  localStorage.setItem(KEY, JSON.stringify(appearance));
}

/** Whose background a chat shows. */
export type BackgroundSource = "mine" | "group" | "default" | "none";

/** What a chat shows behind its messages: mine for it, else its group's, else my default. */
export function effectiveBackground(
  chat: Pick<LocalChat, "background" | "shared_background"> | null,
  myDefault: Background | null,
): { background: Background | null; source: BackgroundSource } {
  if (chat?.background) return { background: chat.background, source: "mine" };
  if (chat?.shared_background) return { background: chat.shared_background, source: "group" };
  if (myDefault) return { background: myDefault, source: "default" };
  return { background: null, source: "none" };
}

/** A stable word for a background (`pattern:dots`, `colour:#dcf8c6`, `image`, `none`), for the
 * page's `data-background` (what end-to-end tests check). */
export function backgroundMarker(background: Background | null): string {
  switch (background?.kind) {
    case "colour":
      return `colour:${background.colour.toLowerCase()}`;
    case "pattern":
      return `pattern:${background.pattern}`;
    case "image":
      return "image";
    default:
      return "none";
  }
}

/** Whether two backgrounds are the same choice. */
export function sameBackground(a: Background | null, b: Background | null): boolean {
  return backgroundMarker(a) === backgroundMarker(b) && imageId(a) === imageId(b);
}

function imageId(background: Background | null): string | null {
  return background?.kind === "image" ? background.media_id : null;
}

/**
 * The class and style that paint a background on an element (with `chat-bg`, appearance.css):
 * a pattern by its class (light and dark variants by theme), a colour through `--chat-bg-colour`
 * (darkened in the dark theme), a picture from `gkmedia:`.
 */
export function backgroundLook(background: Background | null): {
  className: string;
  style: CSSProperties | undefined;
} {
  switch (background?.kind) {
    case "pattern":
      return { className: `chat-bg bg-pattern-${background.pattern}`, style: undefined };
    case "colour":
      return {
        className: "chat-bg bg-colour",
        style: { "--chat-bg-colour": background.colour } as CSSProperties,
      };
    case "image":
      return {
        className: "chat-bg bg-image",
        style: { backgroundImage: `url("${mediaUrl(background.media_id)}")` },
      };
    default:
      return { className: "", style: undefined };
  }
}
