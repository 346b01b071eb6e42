// Who could not be put in a group, and why, in words.
import { api } from "../../api";
import type { AddRefusal } from "./api";
import { refusalText } from "./words";

/** One line per refusal; names from `nameOf` ("Someone" when unknown). A refusal for privacy
 * or a block is told apart by my own blocked list (the server does not say which). */
export async function refusalLines(
  refused: AddRefusal[],
  nameOf: (userId: string) => string | null | undefined,
): Promise<string[]> {
  if (refused.length === 0) return [];
  const blocked = refused.some((r) => r.code === "add_not_allowed")
    ? await api.listBlocked().catch(() => [])
    : [];
  const blockedIds = new Set((blocked ?? []).map((b) => b.user_id));
  return refused.map((r) =>
    refusalText(r, nameOf(r.user_id) ?? "Someone", blockedIds.has(r.user_id)),
  );
}
