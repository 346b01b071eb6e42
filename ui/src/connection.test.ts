import { describe, expect, it } from "vitest";
import { describeConnection } from "./connection";

describe("describeConnection", () => {
  it("says connected with the server version", () => {
    const label = describeConnection(
      { state: "connected", server_version: "0.1.0", instance_id: "x", protocol: 1, user_id: null },
      0,
      0,
    );
    expect(label).toMatchObject({ text: "Connected", tone: "ok" });
    expect(label.detail).toContain("0.1.0");
  });

  it("counts down the retry and shows the server's code", () => {
    const state = {
      state: "offline",
      attempt: 3,
      retry_in_ms: 4200,
      reason: "too many connections",
      code: "server_busy",
    } as const;
    expect(describeConnection(state, 1000, 1000).text).toBe("Offline — retrying in 5 s");
    expect(describeConnection(state, 1000, 4000).text).toBe("Offline — retrying in 2 s");
    expect(describeConnection(state, 1000, 99000).text).toBe("Offline — retrying in 0 s");
    expect(describeConnection(state, 1000, 1000).detail).toBe("too many connections (server_busy)");
  });

  it("has words before the first state arrives and after stopping", () => {
    expect(describeConnection(null, 0, 0).text).toBe("Starting…");
    expect(describeConnection({ state: "stopped" }, 0, 0).tone).toBe("down");
    expect(describeConnection({ state: "connecting", attempt: 0 }, 0, 0).text).toBe("Connecting…");
  });
});
