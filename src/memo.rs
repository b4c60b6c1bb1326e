//! Small derived facts kept in the store's aux directory (file hashes, the programs a compiler
//! runs, include search paths, miss-explanation records).
//!
//! Each memo file carries a checksum over its name and content, so a damaged, truncated or
//! misplaced memo reads as absent (and is recomputed), never as a wrong fact. Memos are opened
//! without following a symlink planted in their place, and read with a bound.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::safefs::no_follow;


const CHECK_LEN: usize = 8;

fn check(path: &Path, payload: &[u8]) -> [u8; CHECK_LEN] {
    let mut h = blake3::Hasher::new();
    h.update(path.file_name().unwrap_or_default().as_encoded_bytes());
    h.update(&(payload.len() as u64).to_le_bytes());
    h.update(payload);
    let mut out = [0; CHECK_LEN];
    out.copy_from_slice(&h.finalize().as_bytes()[..CHECK_LEN]);
    out
}

/// Memos are read with one `read` into a stack buffer this big (most are under 200 bytes;
/// search path probes and snapshots a few KiB); bigger ones take more reads.
const READ_CHUNK: usize = 4096;
/// The largest memo read back (snapshots of big compiles are a few hundred KiB); a bigger file
/// is damage, not a memo.
const MAX_LEN: u64 = 64 << 20;

/// The memo's content, if the file exists and is intact. Its use is recorded in its mtime when
/// that is stale ([`crate::lastuse`]), so that trimming keeps the memos a job reads.
///
/// Four system calls (open, read, a stat for the last use, close) where `fs::read` alone
/// makes five (it also asks for the size and reads once more to see the end): a hit reads
/// several memos and a miss one per header, so this is on every call's path. A read shorter than asked is taken as the end of
/// the file, which for a regular file it is; were it not, the checksum (which covers the
/// length) would fail and the memo would read as absent.
pub fn read(path: &Path) -> Option<Vec<u8>> {
    let mut file = no_follow(fs::OpenOptions::new().read(true))
        .open(path)
        .ok()?;
    let mut chunk = [0; READ_CHUNK];
    let n = crate::fileio::read_once(&mut file, &mut chunk).ok()?;
    let mut bytes = chunk[..n].to_vec();
    if n == READ_CHUNK {
        // Only a regular file is a memo (a device planted here would never end).
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        (&mut file).take(MAX_LEN).read_to_end(&mut bytes).ok()?;
    }
    let split = bytes.len().checked_sub(CHECK_LEN)?;
    let stored: [u8; CHECK_LEN] = bytes[split..].try_into().ok()?;
    bytes.truncate(split);
    if check(path, &bytes) != stored {
        return None;
    }
    if let Ok(mtime) = file.metadata().and_then(|m| m.modified()) {
        crate::lastuse::record(&file, mtime);
    }
    Some(bytes)
}

/// Write a memo, replacing any earlier one, creating its directory if needed. A failure is
/// ignored: a memo only saves work, so the worst case is doing that work again next time.
///
/// The file is overwritten in place (write from the start, then cut to length) rather than
/// replaced by a temp file and a rename: no directory changes, and none of ext4's flushes
/// (`auto_da_alloc` flushes a file renamed over another or truncated to zero; cutting to a
/// non-zero length is neither). A reader that catches it half written, or two writers that
/// interleave, leave a bad checksum: no memo, never a wrong one.
pub fn write(path: &Path, payload: &[u8]) {
    if crate::policy::current().read_only {
        return;
    }
    let file = crate::fileio::open_making_dir(
        path,
        no_follow(
            fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o644),
        ),
        crate::store::create_private_dir,
    );
    if let Ok(mut file) = file {
        let bytes = with_check(path, payload);
        let _ = file
            .write_all(&bytes)
            .and_then(|()| file.set_len(bytes.len() as u64));
    }
}

/// Write a memo whose name already determines its content (a fact keyed by a file's stat,
/// say), unless one is there: one file creation, never a rewrite of a good one. A reader that
/// catches it half written sees a bad checksum, i.e. no memo;
/// so does everyone after a crash mid-write, until a later [`write_once`] replaces the damaged
/// file (the memo is read first, so a damaged one is only ever replaced, never trusted).
pub fn write_once(path: &Path, payload: &[u8]) {
    if crate::policy::current().read_only {
        return;
    }
    let mut options = fs::OpenOptions::new();
    // Never writable by others, whatever the umask.
    no_follow(options.write(true).create_new(true).mode(0o644));
    let file =
        match crate::fileio::open_making_dir(path, &options, crate::store::create_private_dir) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if read(path).is_some() {
                    return;
                }
                let _ = fs::remove_file(path);
                options.open(path)
            }
            other => other,
        };
    if let Ok(mut file) = file {
        let _ = file.write_all(&with_check(path, payload));
    }
}

fn with_check(path: &Path, payload: &[u8]) -> Vec<u8> {
    let mut bytes = payload.to_vec();
    bytes.extend_from_slice(&check(path, payload));
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/m1");
        assert_eq!(read(&p), None);
        write(&p, b"fact");
        assert_eq!(read(&p).as_deref(), Some(&b"fact"[..]));
        write(&p, b"");
        assert_eq!(read(&p).as_deref(), Some(&b""[..]));

        write(&p, b"fact");
        let mut bytes = fs::read(&p).unwrap();
        bytes[0] ^= 1;
        fs::write(&p, &bytes).unwrap();
        assert_eq!(read(&p), None, "flipped bit");
        fs::write(&p, b"garbage").unwrap();
        assert_eq!(read(&p), None, "garbage");
        fs::write(&p, b"").unwrap();
        assert_eq!(read(&p), None, "empty");

        // A memo copied under another name is not that name's fact.
        write(&p, b"fact");
        let q = dir.path().join("sub/m2");
        fs::copy(&p, &q).unwrap();
        assert_eq!(read(&q), None);
    }

    #[test]
    fn replacing_in_place_and_big_memos() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m");
        // Shorter over longer: the old tail must not survive.
        write(&p, &[7; 100]);
        write(&p, b"short");
        assert_eq!(read(&p).as_deref(), Some(&b"short"[..]));
        // Around and beyond the size of one read.
        for len in [READ_CHUNK - CHECK_LEN, READ_CHUNK, 3 * READ_CHUNK + 5] {
            let payload: Vec<u8> = (0..len).map(|i| i as u8).collect();
            write(&p, &payload);
            assert_eq!(read(&p), Some(payload), "{len} bytes");
        }
    }

    #[test]
    fn write_once_keeps_a_good_memo_and_replaces_a_damaged_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/m");
        write_once(&p, b"first");
        assert_eq!(read(&p).as_deref(), Some(&b"first"[..]));
        write_once(&p, b"second");
        assert_eq!(
            read(&p).as_deref(),
            Some(&b"first"[..]),
            "a good memo stays"
        );
        fs::write(&p, b"torn").unwrap();
        assert_eq!(read(&p), None);
        write_once(&p, b"third");
        assert_eq!(
            read(&p).as_deref(),
            Some(&b"third"[..]),
            "a damaged memo is replaced"
        );
    }
}
