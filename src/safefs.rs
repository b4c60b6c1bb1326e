//! File operations in directories that others may have written: the store (restored from a CI
//! cache, filled from remotes) and a build's output directories.
//!
//! The rule everywhere: never follow a link planted there, never read without a bound, never
//! create a file under a name someone could have guessed in advance. Opening with
//! `O_NOFOLLOW` makes a symlink at the last path component fail (`ELOOP`) instead of leading
//! elsewhere; the directories above are checked with `lstat` ([`checked_dir`]) before files are
//! written into them. Anything unexpected is damage: the link itself is removed, never its
//! target.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Add `O_NOFOLLOW` (a symlink at the path is an error, not followed) and `O_NONBLOCK` (a
/// FIFO planted at the path does not wait for a writer) to `options`.
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
}

/// The content of the regular file at `path`, which must not be a symlink and must hold at
/// most `max` bytes: anything else (a link, a FIFO, a device, a file too big) is an error,
/// never an unbounded read.
pub fn read_file(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = no_follow(OpenOptions::new().read(true)).open(path)?;
    read_open(file, max, path)
}

/// Like [`read_file`], following a symlink at `path` (a path the user named: `-o`, `@file`):
/// only what it leads to must be a regular file of at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    read_open(file, max, path)
}

fn read_open(mut file: File, max: u64, path: &Path) -> io::Result<Vec<u8>> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a regular file", path.display()),
        ));
    }
    if meta.len() > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} holds {} bytes, more than {max}",
                path.display(),
                meta.len()
            ),
        ));
    }
    // The size may grow after the stat: read one byte past it at most.
    let mut bytes = crate::fileio::read_up_to(&mut file, meta.len())?;
    let mut more = Vec::new();
    (&mut file)
        .take(max + 1 - bytes.len() as u64)
        .read_to_end(&mut more)?;
    bytes.extend_from_slice(&more);
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} grew past {max} bytes", path.display()),
        ));
    }
    Ok(bytes)
}

/// What [`checked_dir`] found at a store directory's path.
#[derive(Debug, PartialEq, Eq)]
pub enum DirState {
    /// A directory of ours, not writable by group or others (now, where it could be changed).
    Fine,
    /// Nothing there (it is made by the first write that needs it).
    Missing,
    /// Something else was there (a symlink, a file): it was removed, so it is missing now.
    Removed,
}

/// Check a directory inside the store before anything is written into it, without following a
/// symlink: a directory of ours loses group and other write permission (a restored archive or
/// a wide umask); a symlink or any other file in its place is damage and is removed
/// (the link, never its target). A directory owned by someone else is refused.
pub fn checked_dir(dir: &Path) -> io::Result<DirState> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DirState::Missing),
        Err(e) => return Err(e),
    };
    if !meta.is_dir() {
        fs::remove_file(dir)?;
        return Ok(DirState::Removed);
    }
    let me = euid();
    if meta.uid() != me {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "refusing the store: {} belongs to uid {}, not to you (uid {me})",
                dir.display(),
                meta.uid()
            ),
        ));
    }
    if meta.mode() & 0o022 != 0 {
        // Best effort (a read-only filesystem): nobody else could have written into it there.
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(meta.mode() & 0o755));
    }
    Ok(DirState::Fine)
}

/// This process's effective user id, asked once (a store's directories are checked against
/// it on every call).
pub fn euid() -> u32 {
    static EUID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    // SAFETY: geteuid has no preconditions and cannot fail.
    *EUID.get_or_init(|| unsafe { libc::geteuid() })
}

/// A name nobody can guess in advance: `<prefix>` and 16 random hex digits. A temp file in a
/// directory others can write is created under such a name with `O_EXCL`, so it can neither be
/// planted as a symlink beforehand nor collide with a file someone else made.
pub fn random_name(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    fill_random(&mut bytes);
    let mut name = String::with_capacity(prefix.len() + 16);
    name.push_str(prefix);
    for b in bytes {
        name.push_str(&format!("{b:02x}"));
    }
    name
}

/// Fill `buf` from the kernel's random source. Should that ever fail, the process id, a
/// counter and the time still make the name unique (though then predictable): `O_EXCL` keeps
/// even that safe.
fn fill_random(buf: &mut [u8]) {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if usize::try_from(n).ok() != Some(buf.len()) {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut h = blake3::Hasher::new();
        h.update(&std::process::id().to_le_bytes());
        h.update(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        h.update(&now.as_nanos().to_le_bytes());
        buf.copy_from_slice(&h.finalize().as_bytes()[..buf.len()]);
    }
}

/// Create a new file at `path` for writing: `O_CREAT|O_EXCL|O_NOFOLLOW` (an existing file or
/// a symlink there is an error, never opened), with `mode` less the umask.
pub fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    no_follow(OpenOptions::new().write(true).create_new(true))
        .mode(mode)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn reads_refuse_links_devices_and_big_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"12345").unwrap();
        assert_eq!(read_file(&file, 5).unwrap(), b"12345");
        assert!(read_file(&file, 4).is_err(), "over the bound");
        let link = dir.path().join("link");
        symlink(&file, &link).unwrap();
        assert!(read_file(&link, 100).is_err(), "a symlink is not followed");
        assert_eq!(read_regular(&link, 100).unwrap(), b"12345");
        assert!(read_regular(Path::new("/dev/zero"), 100).is_err());
        assert!(read_file(Path::new("/dev/zero"), 100).is_err());
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(
            read_regular(&fifo, 100).is_err(),
            "a FIFO neither hangs nor reads"
        );
    }

    #[test]
    fn checked_dir_removes_links_and_write_permission_of_others() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("precious"), b"keep").unwrap();
        let link = dir.path().join("aux");
        symlink(&outside, &link).unwrap();
        assert_eq!(checked_dir(&link).unwrap(), DirState::Removed);
        assert!(fs::symlink_metadata(&link).is_err(), "the link is gone");
        assert_eq!(fs::read(outside.join("precious")).unwrap(), b"keep");
        assert_eq!(checked_dir(&link).unwrap(), DirState::Missing);
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        assert_eq!(checked_dir(&file).unwrap(), DirState::Removed);
        let wide = dir.path().join("wide");
        fs::create_dir(&wide).unwrap();
        fs::set_permissions(&wide, fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(checked_dir(&wide).unwrap(), DirState::Fine);
        let mode = fs::metadata(&wide).unwrap().mode();
        assert_eq!(mode & 0o777, 0o755, "{mode:o}");
    }

    #[test]
    fn create_new_refuses_links_and_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, b"victim").unwrap();
        let link = dir.path().join("link");
        symlink(&target, &link).unwrap();
        assert!(create_new(&link, 0o600).is_err());
        assert!(create_new(&target, 0o600).is_err());
        assert_eq!(fs::read(&target).unwrap(), b"victim");
        create_new(&dir.path().join("new"), 0o600).unwrap();
    }

    #[test]
    fn random_names_differ() {
        let a = random_name(".x.");
        let b = random_name(".x.");
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 16);
    }
}
