//! Being signed in: the access token in memory, the refresh token in a [`TokenStore`]
//! (the OS keyring on the desktop, memory for headless clients), and silent refresh.

use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use gkchat_proto::ErrorCode;
use gkchat_proto::account::AuthTokens;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What must survive an app restart to stay signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    pub refresh_token: String,
    pub session_id: String,
    pub user_id: String,
}

/// Where the refresh token is kept between runs. Calls may block (a keyring over D-Bus):
/// the client makes them on a blocking thread.
pub trait TokenStore: Send + Sync + 'static {
    fn load(&self) -> std::result::Result<Option<StoredSession>, String>;
    fn save(&self, session: &StoredSession) -> std::result::Result<(), String>;
    fn clear(&self) -> std::result::Result<(), String>;
}

/// Keeps tokens in memory only: signed out when the process ends.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    session: StdMutex<Option<StoredSession>>,
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> std::result::Result<Option<StoredSession>, String> {
        Ok(self.session.lock().map_err(|e| e.to_string())?.clone())
    }

    fn save(&self, session: &StoredSession) -> std::result::Result<(), String> {
        *self.session.lock().map_err(|e| e.to_string())? = Some(session.clone());
        Ok(())
    }

    fn clear(&self) -> std::result::Result<(), String> {
        *self.session.lock().map_err(|e| e.to_string())? = None;
        Ok(())
    }
}

/// Refresh this long before the access token expires.
const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// The tokens of the current sign-in.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub access_token: String,
    pub access_expires_at: i64,
    pub stored: StoredSession,
}

impl Tokens {
    pub fn from_response(tokens: &AuthTokens) -> Self {
        Self {
            access_token: tokens.access_token.clone(),
            access_expires_at: tokens.access_expires_at,
            stored: StoredSession {
                refresh_token: tokens.refresh_token.clone(),
                session_id: tokens.session_id.clone(),
                user_id: tokens.user.id.clone(),
            },
        }
    }

    pub fn is_fresh(&self) -> bool {
        let margin = i64::try_from(REFRESH_MARGIN.as_millis()).unwrap_or(0);
        self.access_expires_at - margin > now_ms()
    }
}

pub(crate) use gkchat_proto::now_ms;

/// Runs a token-store call on a blocking thread.
pub(crate) async fn with_store<T: Send + 'static>(
    store: &Arc<dyn TokenStore>,
    call: impl FnOnce(&dyn TokenStore) -> std::result::Result<T, String> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|e| Error::Internal(format!("token store task: {e}")))?
        .map_err(Error::TokenStore)
}

/// True for answers that mean "this sign-in is over": the stored tokens are useless.
pub(crate) fn ends_sign_in(error: &Error) -> bool {
    matches!(
        error,
        Error::Api { error, .. } if matches!(error.code, ErrorCode::SessionRevoked | ErrorCode::Unauthorized)
    )
}
