import { useState } from "react";
import type { ChatMember } from "../../api";
import Avatar from "../../components/Avatar";
import { MoreIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { roleLabel } from "./words";

export type MemberAction = "make-admin" | "dismiss-admin" | "remove";

/** One member: name, "You", their role, and (for admins) their actions menu. */
export default function MemberRow({
  member,
  me,
  canManage,
  onAct,
}: {
  member: ChatMember;
  me: boolean;
  canManage: boolean;
  onAct: (action: MemberAction) => void;
}) {
  const [menu, setMenu] = useState(false);
  useEscape(menu, LAYER.menu, () => setMenu(false));
  const role = roleLabel(member.role);
  const act = (action: MemberAction) => {
    setMenu(false);
    onAct(action);
  };
  return (
    <li className="member-row" data-testid={`member-${member.username}`} data-role={member.role}>
      <Avatar
        owner={{ kind: "user", id: member.user_id }}
        photo={member.photo}
        name={member.display_name}
      />
      <span className="contact-text">
        <span className="contact-name">{me ? "You" : member.display_name}</span>
        <span className="hint"> @{member.username}</span>
      </span>
      {role && (
        <span className="tag" data-testid="member-role">
          {role}
        </span>
      )}
      {canManage && (
        <span className="member-more">
          <button
            type="button"
            className="link-button"
            aria-label={`Actions for ${member.display_name}`}
            title="Actions"
            data-testid={`member-actions-${member.username}`}
            onClick={() => setMenu(!menu)}
          >
            <MoreIcon />
          </button>
          {menu && (
            <div className="menu" role="menu">
              {member.role === "member" ? (
                <button type="button" data-testid="make-admin" onClick={() => act("make-admin")}>
                  Make group admin
                </button>
              ) : (
                <button
                  type="button"
                  data-testid="dismiss-admin"
                  onClick={() => act("dismiss-admin")}
                >
                  Dismiss as admin
                </button>
              )}
              <button type="button" data-testid="remove-member" onClick={() => act("remove")}>
                Remove from group
              </button>
            </div>
          )}
        </span>
      )}
    </li>
  );
}
