//! Notices said once on stderr: by the first call that finds a condition, not by every call
//! after it (a build of hundreds of compiles would repeat it hundreds of times).
//!
//! Whether a notice was said is a marker file named after a hash of its text, in
//! `$XDG_STATE_HOME/zcc/notices` (default `~/.local/state/zcc/notices`): outside the store,
//! since the notices are about stores that zcc must not write into. Without a place for the
//! marker the notice is said every time rather than never.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

/// The directory of the markers, from the call's `XDG_STATE_HOME` or `HOME`.
pub fn marker_dir<'a>(var: impl Fn(&str) -> Option<&'a OsStr>) -> Option<PathBuf> {
    let absolute = |v: &OsStr| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    var("XDG_STATE_HOME")
        .and_then(absolute)
        .or_else(|| {
            var("HOME")
                .and_then(absolute)
                .map(|h| h.join(".local/state"))
        })
        .map(|state| state.join("zcc").join("notices"))
}

/// Whether `text` is new in `dir` (and now recorded there). A marker that cannot be made
/// counts as new.
fn first_time(dir: Option<PathBuf>, text: &str) -> bool {
    let Some(dir) = dir else {
        return true;
    };
    let name = blake3::hash(text.as_bytes()).to_hex();
    let create = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(&name[..32]))
    };
    let made = match create() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            crate::store::create_private_dir(&dir).and_then(|()| create())
        }
        other => other,
    };
    !matches!(made, Err(e) if e.kind() == io::ErrorKind::AlreadyExists)
}

/// Say `text` (one line, `zcc: ` in front) on stderr unless it was said before.
pub fn once(dir: Option<PathBuf>, text: &str) {
    if first_time(dir, text) {
        let _ = writeln!(io::stderr(), "zcc: {text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_dir_from_the_environment() {
        let dir = |vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            marker_dir(|name| {
                vars.iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| OsStr::new(v.as_str()))
            })
        };
        assert_eq!(
            dir(&[("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.local/state/zcc/notices"))
        );
        assert_eq!(
            dir(&[("HOME", "/home/u"), ("XDG_STATE_HOME", "/s")]),
            Some(PathBuf::from("/s/zcc/notices"))
        );
        assert_eq!(
            dir(&[("HOME", "/home/u"), ("XDG_STATE_HOME", "rel")]),
            Some(PathBuf::from("/home/u/.local/state/zcc/notices"))
        );
        assert_eq!(dir(&[("HOME", "relative")]), None);
        assert_eq!(dir(&[]), None);
    }

    #[test]
    fn first_time_once_per_text() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = || Some(tmp.path().join("state/zcc/notices"));
        assert!(first_time(dir(), "a"));
        assert!(!first_time(dir(), "a"));
        assert!(first_time(dir(), "b"));
        assert!(first_time(None, "a"), "nowhere to remember: always said");
        // A marker directory that cannot be made: said every time.
        fs::write(tmp.path().join("file"), b"").unwrap();
        let blocked = || Some(tmp.path().join("file/notices"));
        assert!(first_time(blocked(), "a"));
        assert!(first_time(blocked(), "a"));
    }
}
