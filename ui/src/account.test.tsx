import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { useAccount } from "./account";
import { ME } from "./test-fixtures";
import { invoke } from "./test-ipc";

/** The desktop side: I am signed in as ME until I sign out. */
function serve() {
  invoke.mockImplementation(async (command: string) => {
    switch (command) {
      case "current_account":
        return ME;
      case "watch_account":
      case "watch_messages":
      case "sign_out":
        return null;
      default:
        throw new Error(command);
    }
  });
}

describe("useAccount", () => {
  it("takes a save's answer only while the same account is signed in", async () => {
    serve();
    const { result } = renderHook(() => useAccount());
    await waitFor(() => expect(result.current.account.status).toBe("signed-in"));
    act(() => result.current.setMe({ ...ME, display_name: "Annie" }));
    expect(result.current.account).toEqual({
      status: "signed-in",
      me: { ...ME, display_name: "Annie" },
    });
    // Another account's answer (saved before switching accounts) changes nothing.
    act(() => result.current.setMe({ ...ME, id: "u9", display_name: "Zed" }));
    expect(result.current.account).toEqual({
      status: "signed-in",
      me: { ...ME, display_name: "Annie" },
    });
    act(() => result.current.signOut());
    await waitFor(() => expect(result.current.account.status).toBe("signed-out"));
    // A save that was on its way when I signed out does not sign me in again.
    act(() => result.current.setMe({ ...ME, display_name: "Late" }));
    expect(result.current.account.status).toBe("signed-out");
    act(() => result.current.signIn(ME));
    expect(result.current.account).toEqual({ status: "signed-in", me: ME });
  });
});
