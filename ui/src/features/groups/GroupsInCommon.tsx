import { useCallback } from "react";
import Avatar from "../../components/Avatar";
import { useLoaded } from "../../useLoaded";
import { groupsApi } from "./api";
import "./groups.css";

/** The groups I share with someone, on their profile; a click opens one. */
export default function GroupsInCommon({
  userId,
  onOpen,
}: {
  userId: string;
  onOpen?: (chatId: string) => void;
}) {
  const { data: groups, error } = useLoaded(
    useCallback(() => groupsApi.groupsInCommon(userId), [userId]),
  );
  return (
    <div className="groups-in-common" data-testid="groups-in-common">
      <h3 className="contacts-title">Groups in common</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {groups?.length === 0 && <p className="hint">No groups in common.</p>}
      <ul className="contact-list">
        {(groups ?? []).map((group) => (
          <li key={group.id}>
            <button
              type="button"
              className="common-group"
              data-testid="common-group"
              disabled={!onOpen}
              onClick={() => onOpen?.(group.id)}
            >
              <Avatar
                owner={{ kind: "chat", id: group.id }}
                photo={group.photo}
                name={group.title}
              />
              <span className="contact-text">
                <span className="contact-name">{group.title}</span>
                <span className="hint">
                  {" "}
                  · {group.member_count} {group.member_count === 1 ? "member" : "members"}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
