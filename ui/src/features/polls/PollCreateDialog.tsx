import { useRef, useState, type FormEvent } from "react";
import { describeError } from "../../api";
import { CloseIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import { pollsApi } from "./api";
import "./polls.css";

/** A poll starts with this many options and may have at most `MAX_OPTIONS`. */
const MIN_OPTIONS = 2;
const MAX_OPTIONS = 12;

/** One option's input; the key keeps each input's place as others are removed. */
interface OptionDraft {
  key: number;
  text: string;
}

/**
 * Making a poll (the clip's Poll): the question, 2 to 12 options, whether several may be chosen
 * and whether voting is anonymous. Send waits for a question and two options; it closes once the
 * poll is sent, on Cancel and on Esc, and a refusal stays in it with the server's words.
 */
export default function PollCreateDialog({
  chatId,
  onClose,
  onSent,
}: {
  chatId: string;
  onClose: () => void;
  onSent: () => void;
}) {
  const [question, setQuestion] = useState("");
  const nextKey = useRef(MIN_OPTIONS);
  const [options, setOptions] = useState<OptionDraft[]>([
    { key: 0, text: "" },
    { key: 1, text: "" },
  ]);
  /** The option just added, to type into at once. */
  const [added, setAdded] = useState<number | null>(null);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEscape(true, LAYER.menu, onClose);

  const filled = options.map((o) => o.text.trim()).filter((text) => text !== "");
  const ready = question.trim() !== "" && filled.length >= MIN_OPTIONS;

  const setOption = (key: number, text: string) =>
    setOptions(options.map((o) => (o.key === key ? { key, text } : o)));
  const addOption = () => {
    if (options.length >= MAX_OPTIONS) return;
    const key = nextKey.current++;
    setOptions([...options, { key, text: "" }]);
    setAdded(key);
  };

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy || !ready) return;
    setBusy(true);
    setError(null);
    try {
      await pollsApi.sendPoll(chatId, {
        question: question.trim(),
        options: filled,
        multiple,
        anonymous,
      });
      onSent();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal poll-create"
        role="dialog"
        aria-modal="true"
        aria-label="Create a poll"
        data-testid="poll-create"
        onSubmit={send}
      >
        <h2 className="modal-title">Create a poll</h2>
        <label className="field">
          Question
          <input
            type="text"
            placeholder="Ask a question"
            data-testid="poll-question"
            autoFocus
            value={question}
            onChange={(event) => setQuestion(event.target.value)}
          />
        </label>
        <fieldset className="poll-create-options">
          <legend className="hint">Options</legend>
          {options.map((option, i) => (
            <div key={option.key} className="poll-create-option">
              <input
                type="text"
                placeholder={`Option ${i + 1}`}
                aria-label={`Option ${i + 1}`}
                data-testid="poll-option"
                autoFocus={option.key === added}
                value={option.text}
                onChange={(event) => setOption(option.key, event.target.value)}
              />
              {i >= MIN_OPTIONS && (
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Remove option ${i + 1}`}
                  data-testid="poll-option-remove"
                  onClick={() => setOptions(options.filter((o) => o.key !== option.key))}
                >
                  <CloseIcon size={14} />
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            className="link-button poll-add-option"
            data-testid="poll-add-option"
            disabled={options.length >= MAX_OPTIONS}
            onClick={addOption}
          >
            Add option
          </button>
        </fieldset>
        <label className="radio">
          <input
            type="checkbox"
            data-testid="poll-multiple"
            checked={multiple}
            onChange={(event) => setMultiple(event.target.checked)}
          />
          Allow multiple answers
        </label>
        <label className="radio">
          <input
            type="checkbox"
            data-testid="poll-anonymous"
            checked={anonymous}
            onChange={(event) => setAnonymous(event.target.checked)}
          />
          Anonymous voting
        </label>
        {error && (
          <p className="error" role="alert" data-testid="poll-error">
            {error}
          </p>
        )}
        <div className="row modal-actions">
          <button type="button" className="link-button" data-testid="poll-cancel" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" data-testid="poll-send" disabled={busy || !ready}>
            {busy ? "Sending…" : "Send"}
          </button>
        </div>
      </form>
    </div>
  );
}
