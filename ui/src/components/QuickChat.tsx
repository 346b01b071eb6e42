import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import {
  api,
  describeError,
  type QuickCreatedView,
  type QuickEvent,
  type QuickLandingView,
  type QuickMessage,
} from "../api";
import { useSubmit } from "../useSubmit";
import TextField from "./TextField";

/**
 * Quick chat: a two-person room without accounts. Start one (two names → two links, QR codes
 * and codes), or open someone's link (pasted, or the gkchat:// link the app was started with),
 * then chat until one side ends it.
 */
type Step =
  | { kind: "menu" }
  | { kind: "created"; view: QuickCreatedView }
  | { kind: "landing"; landing: QuickLandingView }
  | { kind: "room"; link: string }
  | { kind: "ended"; reason: string };

export default function QuickChat({
  initialLink,
  onClose,
}: {
  initialLink: string | null;
  onClose: () => void;
}) {
  const [step, setStep] = useState<Step>({ kind: "menu" });
  const { error, setError, busy, run } = useSubmit();

  const openLink = (link: string) =>
    run(async () => {
      const landing = await api.quickOpen(link);
      setStep(landing.resume ? { kind: "room", link: landing.link } : { kind: "landing", landing });
    });

  useEffect(() => {
    if (initialLink) void openLink(initialLink);
    // Only the link the screen was opened with.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialLink]);

  const leave = () => {
    void api.quickLeave().finally(onClose);
  };

  return (
    <div className="quick" data-testid="quick-chat">
      <header className="quick-header">
        <button type="button" className="link-button" data-testid="quick-close" onClick={leave}>
          ← Back
        </button>
        <h1 className="app-title">Quick chat</h1>
      </header>
      {step.kind === "menu" && (
        <Menu
          busy={busy}
          onCreate={(names) =>
            run(async () => setStep({ kind: "created", view: await api.quickCreate(names) }))
          }
          onOpen={openLink}
        />
      )}
      {step.kind === "created" && (
        <Created
          view={step.view}
          onOpenMine={() =>
            run(async () => {
              const mine = step.view.invites[0];
              await api.quickJoin(mine.web_link, mine.name, mine.code);
              setStep({ kind: "room", link: mine.web_link });
            })
          }
        />
      )}
      {step.kind === "landing" && (
        <Landing
          landing={step.landing}
          busy={busy}
          onJoin={(name, code) =>
            run(async () => {
              await api.quickJoin(step.landing.link, name, code);
              setStep({ kind: "room", link: step.landing.link });
            })
          }
        />
      )}
      {step.kind === "room" && (
        <Room
          link={step.link}
          onEnded={(reason) => setStep({ kind: "ended", reason })}
          onCodeNeeded={() => void openLink(step.link)}
          onError={setError}
        />
      )}
      {step.kind === "ended" && (
        <div className="quick-body">
          <h2 data-testid="quick-ended">This chat has ended.</h2>
          <p className="hint">{step.reason}</p>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="quick-error">
          {error}
        </p>
      )}
    </div>
  );
}

function Menu({
  busy,
  onCreate,
  onOpen,
}: {
  busy: boolean;
  onCreate: (names: [string, string]) => void;
  onOpen: (link: string) => void;
}) {
  const [mine, setMine] = useState("");
  const [theirs, setTheirs] = useState("");
  const [link, setLink] = useState("");
  return (
    <div className="quick-body">
      <p className="hint">
        Two people, no accounts. The chat is destroyed when one of you ends it or after a while
        without activity.
      </p>
      <form
        className="quick-form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          onCreate([mine, theirs]);
        }}
      >
        <h2>Start a quick chat</h2>
        <TextField label="Your name" value={mine} onChange={setMine} testId="quick-name-0" />
        <TextField
          label="The other person's name"
          value={theirs}
          onChange={setTheirs}
          testId="quick-name-1"
        />
        <button type="submit" disabled={busy} data-testid="quick-create">
          Start
        </button>
      </form>
      <form
        className="quick-form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          onOpen(link);
        }}
      >
        <h2>Open a link you were given</h2>
        <TextField label="Quick chat link" value={link} onChange={setLink} testId="quick-link" />
        <button type="submit" disabled={busy} data-testid="quick-open">
          Open
        </button>
      </form>
    </div>
  );
}

function copy(text: string) {
  void navigator.clipboard?.writeText(text).catch(() => undefined);
}

