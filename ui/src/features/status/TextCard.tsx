import type { StatusFont } from "./api";

/** A text post as it shows: the words centred on its background, in its typeface. */
export default function TextCard({
  text,
  background,
  font,
  testId,
  placeholder,
}: {
  text: string;
  background: string;
  font: StatusFont;
  testId?: string;
  /** Shown faintly while there are no words (the composer's preview). */
  placeholder?: string;
}) {
  const empty = text.trim() === "";
  return (
    <div
      className={`status-text-card status-font-${font}`}
      style={{ background }}
      data-testid={testId}
      data-font={font}
      data-background={background}
    >
      <p className={empty ? "status-text-words empty" : "status-text-words"}>
        {empty ? (placeholder ?? "") : text}
      </p>
    </div>
  );
}
