//! The tray icon: the app's icon with a red dot while something is unread (and the count as
//! its label where the platform shows one, and in its tooltip), and a menu — Open, Mute
//! notifications for 1 hour, Quit. Without a tray host (some Linux desktops) it is simply not
//! shown; nothing else depends on it.

use gkchat_client::MessengerEvent;
use gkchat_proto::chat::ChatSummary;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

use crate::AppState;

const TRAY_ID: &str = "main";
const HOUR_MS: i64 = 60 * 60 * 1000;

/// Unread messages in chats that are not muted now nor message requests (what the badge
/// counts).
pub fn unread_total<'a>(chats: impl IntoIterator<Item = &'a ChatSummary>, now_ms: i64) -> u32 {
    chats
        .into_iter()
        .filter(|chat| !chat.request && chat.muted_until.is_none_or(|until| until <= now_ms))
        .map(|chat| chat.unread)
        .sum()
}

/// `icon` with a red dot in its top-right corner (a third of its width across).
pub fn with_badge(icon: &Image<'_>) -> Image<'static> {
    let (width, height) = (icon.width(), icon.height());
    let mut rgba = icon.rgba().to_vec();
    let radius = f64::from(width) / 6.0;
    let (cx, cy) = (f64::from(width) - radius - 0.5, radius - 0.5);
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
            if dx * dx + dy * dy <= radius * radius {
                let at = ((y * width + x) * 4) as usize;
                rgba[at..at + 4].copy_from_slice(&[0xe5, 0x39, 0x35, 0xff]);
            }
        }
    }
    Image::new_owned(rgba, width, height)
}

/// Builds the tray and keeps its badge in step with the chats.
pub fn start(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open GK Chat", true, None::<&str>)?;
    let mute = MenuItem::with_id(app, "mute", "Mute notifications for 1 hour", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &mute, &quit])?;
    let Some(icon) = app.default_window_icon() else { return Ok(()) };
    let icon = Image::new_owned(icon.rgba().to_vec(), icon.width(), icon.height());
    let badged = with_badge(&icon);
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon.clone())
        .tooltip("GK Chat")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => crate::show_main_window(app),
            "mute" => app.state::<AppState>().notifier.mute_all_until(gkchat_proto::now_ms() + HOUR_MS),
            "quit" => app.exit(0),
            _ => {}
        })
        .build(app)?;

    let handle = app.clone();
    let mut events = app.state::<AppState>().feeds.messages.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut shown = 0;
        loop {
            match events.recv().await {
                Ok(MessengerEvent::ChatsChanged) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
            let state = handle.state::<AppState>();
            let unread = match state.messenger().await {
                Ok(messenger) => messenger
                    .chats()
                    .await
                    .map_or(0, |chats| unread_total(chats.iter().map(|c| &c.summary), gkchat_proto::now_ms())),
                Err(_) => 0,
            };
            if unread == shown {
                continue;
            }
            shown = unread;
            if let Some(tray) = handle.tray_by_id(TRAY_ID) {
                let (image, label, tooltip) = if unread == 0 {
                    (icon.clone(), None, "GK Chat".to_owned())
                } else {
                    (badged.clone(), Some(unread.to_string()), format!("GK Chat — {unread} unread"))
                };
                let _ = tray.set_icon(Some(image));
                let _ = tray.set_title(label.as_deref());
                let _ = tray.set_tooltip(Some(tooltip));
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::tile as chat;

    #[test]
    fn the_badge_counts_unread_outside_muted_chats_and_requests() {
        let request = ChatSummary { request: true, ..chat(4, None) };
        let chats = [chat(2, None), chat(5, Some(i64::MAX)), chat(1, Some(10)), chat(0, None), request];
        assert_eq!(unread_total(&chats, 100), 3);
    }

    #[test]
    fn the_badge_is_a_red_dot_top_right() {
        let plain = Image::new_owned(vec![0; 32 * 32 * 4], 32, 32);
        let badged = with_badge(&plain);
        let pixel = |x: u32, y: u32| &badged.rgba()[((y * 32 + x) * 4) as usize..][..4];
        assert_eq!(pixel(26, 5), [0xe5, 0x39, 0x35, 0xff]);
        assert_eq!(pixel(3, 28), [0, 0, 0, 0], "the rest stays as it was");
    }
}
