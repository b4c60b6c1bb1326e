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

/// "Now" on the filesystem's clock: the time a file modified now gets. Kernels with
/// multigrain timestamps (Linux 6.13 and later) give a file written a moment ago a time ahead
/// of the coarse clock and below the fine one, so no clock reading compares right with both
/// the files written just before the call (which must not count as changed during it: build
/// steps generate sources right before compiling them) and those written after. Asking the
/// filesystem does: the kernel stamps a touched file from the same clock as a written one,
/// and never hands out a time below one it gave before (the multigrain floor).
///
/// The file touched is `dir/clock`, kept between calls: making and freeing an inode per call
/// costs more (ext4 without a journal scans past every inode freed in the last seconds when
/// it allocates one). Where it cannot be touched (it belongs to another user of a shared
/// store), an unnamed temporary file (`O_TMPFILE`) is made instead, and where the filesystem
/// has none (NFS), a named one removed at once. An error when none of these can be made in
/// `dir` (a missing directory, say).
pub fn fs_now(dir: &Path) -> io::Result<SystemTime> {
    if let Ok(now) = touch(&dir.join("clock")) {
        return Ok(now);
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let unnamed = fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .open(dir)
            .and_then(|f| f.metadata())
            .and_then(|m| m.modified());
        if let Ok(now) = unnamed {
            return Ok(now);
        }
    }
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
    now
}

/// Set a file's modification time to now (making the file if it is missing) and return it.
/// Calls racing on one file are fine: whichever touch a call reads back happened before its
/// read, so every later write still gets a time at or after it.
fn touch(path: &Path) -> io::Result<SystemTime> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `c_path` is a NUL-terminated path; null times mean "now" for both times.
    // A symlink planted in the store is touched itself, never what it points to.
    let flags = libc::AT_SYMLINK_NOFOLLOW;
    if unsafe { libc::utimensat(libc::AT_FDCWD, c_path.as_ptr(), std::ptr::null(), flags) } != 0 {
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::NotFound {
            return Err(err);
        }
        // Made now, so stamped now (once per store).
        crate::safefs::create_new(path, 0o600)?;
    }
    fs::symlink_metadata(path)?.modified()
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

/// A command for `program` that runs in `cwd` with exactly the environment `env`.
///
/// The working directory is set only when it differs from this process's: a `Command` with a
/// directory is started by fork + exec instead of `posix_spawn` when the C library's
/// `posix_spawn_file_actions_addchdir_np` cannot be looked up at run time, which is the case
/// in the statically linked zcc (scripts/static-link.sh); fork copies the page tables, exec
/// from `posix_spawn` does not. zcc's own calls always run in its working directory.
pub fn command_in(program: &Path, cwd: &Path, env: &[(OsString, OsString)]) -> Command {
    let mut cmd = Command::new(program);
    if std::env::current_dir().is_ok_and(|here| here != cwd) {
        cmd.current_dir(cwd);
    }
    cmd.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
    cmd
}

/// Run `program` in `cwd` with exactly the environment `env`, capturing its output.
pub fn capture(
    program: &Path,
    args: &[OsString],
    cwd: &Path,
    env: &[(OsString, OsString)],
) -> io::Result<Captured> {
    let out = command_in(program, cwd, env)
        .args(args)
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
