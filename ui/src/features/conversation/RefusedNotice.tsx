import { CloseIcon } from "../../components/Icon";
import { useRefusedAction } from "./hooks";

/** Above the composer: a change of mine to a message that the server refused, until dismissed. */
export default function RefusedNotice({ chatId }: { chatId: string }) {
  const refused = useRefusedAction(chatId);
  if (refused.text === null) return null;
  return (
    <div className="action-refused" role="alert" data-testid="action-refused">
      <span>{refused.text}</span>
      <button
        type="button"
        className="link-button"
        aria-label="Dismiss"
        title="Dismiss"
        data-testid="action-refused-dismiss"
        onClick={refused.dismiss}
      >
        <CloseIcon />
      </button>
    </div>
  );
}
