import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, describeError, type Me, type MessengerEvent } from "./api";
import type { Appearance } from "./bindings/Appearance";
import { appearanceApi } from "./features/appearance/api";
import { forgetChats, preloadChats } from "./features/chats/hooks";
import { followMessenger, useMessengerEvents } from "./messages";
import { mark } from "./startup";

export type AccountState =
  | { status: "loading" }
  | { status: "signed-out" }
  | { status: "signed-in"; me: Me }
  | { status: "error"; message: string };

/** An appearance chosen here whose save is on its way (the `seq`-th choice), for `userId`. */
interface Chosen {
  seq: number;
  userId: string;
  appearance: Appearance;
}

/** `current_account` as asked at start, until the first `useAccount` takes it. */
let askedAtStart: Promise<Me | null> | null = null;

/**
 * At start (main.tsx, before React's first render): asks who is signed in, and as soon as
 * someone is, follows the messenger and asks for their tiles, so the chat list waits neither for
 * React to start nor for the frame around it to render. The first `useAccount` takes the answer.
 */
export function askAccountAtStart(): void {
  askedAtStart = api.currentAccount().then((me) => {
    mark("account_answered");
    if (me) {
      // The feed first: the store's `chats_changed` (once it is open) reloads the tiles.
      followMessenger();
      preloadChats();
    }
    return me;
  });
  // `useAccount` shows a failure; until it takes the answer, nothing else waits on it.
  askedAtStart.catch(() => undefined);
}

/**
 * Who is signed in: picked up from the keyring at start, and followed live, so a sign-out from
 * another device returns to the sign-in screen, and a change to my account made anywhere (my
 * profile, my appearance: the messenger's `me` event) shows here at once. A change saved here
 * shows only while the same account is still signed in (a late answer after a sign-out is
 * dropped), and my latest appearance choice shows over any `me` pushed meanwhile (the echo of an
 * earlier choice) until its own save settles.
 */
export function useAccount(): {
  account: AccountState;
  /** Signed in (the sign-in screen's answer). */
  signIn: (me: Me) => void;
  /** My account as a save here answered it: taken while that account is still signed in. */
  setMe: (me: Me) => void;
  /** Shows my appearance at once and saves it; rejects when the latest choice is refused (it is
   * taken back), resolves once saved or a later choice took over. */
  chooseAppearance: (appearance: Appearance) => Promise<void>;
  reload: () => void;
  signOut: () => void;
} {
  const [account, setAccount] = useState<AccountState>({ status: "loading" });
  const [chosen, setChosen] = useState<Chosen | null>(null);
  // Who the app said is signed in, and whether a sign-in ended while an answer was on its way:
  // at start the kept account answers at once while the server is asked, and when the server
  // has ended that sign-in the "signed out" can come before the answer.
  const watched = useRef<string | null>(null);
  const endedSinceAsking = useRef(false);
  /** Who is signed in as this page shows it, for the answers that come later. */
  const signedIn = useRef<string | null>(null);
  signedIn.current = account.status === "signed-in" ? account.me.id : null;
  /** How many appearance choices were made (or dropped, by a sign-out): the latest wins. */
  const choices = useRef(0);
  const forgetChoice = useCallback(() => {
    choices.current++;
    setChosen(null);
  }, []);

  /** Asks who is signed in; settles once the answer is shown. */
  const ask = useCallback(() => {
    setAccount({ status: "loading" });
    forgetChoice();
    endedSinceAsking.current = false;
    const answer = askedAtStart ?? api.currentAccount();
    askedAtStart = null;
    return answer
      .then((me) =>
        setAccount(
          me && !(endedSinceAsking.current && watched.current === null)
            ? { status: "signed-in", me }
            : { status: "signed-out" },
        ),
      )
      .catch((e) => setAccount({ status: "error", message: describeError(e) }));
  }, [forgetChoice]);
  const reload = useCallback(() => void ask(), [ask]);

  useEffect(() => {
    // Followed once the first answer is in: at start, who is signed in is known only after the
    // keyring was read (the answer does that), and a "nobody" from before must not sign me out.
    let unmounted = false;
    void ask().finally(() => {
      if (unmounted) return;
      api
        .watchAccount((userId) => {
          if (userId === null && watched.current !== null) endedSinceAsking.current = true;
          watched.current = userId;
          if (userId === null) {
            forgetChoice();
            setAccount({ status: "signed-out" });
          }
        })
        .catch((e) => console.error("watch_account failed", e));
    });
    return () => {
      unmounted = true;
    };
  }, [ask, forgetChoice]);

  // Signed out: the next account's tiles are its own.
  const signedOut = account.status === "signed-out";
  useEffect(() => {
    if (signedOut) forgetChats();
  }, [signedOut]);

  const setMe = useCallback(
    (me: Me) =>
      setAccount((current) =>
        current.status === "signed-in" && current.me.id === me.id
          ? { status: "signed-in", me }
          : current,
      ),
    [],
  );

  // My account as the server now has it, changed here or on another of my devices.
  const onMe = useCallback(
    (event: MessengerEvent) => {
      if (event.event === "me") setMe(event.me);
    },
    [setMe],
  );
  useMessengerEvents(onMe);

  const signIn = useCallback(
    (me: Me) => {
      forgetChoice();
      setAccount({ status: "signed-in", me });
    },
    [forgetChoice],
  );

  const chooseAppearance = useCallback(
    async (appearance: Appearance) => {
      const userId = signedIn.current;
      if (userId === null) return;
      const seq = ++choices.current;
      setChosen({ seq, userId, appearance });
      try {
        const saved = await appearanceApi.saveAppearance(appearance);
        // A later choice (or a sign-out) took over: its own answer counts, not this one.
        if (seq !== choices.current) return;
        setChosen(null);
        setMe(saved);
      } catch (error) {
        if (seq !== choices.current) return;
        // Taken back: what the server last said shows again.
        setChosen(null);
        throw error;
      }
    },
    [setMe],
  );

  const signOut = useCallback(() => {
    forgetChoice();
    api
      .signOut()
      .catch((e) => console.error("sign out failed", e))
      .finally(() => setAccount({ status: "signed-out" }));
  }, [forgetChoice]);

  // The server's account, with my appearance as I chose it while its save is on its way.
  const shown = useMemo<AccountState>(
    () =>
      account.status === "signed-in" && chosen !== null && chosen.userId === account.me.id
        ? { status: "signed-in", me: { ...account.me, appearance: chosen.appearance } }
        : account,
    [account, chosen],
  );

  return { account: shown, signIn, setMe, chooseAppearance, reload, signOut };
}
