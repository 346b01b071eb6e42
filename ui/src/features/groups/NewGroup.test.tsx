import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatSummary } from "../../api";
import { contact } from "../../test-fixtures";
import { invoke } from "../../test-ipc";
import NewGroup from "./NewGroup";

const CONTACTS = [contact("bob", "Bob"), contact("cal", "Cal"), contact("eve", "Eve")];

const made = { id: "g-new", kind: "group", title: "Hikers" } as ChatSummary;

afterEach(() => vi.restoreAllMocks());

/** The desktop side: my contacts, and `create_group` refusing `refused` (user id → code);
 * `photoRefused`: `set_group_photo` fails with that code. */
function serve(
  refused: Record<string, string> = {},
  blocked: string[] = [],
  photoRefused: string | null = null,
) {
  invoke.mockImplementation(async (command: string, args?: never) => {
    const given = (args ?? {}) as { memberIds?: string[] };
    switch (command) {
      case "list_contacts":
        return CONTACTS;
      case "list_blocked":
        return blocked.map((user_id) => ({
          user_id,
          username: "",
          display_name: "",
          blocked_at: 0,
        }));
      case "create_group":
        return {
          chat: made,
          added: given.memberIds!.filter((id) => !(id in refused)),
          refused: Object.entries(refused).map(([user_id, code]) => ({ user_id, code })),
        };
      case "set_group_photo":
        if (photoRefused) throw { code: photoRefused, message: "nope" };
        return { chat_id: made.id, photo: "gp1" };
      default:
        throw new Error(command);
    }
  });
}

describe("NewGroup", () => {
  it("makes the group with the picked contacts, a name and a description, and opens it", async () => {
    serve();
    const onCreated = vi.fn();
    const onClose = vi.fn();
    render(<NewGroup onCreated={onCreated} onClose={onClose} />);
    fireEvent.click(await screen.findByTestId("group-member-bob"));
    fireEvent.click(screen.getByTestId("group-member-cal"));
    // The search narrows the list; what was ticked stays ticked.
    fireEvent.change(screen.getByTestId("group-members-search"), { target: { value: "ca" } });
    expect(screen.queryByTestId("group-member-bob")).toBeNull();
    expect((screen.getByTestId("group-member-cal") as HTMLInputElement).checked).toBe(true);
    // A name is needed.
    expect((screen.getByTestId("create-group") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId("group-name"), { target: { value: " Hikers " } });
    fireEvent.change(screen.getByTestId("group-description"), {
      target: { value: "Sunday walks" },
    });
    fireEvent.click(screen.getByTestId("create-group"));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith("g-new"));
    expect(invoke).toHaveBeenCalledWith("create_group", {
      name: "Hikers",
      description: "Sunday walks",
      memberIds: ["id-bob", "id-cal"],
    });
    expect(onClose).toHaveBeenCalled();
  });

  it("opens the group all the same when some could not be added, and says why", async () => {
    serve({ "id-eve": "add_not_allowed", "id-cal": "add_not_allowed" }, ["id-cal"]);
    const onCreated = vi.fn();
    const onClose = vi.fn();
    render(<NewGroup onCreated={onCreated} onClose={onClose} />);
    fireEvent.click(await screen.findByTestId("group-member-bob"));
    fireEvent.click(screen.getByTestId("group-member-cal"));
    fireEvent.click(screen.getByTestId("group-member-eve"));
    fireEvent.change(screen.getByTestId("group-name"), { target: { value: "Hikers" } });
    fireEvent.click(screen.getByTestId("create-group"));
    const refusals = await screen.findByTestId("group-refusals");
    expect(onCreated).toHaveBeenCalledWith("g-new");
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getAllByTestId("group-refusal").map((r) => r.textContent)).toEqual([
      "Eve's privacy settings don't allow you to add them",
      "You blocked Cal: unblock them to add them",
    ]);
    expect(refusals.textContent).toContain("The group was created");
    fireEvent.click(screen.getByTestId("group-refusals-done"));
    expect(onClose).toHaveBeenCalled();
  });

  it("shows the server's refusal of the whole group in words", async () => {
    invoke.mockImplementation(async (command: string) => {
      if (command === "list_contacts") return CONTACTS;
      throw { code: "group_full", message: "too many members" };
    });
    render(<NewGroup onCreated={() => {}} onClose={() => {}} />);
    fireEvent.change(await screen.findByTestId("group-name"), { target: { value: "Big" } });
    fireEvent.click(screen.getByTestId("create-group"));
    expect((await screen.findByTestId("new-group-error")).textContent).toBe("The group is full");
  });

  it("sends the photo picked, with its square, once the group is made", async () => {
    imagesDecode();
    serve();
    const onCreated = vi.fn();
    const onClose = vi.fn();
    render(<NewGroup onCreated={onCreated} onClose={onClose} />);
    fireEvent.change(await screen.findByTestId("group-name"), { target: { value: "Hikers" } });
    await pickPhoto();
    fireEvent.change(screen.getByTestId("new-group-photo-zoom"), { target: { value: "2" } });
    fireEvent.click(screen.getByTestId("new-group-photo-save"));
    // Kept until the group is made: nothing is sent yet.
    await screen.findByTestId("new-group-photo-chosen");
    expect(invoke.mock.calls.map(([command]) => command)).not.toContain("set_group_photo");
    fireEvent.click(screen.getByTestId("create-group"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onCreated).toHaveBeenCalledWith("g-new");
    const commands = invoke.mock.calls.map(([command]) => command);
    expect(commands.indexOf("create_group")).toBeLessThan(commands.indexOf("set_group_photo"));
    expect(invoke).toHaveBeenCalledWith("set_group_photo", new Uint8Array([1, 2, 3]), {
      headers: { "x-chat-id": "g-new", "x-crop": "100,50,100" },
    });
  });

  it("keeps the group made when its photo is refused, and says so", async () => {
    imagesDecode();
    serve({}, [], "invalid_image");
    const onCreated = vi.fn();
    const onClose = vi.fn();
    render(<NewGroup onCreated={onCreated} onClose={onClose} />);
    fireEvent.change(await screen.findByTestId("group-name"), { target: { value: "Hikers" } });
    await pickPhoto();
    fireEvent.click(screen.getByTestId("new-group-photo-save"));
    await screen.findByTestId("new-group-photo-chosen");
    fireEvent.click(screen.getByTestId("create-group"));
    expect((await screen.findByTestId("new-group-photo-error")).textContent).toBe(
      "Its photo could not be set: nope (invalid_image)",
    );
    expect(onCreated).toHaveBeenCalledWith("g-new");
    expect(screen.getByTestId("group-refusals").textContent).toContain("The group was created");
    expect(screen.queryByTestId("group-refusal")).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("group-refusals-done"));
    expect(onClose).toHaveBeenCalled();
  });
});

/** jsdom decodes no images: every picked file is a 300×200 picture. */
function imagesDecode() {
  HTMLImageElement.prototype.decode = vi.fn(async () => undefined);
  vi.spyOn(HTMLImageElement.prototype, "naturalWidth", "get").mockReturnValue(300);
  vi.spyOn(HTMLImageElement.prototype, "naturalHeight", "get").mockReturnValue(200);
  URL.createObjectURL = vi.fn(() => "blob:picked");
  URL.revokeObjectURL = vi.fn();
}

async function pickPhoto() {
  const file = new File([new Uint8Array([1, 2, 3])], "group.png", { type: "image/png" });
  fireEvent.change(screen.getByTestId("new-group-photo-file"), { target: { files: [file] } });
  await screen.findByTestId("new-group-photo-crop");
}
