import { describe, expect, it } from "vitest";
import { unescapeValue, vcardDetails } from "./vcard";

describe("a vCard's phone numbers and e-mail addresses", () => {
  it("reads TEL and EMAIL whatever their parameters and groups", () => {
    const card = [
      "BEGIN:VCARD",
      "VERSION:3.0",
      "FN:Ada Lovelace",
      "TEL;TYPE=CELL:+44 20 7946 0000",
      "item1.TEL;type=pref:+44 20 7946 0001",
      "item1.X-ABLabel:Work",
      "email;type=INTERNET:ada@example.org",
      "ITEM2.EMAIL:ada@work.example",
      "NOTE:call TEL:not-a-number",
      "END:VCARD",
    ].join("\r\n");
    expect(vcardDetails(card)).toEqual({
      phones: ["+44 20 7946 0000", "+44 20 7946 0001"],
      emails: ["ada@example.org", "ada@work.example"],
    });
  });

  it("joins folded lines, whatever the line endings", () => {
    const card =
      "BEGIN:VCARD\nTEL;TYPE=HOME:+1 555\n 0100\nEMAIL:grace.hopper\r\n\t@example.org\rEND:VCARD";
    expect(vcardDetails(card)).toEqual({
      phones: ["+1 5550100"],
      emails: ["grace.hopper@example.org"],
    });
  });

  it("unescapes values and drops tel: and mailto: schemes", () => {
    const card = [
      "BEGIN:VCARD",
      "VERSION:4.0",
      'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555-555-0100',
      'EMAIL;LABEL="home: main":mailto:a\\,b@example.org',
      "END:VCARD",
    ].join("\n");
    expect(vcardDetails(card)).toEqual({
      phones: ["+1-555-555-0100"],
      emails: ["a,b@example.org"],
    });
    expect(unescapeValue("Smith\\, John\\; Jr\\\\\\nline two")).toBe("Smith, John; Jr\\\nline two");
  });

  it("leaves out blanks and repeats, and finds nothing in a card without them", () => {
    const card = "BEGIN:VCARD\nTEL:\nTEL:+1 555 0100\nTEL;CELL:+1 555 0100\nEND:VCARD";
    expect(vcardDetails(card)).toEqual({ phones: ["+1 555 0100"], emails: [] });
    expect(vcardDetails("BEGIN:VCARD\nFN:Ada\nEND:VCARD")).toEqual({ phones: [], emails: [] });
    expect(vcardDetails("")).toEqual({ phones: [], emails: [] });
  });
});
