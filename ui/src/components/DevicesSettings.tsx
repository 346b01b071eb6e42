import { api, describeError } from "../api";
import { useLoaded } from "../useLoaded";

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** My signed-in devices, with sign-out for one or all others. */
export default function DevicesSettings() {
  const { data: devices, error, setError, reload } = useLoaded(api.listDevices);

  const act = (action: Promise<void>) =>
    action.then(reload).catch((e) => setError(describeError(e)));
  const others = devices?.filter((d) => !d.current) ?? [];

  return (
    <section className="settings-section" data-testid="devices">
      <h2>Devices</h2>
      {devices === null && !error && <p className="hint">Loading…</p>}
      <ul className="device-list">
        {devices?.map((device) => (
          <li key={device.id} className="device" data-testid="device">
            <div>
              <div className="device-name">
                {device.name}
                {device.current && <span className="tag">this device</span>}
              </div>
              <div className="hint">
                {device.platform} · signed in {when(device.created_at)} · last active{" "}
                {when(device.last_used_at)}
              </div>
            </div>
            {!device.current && (
              <button
                type="button"
                className="link-button"
                onClick={() => act(api.signOutDevice(device.id))}
              >
                Sign out
              </button>
            )}
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <button
          type="button"
          className="link-button"
          data-testid="sign-out-others"
          onClick={() => act(api.signOutOtherDevices())}
        >
          Sign out all other devices
        </button>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
