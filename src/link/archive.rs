//! How a link input is hashed: an `ar` archive by its members, not its bytes.
//!
//! An archive's member headers carry each member's mtime, owner and mode unless it was made
//! deterministic (`ar D`); binutils-avr 2.26's `avr-ar`/`avr-gcc-ar` default to real
//! timestamps. PlatformIO rebuilds its library archives on every build, so objects served
//! from the store, byte-identical, give an archive that differs only in those fields, and a
//! link keyed on raw bytes would miss every time. ld reads neither field for an ELF link, so
//! an archive is hashed over its members' names, sizes and contents (symbol table included).
//! Thin archives name member files elsewhere, which ld does not report: a link reading one is
//! not stored (`is_thin`).

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use crate::filehash::{self, StatId};
use crate::key::KeyBuilder;

const ARCHIVE_MAGIC: &[u8] = b"!<arch>\n";
const THIN_MAGIC: &[u8] = b"!<thin>\n";
/// An `ar` member header.
const HEADER: usize = 60;

fn magic(path: &Path) -> io::Result<[u8; 8]> {
    let mut head = [0u8; 8];
    let mut file = fs::File::open(path)?;
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(head)
}

/// Whether `path` is a thin archive.
pub fn is_thin(path: &Path) -> bool {
    magic(path).is_ok_and(|m| m == THIN_MAGIC)
}

/// The hash of one link input and its stat from before the read (a [`crate::manifest::Hasher`]):
/// an archive by [`members_digest`], memoized by stat like every content hash; anything else
/// by content.
pub fn input_hash(path: &Path, memo_dir: &Path) -> io::Result<([u8; 32], StatId)> {
    if magic(path)? != ARCHIVE_MAGIC {
        return filehash::content_hash_and_stat(path, memo_dir);
    }
    let stat = StatId::of(&fs::metadata(path)?);
    let name = KeyBuilder::new("zcc-link-archive-1")
        .field("path", path.as_os_str().as_encoded_bytes())
        .field("stat", &stat.to_bytes())
        .finish();
    let memo = memo_dir.join(format!("archive-{}", crate::store::hex(&name)));
    if let Some(bytes) = crate::memo::read(&memo)
        && let Ok(hash) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Ok((hash, stat));
    }
    let bytes = fs::read(path)?;
    let hash = members_digest(&bytes).unwrap_or_else(|| *blake3::hash(&bytes).as_bytes());
    if stat.settled() {
        crate::memo::write_once(&memo, &hash);
    }
    Ok((hash, stat))
}

/// The digest of an archive's members (name and size fields, content), leaving out each
/// header's date, owner, group and mode. `None` when `bytes` is not a well-formed archive.
pub fn members_digest(bytes: &[u8]) -> Option<[u8; 32]> {
    let mut rest = bytes.strip_prefix(ARCHIVE_MAGIC)?;
    let mut k = KeyBuilder::new("zcc-archive-members-1");
    while !rest.is_empty() {
        if rest.len() < HEADER || &rest[58..60] != b"`\n" {
            return None;
        }
        let (header, after) = rest.split_at(HEADER);
        let size: usize = std::str::from_utf8(&header[48..58])
            .ok()?
            .trim_end()
            .parse()
            .ok()?;
        let content = after.get(..size)?;
        k.field("name", &header[..16]);
        k.field("size", &header[48..58]);
        k.field("content", content);
        // Members start at even offsets.
        let padded = size + (size % 2);
        rest = after
            .get(padded..)
            .or_else(|| (padded == size + 1).then_some(&[][..]))?;
    }
    Some(k.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, date: &str, mode: &str, content: &[u8]) -> Vec<u8> {
        let mut h = format!(
            "{name:<16}{date:<12}{:<6}{:<6}{mode:<8}{:<10}`\n",
            0,
            0,
            content.len()
        )
        .into_bytes();
        h.extend_from_slice(content);
        if content.len() % 2 == 1 {
            h.push(b'\n');
        }
        h
    }

    fn archive(members: &[Vec<u8>]) -> Vec<u8> {
        let mut a = ARCHIVE_MAGIC.to_vec();
        for m in members {
            a.extend_from_slice(m);
        }
        a
    }

    #[test]
    fn dates_and_modes_do_not_count_names_sizes_and_contents_do() {
        let a = archive(&[member("a.o/", "1700000000", "100644", b"abc")]);
        let b = archive(&[member("a.o/", "1800000000", "100600", b"abc")]);
        let c = archive(&[member("a.o/", "1700000000", "100644", b"abd")]);
        let d = archive(&[member("b.o/", "1700000000", "100644", b"abc")]);
        let e = archive(&[member("a.o/", "1700000000", "100644", b"abcd")]);
        let digest = |x: &[u8]| members_digest(x).unwrap();
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&a), digest(&c));
        assert_ne!(digest(&a), digest(&d));
        assert_ne!(digest(&a), digest(&e));
        // Member order counts.
        let one = member("a.o/", "1", "100644", b"x");
        let two = member("b.o/", "1", "100644", b"y");
        assert_ne!(
            digest(&archive(&[one.clone(), two.clone()])),
            digest(&archive(&[two, one]))
        );
    }

    #[test]
    fn malformed_archives_are_none() {
        assert_eq!(members_digest(b"not an archive"), None);
        let mut cut = archive(&[member("a.o/", "1", "100644", b"abcdef")]);
        cut.truncate(cut.len() - 2);
        assert_eq!(members_digest(&cut), None);
        assert_eq!(members_digest(b"!<arch>\nshort"), None);
        let mut bad = archive(&[member("a.o/", "1", "100644", b"ab")]);
        bad[8 + 48] = b'x';
        assert_eq!(members_digest(&bad), None);
        assert!(members_digest(ARCHIVE_MAGIC).is_some());
    }

    #[test]
    fn real_archives_rebuilt_later_hash_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let obj = dir.path().join("x.o");
        fs::write(&obj, b"object bytes").unwrap();
        let make = |name: &str| {
            let out = dir.path().join(name);
            let status = std::process::Command::new("ar")
                .arg("rcU")
                .arg(&out)
                .arg(&obj)
                .status()
                .unwrap();
            assert!(status.success());
            fs::read(out).unwrap()
        };
        let first = make("one.a");
        crate::replay::write_atomic(&obj, b"object bytes").unwrap();
        filetime_bump(&obj);
        let second = make("two.a");
        assert_ne!(first, second, "ar U should record the member's mtime");
        assert_eq!(members_digest(&first), members_digest(&second));
    }

    /// Give `path` an mtime a minute ahead, so an archive member header differs.
    fn filetime_bump(path: &Path) {
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
}
