import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { contact } from "../../test-fixtures";
import type { StatusAudience } from "./api";
import StatusAudienceSettings from "./StatusAudienceSettings";
import { callsOf, serveStatus } from "./test-status";

const radio = (mode: string) => screen.getByTestId(`status-audience-${mode}`) as HTMLInputElement;
const save = () => screen.getByTestId("status-audience-save") as HTMLButtonElement;

describe("who sees my status", () => {
  it("starts from the saved choice and saves another with its contacts", async () => {
    serveStatus({
      status_audience: { mode: "chatted_contacts", except: ["id-eve"], only: [] },
      list_contacts: [contact("bob", "Bob"), contact("eve", "Eve")],
      set_status_audience: ({ audience }: { audience: StatusAudience }) => audience,
    });
    render(<StatusAudienceSettings />);
    await waitFor(() => expect(radio("chatted_contacts").checked).toBe(true));
    expect(screen.getByTestId("status-audience").textContent).toContain(
      "Changes apply to posts you make from now on.",
    );
    expect(save().disabled).toBe(true);
    expect(screen.queryByTestId("status-audience-list")).toBeNull();
    // "My contacts except…": the kept list ticked, one more ticked.
    fireEvent.click(radio("contacts_except"));
    const eve = (await screen.findByTestId("status-except-eve")) as HTMLInputElement;
    expect(eve.checked).toBe(true);
    fireEvent.click(screen.getByTestId("status-except-bob"));
    // "Only share with…": its own list.
    fireEvent.click(radio("only_with"));
    const bob = (await screen.findByTestId("status-only-bob")) as HTMLInputElement;
    expect(bob.checked).toBe(false);
    fireEvent.click(bob);
    expect(save().disabled).toBe(false);
    fireEvent.click(save());
    await screen.findByTestId("status-audience-saved");
    expect(callsOf("set_status_audience")).toEqual([
      { audience: { mode: "only_with", except: ["id-eve", "id-bob"], only: ["id-bob"] } },
    ]);
    expect(save().disabled).toBe(true);
  });

  it("takes my contacts I've chatted with as the default, and shows a refusal", async () => {
    serveStatus({
      status_audience: null,
      set_status_audience: () => {
        throw { code: "unreachable", message: "no connection" };
      },
    });
    render(<StatusAudienceSettings />);
    await waitFor(() => expect(radio("chatted_contacts").disabled).toBe(false));
    expect(radio("chatted_contacts").checked).toBe(true);
    fireEvent.click(radio("contacts"));
    fireEvent.click(save());
    expect((await screen.findByTestId("status-audience-error")).textContent).toBe(
      "no connection (unreachable)",
    );
    expect(callsOf("set_status_audience")).toEqual([
      { audience: { mode: "contacts", except: [], only: [] } },
    ]);
  });
});
