//! Running programs for a call, and the filesystem-clock checks around a compile.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use crate::cache::CompileRequest;

/// Whether the file was modified (or replaced) after `start`, a time on the filesystem's
/// clock. Strictly after: a file written just before the call in the same clock tick (a build
/// step that generated it) must not count, and a change within that one tick is the window
/// this check cannot see, as for every mtime-based guard.
pub fn written_since(path: &Path, start: SystemTime) -> bool {
    let Ok(meta) = fs::metadata(path) else {
        return false;
    };
    let ctime = SystemTime::UNIX_EPOCH
        + std::time::Duration::new(meta.ctime().max(0) as u64, meta.ctime_nsec().max(0) as u32);
    meta.modified().map(|m| m > start).unwrap_or(true) || ctime > start
}

/// "Now" on the filesystem's clock, which is coarser than the system clock, so that it
/// compares correctly with the mtimes of files written after it. Falls back to the system
/// clock.
pub fn fs_now(dir: &Path) -> SystemTime {
    // Unique per call: threads of one process (a library user) must not share a stamp.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stamp = dir.join(format!(
        ".stamp.{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let now = fs::write(&stamp, b"")
        .and_then(|()| fs::metadata(&stamp))
        .and_then(|m| m.modified());
    let _ = fs::remove_file(&stamp);
    now.unwrap_or_else(|_| SystemTime::now())
}

/// Whether the compiler wrote this output during the call (not a stale file of an earlier build).
pub fn modified_at_or_after(path: &Path, start: SystemTime) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|m| m >= start)
        .unwrap_or(false)
}

/// A finished process's output.
pub struct Captured {
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Run `program` in the request's directory and environment, capturing its output.
pub fn capture(program: &Path, args: &[OsString], req: &CompileRequest) -> io::Result<Captured> {
    let out = Command::new(program)
        .args(args)
        .current_dir(&req.cwd)
        .env_clear()
        .envs(req.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .output()?;
    let status = match (out.status.code(), out.status.signal()) {
        (Some(code), _) => code,
        (None, Some(sig)) => 128 + sig,
        (None, None) => 1,
    };
    Ok(Captured {
        status,
        stdout: out.stdout,
        stderr: out.stderr,
    })
}
