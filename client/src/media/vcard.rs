//! Contact cards from vCard files (RFC 6350, and the 2.1/3.0 files phones still export): the
//! name a card shows is read here; the card travels as the text it was, for the receiver to
//! save into their address book.

use gkchat_proto::ErrorCode;
use gkchat_proto::media::{ContactCard, VCARD_MAX_BYTES};

use crate::{Error, Result};

fn refuse(message: impl Into<String>) -> Error {
    Error::Invalid { code: ErrorCode::BadRequest, message: message.into() }
}

/// The lines of a vCard with folded lines joined: a line starting with a space or tab goes on
/// the line before, and so does the line after a quoted-printable one ending in `=` (vCard 2.1,
/// as phones export names that are not ASCII).
fn unfolded(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut soft_break = false;
    for line in text.lines() {
        match (line.strip_prefix([' ', '\t']), lines.last_mut()) {
            (_, Some(last)) if soft_break => last.push_str(line),
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(line.to_owned()),
        }
        let last = lines.last_mut().expect("a line was just kept");
        soft_break = last.to_ascii_uppercase().contains("QUOTED-PRINTABLE") && last.ends_with('=');
        if soft_break {
            last.pop();
        }
    }
    lines
}

/// A line's property name (its group prefix such as `item1.` and its parameters left off).
fn name_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once(':')?;
    key.split(';').next()?.rsplit('.').next()
}

/// A property's value by name, quoted-printable decoded (not yet unescaped).
fn property(lines: &[String], name: &str) -> Option<String> {
    lines.iter().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        if !name_of(line)?.eq_ignore_ascii_case(name) {
            return None;
        }
        let value = value.trim();
        Some(if key.to_ascii_uppercase().contains("QUOTED-PRINTABLE") {
            quoted_printable(value)
        } else {
            value.to_owned()
        })
    })
}

