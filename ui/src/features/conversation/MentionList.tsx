import { useMemo, useState, type KeyboardEvent, type RefObject } from "react";
import type { ChatMember } from "../../api";
import Avatar from "../../components/Avatar";
import { mentionCandidates, mentionQuery, type PickedMention } from "./mentions";

/** How many members the completion list shows at most. */
const SHOWN = 8;

/**
 * The @-completion of a group's composer: typing `@` (and the start of a name) offers the
 * members; Up/Down move, Enter/Tab pick, Escape closes. A pick puts `@Name ` in the text and
 * remembers who it names (see `encodeMentions`).
 */
export function useMentionCompletion({
  members,
  myId,
  text,
  setText,
  composer,
}: {
  /** Null outside groups: no completion. */
  members: ChatMember[] | null;
  myId: string;
  text: string;
  setText: (text: string) => void;
  composer: RefObject<HTMLTextAreaElement | null>;
}) {
  const [query, setQuery] = useState<{ start: number; query: string } | null>(null);
  const [index, setIndex] = useState(0);
  const [picked, setPicked] = useState<PickedMention[]>([]);
  /** Where the `@` is whose list Escape closed (it stays closed for that `@`). */
  const [dismissed, setDismissed] = useState<number | null>(null);

  const candidates = useMemo(
    () => (members && query ? mentionCandidates(members, query.query, myId).slice(0, SHOWN) : []),
    [members, query, myId],
  );
  const open = query !== null && dismissed !== query.start && candidates.length > 0;
  const selected = Math.min(index, Math.max(candidates.length - 1, 0));

  /** Follows the text and the caret (after typing, a click, arrow keys). */
  const follow = (value: string, caret: number | null) => {
    if (!members) return;
    const next = mentionQuery(value, caret ?? value.length);
    if (next?.start !== query?.start || next?.query !== query?.query) setIndex(0);
    if (next === null || next.start !== dismissed) setDismissed(null);
    setQuery(next);
  };

  const pick = (member: ChatMember) => {
    if (!query) return;
    const end = query.start + 1 + query.query.length;
    const inserted = `@${member.display_name} `;
    const value = text.slice(0, query.start) + inserted + text.slice(end);
    const caret = query.start + inserted.length;
    setText(value);
    setPicked((list) =>
      list.some((p) => p.userId === member.user_id)
        ? list
        : [...list, { userId: member.user_id, name: member.display_name }],
    );
    setQuery(null);
    requestAnimationFrame(() => {
      const element = composer.current;
      if (!element) return;
      element.focus();
      element.setSelectionRange(caret, caret);
    });
  };

  /** The composer's keys while the list is open; true when the key was the list's. */
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    switch (event.key) {
      case "ArrowDown":
        setIndex((selected + 1) % candidates.length);
        break;
      case "ArrowUp":
        setIndex((selected - 1 + candidates.length) % candidates.length);
        break;
      case "Enter":
      case "Tab":
        if (event.shiftKey) return false;
        pick(candidates[selected]!);
        break;
      case "Escape":
        setDismissed(query.start);
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  };

  return {
    open,
    candidates,
    selected,
    picked,
    setPicked,
    follow,
    pick,
    onKeyDown,
    /** After sending: nothing picked, nothing open. */
    reset: () => {
      setPicked([]);
      setQuery(null);
    },
  };
}

/** The members offered for the `@` being typed, over the composer. */
export default function MentionList({
  candidates,
  selected,
  onPick,
}: {
  candidates: ChatMember[];
  selected: number;
  onPick: (member: ChatMember) => void;
}) {
  return (
    <ul
      className="mention-list"
      role="listbox"
      aria-label="Mention a member"
      data-testid="mention-list"
    >
      {candidates.map((member, i) => (
        <li
          key={member.user_id}
          role="option"
          aria-selected={i === selected}
          className={i === selected ? "mention-option selected" : "mention-option"}
          data-testid={`mention-${member.username}`}
          // Before the textarea loses the focus.
          onMouseDown={(event) => {
            event.preventDefault();
            onPick(member);
          }}
        >
          <Avatar
            owner={{ kind: "user", id: member.user_id }}
            photo={member.photo}
            name={member.display_name}
          />
          <span className="contact-name">{member.display_name}</span>
          <span className="hint">@{member.username}</span>
        </li>
      ))}
    </ul>
  );
}
