import { useState, type CSSProperties, type ReactNode } from "react";
import { describeError } from "../../api";
import type { Background } from "../../bindings/Background";
import { mediaApi } from "../media/api";
import { kindOf, readBytes } from "../media/picked";
import { appearanceApi } from "./api";
import { BACKGROUND_COLOURS, PATTERNS, backgroundLook, sameBackground } from "./appearance";
import "./appearance.css";

/** One choice, shown as a small preview of itself. */
function Tile({
  testId,
  label,
  chosen,
  disabled,
  look,
  onClick,
  children,
}: {
  testId: string;
  label: string;
  chosen: boolean;
  disabled: boolean;
  look: { className: string; style: CSSProperties | undefined };
  onClick: () => void;
  children?: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`bg-tile ${look.className}${chosen ? " chosen" : ""}`}
      style={look.style}
      title={label}
      aria-label={label}
      aria-pressed={chosen}
      data-testid={testId}
      disabled={disabled}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

/**
 * A chat background: none (`noneLabel`: the theme's own, or in a chat the default), a colour,
 * one of the built-in patterns, or a picture of mine ("Choose picture…" uploads it first, then
 * picks it). Each tile previews itself as a chat would show it in the current theme.
 */
export default function BackgroundPicker({
  value,
  onChange,
  noneLabel = "None",
  disabled = false,
}: {
  value: Background | null;
  onChange: (background: Background | null) => void;
  noneLabel?: string;
  disabled?: boolean;
}) {
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const off = disabled || uploading;

  const pick = (background: Background | null) => {
    setError(null);
    onChange(background);
  };

  const upload = async (file: File | undefined) => {
    if (!file) return;
    const name = file.name || "Background.png";
    if (kindOf(name, file.type) !== "image") {
      setError("A background is a picture.");
      return;
    }
    setError(null);
    setUploading(true);
    try {
      const source = await mediaApi.stageFile(await readBytes(file), name);
      const mediaId = await appearanceApi.uploadBackground(source);
      onChange({ kind: "image", media_id: mediaId });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setUploading(false);
    }
  };

  return (
    <div className="bg-picker" data-testid="background-picker">
      <div className="bg-tiles" role="group" aria-label="Background">
        <Tile
          testId="bg-none"
          label={noneLabel}
          chosen={value === null}
          disabled={off}
          look={{ className: "bg-none", style: undefined }}
          onClick={() => pick(null)}
        >
          <span className="bg-tile-word">{noneLabel}</span>
        </Tile>
        {BACKGROUND_COLOURS.map(({ hex, label }) => {
          const background: Background = { kind: "colour", colour: hex };
          return (
            <Tile
              key={hex}
              testId={`bg-colour-${hex.slice(1)}`}
              label={label}
              chosen={sameBackground(value, background)}
              disabled={off}
              look={backgroundLook(background)}
              onClick={() => pick(background)}
            />
          );
        })}
        {PATTERNS.map(({ name, label }) => {
          const background: Background = { kind: "pattern", pattern: name };
          return (
            <Tile
              key={name}
              testId={`bg-pattern-${name}`}
              label={label}
              chosen={sameBackground(value, background)}
              disabled={off}
              look={backgroundLook(background)}
              onClick={() => pick(background)}
            />
          );
        })}
        {value?.kind === "image" && (
          <Tile
            testId="bg-image-current"
            label="My picture"
            chosen
            disabled={off}
            look={backgroundLook(value)}
            onClick={() => pick(value)}
          />
        )}
      </div>
      <label className={`button-like bg-image-pick${off ? " disabled" : ""}`}>
        {uploading ? "Uploading…" : "Choose picture…"}
        <input
          type="file"
          className="visually-hidden"
          accept="image/*"
          data-testid="bg-image"
          disabled={off}
          onChange={(event) => {
            void upload(event.target.files?.[0]);
            event.target.value = "";
          }}
        />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="bg-error">
          {error}
        </p>
      )}
    </div>
  );
}
