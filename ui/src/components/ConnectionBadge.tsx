import { api } from "../api";
import { describeConnection } from "../connection";
import { useConnectionState, useNow } from "../hooks";

/** The live connection badge, with "Retry now" while offline. */
export default function ConnectionBadge() {
  const { state, receivedAt } = useConnectionState();
  const offline = state?.state === "offline";
  const now = useNow(offline);
  const label = describeConnection(state, receivedAt, Math.max(now, receivedAt));

  return (
    <div className="connection">
      <span
        className={`badge badge-${label.tone}`}
        data-testid="connection-state"
        title={label.detail}
        role="status"
      >
        {label.text}
      </span>
      {offline && (
        <button
          type="button"
          className="link-button"
          onClick={() => api.retryConnection().catch(console.error)}
        >
          Retry now
        </button>
      )}
    </div>
  );
}
