//! Small derived facts kept in the store's aux directory (file hashes, the programs a compiler
//! runs, include search paths, miss-explanation records).
//!
//! Each memo file carries a checksum over its name and content, so a damaged, truncated or
//! misplaced memo reads as absent (and is recomputed), never as a wrong fact.

use std::fs;
use std::path::Path;

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

/// The memo's content, if the file exists and is intact.
pub fn read(path: &Path) -> Option<Vec<u8>> {
    let mut bytes = fs::read(path).ok()?;
    let split = bytes.len().checked_sub(CHECK_LEN)?;
    let stored: [u8; CHECK_LEN] = bytes[split..].try_into().ok()?;
    bytes.truncate(split);
    (check(path, &bytes) == stored).then_some(bytes)
}

/// Write a memo atomically, creating its directory. A failure is ignored: a memo only saves
/// work, so the worst case is doing that work again next time.
pub fn write(path: &Path, payload: &[u8]) {
    if let Some(parent) = path.parent() {
        let _ = fs::create_dir_all(parent);
    }
    let mut bytes = payload.to_vec();
    bytes.extend_from_slice(&check(path, payload));
    let _ = crate::replay::write_atomic(path, &bytes);
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
}