/// `=XX` escapes as bytes, read as UTF-8.
fn quoted_printable(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = bytes.get(at + 1..at + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[at], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                at += 3;
            }
            (byte, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A structured value's parts (split at `;` not escaped).
fn parts(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        match (c, escaped) {
            (';', false) => parts.push(String::new()),
            (c, _) => parts.last_mut().expect("one part at least").push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    parts.iter().map(|p| unescape(p)).collect()
}

/// Properties that carry binary data (a photo, a logo, a sound, a key): left out of the card sent.
const BINARY: [&str; 4] = ["PHOTO", "LOGO", "SOUND", "KEY"];

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(other) => out.push(other),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// The card of the first contact in a vCard file's text: its formatted name (`FN`), else the
/// parts of its structured name (`N`), else its first telephone or e-mail.
pub fn card_from_vcard(text: &str) -> Result<ContactCard> {
    let text = text.trim_start_matches('\u{feff}');
    let lines = unfolded(text);
    let begin = lines.iter().position(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"));
    let Some(begin) = begin else { return Err(refuse("this file is no vCard")) };
    let end = lines[begin..]
        .iter()
        .position(|l| l.trim().eq_ignore_ascii_case("END:VCARD"))
        .map(|n| begin + n)
        .ok_or_else(|| refuse("the vCard has no end"))?;
    let card: Vec<String> = lines[begin..=end]
        .iter()
        .filter(|line| !name_of(line).is_some_and(|name| BINARY.iter().any(|b| name.eq_ignore_ascii_case(b))))
        .cloned()
        .collect();
    let card = &card[..];
    let structured = property(card, "N").map(|n| {
        // Family;Given;Additional;Prefix;Suffix → "Prefix Given Additional Family Suffix".
        let parts = parts(&n);
        let at = |i: usize| parts.get(i).cloned().unwrap_or_default();
        [at(3), at(1), at(2), at(0), at(4)].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
    });
    let name = property(card, "FN")
        .map(|n| unescape(&n))
        .filter(|n| !n.is_empty())
        .or(structured.filter(|n| !n.is_empty()))
        .or_else(|| {
            let contact = property(card, "TEL").or_else(|| property(card, "EMAIL"))?;
            let contact = unescape(&contact);
            Some(contact.strip_prefix("tel:").map(str::to_owned).unwrap_or(contact))
        })
        .filter(|n| !n.is_empty())
        .ok_or_else(|| refuse("the vCard names no one"))?;
    let vcard = card.join("\r\n") + "\r\n";
    if vcard.len() > VCARD_MAX_BYTES {
        return Err(refuse(format!("a vCard may be at most {} KiB", VCARD_MAX_BYTES / 1024)));
    }
    let display_name: String = name.chars().take(100).collect();
    Ok(ContactCard { user_id: None, display_name, username: None, vcard: Some(vcard) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_comes_from_fn_then_n_then_a_number() {
        let card = card_from_vcard(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN;CHARSET=UTF-8:Ada\r\n  Lovelace\r\nTEL;TYPE=CELL:+44 20 7946 0000\r\nEND:VCARD\r\n",
        )
        .unwrap();
        assert_eq!(card.display_name, "Ada Lovelace", "folded lines are joined");
        assert!(card.vcard.as_deref().unwrap().contains("TEL;TYPE=CELL:+44 20 7946 0000"));
        let card =
            card_from_vcard("BEGIN:VCARD\nVERSION:2.1\nN:Hopper;Grace;Brewster;Rear Admiral;\nEND:VCARD").unwrap();
        assert_eq!(card.display_name, "Rear Admiral Grace Brewster Hopper");
        let card = card_from_vcard("BEGIN:VCARD\nVERSION:4.0\nitem1.TEL:+1 555 0100\nEND:VCARD").unwrap();
        assert_eq!(card.display_name, "+1 555 0100");
        let card =
            card_from_vcard("BEGIN:VCARD\nFN:Smith\\, John\nEND:VCARD\nBEGIN:VCARD\nFN:Other\nEND:VCARD").unwrap();
        assert_eq!(card.display_name, "Smith, John", "the first card of several");
        assert!(!card.vcard.unwrap().contains("Other"));
    }

    #[test]
    fn cards_as_phones_export_them() {
        // vCard 2.1 from Android: a quoted-printable name over two lines, an inline photo.
        let text = format!(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=\r\n=BCrgen;;;\r\n\
             PHOTO;ENCODING=BASE64;JPEG:{}\r\nTEL;CELL:+49 30 1234567\r\nEND:VCARD\r\n",
            "A".repeat(40_000)
        );
        let card = card_from_vcard(&text).unwrap();
        assert_eq!(card.display_name, "Jürgen Müller");
        let vcard = card.vcard.unwrap();
        assert!(!vcard.contains("PHOTO") && vcard.contains("TEL;CELL:+49 30 1234567"), "the photo is left out");
        let card = card_from_vcard("BEGIN:VCARD\nN:Smith\\;Jones;Ann\nEND:VCARD").unwrap();
        assert_eq!(card.display_name, "Ann Smith;Jones", "an escaped ; stays in its part");
        let card = card_from_vcard("BEGIN:VCARD\nVERSION:4.0\nTEL;VALUE=uri:tel:+1-555-0100\nEND:VCARD").unwrap();
        assert_eq!(card.display_name, "+1-555-0100");
    }

    #[test]
    fn what_is_no_card_is_refused() {
        for text in ["hello", "BEGIN:VCARD\nFN:Ada\n", "BEGIN:VCARD\nVERSION:4.0\nEND:VCARD"] {
            assert_eq!(card_from_vcard(text).unwrap_err().code(), ErrorCode::BadRequest, "{text:?}");
        }
        let long = format!("BEGIN:VCARD\nFN:Ada\nNOTE:{}\nEND:VCARD", "x".repeat(VCARD_MAX_BYTES));
        assert_eq!(card_from_vcard(&long).unwrap_err().code(), ErrorCode::BadRequest);
    }
}
