import { useState, type FormEvent } from "react";
import type { Me, PhoneCodeSent } from "../api";
import { useSubmit } from "../useSubmit";
import TextField from "./TextField";

/**
 * Two steps: a phone number gets a one-time code by SMS, then the code confirms it. Used to
 * sign in with a phone and to verify one for the account.
 */
export default function PhoneCodeForm({
  sendCode,
  confirm,
  onConfirmed,
  confirmLabel,
  testIdPrefix,
}: {
  sendCode: (phone: string) => Promise<PhoneCodeSent>;
  confirm: (phone: string, code: string) => Promise<Me>;
  onConfirmed: (me: Me) => void;
  confirmLabel: string;
  testIdPrefix: string;
}) {
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState<PhoneCodeSent | null>(null);
  const { error, busy, run } = useSubmit();

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    return run(async () => setSent(await sendCode(phone)));
  };
  const check = (event: FormEvent) => {
    event.preventDefault();
    return run(async () => onConfirmed(await confirm(sent?.phone ?? phone, code)));
  };

  return (
    <form className="auth-form" onSubmit={sent ? check : send}>
      <TextField
        label="Phone number (with country code)"
        testId={`${testIdPrefix}phone`}
        type="tel"
        autoComplete="tel"
        placeholder="+44 7911 123456"
        value={phone}
        disabled={sent !== null}
        onChange={setPhone}
      />
      {sent && (
        <>
          <p className="hint">
            We sent a 6-digit code to {sent.phone}. It is valid until{" "}
            {new Date(Number(sent.expires_at)).toLocaleTimeString()}.
          </p>
          <TextField
            label="Code"
            testId={`${testIdPrefix}code`}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={setCode}
          />
        </>
      )}
      <div className="row">
        <button type="submit" data-testid={`${testIdPrefix}submit`} disabled={busy}>
          {sent ? confirmLabel : "Send code"}
        </button>
        {sent && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setSent(null);
              setCode("");
            }}
          >
            Use another number
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert" data-testid={`${testIdPrefix}error`}>
          {error}
        </p>
      )}
    </form>
  );
}
