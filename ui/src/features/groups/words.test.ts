import { describe, expect, it } from "vitest";
import { ApiError } from "../../api";
import type { SystemEvent } from "./api";
import { groupErrorText, listWords, refusalText, systemText, typingText } from "./words";

const NAMES: Record<string, string> = { ann: "Ann", bob: "Bob", cal: "Cal", gus: "Gus" };
const nameOf = (id: string) => NAMES[id];
const ALL_ON = {
  only_admins_send: true,
  only_admins_edit: true,
  approve_joins: true,
  only_admins_keep: true,
};
const ALL_OFF = {
  only_admins_send: false,
  only_admins_edit: false,
  approve_joins: false,
  only_admins_keep: false,
};

/** Every system event, as Ann (the sender) did it, seen by Dan (a member known by id "dan"). */
const TABLE: [SystemEvent, string][] = [
  [{ event: "created", name: "Hikers" }, "Ann created the group “Hikers”"],
  [{ event: "added", user_ids: ["bob", "cal"] }, "Ann added Bob and Cal"],
  [{ event: "removed", user_id: "bob" }, "Ann removed Bob"],
  [{ event: "left" }, "Ann left"],
  [{ event: "joined_by_link" }, "Ann joined using the invite link"],
  [{ event: "join_approved", user_id: "gus" }, "Ann approved Gus's request to join"],
  [{ event: "name_changed", name: "Walkers" }, "Ann changed the group name to “Walkers”"],
  [{ event: "photo_changed", removed: false }, "Ann changed the group photo"],
  [{ event: "description_changed" }, "Ann changed the group description"],
  [{ event: "made_admin", user_id: "bob" }, "Ann made Bob an admin"],
  [{ event: "dismissed_admin", user_id: "bob" }, "Ann dismissed Bob as admin"],
  [{ event: "owner_changed", user_id: "bob" }, "Bob is now the owner"],
  [
    { event: "settings_changed", settings: ALL_ON },
    "Ann changed the group settings: only admins can send messages; only admins can edit the group info; admins must approve new members; only admins can keep messages",
  ],
  [{ event: "link_reset" }, "Ann reset the invite link"],
  [{ event: "deleted" }, "Ann deleted the group"],
  [
    { event: "event_changed", message_id: "e1", title: "Picnic", changes: ["time", "place"] },
    "Ann changed the event “Picnic”: time, place",
  ],
  [
    { event: "event_cancelled", message_id: "e1", title: "Picnic" },
    "Ann cancelled the event “Picnic”",
  ],
  [
    { event: "timer_changed", after_ms: 86_400_000 },
    "Ann set messages to disappear after 24 hours.",
  ],
  [{ event: "background_changed", removed: false }, "Ann changed the group's background"],
];

