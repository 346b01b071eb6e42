import { useCallback, useEffect, useRef, useState } from "react";
import { api, describeError, type Me, type MessengerEvent } from "./api";
import { useMessengerEvents } from "./messages";

export type AccountState =
  | { status: "loading" }
  | { status: "signed-out" }
  | { status: "signed-in"; me: Me }
  | { status: "error"; message: string };

/**
 * Who is signed in: picked up from the keyring at start, and followed live, so a sign-out from
 * another device returns to the sign-in screen, and a change to my account made anywhere (my
 * profile, my appearance: the messenger's `me` event) shows here at once.
 */
export function useAccount(): {
  account: AccountState;
  setMe: (me: Me) => void;
  reload: () => void;
  signOut: () => void;
} {
  const [account, setAccount] = useState<AccountState>({ status: "loading" });
  // Who the app said is signed in, and whether a sign-in ended while an answer was on its way:
  // at start the kept account answers at once while the server is asked, and when the server
  // has ended that sign-in the "signed out" can come before the answer.
  const watched = useRef<string | null>(null);
  const endedSinceAsking = useRef(false);

  const reload = useCallback(() => {
    setAccount({ status: "loading" });
    endedSinceAsking.current = false;
    api
      .currentAccount()
      .then((me) =>
        setAccount(
          me && !(endedSinceAsking.current && watched.current === null)
            ? { status: "signed-in", me }
            : { status: "signed-out" },
        ),
      )
      .catch((e) => setAccount({ status: "error", message: describeError(e) }));
  }, []);

  useEffect(() => {
    reload();
    api
      .watchAccount((userId) => {
        if (userId === null && watched.current !== null) endedSinceAsking.current = true;
        watched.current = userId;
        if (userId === null) setAccount({ status: "signed-out" });
      })
      .catch((e) => console.error("watch_account failed", e));
  }, [reload]);

  // My account as the server now has it, changed here or on another of my devices.
  const onMe = useCallback((event: MessengerEvent) => {
    if (event.event !== "me") return;
    setAccount((current) =>
      current.status === "signed-in" && current.me.id === event.me.id
        ? { status: "signed-in", me: event.me }
        : current,
    );
  }, []);
  useMessengerEvents(onMe);

  const setMe = useCallback((me: Me) => setAccount({ status: "signed-in", me }), []);
  const signOut = useCallback(() => {
    api
      .signOut()
      .catch((e) => console.error("sign out failed", e))
      .finally(() => setAccount({ status: "signed-out" }));
  }, []);

  return { account, setMe, reload, signOut };
}
