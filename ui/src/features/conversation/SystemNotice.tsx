import type { LocalMessage } from "../../api";
import type { GroupSettings } from "../groups/api";
import { systemText, type NameOf } from "../groups/words";

/** A group's happening (someone added, the name changed…), centred in the timeline in words. */
export default function SystemNotice({
  local,
  myId,
  nameOf,
  settingsBefore,
  timerBefore,
  highlighted,
}: {
  local: LocalMessage;
  myId: string;
  nameOf: NameOf;
  /** The settings before a settings change, when the timeline holds them. */
  settingsBefore: GroupSettings | null;
  /** The timer before a timer change (`null`: off), when the timeline tells it. */
  timerBefore?: number | null;
  highlighted: boolean;
}) {
  const m = local.message;
  if (m.content?.kind !== "system") return null;
  return (
    <div
      className={highlighted ? "system-message highlight" : "system-message"}
      data-testid="system-message"
      data-message-id={m.id}
      data-seq={m.seq}
      data-event={m.content.event.event}
    >
      {systemText(m.content.event, m.sender_id, myId, nameOf, settingsBefore, timerBefore)}
    </div>
  );
}
