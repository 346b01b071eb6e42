import { useState, type FormEvent } from "react";
import { api, type Me } from "../api";
import { useSubmit } from "../useSubmit";
import ConnectionBadge from "./ConnectionBadge";
import PhoneCodeForm from "./PhoneCodeForm";
import ServerSettings from "./ServerSettings";
import Tabs from "./Tabs";
import TextField from "./TextField";

const MODES = [
  { id: "sign-in", label: "Sign in" },
  { id: "phone", label: "Phone" },
  { id: "sign-up", label: "Create account" },
] as const;
type Mode = (typeof MODES)[number]["id"];

/** Sign in or create an account; the server can be changed from here too. */
export default function AuthScreen({
  onSignedIn,
  onQuickChat,
  notice = null,
}: {
  onSignedIn: (me: Me) => void;
  /** Opens the quick chat, which needs no account. */
  onQuickChat: () => void;
  /** What waits for the sign-in (a contact link the app was opened with). */
  notice?: string | null;
}) {
  const [mode, setMode] = useState<Mode>("sign-in");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const { error, setError, busy, run } = useSubmit();
  const [showServer, setShowServer] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    return run(async () =>
      onSignedIn(
        mode === "sign-in"
          ? await api.signIn(login, password)
          : await api.signUp({ username, email, password, display_name: displayName }),
      ),
    );
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
  };

  return (
    <div className="auth">
      <div className="auth-card">
        <header className="auth-header">
          <div className="welcome-mark small" aria-hidden="true">
            GK
          </div>
          <h1 className="app-title">GK Chat</h1>
          <ConnectionBadge />
        </header>
        {notice && (
          <p className="hint" role="status" data-testid="auth-notice">
            {notice}
          </p>
        )}
        <Tabs
          tabs={MODES}
          current={mode}
          onSelect={switchTo}
          label="Account"
          testIdPrefix="auth-tab-"
        />
        {mode === "phone" ? (
          <PhoneCodeForm
            sendCode={api.requestSignInCode}
            confirm={api.signInWithCode}
            onConfirmed={onSignedIn}
            confirmLabel="Sign in"
            testIdPrefix="auth-phone-"
          />
        ) : (
          <form className="auth-form" onSubmit={submit}>
            {mode === "sign-in" ? (
              <TextField
                label="Username or email"
                testId="auth-login"
                value={login}
                onChange={setLogin}
                autoComplete="username"
              />
            ) : (
              <>
                <TextField
                  label="Your name"
                  testId="auth-display-name"
                  value={displayName}
                  onChange={setDisplayName}
                  autoComplete="name"
                  maxLength={64}
                />
                <TextField
                  label="Username"
                  testId="auth-username"
                  value={username}
                  onChange={setUsername}
                  autoComplete="username"
                  placeholder="3–32 of a–z, 0–9, . and _"
                />
                <TextField
                  label="Email"
                  testId="auth-email"
                  value={email}
                  onChange={setEmail}
                  inputMode="email"
                  autoComplete="email"
                />
              </>
            )}
            <TextField
              label="Password"
              testId="auth-password"
              value={password}
              onChange={setPassword}
              type="password"
              autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
            />
            {mode === "sign-up" && (
              <p className="hint">At least 8 characters, and not easy to guess.</p>
            )}
            <button type="submit" data-testid="auth-submit" disabled={busy}>
              {mode === "sign-in" ? "Sign in" : "Create account"}
            </button>
            {error && (
              <p className="error" role="alert" data-testid="auth-error">
                {error}
              </p>
            )}
          </form>
        )}
        <button
          type="button"
          className="link-button"
          data-testid="auth-show-server"
          onClick={() => setShowServer(!showServer)}
        >
          {showServer ? "Hide server settings" : "Server settings"}
        </button>
        {showServer && <ServerSettings />}
        <button
          type="button"
          className="link-button"
          data-testid="auth-quick-chat"
          onClick={onQuickChat}
        >
          Quick chat without an account
        </button>
      </div>
    </div>
  );
}
