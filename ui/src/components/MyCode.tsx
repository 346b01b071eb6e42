import { useEffect, useState } from "react";
import { api, describeError, type ContactCode } from "../api";

/** My QR code: others scan it (or paste the link) to add me. */
export default function MyCode() {
  const [code, setCode] = useState<ContactCode | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .myContactCode()
      .then(setCode)
      .catch((e) => setError(describeError(e)));
  }, []);

  const reset = () =>
    api
      .resetContactCode()
      .then(setCode)
      .catch((e) => setError(describeError(e)));

  return (
    <section className="settings-section" data-testid="my-code">
      <h2>My code</h2>
      {code && (
        <>
          <img
            className="qr"
            alt="QR code with my contact link"
            src={`data:image/svg+xml;utf8,${encodeURIComponent(code.svg)}`}
          />
          <p className="hint selectable" data-testid="contact-link">
            {code.link}
          </p>
          <button
            type="button"
            className="link-button"
            data-testid="reset-contact-code"
            onClick={reset}
          >
            Reset my code (old codes stop working)
          </button>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
