import { describe, expect, it } from "vitest";
import { firstLink, openLink, splitLinks, type TextPart } from "./links";
import { invoke } from "./test-ipc";

const text = (words: string): TextPart => ({ kind: "text", text: words });
const link = (url: string): TextPart => ({ kind: "link", url });
/** The parts joined back: always the text itself. */
const joined = (parts: TextPart[]) =>
  parts.map((p) => (p.kind === "text" ? p.text : p.url)).join("");

describe("links in a text", () => {
  it("leaves a text without a link as one plain part", () => {
    expect(splitLinks("no link here, just http and www.example.org")).toEqual([
      text("no link here, just http and www.example.org"),
    ]);
    expect(splitLinks("")).toEqual([]);
    // A scheme alone, or a scheme inside a word, is no link.
    expect(splitLinks("type https:// then the rest")).toEqual([
      text("type https:// then the rest"),
    ]);
    expect(splitLinks("see:https://example.org")).toEqual([text("see:https://example.org")]);
  });

  it("leaves brackets, quotes and punctuation around a link out of it, as first_link does", () => {
    const cases: [string, TextPart[]][] = [
      ["go to https://example.org.", [text("go to "), link("https://example.org"), text(".")]],
      ["https://example.org/a?b=1!?", [link("https://example.org/a?b=1"), text("!?")]],
      ["(see http://example.org/x),", [text("(see "), link("http://example.org/x"), text("),")]],
      ['"https://example.org/q"', [text('"'), link("https://example.org/q"), text('"')]],
      ["'https://example.org'.", [text("'"), link("https://example.org"), text("'.")]],
      ["<https://example.org/p>", [text("<"), link("https://example.org/p"), text(">")]],
      // Inside the address they stay.
      ["https://example.org/a.b,c?d=(1)e", [link("https://example.org/a.b,c?d=(1)e")]],
    ];
    for (const [words, parts] of cases) {
      expect(splitLinks(words)).toEqual(parts);
      expect(joined(splitLinks(words))).toBe(words);
    }
  });

  it("finds several links, web and the app's own, across lines", () => {
    const words = "first https://a.example/1, then http://b.example\nand gkchat://join/abc!";
    expect(splitLinks(words)).toEqual([
      text("first "),
      link("https://a.example/1"),
      text(", then "),
      link("http://b.example"),
      text("\nand "),
      link("gkchat://join/abc"),
      text("!"),
    ]);
    expect(joined(splitLinks(words))).toBe(words);
  });

  it("keeps mention tokens whole beside links, even with no space between", () => {
    const words = "<@u-bo> https://example.org/a <@u-cal>https://example.org/b<@u-bo>.";
    expect(splitLinks(words)).toEqual([
      text("<@u-bo> "),
      link("https://example.org/a"),
      text(" <@u-cal>"),
      link("https://example.org/b"),
      text("<@u-bo>."),
    ]);
    expect(joined(splitLinks(words))).toBe(words);
  });

  it("finds a text's first web address as the preview and the gallery do", () => {
    expect(firstLink("look (https://example.org/a). and http://b.example")).toBe(
      "https://example.org/a",
    );
    expect(firstLink("gkchat://join/abc only")).toBeNull();
    expect(firstLink("nothing")).toBeNull();
  });

  it("opens a link through the app's open_link", async () => {
    invoke.mockResolvedValue(null);
    await openLink("https://example.org/a");
    expect(invoke).toHaveBeenCalledWith("open_link", { link: "https://example.org/a" });
  });

  it("fails with the app's code for a link it refuses", async () => {
    invoke.mockRejectedValue({ code: "bad_request", message: "not a link the app opens" });
    await expect(openLink("file:///etc/passwd")).rejects.toMatchObject({ code: "bad_request" });
  });
});
