import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ChatMember } from "../../api";
import {
  decodeMentions,
  encodeMentions,
  mentionCandidates,
  mentionQuery,
  mentionsToText,
  renderMentions,
} from "./mentions";

const member = (user_id: string, display_name: string, username: string): ChatMember => ({
  user_id,
  display_name,
  username,
  photo: null,
  role: "member",
  joined_at: 0,
});
const MEMBERS = [
  member("u-bo", "Bo", "bo"),
  member("u-bolee", "Bo Lee", "bolee"),
  member("u-cal", "Cal (admin)", "cal"),
  member("me", "Me", "me"),
];

describe("mentions", () => {
  it("encodes the picked names as tokens and renders them back as @Name", () => {
    const picked = [
      { userId: "u-bo", name: "Bo" },
      { userId: "u-bolee", name: "Bo Lee" },
      { userId: "u-cal", name: "Cal (admin)" },
    ];
    const typed = "@Bo Lee and @Bo, ask @Cal (admin) — not @Bobby or me@Bo.";
    const wire = encodeMentions(typed, picked);
    expect(wire).toBe("<@u-bolee> and <@u-bo>, ask <@u-cal> — not @Bobby or me@Bo.");
    expect(mentionsToText(wire, MEMBERS)).toBe(
      "@Bo Lee and @Bo, ask @Cal (admin) — not @Bobby or me@Bo.",
    );
    const { container } = render(<p>{renderMentions(wire, MEMBERS)}</p>);
    expect(container.textContent).toBe(mentionsToText(wire, MEMBERS));
    const marks = [...container.querySelectorAll("[data-testid=mention]")];
    expect(marks.map((m) => m.textContent)).toEqual(["@Bo Lee", "@Bo", "@Cal (admin)"]);
  });

  it("leaves out mentions whose names were deleted from the text, and names strangers someone", () => {
    expect(encodeMentions("hello all", [{ userId: "u-bo", name: "Bo" }])).toBe("hello all");
    expect(mentionsToText("hi <@u-gone>", MEMBERS)).toBe("hi @someone");
    expect(mentionsToText("hi <@u-bo>", (id) => (id === "u-bo" ? "Bo" : undefined))).toBe("hi @Bo");
  });

  it("decodes tokens for editing, with the mentions to send again", () => {
    expect(decodeMentions("<@u-bo> and <@u-gone>", MEMBERS)).toEqual({
      text: "@Bo and @someone",
      picked: [{ userId: "u-bo", name: "Bo" }],
    });
    const { text, picked } = decodeMentions("ping <@u-bolee>", MEMBERS);
    expect(encodeMentions(text, picked)).toBe("ping <@u-bolee>");
  });

  it("finds the @word being typed at the caret", () => {
    expect(mentionQuery("hi @b", 5)).toEqual({ start: 3, query: "b" });
    expect(mentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQuery("mail me@home", 12)).toBeNull();
    expect(mentionQuery("@bo and more", 12)).toBeNull();
    expect(mentionQuery("no mention", 10)).toBeNull();
  });

  it("offers the members whose name or username starts with what follows @, never me", () => {
    const names = (q: string) => mentionCandidates(MEMBERS, q, "me").map((m) => m.display_name);
    expect(names("")).toEqual(["Bo", "Bo Lee", "Cal (admin)"]);
    expect(names("le")).toEqual(["Bo Lee"]);
    expect(names("CA")).toEqual(["Cal (admin)"]);
    expect(names("m")).toEqual([]);
  });
});
