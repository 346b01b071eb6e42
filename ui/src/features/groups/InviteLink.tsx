import { useState } from "react";
import { groupsApi, type InviteCode } from "./api";
import { groupErrorText } from "./words";

/**
 * A group's invite link for its admins: shown on demand (made if there is none) with its QR
 * code, to copy, reset (the old one stops working) or revoke.
 */
export default function InviteLink({
  chatId,
  onError,
}: {
  chatId: string;
  onError: (error: string | null) => void;
}) {
  const [code, setCode] = useState<InviteCode | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const run = (step: () => Promise<void>) => {
    setBusy(true);
    onError(null);
    setNotice(null);
    step()
      .catch((e) => onError(groupErrorText(e)))
      .finally(() => setBusy(false));
  };
  const show = () => run(async () => setCode(await groupsApi.invite(chatId)));
  const reset = () =>
    run(async () => {
      setCode(await groupsApi.resetInvite(chatId));
      setNotice("A new link was made: the old one no longer works.");
    });
  const revoke = () =>
    run(async () => {
      await groupsApi.revokeInvite(chatId);
      setCode(null);
      setNotice("The link was revoked: it no longer works.");
    });
  const copy = () => {
    if (!code) return;
    setNotice(null);
    Promise.resolve(navigator.clipboard?.writeText(code.link))
      .then(() => setNotice("Link copied."))
      .catch(() => onError("Could not copy the link: select it and copy it by hand."));
  };

  return (
    <section className="group-info-section" data-testid="invite-section">
      <h3 className="contacts-title">Invite link</h3>
      {code ? (
        <>
          <div className="invite-qr" data-testid="invite-qr">
            <img
              className="qr"
              alt="QR code of the group's invite link"
              src={`data:image/svg+xml;utf8,${encodeURIComponent(code.svg)}`}
            />
          </div>
          <p className="hint selectable" data-testid="invite-link">
            {code.link}
          </p>
          <div className="group-info-actions">
            <button type="button" className="link-button" data-testid="invite-copy" onClick={copy}>
              Copy link
            </button>
            <button
              type="button"
              className="link-button"
              data-testid="invite-reset"
              disabled={busy}
              onClick={reset}
            >
              Reset link
            </button>
            <button
              type="button"
              className="link-button danger-link"
              data-testid="invite-revoke"
              disabled={busy}
              onClick={revoke}
            >
              Revoke link
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="hint">Anyone with the link can join this group.</p>
          <button
            type="button"
            className="link-button"
            data-testid="show-invite"
            disabled={busy}
            onClick={show}
          >
            Show invite link and QR code
          </button>
        </>
      )}
      {notice && (
        <p className="hint" role="status" data-testid="invite-notice">
          {notice}
        </p>
      )}
    </section>
  );
}
