import { useState } from "react";
import { describeError } from "../../api";
import type { Appearance } from "../../bindings/Appearance";
import type { Theme } from "../../bindings/Theme";
import { ACCENTS, TEXT_SIZES } from "./appearance";
import BackgroundPicker from "./BackgroundPicker";
import "./appearance.css";

const THEMES: { theme: Theme; label: string }[] = [
  { theme: "system", label: "Follow the system" },
  { theme: "light", label: "Light" },
  { theme: "dark", label: "Dark" },
];

/**
 * Settings → Appearance: the theme, an accent colour, the text size and the background behind
 * my chats. Mine on the server, the same on all my devices: each choice shows at once and is
 * saved at once (the whole appearance, `onChoose`: the latest choice shows until its save
 * settles); a refusal puts back what was there and says why.
 */
export default function AppearanceSettings({
  appearance,
  onChoose,
}: {
  appearance: Appearance;
  onChoose: (appearance: Appearance) => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);

  const save = (change: Partial<Appearance>) => {
    const next: Appearance = { ...appearance, ...change };
    if (JSON.stringify(next) === JSON.stringify(appearance)) return;
    setError(null);
    onChoose(next).catch((e) => setError(describeError(e)));
  };

  return (
    <section className="settings-section appearance" data-testid="settings-appearance">
      <h2>Appearance</h2>
      <p className="hint">The same on all your devices.</p>
      <fieldset className="appearance-group">
        <legend className="hint">Theme</legend>
        {THEMES.map(({ theme, label }) => (
          <label key={theme} className="radio">
            <input
              type="radio"
              name="theme"
              value={theme}
              data-testid={`theme-${theme}`}
              checked={appearance.theme === theme}
              onChange={() => save({ theme })}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset className="appearance-group">
        <legend className="hint">Accent colour</legend>
        <div className="accent-swatches">
          <button
            type="button"
            className={`accent-swatch accent-default${appearance.accent === null ? " chosen" : ""}`}
            title="The app's own"
            aria-label="The app's own accent"
            aria-pressed={appearance.accent === null}
            data-testid="accent-default"
            onClick={() => save({ accent: null })}
          />
          {ACCENTS.map(({ hex, label }) => {
            const chosen = appearance.accent?.toLowerCase() === hex;
            return (
              <button
                key={hex}
                type="button"
                className={`accent-swatch${chosen ? " chosen" : ""}`}
                style={{ background: hex }}
                title={label}
                aria-label={label}
                aria-pressed={chosen}
                data-testid={`accent-${hex.slice(1)}`}
                onClick={() => save({ accent: hex })}
              />
            );
          })}
        </div>
      </fieldset>
      <fieldset className="appearance-group">
        <legend className="hint">Text size</legend>
        {TEXT_SIZES.map(({ size, label }) => (
          <label key={size} className="radio">
            <input
              type="radio"
              name="text-size"
              value={size}
              data-testid={`text-size-${size}`}
              checked={appearance.text_size === size}
              onChange={() => save({ text_size: size })}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset className="appearance-group" data-testid="default-background">
        <legend className="hint">Chat background</legend>
        <p className="hint">Behind every chat that has none of its own.</p>
        <BackgroundPicker
          value={appearance.background}
          onChange={(background) => save({ background })}
        />
      </fieldset>
      {error && (
        <p className="error" role="alert" data-testid="appearance-error">
          {error}
        </p>
      )}
    </section>
  );
}
