//! Keeps the refresh token in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), one entry per companion server. Where no keyring answers,
//! the token lives in memory only and the user signs in again after a restart.

use std::sync::Mutex;

use gkchat_client::{StoredSession, TokenStore};

/// The keyring service name; entries are keyed by server URL under it.
pub const KEYRING_SERVICE: &str = "chat.gk.desktop";

pub struct KeyringTokenStore {
    entry: Option<keyring::Entry>,
    /// Used when the keyring is unavailable.
    fallback: Mutex<Option<StoredSession>>,
}

impl KeyringTokenStore {
    pub fn new(server_url: &str) -> Self {
        let entry = keyring::Entry::new(KEYRING_SERVICE, server_url)
            .inspect_err(|err| tracing::warn!(%err, "no keyring; sign-ins will not survive a restart"))
            .ok();
        Self { entry, fallback: Mutex::new(None) }
    }

    fn remember_in_memory(&self, session: Option<&StoredSession>) -> Result<(), String> {
        *self.fallback.lock().map_err(|e| e.to_string())? = session.cloned();
        Ok(())
    }
}

impl TokenStore for KeyringTokenStore {
    fn load(&self) -> Result<Option<StoredSession>, String> {
        if let Some(session) = self.fallback.lock().map_err(|e| e.to_string())?.clone() {
            return Ok(Some(session));
        }
        let Some(entry) = &self.entry else { return Ok(None) };
        match entry.get_password() {
            Ok(json) => serde_json::from_str(&json).map(Some).or_else(|err| {
                tracing::warn!(%err, "unreadable keyring entry; ignoring it");
                Ok(None)
            }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => {
                tracing::warn!(%err, "keyring unavailable");
                Ok(None)
            }
        }
    }

    fn save(&self, session: &StoredSession) -> Result<(), String> {
        let json = serde_json::to_string(session).map_err(|e| e.to_string())?;
        match self.entry.as_ref().map(|entry| entry.set_password(&json)) {
            Some(Ok(())) => self.remember_in_memory(None),
            Some(Err(err)) => {
                tracing::warn!(%err, "keyring unavailable; keeping the sign-in in memory only");
                self.remember_in_memory(Some(session))
            }
            None => self.remember_in_memory(Some(session)),
        }
    }

    fn clear(&self) -> Result<(), String> {
        self.remember_in_memory(None)?;
        match self.entry.as_ref().map(keyring::Entry::delete_credential) {
            None | Some(Ok(())) | Some(Err(keyring::Error::NoEntry)) => Ok(()),
            Some(Err(err)) => Err(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against a real Secret Service: gnome-keyring on the session bus that `./gk test` runs
    //! the tests in (dbus-run-session).

    use super::*;

    /// Starts (or unlocks) gnome-keyring's secrets component on the current session bus, with
    /// its files under `home` rather than the developer's.
    fn unlocked_secret_service(home: &std::path::Path) {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "needs a D-Bus session bus: run the tests with ./gk test (it uses dbus-run-session)"
        );
        use std::io::Write;
        let mut daemon = std::process::Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon is installed (./gk test installs it)");
        daemon.stdin.take().expect("stdin").write_all(b"test-keyring-password").expect("write password");
        assert!(daemon.wait().expect("daemon starts").success());
        // The daemon's first process returns before the forked one has taken its bus name; a
        // request made in between makes D-Bus start a second, locked daemon (the fresh-clone CI
        // run saw "no result found" from it). Ask the bus itself, which starts nothing.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let reply = std::process::Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .expect("dbus-send is installed (dbus-bin)");
            if String::from_utf8_lossy(&reply.stdout).contains("boolean true") {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "gnome-keyring never took org.freedesktop.secrets");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    #[test]
    fn secret_service_round_trip() {
        let home = tempfile::tempdir().unwrap();
        unlocked_secret_service(home.path());
        let url = format!("http://keyring-test-{}.invalid:8787", std::process::id());
        let store = KeyringTokenStore::new(&url);
        store.clear().unwrap();
        assert_eq!(store.load().unwrap(), None);

        let session = StoredSession { refresh_token: "r1".into(), session_id: "s1".into(), user_id: "u1".into() };
        store.save(&session).unwrap();
        assert!(store.fallback.lock().unwrap().is_none(), "saved in the keyring, not in memory");

        // A second store (another app run) reads it from the keyring.
        let reopened = KeyringTokenStore::new(&url);
        assert_eq!(reopened.load().unwrap(), Some(session));
        let raw = keyring::Entry::new(KEYRING_SERVICE, &url).unwrap().get_password().unwrap();
        assert!(raw.contains("\"refresh_token\":\"r1\""), "{raw}");

        reopened.clear().unwrap();
        assert_eq!(KeyringTokenStore::new(&url).load().unwrap(), None);
    }
}
