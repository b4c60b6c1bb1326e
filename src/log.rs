//! The optional per-call log (`ZCC_LOGFILE`): one line per decision, so a user can answer
//! "why did this miss?" and see every internal error.

use std::io::Write;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// Appends lines to the log file, if one is configured. Each line is written with a single
/// `write` on a file opened for appending, so lines from parallel processes do not interleave.
#[derive(Clone, Debug, Default)]
pub struct Log {
    file: Option<PathBuf>,
}

impl Log {
    pub fn new(file: Option<PathBuf>) -> Log {
        Log { file }
    }

    /// Write one line; a failure to log is ignored (logging must never break a build).
    pub fn line(&self, message: &str) {
        let Some(path) = &self.file else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let text = format!(
            "{}.{:06} [{}] {}\n",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            message.replace('\n', " ")
        );
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = f.write_all(text.as_bytes());
        }
    }
}
