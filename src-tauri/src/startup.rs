//! Start-up marks: milliseconds from the process's start to named moments of the start (the
//! shell's own and the page's, sent by `startup_mark`), logged as they happen and answered by
//! `startup_marks` — how BENCHMARKS.md measures the start to the chat list from inside the app.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use ts_rs::TS;

/// One moment of the start.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StartupMark {
    pub name: String,
    /// Milliseconds since the process started (exec), to a tenth.
    pub ms: f64,
}

/// The marks of this run; the first mark of a name wins.
pub struct StartupMarks {
    /// This process's start, as an `Instant` (`None` until `begin`).
    origin: Mutex<Option<Instant>>,
    marks: Mutex<Vec<StartupMark>>,
}

/// Marks are few: a page that sends names in a loop cannot grow this without bound.
const MAX_MARKS: usize = 64;
const MAX_NAME: usize = 64;

pub static MARKS: StartupMarks = StartupMarks { origin: Mutex::new(None), marks: Mutex::new(Vec::new()) };

impl StartupMarks {
    /// Fixes the origin: now, less the time the process ran before `main` (loading GTK and
    /// WebKit's libraries, which `main` cannot see; read from the kernel where it tells).
    pub fn begin(&self) {
        let before_main = time_before_main().unwrap_or_default();
        let now = Instant::now();
        *self.origin.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(now.checked_sub(before_main).unwrap_or(now));
        self.mark("main");
    }

    /// Records `name` at the current time unless it was recorded before.
    pub fn mark(&self, name: &str) {
        let Some(origin) = *self.origin.lock().unwrap_or_else(std::sync::PoisonError::into_inner) else { return };
        let ms = (origin.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
        let mut marks = self.marks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if marks.len() >= MAX_MARKS || marks.iter().any(|m| m.name == name) {
            return;
        }
        tracing::info!(mark = name, ms, "start-up");
        marks.push(StartupMark { name: name.to_owned(), ms });
    }

    pub fn all(&self) -> Vec<StartupMark> {
        self.marks.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// How long this process ran before now, from the kernel's clock since boot: `/proc/uptime`
/// (seconds, to 10 ms) less the process's start in `/proc/self/stat` (field 22, clock ticks of
/// 10 ms: USER_HZ is 100 on every Linux the app is built for). Elsewhere unknown (`None`).
fn time_before_main() -> Option<Duration> {
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let uptime: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let start_ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let ran = uptime - start_ticks / 100.0;
    (0.0..60.0).contains(&ran).then(|| Duration::from_secs_f64(ran))
}

/// The page marks a moment of its start (`ui_start`, `chat_list_painted`, …).
#[tauri::command]
pub fn startup_mark(name: String) -> Result<(), crate::CommandError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(crate::CommandError::new(
            gkchat_proto::ErrorCode::BadRequest,
            "a start-up mark is a name of lowercase letters, digits and _ (at most 64)",
        ));
    }
    MARKS.mark(&name);
    Ok(())
}

/// The marks of this run, in the order they happened.
#[tauri::command]
pub fn startup_marks() -> Vec<StartupMark> {
    MARKS.all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_count_from_the_process_start_and_keep_the_first_of_a_name() {
        let marks = StartupMarks { origin: Mutex::new(None), marks: Mutex::new(Vec::new()) };
        marks.mark("before_begin");
        assert!(marks.all().is_empty(), "nothing is marked before the origin is known");
        marks.begin();
        marks.mark("window");
        std::thread::sleep(Duration::from_millis(2));
        marks.mark("window");
        let all = marks.all();
        assert_eq!(all.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["main", "window"]);
        // The test binary ran before `begin`, so `main` is after the process's start.
        assert!(all[0].ms > 0.0 && all[1].ms >= all[0].ms);
        for i in 0..100 {
            marks.mark(&format!("m{i}"));
        }
        assert_eq!(marks.all().len(), MAX_MARKS);
    }

    #[test]
    fn the_time_before_main_is_read_from_the_kernel() {
        let ran = time_before_main().expect("Linux tells when this process started");
        assert!(ran < Duration::from_secs(60));
    }

    #[test]
    fn a_bad_name_is_refused_with_a_stable_code() {
        for name in ["", "Has Space", "x".repeat(65).as_str(), "ünï"] {
            let err = startup_mark(name.to_owned()).unwrap_err();
            assert_eq!(err.code, gkchat_proto::ErrorCode::BadRequest, "{name:?}");
        }
        startup_mark("chat_list_painted".into()).unwrap();
    }
}
