//! Native notifications for new messages (notify-rust: the freedesktop notification service
//! on Linux, the platform's own elsewhere). One notification per chat, replaced as more
//! arrive ("3 new messages"); none for my own messages, muted chats, while notifications are
//! off or muted for a while, or for the chat on screen while the window has the focus. The
//! preview text is left out when previews are off. Clicking opens the chat.
//!
//! Also: a reminder of an event I go to (while notifications are on), and answers to my polls
//! and events — one notification per poll or event, replaced as more come ("3 new answers"),
//! under the same rules as messages and off by their own setting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use gkchat_client::MessengerEvent;
use gkchat_proto::chat::{ChatSummary, Content};
use gkchat_proto::event::Rsvp;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use ts_rs::TS;

use crate::AppState;
use crate::requests::WindowRequest;

/// What the user chose for notifications (kept with the app's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct NotificationSettings {
    pub enabled: bool,
    /// Show the sender's words; off shows only "New message".
    pub previews: bool,
    /// Tell me when someone votes in my poll or answers my event.
    pub answers: bool,
    /// A message that mentions me notifies even in a muted chat.
    pub mentions: bool,
    /// Tell me of new status posts of those I asked for.
    pub status: bool,
    /// Notifications play the system's message sound.
    pub sound: bool,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self { enabled: true, previews: true, answers: true, mentions: true, status: true, sound: true }
    }
}

/// The longest preview shown, in characters.
const PREVIEW_CHARS: usize = 120;

#[derive(Default)]
pub struct Notifier {
    settings: Mutex<NotificationSettings>,
    /// All notifications muted until then (ms; 0 = not muted), e.g. from the tray.
    muted_until: AtomicI64,
    window_focused: AtomicBool,
    /// The chat the window shows.
    open_chat: Mutex<Option<String>>,
    /// Per chat (and per poll or event of mine): the notification on screen (to replace) and how
    /// many messages or answers it stands for.
    shown: Arc<Mutex<HashMap<String, Shown>>>,
}

#[derive(Debug, Clone, Default)]
struct Shown {
    id: Option<u32>,
    count: u32,
    /// The chat it is about (opening the chat starts its counts over).
    chat_id: String,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether a new message in `chat` from someone else gets a notification. A message that
/// mentions me does, even in a muted chat.
pub fn should_notify(
    now_ms: i64,
    settings: NotificationSettings,
    muted_all_until: i64,
    chat: &ChatSummary,
    on_screen: Option<&str>,
    mentions_me: bool,
) -> bool {
    settings.enabled
        && muted_all_until <= now_ms
        && ((mentions_me && settings.mentions) || chat.muted_until.is_none_or(|until| until <= now_ms))
        && on_screen != Some(chat.id.as_str())
}

/// Whether a notification about `chat` plays the sound: never for a message request.
pub fn plays_sound(settings: NotificationSettings, chat: &ChatSummary) -> bool {
    settings.sound && !chat.request
}

/// The notification's body: the words (shortened), or only that something came.
pub fn body_for(content: Option<&Content>, previews: bool, count: u32) -> String {
    let words = match content {
        Some(Content::Text { text, .. }) if previews => {
            let mut short: String = text.chars().take(PREVIEW_CHARS).collect();
            if text.chars().count() > PREVIEW_CHARS {
                short.push('…');
            }
            short
        }
        Some(content) if previews && !content.preview().is_empty() => content.preview(),
        _ => "New message".to_owned(),
    };
    if count > 1 { format!("{count} new messages · {words}") } else { words }
}

/// What a notification says about someone's answer to my poll or event (`who`: their name, or
/// `None` in an anonymous poll; `what`: the question or title, `None` when previews are off).
pub fn answer_text(who: Option<&str>, rsvp: Option<Rsvp>, what: Option<&str>, count: u32) -> String {
    let quoted = |what: &str| format!("“{}”", what.chars().take(PREVIEW_CHARS).collect::<String>());
    let line = match (who, rsvp) {
        (None, _) => match what {
            Some(what) => format!("New vote in {}", quoted(what)),
            None => "New vote in your poll".to_owned(),
        },
        (Some(who), None) => match what {
            Some(what) => format!("{who} voted in {}", quoted(what)),
            None => format!("{who} voted in your poll"),
        },
        (Some(who), Some(rsvp)) => {
            let what = what.map_or_else(|| "your event".to_owned(), quoted);
            match rsvp {
                Rsvp::Going => format!("{who} is going to {what}"),
                Rsvp::Maybe => format!("{who} might go to {what}"),
                Rsvp::NotGoing => format!("{who} can't go to {what}"),
            }
        }
    };
    if count > 1 { format!("{count} new answers · {line}") } else { line }
}

/// What a reminder says, `starts_at` seen from `now_ms`.
pub fn reminder_text(starts_at: i64, now_ms: i64) -> String {
    let minutes = (starts_at - now_ms + 59_999) / 60_000;
    match minutes {
        ..=0 => "Starting now".to_owned(),
        1 => "Starts in 1 minute".to_owned(),
        2..=119 => format!("Starts in {minutes} minutes"),
        _ => format!("Starts in {} hours", minutes / 60),
    }
}

impl Notifier {
    pub fn with_settings(settings: NotificationSettings) -> Self {
        let notifier = Self::default();
        *lock(&notifier.settings) = settings;
        notifier
    }

