import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { contact } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import type { ContactCard } from "./api";
import ContactCardView from "./ContactCardView";
import { MediaProvider } from "./MediaContext";

/** Cards as a conversation shows them: in its media provider, where I am "me". */
function Cards({ cards }: { cards: ContactCard[] }) {
  return (
    <MediaProvider chatId="c1" myId="me" onOpenChat={() => {}}>
      {cards.map((card, i) => (
        <ContactCardView key={i} card={card} />
      ))}
    </MediaProvider>
  );
}

/** The desktop side: these commands; any other fails. */
function serve(answers: Record<string, (args: Record<string, unknown>) => unknown>) {
  invoke.mockImplementation(async (command: string, args?: never) => {
    const answer = answers[command];
    if (!answer) throw new Error(command);
    return answer((args ?? {}) as Record<string, unknown>);
  });
}

const asked = (command: string) => invoke.mock.calls.filter(([c]) => c === command);

const ADA = [
  "BEGIN:VCARD",
  "VERSION:3.0",
  "FN:Ada Lovelace",
  "TEL;TYPE=CELL:+44 20 7946 0000",
  "item1.TEL:+44 20 7946 0001",
  "EMAIL;TYPE=INTERNET:ada\\,l@example.org",
  "END:VCARD",
].join("\r\n");
const ada: ContactCard = { display_name: "Ada Lovelace", vcard: ADA };
const alan: ContactCard = { user_id: "id-alan", display_name: "Alan Turing", username: "alan" };

describe("a shared contact's card", () => {
  it("shows a vCard's numbers and addresses, and saves it into Downloads", async () => {
    serve({ save_vcard: () => "/home/me/Downloads/Ada Lovelace.vcf" });
    render(<Cards cards={[ada]} />);
    const card = screen.getByTestId("contact-card");
    expect(screen.getAllByTestId("contact-card-phone").map((p) => p.textContent)).toEqual([
      "Phone +44 20 7946 0000",
      "Phone +44 20 7946 0001",
    ]);
    expect(screen.getByTestId("contact-card-email").textContent).toBe("E-mail ada,l@example.org");
    // No one to message or add: it names no GK Chat user.
    expect(within(card).queryByTestId("contact-card-message")).toBeNull();
    expect(within(card).queryByTestId("contact-card-add")).toBeNull();
    const save = within(card).getByRole("button", { name: "Save Ada Lovelace as a contact file" });
    expect(save.textContent).toBe("Save contact");
    fireEvent.click(save);
    expect((await screen.findByTestId("contact-card-saved")).textContent).toBe(
      "Saved to /home/me/Downloads/Ada Lovelace.vcf",
    );
    expect(asked("save_vcard")).toEqual([["save_vcard", { name: "Ada Lovelace", vcard: ADA }]]);
    expect(asked("list_contacts")).toHaveLength(0);
  });

  it("says why a vCard could not be saved", async () => {
    serve({
      save_vcard: () => {
        throw { code: "internal", message: "disk full" };
      },
    });
    render(<Cards cards={[ada]} />);
    fireEvent.click(screen.getByTestId("contact-card-save"));
    expect((await screen.findByTestId("contact-card-error")).textContent).toBe(
      "Could not save it: disk full (internal)",
    );
    expect(screen.queryByTestId("contact-card-saved")).toBeNull();
  });

  it("offers Add beside Message for someone not in my contacts, once for every card of them", async () => {
    serve({
      list_contacts: () => [contact("grace", "Grace Hopper")],
      add_contact: () => contact("alan", "Alan Turing"),
    });
    render(<Cards cards={[alan, alan]} />);
    const adds = await screen.findAllByTestId("contact-card-add");
    expect(adds).toHaveLength(2);
    expect(adds[0]!.textContent).toBe("Add");
    expect(adds[0]!.getAttribute("aria-label")).toBe("Add Alan Turing to your contacts");
    expect(screen.getAllByTestId("contact-card-message")).toHaveLength(2);
    expect(asked("list_contacts")).toHaveLength(1);
    fireEvent.click(adds[0]!);
    await waitFor(() => expect(screen.queryAllByTestId("contact-card-add")).toHaveLength(0));
    expect(asked("add_contact")).toEqual([["add_contact", { who: "alan" }]]);
    expect(screen.getByTestId("media-notice").textContent).toBe(
      "Alan Turing (@alan) is in your contacts.",
    );
    expect(screen.getAllByTestId("contact-card-message")).toHaveLength(2);
  });

  it("keeps Add and says why when adding fails", async () => {
    serve({
      list_contacts: () => [],
      add_contact: () => {
        throw { code: "blocked", message: "you blocked this user" };
      },
    });
    render(<Cards cards={[alan]} />);
    fireEvent.click(await screen.findByTestId("contact-card-add"));
    expect((await screen.findByTestId("contact-card-error")).textContent).toBe(
      "Could not add Alan Turing: you blocked this user (blocked)",
    );
    await waitFor(() =>
      expect((screen.getByTestId("contact-card-add") as HTMLButtonElement).disabled).toBe(false),
    );
  });

  it("has no Add for a contact of mine, for me, or without a username", async () => {
    serve({ list_contacts: () => [contact("alan", "Alan Turing")] });
    const me: ContactCard = { user_id: "me", display_name: "Me", username: "me" };
    const nameless: ContactCard = { user_id: "id-kim", display_name: "Kim" };
    const grace: ContactCard = { user_id: "id-grace", display_name: "Grace", username: "grace" };
    render(<Cards cards={[alan, me, nameless, grace]} />);
    // Once my contacts are in, only Grace's card has Add.
    const add = await screen.findByTestId("contact-card-add");
    const [ofAlan, ofMe, ofKim, ofGrace] = screen.getAllByTestId("contact-card");
    expect(ofGrace!.contains(add)).toBe(true);
    expect(screen.getAllByTestId("contact-card-add")).toHaveLength(1);
    expect(within(ofAlan!).getByTestId("contact-card-message")).toBeTruthy();
    expect(within(ofMe!).queryByRole("button")).toBeNull();
    expect(within(ofKim!).getByRole("button", { name: "Message Kim" })).toBeTruthy();
  });
});
