import { useState, type FormEvent } from "react";
import { api } from "../api";
import { useSubmit } from "../useSubmit";
import TextField from "./TextField";

/** Deleting the account, behind a second look and the password. */
export default function DeleteAccount() {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const { error, run } = useSubmit();

  const remove = (event: FormEvent) => {
    event.preventDefault();
    // On success the account feed turns to "signed out" and the sign-in screen follows.
    return run(() => api.deleteAccount(password));
  };

  if (!open) {
    return (
      <button
        type="button"
        className="link-button danger-link"
        data-testid="delete-account-open"
        onClick={() => setOpen(true)}
      >
        Delete my account…
      </button>
    );
  }
  return (
    <form className="settings-section danger-zone" onSubmit={remove}>
      <h2>Delete my account</h2>
      <p className="hint">
        This signs you out everywhere and removes your profile, email and settings. Messages you
        sent stay with their readers, shown as from “Deleted account”. It cannot be undone.
      </p>
      <TextField
        label="Your password"
        testId="delete-account-password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
      />
      <div className="row">
        <button type="submit" className="danger-button" data-testid="delete-account-confirm">
          Delete my account
        </button>
        <button type="button" className="link-button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="delete-account-error">
          {error}
        </p>
      )}
    </form>
  );
}
