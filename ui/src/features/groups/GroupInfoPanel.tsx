import { useState, type FormEvent } from "react";
import type { ChatMember, LocalChat } from "../../api";
import { CloseIcon } from "../../components/Icon";
import GroupTimerSetting from "../disappearing/GroupTimerSetting";
import UpcomingEvents from "../events/UpcomingEvents";
import ChatStarred from "../starred/ChatStarred";
import { LAYER, useEscape } from "../../shortcuts";
import AddMembers from "./AddMembers";
import { groupsApi, NEW_GROUP_SETTINGS, type GroupSettings } from "./api";
import GroupExit from "./GroupExit";
import GroupPhoto from "./GroupPhoto";
import { reloadMembers, useGroupInfo } from "./hooks";
import InviteLink from "./InviteLink";
import JoinRequests from "./JoinRequests";
import MemberRow, { type MemberAction } from "./MemberRow";
import { groupErrorText, isAdmin } from "./words";
import "./groups.css";

const SETTINGS: { key: keyof GroupSettings; label: string; hint: string; testId?: string }[] = [
  {
    key: "only_admins_send",
    label: "Only admins can send messages",
    hint: "Everyone else can read along.",
  },
  {
    key: "only_admins_edit",
    label: "Only admins can edit info",
    hint: "The group's name, photo and description.",
  },
  {
    key: "approve_joins",
    label: "Approve new members",
    hint: "Joining by the invite link needs an admin's yes.",
  },
  {
    key: "only_admins_keep",
    label: "Only admins can keep messages",
    hint: "Keeping a message stops it from disappearing, for everyone.",
    testId: "setting-only-admins-keep",
  },
];

/** Me first, then the owner, the admins and everyone else, each by name. */
function rank(member: ChatMember, myId: string): number {
  if (member.user_id === myId) return 0;
  return member.role === "owner" ? 1 : member.role === "admin" ? 2 : 3;
}

/**
 * A group's info beside its conversation: photo, name, description and size; its members with
 * their roles and (for admins) what can be done to them; the group's upcoming events and my
 * starred messages in it (a click shows one in the conversation); its disappearing-messages timer
 * (changed by whoever may edit its info); settings, the invite link and requests to join for
 * admins; Report, Exit, and Delete (for me; the owner's for everyone) at its foot.
 */
