// Screens the start does not show (the conversation, the other tabs, the quick chat, …), each in a
// chunk of its own: the page parses only what the chat list needs before its first paint, and
// loads these once it is painted (`loadLaterScreens`), or when one is shown first. One whose chunk
// fails to load says so in its place, with a way to try again; the rest of the page stays.
import { Component, lazy, Suspense, useState, type ComponentType, type ReactNode } from "react";

type Module<P> = Promise<{ default: ComponentType<P> }>;

const loaders: (() => Module<never>)[] = [];

/** In place of a screen that failed to load (or to show): a way to try again. */
class ScreenFailed extends Component<
  { onRetry: () => void; children: ReactNode },
  { failed: boolean }
> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <p className="hint" role="alert" data-testid="screen-failed">
        <span>Could not load this screen</span>{" "}
        <button type="button" className="link-button" onClick={this.props.onRetry}>
          Retry
        </button>
      </p>
    );
  }
}

/** The component `load` brings, rendered once its chunk is in (nothing until then). */
export function later<P extends object>(load: () => Module<P>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Module<P> | null = null;
  const fetch = (): Module<P> =>
    (loading ??= load().then(
      (module) => {
        loaded = module.default;
        return module;
      },
      (error: unknown) => {
        // Asked again next time (the chunk is read from disk: a failure is rare and passing);
        // React.lazy keeps a failure for good, so the next showing goes through a new one.
        loading = null;
        Lazy = lazy(fetch);
        throw error;
      },
    ));
  loaders.push(fetch as () => Module<never>);
  let Lazy = lazy(fetch);
  function Later(props: P) {
    // Loaded already: shown in the same frame, without going through Suspense. The choice holds
    // for this mount (switching would mount the screen anew and lose its state).
    const [Screen] = useState(() => loaded);
    /** Tries after a failure: each mounts the screen anew. */
    const [tries, setTries] = useState(0);
    if (Screen) return <Screen {...props} />;
    return (
      <ScreenFailed key={tries} onRetry={() => setTries(tries + 1)}>
        <Suspense fallback={null}>
          <Lazy {...props} />
        </Suspense>
      </ScreenFailed>
    );
  }
  return Later;
}

/** Loads every later screen's chunk (after the start: they are then shown at once). */
export function loadLaterScreens(): void {
  for (const load of loaders)
    load().catch((error) => console.warn("loading a screen failed", error));
}
