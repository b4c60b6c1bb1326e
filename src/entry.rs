//! What one cache entry holds: the files a compile wrote and what it printed.
//!
//! Serialized with postcard; the store wraps it in a checksummed header.

use serde::{Deserialize, Serialize};

use crate::args::Extra;
use crate::depfile::StoredDepfile;
use crate::paths::Roots;

/// Text the compiler printed, stored with root tokens when that round-trips safely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Text {
    /// Stored as printed.
    Raw(#[serde(with = "serde_bytes")] Vec<u8>),
    /// Absolute paths under the roots replaced by tokens (`Roots::tokenize_text`).
    Tokenized(#[serde(with = "serde_bytes")] Vec<u8>),
    /// Tokenized, and the input's directory replaced by `spelling::DIR_MARK` in the locations
    /// the compiler printed (`spelling::mark_locations`).
    Spelled(#[serde(with = "serde_bytes")] Vec<u8>),
}

impl Text {
    /// The stored bytes (with root tokens when tokenized).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Text::Raw(b) | Text::Tokenized(b) | Text::Spelled(b) => b,
        }
    }

    /// `text` as stored: with root tokens only when that round-trips (a text that already
    /// holds `@` could contain something that looks like a token).
    pub fn tokenize(roots: &Roots, text: Vec<u8>) -> Text {
        if roots.is_empty() || text.is_empty() || text.contains(&b'@') {
            Text::Raw(text)
        } else {
            Text::Tokenized(roots.tokenize_text(&text))
        }
    }

    /// `marked` (text with `spelling::DIR_MARK`s) as stored, when root tokens round-trip in
    /// it (see [`Text::tokenize`]).
    pub fn spelled(roots: &Roots, marked: Vec<u8>) -> Option<Text> {
        if !marked.contains(&crate::spelling::DIR_MARK) {
            return Some(Text::tokenize(roots, marked));
        }
        (!marked.contains(&b'@')).then(|| Text::Spelled(roots.tokenize_text(&marked)))
    }

    /// The text with this call's roots and its spelling of the input's directory.
    pub fn expand(&self, roots: &Roots, input_dir: &str) -> Vec<u8> {
        match self {
            Text::Raw(t) => t.clone(),
            Text::Tokenized(t) => roots.expand_text(t),
            Text::Spelled(t) => crate::spelling::fill_locations(&roots.expand_text(t), input_dir),
        }
    }
}

/// One cached compile result.
///
/// Byte buffers are (de)serialized as bytes (`serde_bytes`): the same postcard encoding as a
/// sequence of `u8` (length, then the bytes), read in one copy instead of byte by byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The object or assembly file; `None` for `-fsyntax-only`.
    #[serde(with = "serde_bytes")]
    pub output: Option<Vec<u8>>,
    /// The dependency file, when the call asked for one.
    pub depfile: Option<StoredDepfile>,
    /// Extra outputs the compiler wrote, with the naming variant it used (see `replay::extra_path`).
    pub extras: Vec<(Extra, u8, Vec<u8>)>,
    pub stdout: Text,
    pub stderr: Text,
    /// The input as the call that stored the entry named it (through the roots), when its
    /// outputs hold that spelling: it is then served only to calls that name the input so.
    /// `None`: the outputs are rendered with each call's spelling (`crate::spelling`).
    pub spelled: Option<String>,
}

impl Entry {
    pub fn encode(&self) -> Vec<u8> {
        // Serializing plain owned data into a Vec cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Entry, postcard::Error> {
        postcard::from_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let e = Entry {
            output: Some(vec![0x7f, b'E', b'L', b'F']),
            depfile: None,
            extras: vec![(Extra::StackUsage, 0, b"x.c:1:5:f\t16\tstatic\n".to_vec())],
            stdout: Text::Raw(vec![]),
            stderr: Text::Tokenized(b"@WS0/x.c:1:1: warning: w\n".to_vec()),
            spelled: Some("src/x.c".into()),
        };
        assert_eq!(Entry::decode(&e.encode()).unwrap(), e);
    }

    /// Entries written before byte buffers were read as bytes decode unchanged.
    #[test]
    fn bytes_encode_like_a_sequence_of_u8() {
        #[derive(Serialize)]
        struct Old {
            output: Option<Vec<u8>>,
            depfile: Option<StoredDepfile>,
            extras: Vec<(Extra, u8, Vec<u8>)>,
            stdout: OldText,
            stderr: OldText,
            spelled: Option<String>,
        }
        #[derive(Serialize)]
        enum OldText {
            Raw(Vec<u8>),
            Tokenized(Vec<u8>),
        }
        let body: Vec<u8> = (0..=255).cycle().take(1000).collect();
        let old = Old {
            output: Some(body.clone()),
            depfile: None,
            extras: vec![],
            stdout: OldText::Raw(b"out".to_vec()),
            stderr: OldText::Tokenized(b"@WS0/x.c: w\n".to_vec()),
            spelled: None,
        };
        let bytes = postcard::to_stdvec(&old).unwrap();
        let new = Entry::decode(&bytes).unwrap();
        assert_eq!(new.output.as_deref(), Some(&body[..]));
        assert_eq!(new.stdout, Text::Raw(b"out".to_vec()));
        assert_eq!(new.stderr, Text::Tokenized(b"@WS0/x.c: w\n".to_vec()));
        assert_eq!(new.encode(), bytes);
    }

    /// The bytes of an entry with every field set, a stored dependency file among them. Entries
    /// travel between zcc versions through shared stores and remotes: a change to these bytes
    /// must be deliberate, and must come with a new format or key version.
    #[test]
    fn entry_bytes_are_pinned() {
        let roots = Roots::new(vec![("WS0".into(), std::path::PathBuf::from("/w"))]);
        let depfile = crate::depfile::store_preferring(
            b"x.o: src/x.c /w/inc/a.h src/x.h\n",
            &roots,
            Some("x.o"),
            crate::depfile::Style::Gcc,
            Some("src/"),
        )
        .unwrap();
        let entry = Entry {
            output: Some(b"OBJ".to_vec()),
            depfile: Some(depfile),
            extras: vec![
                (Extra::StackUsage, 0, b"su".to_vec()),
                (Extra::Listing, 1, b"lst".to_vec()),
            ],
            stdout: Text::Raw(b"out".to_vec()),
            stderr: Text::Spelled(b"\0x.c:1:1: w @WS0/a.h\n".to_vec()),
            spelled: Some("@WS0/src/x.c".into()),
        };
        let bytes = entry.encode();
        assert_eq!(crate::store::hex(&bytes), GOLDEN_ENTRY);
        assert_eq!(Entry::decode(&bytes).unwrap(), entry);
    }

    const GOLDEN_ENTRY: &str = concat!(
        "01034f424a0100000000010103782e6f01030303782e630203575330082f696e632f612e680303782e680200",
        "000273750401036c737400036f7574021500782e633a313a313a207720405753302f612e680a010c40575330",
        "2f7372632f782e63",
    );

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"\xff\xff\xff\xff\xff", b"\x01\x05abc"] {
            let _ = Entry::decode(bytes);
        }
    }
}
