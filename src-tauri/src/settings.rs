//! The app's own settings, kept as JSON in the platform's config directory
//! (`~/.config/chat.gk.desktop/settings.json` on Linux).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the app looks for its companion server unless told otherwise.
pub const DEFAULT_SERVER_URL: &str = "http://127.0.0.1:8787";
/// Overrides the saved server URL for one run.
pub const SERVER_URL_ENV: &str = "GKCHAT_SERVER_URL";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The server the user chose in settings; `None` means the default.
    pub server_url: Option<String>,
    pub notifications: crate::notifier::NotificationSettings,
    pub desktop: DesktopSettings,
    pub calls: crate::calls::CallSettings,
    pub media: crate::media::MediaSettings,
}

/// How the app lives on the desktop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DesktopSettings {
    /// Closing the window hides it; the tray brings it back (Quit there ends the app).
    pub close_to_tray: bool,
    /// Start without showing the window (in the tray).
    pub start_minimised: bool,
    /// Start at login (the OS's autostart entry, made or removed when this changes).
    pub autostart: bool,
}

/// Where the server URL in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UrlSource {
    Env,
    Saved,
    Default,
}

/// What the settings screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SettingsView {
    pub server_url: String,
    pub source: UrlSource,
}

impl Settings {
    /// Reads the file; a missing or unreadable file means defaults (and is logged).
    pub fn load(path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                tracing::warn!(path = %path.display(), %err, "settings file unreadable; using defaults");
                Self::default()
            }),
            Err(_) => Self::default(),
        }
    }

    /// Writes atomically (temp file + rename), so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temp = path.with_extension("json.tmp");
        std::fs::write(&temp, serde_json::to_vec_pretty(self).expect("settings serialise"))?;
        std::fs::rename(temp, path)
    }

    /// The URL to use at start: `GKCHAT_SERVER_URL`, else the saved one, else the default.
    pub fn startup_url(&self, env_url: Option<&str>) -> SettingsView {
        match (env_url, &self.server_url) {
            (Some(url), _) => SettingsView { server_url: url.to_owned(), source: UrlSource::Env },
            (None, Some(url)) => SettingsView { server_url: url.clone(), source: UrlSource::Saved },
            (None, None) => SettingsView { server_url: DEFAULT_SERVER_URL.to_owned(), source: UrlSource::Default },
        }
    }
}

/// The settings file inside `config_dir`.
pub fn settings_path(config_dir: &Path) -> PathBuf {
    config_dir.join("settings.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_beats_saved_beats_default() {
        let saved = Settings { server_url: Some("http://saved:1".into()), ..Settings::default() };
        assert_eq!(saved.startup_url(Some("http://env:2")).source, UrlSource::Env);
        assert_eq!(saved.startup_url(None).server_url, "http://saved:1");
        assert_eq!(Settings::default().startup_url(None).server_url, DEFAULT_SERVER_URL);
    }

    #[test]
    fn save_then_load_round_trips_and_garbage_means_defaults() {
        let dir = std::env::temp_dir().join(format!("gkchat-settings-{}", std::process::id()));
        let path = settings_path(&dir.join("nested"));
        let notifications = crate::notifier::NotificationSettings { previews: false, ..Default::default() };
        let desktop = DesktopSettings { close_to_tray: true, start_minimised: false, autostart: true };
        let settings = Settings {
            server_url: Some("https://chat.example.org".into()),
            notifications,
            desktop,
            calls: crate::calls::CallSettings { microphone: Some("USB mic".into()), ..Default::default() },
            media: crate::media::MediaSettings { cache_bytes: 1 << 30, auto_download_bytes: 0, link_previews: false },
        };
        settings.save(&path).unwrap();
        assert_eq!(Settings::load(&path), settings);
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