function Created({ view, onOpenMine }: { view: QuickCreatedView; onOpenMine: () => void }) {
  return (
    <div className="quick-body">
      <p className="hint">
        Give each person their link and code. The codes are shown only now. Idle chats end after{" "}
        {Math.round(view.idle_secs / 60)} minutes.
      </p>
      <div className="quick-invites">
        {view.invites.map((invite, i) => (
          <section key={invite.web_link} className="quick-invite" data-testid={`quick-invite-${i}`}>
            <strong>For {invite.name}</strong>
            <img
              className="qr"
              alt={`QR code of ${invite.name}'s link`}
              src={`data:image/svg+xml;utf8,${encodeURIComponent(invite.qr_svg)}`}
            />
            <span className="selectable" data-testid={`quick-link-${i}`}>
              {invite.web_link}
            </span>
            <span>
              Secret code:{" "}
              <span className="quick-code selectable" data-testid={`quick-code-${i}`}>
                {invite.code}
              </span>
            </span>
            <div className="row">
              <button type="button" className="link-button" onClick={() => copy(invite.web_link)}>
                Copy link
              </button>
              <button type="button" className="link-button" onClick={() => copy(invite.app_link)}>
                Copy app link
              </button>
              <button type="button" className="link-button" onClick={() => copy(invite.code)}>
                Copy code
              </button>
            </div>
          </section>
        ))}
      </div>
      <button type="button" data-testid="quick-open-mine" onClick={onOpenMine}>
        Open the chat as {view.invites[0]?.name}
      </button>
    </div>
  );
}

function Landing({
  landing,
  busy,
  onJoin,
}: {
  landing: QuickLandingView;
  busy: boolean;
  onJoin: (name: string, code: string) => void;
}) {
  const [name, setName] = useState("");
  const [code, setCode] = useState("");
  return (
    <form
      className="quick-body quick-form"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onJoin(name, code);
      }}
    >
      <h2 data-testid="quick-hello">Hello {landing.name}</h2>
      <p className="hint">
        A quick chat with {landing.other_name}. Type your name and your secret code.
      </p>
      <TextField label="Your name" value={name} onChange={setName} testId="quick-join-name" />
      <TextField label="Secret code" value={code} onChange={setCode} testId="quick-join-code" />
      <button type="submit" disabled={busy} data-testid="quick-join">
        Open the chat
      </button>
    </form>
  );
}

function time(ms: number) {
  return new Date(ms).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** What the room shows, rebuilt from its events (a `joined` frame carries the whole chat). */
interface RoomView {
  me: number;
  otherName: string;
  otherHere: boolean;
  messages: QuickMessage[];
  notice: string | null;
}

function Room({
  link,
  onEnded,
  onCodeNeeded,
  onError,
}: {
  link: string;
  onEnded: (reason: string) => void;
  onCodeNeeded: () => void;
  onError: (error: string | null) => void;
}) {
  const [view, setView] = useState<RoomView | null>(null);
  const [text, setText] = useState("");
  const timeline = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const apply = (event: QuickEvent) => {
      if (event.type === "offline") {
        setView((v) => v && { ...v, notice: "Connection lost; reconnecting…" });
        return;
      }
      if (event.type === "session_refused") {
        onCodeNeeded();
        return;
      }
      const frame = event.frame;
      switch (frame.type) {
        case "joined":
          setView({
            me: frame.me,
            otherName: frame.names[1 - frame.me] ?? "",
            otherHere: frame.other_here,
            messages: frame.messages,
            notice: null,
          });
          break;
        case "message":
          setView((v) => v && { ...v, messages: [...v.messages, frame] });
          break;
        case "presence":
          setView((v) => v && { ...v, otherHere: frame.other_here });
          break;
        case "error":
          setView((v) => v && { ...v, notice: `${frame.message} (${frame.code})` });
          break;
        case "ended":
          onEnded(frame.reason);
          break;
      }
    };
    api.quickEnter(link, apply).catch((e) => onError(describeError(e)));
    // One subscription per link; the callbacks only change the screen above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [link]);

  useEffect(() => {
    const node = timeline.current;
    if (node) node.scrollTop = node.scrollHeight;
  }, [view?.messages.length]);

  const send = () => {
    if (text.trim() === "") return;
    api
      .quickSay(text)
      .then(() => setText(""))
      .catch((e) => onError(describeError(e)));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  };

  return (
    <div className="conversation quick-room">
      <header className="conversation-header">
        <div>
          <h2 data-testid="quick-chat-with">{view?.otherName ?? "…"}</h2>
          <span className="hint" data-testid="quick-other-status">
            {view ? (view.otherHere ? "is here" : "is away") : "connecting…"}
          </span>
        </div>
        <button
          type="button"
          className="link-button header-search"
          data-testid="quick-end"
          onClick={() => api.quickEnd().catch((e) => onError(describeError(e)))}
        >
          End chat
        </button>
      </header>
      <div className="timeline" ref={timeline} data-testid="quick-timeline">
        {view?.messages.map((message) => (
          <div
            key={message.seq}
            className={message.from === view.me ? "bubble mine" : "bubble"}
            data-testid="quick-message"
          >
            {message.text}
            <div className="message-meta">{time(message.at)}</div>
          </div>
        ))}
      </div>
      {view?.notice && (
        <p className="hint quick-notice" data-testid="quick-notice">
          {view.notice}
        </p>
      )}
      <div className="composer">
        <textarea
          rows={1}
          placeholder="Type a message"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          data-testid="quick-say"
        />
        <button type="button" onClick={send} data-testid="quick-send">
          Send
        </button>
      </div>
    </div>
  );
}
