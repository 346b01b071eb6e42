//! How the app looks for one person, on every device of theirs: light, dark or the system's
//! theme, an accent colour, a text size and the default chat background (stored on the server
//! with their account, pushed to their devices as `me`); and chat backgrounds — my own for a
//! chat, or one a group's admin set for everyone (announced in its timeline), mine winning.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorCode;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    Small,
    #[default]
    Medium,
    Large,
}

/// Built-in background patterns; each has a light and a dark variant (the app picks by theme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    Dots,
    Grid,
    Waves,
    Leaves,
    Bubbles,
}

/// A chat's background.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Background {
    /// A plain colour, `#rrggbb`.
    Colour {
        colour: String,
    },
    Pattern {
        pattern: Pattern,
    },
    /// A picture of mine, uploaded as media first (a group's is readable by its members).
    Image {
        media_id: String,
    },
}

/// `#rrggbb`.
pub fn check_colour(colour: &str) -> Result<(), (ErrorCode, String)> {
    let hex = colour.strip_prefix('#').unwrap_or_default();
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err((ErrorCode::BadRequest, format!("a colour is #rrggbb, not {colour:?}")))
    }
}

impl Background {
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        match self {
            Self::Colour { colour } => check_colour(colour),
            Self::Pattern { .. } => Ok(()),
            Self::Image { media_id } if media_id.is_empty() || media_id.len() > 64 => {
                Err((ErrorCode::BadRequest, "a background picture names its media".into()))
            }
            Self::Image { .. } => Ok(()),
        }
    }

    /// The media it shows, if a picture.
    pub fn media_id(&self) -> Option<&str> {
        match self {
            Self::Image { media_id } => Some(media_id),
            _ => None,
        }
    }
}

/// My appearance (in [`crate::account::Me`]; changed with `PATCH /api/v1/me`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Appearance {
    #[serde(default)]
    pub theme: Theme,
    /// `#rrggbb`; `None`: the app's own.
    #[serde(default)]
    pub accent: Option<String>,
    #[serde(default)]
    pub text_size: TextSize,
    /// Behind every chat that has none of its own.
    #[serde(default)]
    pub background: Option<Background>,
}

impl Appearance {
    pub fn check(&self) -> Result<(), (ErrorCode, String)> {
        self.accent.as_deref().map_or(Ok(()), check_colour)?;
        self.background.as_ref().map_or(Ok(()), Background::check)
    }
}

/// `PUT /api/v1/chats/{id}/background`: my background for a chat (`None`: the default), or with
/// `for_everyone` a group's for all its members (its admins only; announced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatBackground {
    pub background: Option<Background>,
    #[serde(default)]
    pub for_everyone: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex() {
        assert!(check_colour("#1f8A70").is_ok());
        for bad in ["1f8a70", "#1f8a7", "#1f8a7g", "", "#"] {
            assert!(check_colour(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_string(&Background::Pattern { pattern: Pattern::Waves }).unwrap();
        assert_eq!(json, r#"{"kind":"pattern","pattern":"waves"}"#);
        assert!(Appearance { accent: Some("red".into()), ..Appearance::default() }.check().is_err());
    }
}
