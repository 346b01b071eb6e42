// What a shared vCard's card shows besides the name (which the sender's app read): its phone
// numbers and e-mail addresses, read from the card's text as RFC 6350 and the 2.1/3.0 files
// phones still export write them.

/** A vCard's phone numbers and e-mail addresses, in the order the card lists them. */
export interface VcardDetails {
  phones: string[];
  emails: string[];
}

/** The card's lines with folded ones joined: a line starting with a space or tab goes on the
 * line before, less that one character. */
function unfolded(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if ((line.startsWith(" ") || line.startsWith("\t")) && lines.length > 0) {
      lines[lines.length - 1] += line.slice(1);
    } else {
      lines.push(line);
    }
  }
  return lines;
}

/** A value with `\,` `\;` `\\` and `\n` (a new line) turned into what they stand for. */
export function unescapeValue(value: string): string {
  return value.replace(/\\([\s\S])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));
}

/** Where a property line's name (with its parameters) ends: its first colon outside quotes
 * (a parameter such as `LABEL="a:b"` may hold one); -1 for a line with none. */
function valueStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ":" && !quoted) return i;
  }
  return -1;
}

/**
 * The phone numbers (`TEL`) and e-mail addresses (`EMAIL`) of a vCard's text: parameters
 * (`TEL;TYPE=CELL:`) and group prefixes (`item1.TEL:`) are ignored, values unescaped, a
 * `tel:` or `mailto:` scheme dropped, and blanks and repeats left out.
 */
export function vcardDetails(text: string): VcardDetails {
  const details: VcardDetails = { phones: [], emails: [] };
  for (const line of unfolded(text)) {
    const colon = valueStart(line);
    if (colon < 0) continue;
    const name = line.slice(0, colon).split(";")[0]!.split(".").pop()!.trim().toUpperCase();
    const list = name === "TEL" ? details.phones : name === "EMAIL" ? details.emails : null;
    if (!list) continue;
    const value = unescapeValue(line.slice(colon + 1))
      .trim()
      .replace(/^(tel|mailto):/i, "");
    if (value !== "" && !list.includes(value)) list.push(value);
  }
  return details;
}
