import { useCallback, useEffect, useState } from "react";
import type { MessengerEvent } from "../../api";
import Avatar from "../../components/Avatar";
import { useMessengerEvents } from "../../messages";
import { groupsApi, type JoinRequest } from "./api";
import { groupErrorText } from "./words";

/**
 * Who asked to join by the link, for admins, with Approve / Reject. Shown while approval is on,
 * or while requests wait (from before it was turned off).
 */
export default function JoinRequests({
  chatId,
  approvalOn,
  onError,
}: {
  chatId: string;
  approvalOn: boolean;
  onError: (error: string | null) => void;
}) {
  const [requests, setRequests] = useState<JoinRequest[] | null>(null);
  const reload = useCallback(() => {
    groupsApi
      .joinRequests(chatId)
      .then((list) => setRequests(Array.isArray(list) ? list : []))
      .catch((e) => onError(groupErrorText(e)));
  }, [chatId, onError]);
  useEffect(() => reload(), [reload, approvalOn]);
  useMessengerEvents(
    useCallback(
      (event: MessengerEvent) => {
        if (event.event === "chats_changed") reload();
      },
      [reload],
    ),
  );

  const decide = (request: JoinRequest, approve: boolean) => {
    onError(null);
    groupsApi
      .decideJoinRequest(chatId, request.user_id, approve)
      .then(() => setRequests((list) => (list ?? []).filter((r) => r.user_id !== request.user_id)))
      .catch((e) => onError(groupErrorText(e)))
      .finally(reload);
  };

  if (!approvalOn && (requests?.length ?? 0) === 0) return null;
  return (
    <section className="group-info-section" data-testid="join-requests">
      <h3 className="contacts-title">
        Requests to join{requests && requests.length > 0 ? ` (${requests.length})` : ""}
      </h3>
      {requests?.length === 0 && <p className="hint">No one is waiting to join.</p>}
      <ul className="contact-list">
        {(requests ?? []).map((request) => (
          <li
            key={request.user_id}
            className="member-row"
            data-testid={`join-request-${request.username}`}
          >
            <Avatar
              owner={{ kind: "user", id: request.user_id }}
              photo={request.photo}
              name={request.display_name}
            />
            <span className="contact-text">
              <span className="contact-name">{request.display_name}</span>
              <span className="hint"> @{request.username}</span>
            </span>
            <span className="group-info-actions">
              <button
                type="button"
                className="link-button"
                data-testid={`join-approve-${request.username}`}
                onClick={() => decide(request, true)}
              >
                Approve
              </button>
              <button
                type="button"
                className="link-button danger-link"
                data-testid={`join-reject-${request.username}`}
                onClick={() => decide(request, false)}
              >
                Reject
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
