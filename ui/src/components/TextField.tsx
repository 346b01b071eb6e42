import type { InputHTMLAttributes } from "react";

/** A labelled text input that reports its value; `testId` names it for tests. */
export default function TextField({
  label,
  testId,
  value,
  onChange,
  ...input
}: {
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange">) {
  return (
    <label className="field">
      {label}
      <input
        type="text"
        {...input}
        data-testid={testId}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}
