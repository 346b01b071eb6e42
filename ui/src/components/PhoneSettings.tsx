import { useState } from "react";
import { api, type Me } from "../api";
import PhoneCodeForm from "./PhoneCodeForm";

/** Add or change my phone number, confirmed by an SMS code. */
export default function PhoneSettings({ onVerified }: { onVerified: (me: Me) => void }) {
  const [done, setDone] = useState<string | null>(null);
  return (
    <section className="settings-section" data-testid="phone-settings">
      <h2>Phone number</h2>
      <PhoneCodeForm
        key={done ?? "form"}
        sendCode={api.requestPhoneVerification}
        confirm={api.verifyPhone}
        onConfirmed={(me) => {
          setDone(me.phone);
          onVerified(me);
        }}
        confirmLabel="Verify"
        testIdPrefix="verify-phone-"
      />
      {done && (
        <p className="hint" data-testid="phone-verified">
          {done} is verified: you can sign in with it.
        </p>
      )}
    </section>
  );
}
