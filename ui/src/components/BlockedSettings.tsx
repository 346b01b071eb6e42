import { api, describeError } from "../api";
import { useLoaded } from "../useLoaded";

/** The people I blocked, with Unblock. */
export default function BlockedSettings() {
  const { data: blocked, error, setError, reload } = useLoaded(api.listBlocked);

  return (
    <section className="settings-section" data-testid="blocked">
      <h2>Blocked</h2>
      {blocked?.length === 0 && <p className="hint">You have not blocked anyone.</p>}
      <ul className="device-list">
        {blocked?.map((user) => (
          <li key={user.user_id} className="device" data-testid="blocked-user">
            <div>
              <div className="device-name">{user.display_name}</div>
              <div className="hint">@{user.username}</div>
            </div>
            <button
              type="button"
              className="link-button"
              onClick={() =>
                api
                  .unblockUser(user.user_id)
                  .then(reload)
                  .catch((e) => setError(describeError(e)))
              }
            >
              Unblock
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