describe("system messages in words", () => {
  it.each(TABLE)("%j", (event, words) => {
    expect(systemText(event, "ann", "dan", nameOf)).toBe(words);
  });

  it("covers every kind of event", () => {
    const kinds = new Set(TABLE.map(([event]) => event.event));
    // Mirrors SystemEvent (bindings): a new kind needs words and a row here.
    expect(kinds.size).toBe(19);
  });

  it("says you and You for me, and Someone for whoever is not known here", () => {
    expect(systemText({ event: "added", user_ids: ["bob"] }, "me", "me", nameOf)).toBe(
      "You added Bob",
    );
    expect(systemText({ event: "added", user_ids: ["me"] }, "ann", "me", nameOf)).toBe(
      "Ann added you",
    );
    expect(systemText({ event: "added", user_ids: ["bob", "me"] }, "ann", "me", nameOf)).toBe(
      "Ann added you and Bob",
    );
    expect(systemText({ event: "removed", user_id: "me" }, "ann", "me", nameOf)).toBe(
      "Ann removed you",
    );
    expect(systemText({ event: "owner_changed", user_id: "me" }, "me", "me", nameOf)).toBe(
      "You are now the owner",
    );
    expect(systemText({ event: "join_approved", user_id: "me" }, "ann", "me", nameOf)).toBe(
      "Ann approved your request to join",
    );
    expect(systemText({ event: "made_admin", user_id: "x1" }, "x2", "me", nameOf)).toBe(
      "Someone made someone an admin",
    );
    expect(systemText({ event: "left" }, "x9", "me", nameOf)).toBe("Someone left");
  });

  it("lists in words what a change to an event changed", () => {
    expect(
      systemText(
        {
          event: "event_changed",
          message_id: "e1",
          title: "Launch",
          changes: ["title", "description", "time", "place", "call_link"],
        },
        "me",
        "me",
        nameOf,
      ),
    ).toBe("You changed the event “Launch”: title, description, time, place, call link");
    expect(
      systemText(
        { event: "event_cancelled", message_id: "e1", title: "Launch" },
        "x9",
        "me",
        nameOf,
      ),
    ).toBe("Someone cancelled the event “Launch”");
  });

  it("names only the settings that changed when the ones before are known", () => {
    expect(
      systemText(
        { event: "settings_changed", settings: { ...ALL_OFF, only_admins_send: true } },
        "ann",
        "me",
        nameOf,
        ALL_OFF,
      ),
    ).toBe("Ann changed the group settings: only admins can send messages");
    expect(
      systemText(
        { event: "settings_changed", settings: { ...ALL_ON, approve_joins: false } },
        "ann",
        "me",
        nameOf,
        ALL_ON,
      ),
    ).toBe("Ann changed the group settings: new members can join without approval");
  });

  it("names a group's keep setting when it changes", () => {
    expect(
      systemText(
        { event: "settings_changed", settings: { ...ALL_OFF, only_admins_keep: true } },
        "me",
        "me",
        nameOf,
        ALL_OFF,
      ),
    ).toBe("You changed the group settings: only admins can keep messages");
  });

  it("tells the disappearing-messages timer turned on (for how long), changed and off", () => {
    const timer = (after_ms: number | null, actor = "ann", before?: number | null) =>
      systemText({ event: "timer_changed", after_ms }, actor, "me", nameOf, null, before);
    // It was off.
    expect(timer(86_400_000, "me", null)).toBe(
      "You turned on disappearing messages. New messages will disappear 24 hours after they're sent.",
    );
    expect(timer(604_800_000, "ann", null)).toBe(
      "Ann turned on disappearing messages. New messages will disappear 7 days after they're sent.",
    );
    // It was on: a change of timer, not turning it on.
    expect(timer(604_800_000, "ann", 86_400_000)).toBe("Ann changed the message timer to 7 days.");
    expect(timer(7_776_000_000, "x9", 604_800_000)).toBe(
      "Someone changed the message timer to 90 days.",
    );
    // Not known what it was: words that fit either.
    expect(timer(604_800_000)).toBe("Ann set messages to disappear after 7 days.");
    expect(timer(null)).toBe("Ann turned off disappearing messages.");
    expect(timer(null, "me", 86_400_000)).toBe("You turned off disappearing messages.");
  });

  it("lists many people briefly", () => {
    expect(listWords(["A"])).toBe("A");
    expect(listWords(["A", "B", "C"])).toBe("A, B and C");
    expect(listWords(["A", "B", "C", "D", "E", "F", "G"])).toBe("A, B, C, D and 3 others");
  });
});

describe("typing in words", () => {
  it("names one or two people, and counts three or more", () => {
    expect(typingText([])).toBe("");
    expect(typingText(["Bob"])).toBe("Bob is typing…");
    expect(typingText(["Bob", "Cal"])).toBe("Bob and Cal are typing…");
    expect(typingText(["Bob", "Cal", "Dan"])).toBe("3 people are typing…");
    expect(typingText(["Bob", "Cal", "Dan", "Eve"])).toBe("4 people are typing…");
  });
});

describe("refusals in words", () => {
  it("tells privacy from my own block, and the server's words for the rest", () => {
    expect(refusalText({ user_id: "e", code: "add_not_allowed" }, "Eve", false)).toBe(
      "Eve's privacy settings don't allow you to add them",
    );
    expect(refusalText({ user_id: "e", code: "add_not_allowed" }, "Eve", true)).toBe(
      "You blocked Eve: unblock them to add them",
    );
    expect(refusalText({ user_id: "e", code: "not_found" }, "Eve", false)).toBe(
      "Eve's account no longer exists",
    );
    expect(groupErrorText(new ApiError("admins_only", "only admins may add members"))).toBe(
      "Only admins can do that",
    );
    expect(groupErrorText(new ApiError("invite_invalid", "no such invite"))).toBe(
      "This invite link was reset or revoked",
    );
    expect(groupErrorText(new ApiError("unreachable", "offline"))).toBe("offline (unreachable)");
  });
});
