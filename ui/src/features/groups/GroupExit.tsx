import { useState } from "react";
import Confirm from "../../components/Confirm";
import ReportForm from "../../components/ReportForm";
import { LAYER, useEscape } from "../../shortcuts";
import { chatsApi } from "../chats/api";
import { groupsApi } from "./api";

type Step = "report" | "exit" | "exit-and-delete" | "delete-for-everyone" | "delete-for-me";

/** What is asked before a step that cannot be undone, and its button. */
interface Question {
  label: string;
  testId: string;
  text: string;
  onConfirm: () => void;
}

/**
 * The foot of a group's info: report it; exit it, or exit and delete it from my chats; once
 * out, delete it from my chats. The owner also deletes it for everyone. Each after a question.
 */
export default function GroupExit({
  chatId,
  name,
  member,
  owner,
  busy,
  run,
  onLeft,
  onDeleted,
  onNotice,
}: {
  chatId: string;
  name: string;
  /** I am in the group. */
  member: boolean;
  owner: boolean;
  busy: boolean;
  /** The panel's one action at a time: its refusal in words, its success as `done` says. */
  run: (step: () => Promise<unknown>, done?: string) => void;
  /** I left the group from here. */
  onLeft: () => void;
  /** The chat is deleted for me: close it. */
  onDeleted: () => void;
  onNotice: (notice: string) => void;
}) {
  const [step, setStep] = useState<Step | null>(null);
  useEscape(step !== null, LAYER.menu, () => setStep(null));
  const cancel = () => setStep(null);

  const leave = () =>
    run(async () => {
      await groupsApi.leave(chatId);
      setStep(null);
      onLeft();
    }, "You left the group.");
  // Deleting for me exits first when I am still in the group (the desktop does both).
  const deleteForMe = () =>
    run(async () => {
      await chatsApi.deleteChat(chatId);
      setStep(null);
      onDeleted();
    });
  const deleteForEveryone = () =>
    run(async () => {
      await groupsApi.deleteGroup(chatId);
      setStep(null);
    }, "The group was deleted.");

  const newOwner = owner ? " An admin (or the longest member) becomes the owner." : "";
  const questions: Record<Exclude<Step, "report">, Question> = {
    exit: {
      label: "Exit group",
      testId: "exit-group-confirm",
      text: `Exit “${name}”?${newOwner} You keep the messages you have.`,
      onConfirm: leave,
    },
    "exit-and-delete": {
      label: "Exit and delete",
      testId: "exit-and-delete-confirm",
      text: `Exit “${name}” and delete it, with its messages, from your chats on all your devices?${newOwner}`,
      onConfirm: deleteForMe,
    },
    "delete-for-everyone": {
      label: "Delete for everyone",
      testId: "delete-group-confirm",
      text: `Delete “${name}” for everyone? All members are taken out; each keeps the messages they have.`,
      onConfirm: deleteForEveryone,
    },
    "delete-for-me": {
      label: "Delete group",
      testId: "delete-group-for-me-confirm",
      text: `Delete “${name}”, with its messages, from your chats on all your devices?`,
      onConfirm: deleteForMe,
    },
  };
  const question = step && step !== "report" ? questions[step] : null;

  return (
    <section className="group-info-section group-info-exit">
      {step === "report" ? (
        <ReportForm
          group={{ chatId, name, member }}
          onDone={(left) => {
            setStep(null);
            onNotice(`Thanks — the report was sent.${left ? " You left the group." : ""}`);
            if (left) onLeft();
          }}
          onCancel={cancel}
        />
      ) : question ? (
        <Confirm
          label={question.label}
          testId={question.testId}
          busy={busy}
          onConfirm={question.onConfirm}
          onCancel={cancel}
        >
          {question.text}
        </Confirm>
      ) : (
        <>
          <button
            type="button"
            className="link-button danger-link"
            data-testid="report-group"
            onClick={() => setStep("report")}
          >
            Report group
          </button>
          {member ? (
            <>
              <button
                type="button"
                className="link-button danger-link"
                data-testid="exit-group"
                onClick={() => setStep("exit")}
              >
                Exit group
              </button>
              <button
                type="button"
                className="link-button danger-link"
                data-testid="exit-and-delete"
                onClick={() => setStep("exit-and-delete")}
              >
                Exit and delete
              </button>
              {owner && (
                <button
                  type="button"
                  className="link-button danger-link"
                  data-testid="delete-group"
                  onClick={() => setStep("delete-for-everyone")}
                >
                  Delete group for everyone
                </button>
              )}
            </>
          ) : (
            <button
              type="button"
              className="link-button danger-link"
              data-testid="delete-group-for-me"
              onClick={() => setStep("delete-for-me")}
            >
              Delete group
            </button>
          )}
        </>
      )}
    </section>
  );
}
