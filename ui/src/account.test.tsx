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

  it("stays signed in when the account feed's first word comes late, after the answer", async () => {
    // The desktop side takes up the kept sign-in while answering `current_account`; its account
    // feed says who is signed in as of the moment it is asked to follow, and says it late.
    let resumed = false;
    invoke.mockImplementation(async (command: string, args?: never) => {
      switch (command) {
        case "current_account":
          await new Promise((resolve) => setTimeout(resolve, 10));
          resumed = true;
          return ME;
        case "watch_account": {
          const channel = (
            args as unknown as { onChange: { onmessage: (id: string | null) => void } }
          ).onChange;
          const now = resumed ? ME.id : null;
          setTimeout(() => channel.onmessage(now), 40);
          return null;
        }
        case "watch_messages":
          return null;
        default:
          throw new Error(command);
      }
    });
    const { result } = renderHook(() => useAccount());
    await waitFor(() => expect(result.current.account.status).toBe("signed-in"));
    await act(() => new Promise((resolve) => setTimeout(resolve, 80)));
    expect(result.current.account.status).toBe("signed-in");
  });
});
