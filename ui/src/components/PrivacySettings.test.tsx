import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { invoke } from "../test-ipc";

import { ME, contact } from "../test-fixtures";

import type { Me } from "../api";
import PrivacySettings from "./PrivacySettings";

/** The server: a profile update answered with my profile as updated. */
const answerUpdates = () =>
  invoke.mockImplementation(async (_command: string, args?: { update: Partial<Me> }) => ({
    ...ME,
    ...args!.update,
  }));

describe("PrivacySettings", () => {
  it("saves my privacy together, and only it", async () => {
    answerUpdates();
    const onSaved = vi.fn();
    render(<PrivacySettings me={ME} onSaved={onSaved} />);
    fireEvent.change(screen.getByTestId("privacy-last_seen"), { target: { value: "nobody" } });
    fireEvent.click(screen.getByTestId("privacy-read-receipts"));
    fireEvent.click(screen.getByTestId("save-privacy"));
    await screen.findByTestId("privacy-saved");
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: {
        privacy: {
          last_seen: "nobody",
          photo: "everyone",
          about: "everyone",
          read_receipts: false,
          groups: "everyone",
        },
      },
    });
    expect(onSaved.mock.calls[0][0].privacy.last_seen).toBe("nobody");
  });

  it("saves who can message me, and says what each choice means", async () => {
    answerUpdates();
    render(<PrivacySettings me={ME} onSaved={() => {}} />);
    const who = screen.getByTestId("privacy-who-can-message") as HTMLSelectElement;
    expect(who.value).toBe("everyone");
    expect(who.closest("label")!.textContent).toContain("lands under Message requests");
    fireEvent.change(who, { target: { value: "contacts" } });
    expect(who.closest("label")!.textContent).toContain("Anyone else cannot start a chat");
    fireEvent.click(screen.getByTestId("save-privacy"));
    await screen.findByTestId("privacy-saved");
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: expect.objectContaining({
        privacy: expect.objectContaining({ who_can_message: "contacts" }),
      }),
    });
  });

  it("saves the timer my new chats start with (0 for off)", async () => {
    answerUpdates();
    render(<PrivacySettings me={ME} onSaved={() => {}} />);
    const timer = screen.getByTestId("default-timer") as HTMLSelectElement;
    expect(timer.value).toBe("0");
    expect([...timer.options].map((o) => o.textContent)).toEqual([
      "Off",
      "24 hours",
      "7 days",
      "90 days",
    ]);
    expect(timer.closest("label")!.textContent).toContain(
      "New chats you start will use this timer",
    );
    fireEvent.change(timer, { target: { value: "604800000" } });
    fireEvent.click(screen.getByTestId("save-privacy"));
    await screen.findByTestId("privacy-saved");
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: expect.objectContaining({
        privacy: expect.objectContaining({ default_timer_ms: 604_800_000 }),
      }),
    });
    fireEvent.change(timer, { target: { value: "0" } });
    fireEvent.click(screen.getByTestId("save-privacy"));
    await waitFor(() =>
      expect(invoke).toHaveBeenLastCalledWith("update_profile", {
        update: expect.objectContaining({
          privacy: expect.objectContaining({ default_timer_ms: 0 }),
        }),
      }),
    );
  });

  it("shows the server's refusal", async () => {
    invoke.mockRejectedValue({ code: "bad_request", message: "no such timer" });
    render(<PrivacySettings me={ME} onSaved={() => {}} />);
    fireEvent.click(screen.getByTestId("save-privacy"));
    expect((await screen.findByTestId("privacy-error")).textContent).toBe(
      "no such timer (bad_request)",
    );
  });

  it("says who can add me to groups, with the contacts excepted", async () => {
    const saved: unknown[] = [];
    invoke.mockImplementation(async (command: string, args?: never) => {
      switch (command) {
        case "list_contacts":
          return [contact("bob", "Bob"), contact("eve", "Eve")];
        case "group_add_exceptions":
          return ["id-bob"];
        case "set_group_add_exceptions":
          saved.push(args);
          return (args as unknown as { userIds: string[] }).userIds;
        case "update_profile":
          return { ...ME, ...(args as unknown as { update: Partial<Me> }).update };
        default:
          throw new Error(command);
      }
    });
    render(<PrivacySettings me={ME} onSaved={() => {}} />);
    expect(screen.queryByTestId("group-add-exceptions")).toBeNull();
    fireEvent.change(screen.getByTestId("privacy-groups"), {
      target: { value: "contacts_except" },
    });
    const bob = (await screen.findByTestId("group-exception-bob")) as HTMLInputElement;
    expect(bob.checked).toBe(true);
    fireEvent.click(screen.getByTestId("group-exception-eve"));
    fireEvent.click(screen.getByTestId("save-privacy"));
    await screen.findByTestId("privacy-saved");
    expect(saved).toEqual([{ userIds: ["id-bob", "id-eve"] }]);
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: expect.objectContaining({
        privacy: expect.objectContaining({ groups: "contacts_except" }),
      }),
    });
  });

  it("follows a change made on another device, except where I changed it here", async () => {
    answerUpdates();
    const { rerender } = render(<PrivacySettings me={ME} onSaved={() => {}} />);
    fireEvent.change(screen.getByTestId("privacy-last_seen"), { target: { value: "nobody" } });
    // Another device: my photo and last seen to my contacts, no read receipts.
    const there: Me = {
      ...ME,
      privacy: { ...ME.privacy, last_seen: "contacts", photo: "contacts", read_receipts: false },
    };
    rerender(<PrivacySettings me={there} onSaved={() => {}} />);
    expect((screen.getByTestId("privacy-photo") as HTMLSelectElement).value).toBe("contacts");
    expect((screen.getByTestId("privacy-read-receipts") as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId("privacy-last_seen") as HTMLSelectElement).value).toBe("nobody");
    fireEvent.click(screen.getByTestId("save-privacy"));
    await screen.findByTestId("privacy-saved");
    expect(invoke).toHaveBeenCalledWith("update_profile", {
      update: { privacy: { ...there.privacy, last_seen: "nobody" } },
    });
  });

  it("follows my account again in full once saved", async () => {
    answerUpdates();
    let me = ME;
    const { rerender } = render(<PrivacySettings me={me} onSaved={(saved) => (me = saved)} />);
    fireEvent.change(screen.getByTestId("privacy-about"), { target: { value: "nobody" } });
    fireEvent.click(screen.getByTestId("save-privacy"));
    await screen.findByTestId("privacy-saved");
    rerender(<PrivacySettings me={me} onSaved={() => {}} />);
    // Another device sets it back: it shows, my saved change being no change any more.
    const there: Me = { ...me, privacy: { ...me.privacy, about: "everyone" } };
    rerender(<PrivacySettings me={there} onSaved={() => {}} />);
    expect((screen.getByTestId("privacy-about") as HTMLSelectElement).value).toBe("everyone");
  });
});