export default function GroupInfoPanel({
  chat,
  myId,
  members,
  onClose,
  onDeleted,
  onShowMessage,
}: {
  chat: LocalChat;
  myId: string;
  /** From this device's store; null while loading. */
  members: ChatMember[] | null;
  onClose: () => void;
  /** The chat was deleted for me: close it. */
  onDeleted: () => void;
  /**
   * Shows a message in the conversation (an upcoming event's, a starred one); none: no upcoming
   * events nor starred messages.
   */
  onShowMessage?: (messageId: string) => void;
}) {
  const chatId = chat.id;
  // Left from here: out at once, until the tile (its member list moved on) says how it stands.
  const [leftAtSeq, setLeftAtSeq] = useState<number | null>(null);
  const role = leftAtSeq !== null && chat.members_seq <= leftAtSeq ? null : chat.my_role;
  const member = role !== null;
  const admin = isAdmin(role);
  const owner = role === "owner";
  const { info, error: infoError, setInfo } = useGroupInfo(chatId, member);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ name: string; description: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  useEscape(editing !== null, LAYER.menu, () => setEditing(null));

  const settings = info?.settings ?? null;
  const canEdit = member && (admin || (settings !== null && !settings.only_admins_edit));
  const name = info?.name ?? chat.title;
  const description = info?.description ?? "";
  const count = members?.length ?? chat.member_count;

  /** One action at a time; its refusal in words, its success as `done` says. */
  const run = (step: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    step()
      .then(() => {
        if (done) setNotice(done);
      })
      .catch((e) => setError(groupErrorText(e)))
      .finally(() => setBusy(false));
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const update = {
      ...(editing.name.trim() !== name ? { name: editing.name.trim() } : {}),
      ...(editing.description.trim() !== description
        ? { description: editing.description.trim() }
        : {}),
    };
    run(async () => {
      if (Object.keys(update).length > 0) setInfo(await groupsApi.updateGroup(chatId, update));
      setEditing(null);
    });
  };

  const toggle = (key: keyof GroupSettings, on: boolean) =>
    run(async () => setInfo(await groupsApi.updateGroup(chatId, { [key]: on })));

  const actOn = (target: ChatMember, action: MemberAction) =>
    run(
      async () => {
        if (action === "remove") await groupsApi.removeMember(chatId, target.user_id);
        else
          await groupsApi.setRole(
            chatId,
            target.user_id,
            action === "make-admin" ? "admin" : "member",
          );
        reloadMembers(chatId);
      },
      action === "remove"
        ? `${target.display_name} was removed.`
        : action === "make-admin"
          ? `${target.display_name} is now an admin.`
          : `${target.display_name} is no longer an admin.`,
    );

  const sorted = [...(members ?? [])].sort(
    (a, b) => rank(a, myId) - rank(b, myId) || a.display_name.localeCompare(b.display_name),
  );

  return (
    <aside className="group-info" aria-label="Group info" data-testid="group-info">
      <header className="group-info-header">
        <h2>Group info</h2>
        <button
          type="button"
          className="link-button"
          aria-label="Close group info"
          data-testid="group-info-close"
          onClick={onClose}
        >
          <CloseIcon />
        </button>
      </header>
      <div className="group-info-body">
        <section className="group-info-top">
          <GroupPhoto
            chatId={chatId}
            photo={info ? info.photo : chat.photo}
            name={name}
            canEdit={canEdit}
            onChanged={setInfo}
          />
          {editing ? (
            <form className="group-edit" onSubmit={save}>
              <label className="field">
                Group name
                <input
                  type="text"
                  data-testid="group-edit-name"
                  required
                  maxLength={100}
                  value={editing.name}
                  onChange={(event) => setEditing({ ...editing, name: event.target.value })}
                />
              </label>
              <label className="field">
                Description
                <textarea
                  data-testid="group-edit-description"
                  rows={3}
                  maxLength={500}
                  value={editing.description}
                  onChange={(event) => setEditing({ ...editing, description: event.target.value })}
                />
              </label>
              <div className="row">
                <button
                  type="submit"
                  data-testid="group-edit-save"
                  disabled={busy || editing.name.trim() === ""}
                >
                  Save
                </button>
                <button type="button" className="link-button" onClick={() => setEditing(null)}>
                  Cancel
                </button>
              </div>
            </form>
          ) : (
            <>
              <h3 className="group-info-name" data-testid="group-info-name">
                {name}
              </h3>
              <p className="hint" data-testid="group-info-count">
                Group · {count} {count === 1 ? "member" : "members"}
              </p>
              {description && (
                <p className="group-info-description" data-testid="group-info-description">
                  {description}
                </p>
              )}
              {canEdit && (
                <button
                  type="button"
                  className="link-button"
                  data-testid="edit-group-info"
                  onClick={() => setEditing({ name, description })}
                >
                  {description ? "Edit name and description" : "Edit name, add a description"}
                </button>
              )}
            </>
          )}
        </section>
        {!member && (
          <p className="composer-notice" data-testid="group-info-not-member">
            You're no longer a member of this group
          </p>
        )}
        {(error ?? (member ? infoError : null)) && (
          <p className="error" role="alert" data-testid="group-info-error">
            {error ?? infoError}
          </p>
        )}
        {notice && (
          <p className="hint" role="status" data-testid="group-info-notice">
            {notice}
          </p>
        )}
        {onShowMessage && <UpcomingEvents chatId={chatId} myId={myId} onPick={onShowMessage} />}
        {onShowMessage && <ChatStarred chat={chat} myId={myId} onPick={onShowMessage} />}
        {member && (
          <GroupTimerSetting
            chatId={chatId}
            afterMs={chat.disappear_after_ms ?? null}
            allowed={canEdit}
          />
        )}
        {admin && (
          <section className="group-info-section" data-testid="group-settings">
            <h3 className="contacts-title">Settings</h3>
            {SETTINGS.map(({ key, label, hint, testId }) => (
              <label key={key} className="group-setting">
                <input
                  type="checkbox"
                  data-testid={testId ?? `group-setting-${key}`}
                  checked={(settings ?? NEW_GROUP_SETTINGS)[key]}
                  disabled={busy || settings === null}
                  onChange={(event) => toggle(key, event.target.checked)}
                />
                <span>
                  {label}
                  <span className="hint group-setting-hint">{hint}</span>
                </span>
              </label>
            ))}
          </section>
        )}
        {admin && <InviteLink chatId={chatId} onError={setError} />}
        {admin && (
          <JoinRequests
            chatId={chatId}
            approvalOn={settings?.approve_joins ?? false}
            onError={setError}
          />
        )}
        <section className="group-info-section" data-testid="group-members">
          <div className="group-info-section-title">
            <h3 className="contacts-title">
              {count} {count === 1 ? "member" : "members"}
            </h3>
            {admin && !adding && (
              <button
                type="button"
                className="link-button"
                data-testid="add-members"
                onClick={() => (setAdding(true), setNotice(null))}
              >
                Add members
              </button>
            )}
          </div>
          {adding && members && (
            <AddMembers chatId={chatId} members={members} onDone={() => setAdding(false)} />
          )}
          <ul className="contact-list">
            {sorted.map((m) => (
              <MemberRow
                key={m.user_id}
                member={m}
                me={m.user_id === myId}
                canManage={admin && m.user_id !== myId && m.role !== "owner"}
                onAct={(action) => actOn(m, action)}
              />
            ))}
          </ul>
        </section>
        <GroupExit
          chatId={chatId}
          name={name}
          member={member}
          owner={owner}
          busy={busy}
          run={run}
          onLeft={() => setLeftAtSeq(chat.members_seq)}
          onDeleted={onDeleted}
          onNotice={(text) => (setError(null), setNotice(text))}
        />
      </div>
    </aside>
  );
}
