import { useEffect, useState } from "react";
import { ApiError } from "../../api";
import Avatar from "../../components/Avatar";
import { LAYER, useEscape } from "../../shortcuts";
import { groupsApi, inviteCode, type InvitePreview } from "./api";
import { groupErrorText } from "./words";
import "./groups.css";

/** A `gkchat://join/…` link the app was opened with (or that was pasted), to show once. */
export interface LinkToJoin {
  link: string;
}

/** What a refused invite says. */
function joinErrorText(error: unknown): string {
  if (
    error instanceof ApiError &&
    (error.code === "invite_invalid" || error.code === "not_found")
  ) {
    return "This invite link was reset or revoked";
  }
  return groupErrorText(error);
}

/**
 * Joining a group by its invite link: what the link shows first (name, description, size,
 * whether an admin must approve), then Join or Cancel. Joined, the group opens; with approval
 * on, the request is sent and waits.
 */
export default function JoinDialog({
  link,
  onJoined,
  onClose,
}: {
  link: string;
  /** In: open the group's conversation. */
  onJoined: (chatId: string) => void;
  onClose: () => void;
}) {
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [requested, setRequested] = useState(false);
  useEscape(true, LAYER.menu, onClose);

  useEffect(() => {
    let current = true;
    groupsApi
      .invitePreview(link)
      .then((shown) => {
        if (!current) return;
        setPreview(shown);
        setRequested(shown.requested);
      })
      .catch((e) => current && setError(joinErrorText(e)));
    return () => {
      current = false;
    };
  }, [link]);

  const join = async () => {
    setBusy(true);
    setError(null);
    try {
      const outcome = await groupsApi.joinGroup(link);
      if (outcome.outcome === "joined") onJoined(outcome.chat.id);
      else setRequested(true);
    } catch (e) {
      setError(joinErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <div
        className="modal join-dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Join group"
        data-testid="join-dialog"
      >
        <h2 className="modal-title">Join group</h2>
        {!preview && !error && <p className="hint">Looking up the invite…</p>}
        {preview && (
          <div className="join-preview">
            <Avatar
              owner={{ kind: "invite", id: inviteCode(link) }}
              photo={preview.photo}
              name={preview.name}
              size="full"
              large
            />
            <div className="join-preview-name" data-testid="join-group-name">
              {preview.name}
            </div>
            <div className="hint" data-testid="join-member-count">
              Group · {preview.member_count} {preview.member_count === 1 ? "member" : "members"}
            </div>
            {preview.description && (
              <p className="join-preview-description" data-testid="join-group-description">
                {preview.description}
              </p>
            )}
            {preview.approval_needed && !preview.member && (
              <p className="hint" data-testid="join-approval">
                An admin must approve your request to join.
              </p>
            )}
            {preview.member && (
              <p className="hint" data-testid="join-already-member">
                You're already a member of this group.
              </p>
            )}
          </div>
        )}
        {requested && (
          <p className="join-requested" role="status" data-testid="join-requested">
            Request sent. You'll be in the group once an admin approves.
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="join-error">
            {error}
          </p>
        )}
        <div className="row modal-actions">
          {preview && !requested && (
            <button
              type="button"
              className="primary-button"
              data-testid="join-group"
              disabled={busy}
              onClick={join}
            >
              {preview.member ? "Open group" : preview.approval_needed ? "Ask to join" : "Join"}
            </button>
          )}
          <button type="button" className="link-button" data-testid="join-cancel" onClick={onClose}>
            {requested || error ? "Close" : "Cancel"}
          </button>
        </div>
      </div>
    </div>
  );
}
