// Who may do what with disappearing messages: set a chat's timer, keep a message from going.
import type { LocalChat } from "../../api";
import type { GroupSettings } from "../groups/api";
import { useGroupInfo } from "../groups/hooks";
import { isAdmin } from "../groups/words";

/**
 * Whether I may set a chat's timer (the server's rule): in a direct chat, always; in a group I am
 * in, admins, and everyone while the group lets all members edit its info. Null while that
 * group's settings are not known.
 */
export function mayChangeTimer(
  chat: Pick<LocalChat, "kind" | "my_role">,
  settings: GroupSettings | null,
): boolean | null {
  if (chat.kind !== "group") return true;
  if (chat.my_role === null) return false;
  if (isAdmin(chat.my_role)) return true;
  return settings === null ? null : !settings.only_admins_edit;
}

/**
 * Whether I may keep a message of this chat (or let it go again): in a direct chat, always; in a
 * group I am in, admins, and everyone unless the group says only admins keep messages. A chat not
 * loaded yet leaves it to the server.
 */
export function mayKeep(chat: LocalChat | null): boolean {
  if (!chat || chat.kind !== "group") return true;
  if (chat.my_role === null) return false;
  return !chat.only_admins_keep || isAdmin(chat.my_role);
}

/**
 * `mayChangeTimer` for a chat, its group's settings asked of the server only while `asking` (the
 * menu that offers the timer is open) and only when they decide it (I am a plain member).
 */
export function useMayChangeTimer(chat: LocalChat | null, asking: boolean): boolean | null {
  const needed = chat?.kind === "group" && chat.my_role !== null && !isAdmin(chat.my_role);
  const { info } = useGroupInfo(chat?.id ?? "", asking && needed);
  return chat ? mayChangeTimer(chat, info?.settings ?? null) : null;
}
