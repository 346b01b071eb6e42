// Screens the start does not show (the conversation, the other tabs, the quick chat, …), each in a
// chunk of its own: the page parses only what the chat list needs before its first paint, and
// loads these once it is painted (`loadLaterScreens`), or when one is shown first.
import { lazy, Suspense, useState, type ComponentType } from "react";

type Module<P> = Promise<{ default: ComponentType<P> }>;

const loaders: (() => Module<never>)[] = [];

/** The component `load` brings, rendered once its chunk is in (nothing until then). */
export function later<P extends object>(load: () => Module<P>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Module<P> | null = null;
  const fetch = () =>
    (loading ??= load().then(
      (module) => {
        loaded = module.default;
        return module;
      },
      (error: unknown) => {
        // Asked again next time (the chunk is read from disk: a failure is rare and passing).
        loading = null;
        throw error;
      },
    ));
  loaders.push(fetch as () => Module<never>);
  const Lazy = lazy(fetch);
  function Later(props: P) {
    // Loaded already: shown in the same frame, without going through Suspense. The choice holds
    // for this mount (switching would mount the screen anew and lose its state).
    const [Screen] = useState(() => loaded);
    if (Screen) return <Screen {...props} />;
    return (
      <Suspense fallback={null}>
        <Lazy {...props} />
      </Suspense>
    );
  }
  return Later;
}

/** Loads every later screen's chunk (after the start: they are then shown at once). */
export function loadLaterScreens(): void {
  for (const load of loaders)
    load().catch((error) => console.warn("loading a screen failed", error));
}