    pub fn settings(&self) -> NotificationSettings {
        *lock(&self.settings)
    }

    pub fn set_settings(&self, settings: NotificationSettings) {
        *lock(&self.settings) = settings;
    }

    pub fn mute_all_until(&self, until_ms: i64) {
        self.muted_until.store(until_ms, Ordering::Relaxed);
    }

    pub fn set_window_focused(&self, focused: bool) {
        self.window_focused.store(focused, Ordering::Relaxed);
    }

    /// The window shows `chat_id` now (or no chat); its notification count starts over.
    pub fn set_open_chat(&self, chat_id: Option<String>) {
        if let Some(chat_id) = &chat_id {
            lock(&self.shown).retain(|_, shown| &shown.chat_id != chat_id);
        }
        *lock(&self.open_chat) = chat_id;
    }

    /// The chat on screen, if the window has the focus.
    /// Counts one more under `key` (about `chat_id`): the entry as it is now.
    fn count(&self, key: &str, chat_id: &str) -> Shown {
        let mut shown = lock(&self.shown);
        let entry = shown.entry(key.to_owned()).or_default();
        entry.count += 1;
        entry.chat_id = chat_id.to_owned();
        entry.clone()
    }

    fn on_screen(&self) -> Option<String> {
        if self.window_focused.load(Ordering::Relaxed) { lock(&self.open_chat).clone() } else { None }
    }
}

/// Follows messenger events and notifies, until the app ends.
pub fn start(app: AppHandle) {
    let state = app.state::<AppState>();
    let mut events = state.feeds.messages.subscribe();
    let account = state.feeds.account.subscribe();
    tauri::async_runtime::spawn(async move {
        while let Some(event) = crate::next_of(&mut events).await {
            let (chat_id, message) = match event {
                MessengerEvent::Message { chat_id, message } => (chat_id, message),
                MessengerEvent::EventReminder(reminder) => {
                    remind(&app, reminder);
                    continue;
                }
                MessengerEvent::Answered { chat_id, message_id, user_id, rsvp } => {
                    answered(&app, chat_id, message_id, user_id, rsvp).await;
                    continue;
                }
                MessengerEvent::Status { status } => {
                    if let gkchat_proto::status::StatusEvent::Posted { post } = *status {
                        posted(&app, post).await;
                    }
                    continue;
                }
                _ => continue,
            };
            let me = account.borrow().clone();
            let fresh = message.message.updated_seq == message.message.seq && message.message.seq > 0;
            let system = matches!(message.message.content, Some(Content::System { .. }));
            if !fresh
                || me.as_deref() == Some(message.message.sender_id.as_str())
                || message.message.content.is_none()
                || system
            {
                continue;
            }
            let mentions_me = match (&message.message.content, me.as_deref()) {
                (Some(Content::Text { text, .. }), Some(me)) => gkchat_proto::chat::mentioned(text).any(|id| id == me),
                _ => false,
            };
            let state = app.state::<AppState>();
            let Ok(messenger) = state.messenger().await else { continue };
            let Ok(Some(gkchat_client::LocalChat { summary: chat, .. })) = messenger.chat(&chat_id).await else {
                continue;
            };
            let notifier = &state.notifier;
            let settings = notifier.settings();
            let now = gkchat_proto::now_ms();
            let muted_all = notifier.muted_until.load(Ordering::Relaxed);
            if !should_notify(now, settings, muted_all, &chat, notifier.on_screen().as_deref(), mentions_me) {
                continue;
            }
            // A group's notification names the group and, in its text, who wrote; mentions read
            // as names.
            let mut title = if chat.title.is_empty() { "GK Chat".to_owned() } else { chat.title.clone() };
            if chat.request {
                title.push_str(" · message request");
            }
            let members = messenger.members(&chat.id).await.unwrap_or_default();
            let name_of = |id: &str| members.iter().find(|m| m.user_id == id).map(|m| m.display_name.clone());
            let author = match chat.kind {
                gkchat_proto::chat::ChatKind::Direct => None,
                gkchat_proto::chat::ChatKind::Group => name_of(&message.message.sender_id),
            };
            let previous = notifier.count(&chat.id, &chat.id);
            let content = match &message.message.content {
                Some(Content::Text { text, .. }) => Some(Content::text(gkchat_proto::chat::with_names(text, name_of))),
                other => other.clone(),
            };
            let mut body = body_for(content.as_ref(), settings.previews, previous.count);
            if let Some(author) = author.filter(|_| previous.count == 1) {
                body = format!("{author}: {body}");
            }
            let sound = plays_sound(settings, &chat);
            let note = Note {
                key: chat.id.clone(),
                chat_id: chat.id.clone(),
                summary: title,
                body,
                replaces: previous.id,
                sound,
            };
            show(app.clone(), notifier.shown.clone(), note);
        }
    });
}

/// An event I go to starts soon.
fn remind(app: &AppHandle, reminder: gkchat_client::Reminder) {
    let state = app.state::<AppState>();
    let now = gkchat_proto::now_ms();
    if !state.notifier.settings().enabled || state.notifier.muted_until.load(Ordering::Relaxed) > now {
        return;
    }
    let body = reminder_text(reminder.starts_at, now);
    let key = format!("reminder:{}", reminder.message_id);
    let summary = format!("📅 {}", reminder.title);
    let sound = state.notifier.settings().sound;
    let note = Note { key, chat_id: reminder.chat_id, summary, body, replaces: None, sound };
    show(app.clone(), state.notifier.shown.clone(), note);
}

/// Someone posted a status: a notification when I asked for theirs (and have not muted them).
async fn posted(app: &AppHandle, post: gkchat_proto::status::StatusPost) {
    let state = app.state::<AppState>();
    let notifier = &state.notifier;
    let settings = notifier.settings();
    let now = gkchat_proto::now_ms();
    if !settings.enabled || !settings.status || notifier.muted_until.load(Ordering::Relaxed) > now {
        return;
    }
    let Ok(messenger) = state.messenger().await else { return };
    if messenger.store().user_id() == post.owner_id {
        return;
    }
    let Ok(feed) = messenger.store().status_feed(now).await else { return };
    let Some(owner) = feed.others.into_iter().find(|o| o.owner.user_id == post.owner_id) else { return };
    if !owner.prefs.notify || owner.prefs.muted {
        return;
    }
    let body = match (&post.content, settings.previews) {
        (gkchat_proto::status::StatusContent::Text { text, .. }, true) => text.chars().take(PREVIEW_CHARS).collect(),
        (gkchat_proto::status::StatusContent::Media { caption, .. }, true) if !caption.is_empty() => {
            caption.chars().take(PREVIEW_CHARS).collect()
        }
        _ => "New status update".to_owned(),
    };
    let key = format!("status:{}", post.owner_id);
    let previous = lock(&notifier.shown).entry(key.clone()).or_default().id;
    let summary = owner.owner.display_name;
    let note = Note { key, chat_id: String::new(), summary, body, replaces: previous, sound: settings.sound };
    show(app.clone(), notifier.shown.clone(), note);
}

/// Someone answered my poll or event: one notification per poll or event, replaced as more come.
async fn answered(app: &AppHandle, chat_id: String, message_id: String, user_id: Option<String>, rsvp: Option<Rsvp>) {
    let state = app.state::<AppState>();
    let notifier = &state.notifier;
    let settings = notifier.settings();
    let Ok(messenger) = state.messenger().await else { return };
    let Ok(Some(gkchat_client::LocalChat { summary: chat, .. })) = messenger.chat(&chat_id).await else { return };
    let now = gkchat_proto::now_ms();
    let muted_all = notifier.muted_until.load(Ordering::Relaxed);
    if !settings.answers || !should_notify(now, settings, muted_all, &chat, notifier.on_screen().as_deref(), false) {
        return;
    }
    let what = match messenger.store().message(&message_id).await {
        Ok(Some(local)) => match local.message.content {
            Some(Content::Poll { poll }) => poll.question,
            Some(Content::Event { event }) => event.title,
            _ => return,
        },
        _ => return,
    };
    let members = messenger.members(&chat_id).await.unwrap_or_default();
    // Nobody in an anonymous poll; someone no longer listed, "Someone".
    let who = user_id.map(|id| {
        members.into_iter().find(|m| m.user_id == id).map_or_else(|| "Someone".to_owned(), |m| m.display_name)
    });
    let key = format!("answers:{message_id}");
    let previous = notifier.count(&key, &chat_id);
    let what = settings.previews.then_some(what.as_str());
    let body = answer_text(who.as_deref(), rsvp, what, previous.count);
    let title = if chat.title.is_empty() { "GK Chat".to_owned() } else { chat.title.clone() };
    let sound = plays_sound(settings, &chat);
    let note = Note { key, chat_id, summary: title, body, replaces: previous.id, sound };
    show(app.clone(), notifier.shown.clone(), note);
}

/// One notification to show.
struct Note {
    /// What it is kept under: a chat's id, a poll's answers, a reminder, a status owner.
    key: String,
    /// The chat a click opens (none: only the window comes up).
    chat_id: String,
    summary: String,
    body: String,
    /// The shown notification it replaces.
    replaces: Option<u32>,
    /// With the message sound.
    sound: bool,
}

/// Shows (or replaces) `note` on its own thread, which then waits for a click.
fn show(app: AppHandle, shown: Arc<Mutex<HashMap<String, Shown>>>, note: Note) {
    let Note { key, chat_id, summary, body, replaces, sound } = note;
    std::thread::spawn(move || {
        let mut notification = notify_rust::Notification::new();
        notification.appname("GK Chat").summary(&summary).body(&body).icon("gkchat-desktop");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            notification.action("default", "Open");
            notification.hint(notify_rust::Hint::Category("im.received".into()));
            if sound {
                notification.sound_name("message-new-instant");
            } else {
                notification.hint(notify_rust::Hint::SuppressSound(true));
            }
            if let Some(id) = replaces {
                notification.id(id);
            }
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = replaces;
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        if sound {
            notification.sound_name("Default");
        }
        let handle = match notification.show() {
            Ok(handle) => handle,
            Err(err) => {
                tracing::warn!(%err, "could not show a notification");
                return;
            }
        };
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            if let Some(entry) = lock(&shown).get_mut(&key) {
                entry.id = Some(handle.id());
            }
            handle.wait_for_action(|action| {
                if action == "default" {
                    crate::show_main_window(&app);
                    // A status notification only brings the window up.
                    if !chat_id.is_empty() {
                        app.state::<AppState>().requests.ask(WindowRequest::OpenChat { chat_id: chat_id.clone() });
                    }
                }
            });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let _ = (handle, app, shown, key, chat_id);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::tile;

    fn chat(muted_until: Option<i64>) -> ChatSummary {
        tile(1, muted_until)
    }

    #[test]
    fn a_message_request_makes_no_sound() {
        let on = NotificationSettings::default();
        assert!(plays_sound(on, &chat(None)));
        assert!(!plays_sound(on, &ChatSummary { request: true, ..chat(None) }), "a request is silent");
        assert!(!plays_sound(NotificationSettings { sound: false, ..on }, &chat(None)));
    }

    #[test]
    fn muted_off_or_on_screen_chats_stay_quiet() {
        let on = NotificationSettings::default();
        assert!(should_notify(100, on, 0, &chat(None), None, false));
        assert!(should_notify(100, on, 0, &chat(Some(50)), Some("other"), false), "a mute that has run out");
        assert!(!should_notify(100, on, 0, &chat(Some(gkchat_proto::chat::MUTED_FOREVER)), None, false));
        assert!(should_notify(100, on, 0, &chat(Some(gkchat_proto::chat::MUTED_FOREVER)), None, true), "mentioned");
        let no_mentions = NotificationSettings { mentions: false, ..on };
        let muted = chat(Some(gkchat_proto::chat::MUTED_FOREVER));
        assert!(!should_notify(100, no_mentions, 0, &muted, None, true), "mentions in muted chats off");
        assert!(!should_notify(100, on, 200, &chat(None), None, false), "all muted for a while");
        assert!(!should_notify(100, on, 0, &chat(None), Some("c1"), false), "the chat on screen");
        let off = NotificationSettings { enabled: false, ..NotificationSettings::default() };
        assert!(!should_notify(100, off, 0, &chat(None), None, true));
    }

    #[test]
    fn previews_can_be_hidden_and_repeats_are_counted() {
        let text = Content::text("see you at 5");
        assert_eq!(body_for(Some(&text), true, 1), "see you at 5");
        assert_eq!(body_for(Some(&text), false, 1), "New message");
        assert_eq!(body_for(Some(&text), true, 3), "3 new messages · see you at 5");
        let poll = Content::Poll {
            poll: gkchat_proto::poll::Poll {
                question: "Lunch?".into(),
                options: vec!["Pizza".into(), "Sushi".into()],
                multiple: false,
                anonymous: false,
                closed_at: None,
            },
        };
        assert_eq!(body_for(Some(&poll), true, 1), "📊 Poll: Lunch?");
        assert_eq!(body_for(Some(&poll), false, 1), "New message");
        let long = Content::text("x".repeat(500));
        assert_eq!(body_for(Some(&long), true, 1).chars().count(), PREVIEW_CHARS + 1);
    }

    #[test]
    fn answers_and_reminders_are_worded() {
        assert_eq!(answer_text(Some("Bob"), None, Some("Lunch?"), 1), "Bob voted in “Lunch?”");
        assert_eq!(answer_text(Some("Bob"), Some(Rsvp::Maybe), Some("Picnic"), 1), "Bob might go to “Picnic”");
        assert_eq!(answer_text(Some("Bob"), Some(Rsvp::Going), None, 3), "3 new answers · Bob is going to your event");
        assert_eq!(answer_text(None, None, Some("Lunch?"), 1), "New vote in “Lunch?”");
        assert_eq!(reminder_text(1_000 + 15 * 60_000, 1_000), "Starts in 15 minutes");
        assert_eq!(reminder_text(1_000 + 30_000, 1_000), "Starts in 1 minute");
        assert_eq!(reminder_text(1_000, 2_000), "Starting now");
    }
}
