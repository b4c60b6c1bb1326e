//! What one cache entry holds: the files a compile wrote and what it printed.
//!
//! Serialized with postcard; the store wraps it in a checksummed header.

use serde::{Deserialize, Serialize};

use crate::args::Extra;
use crate::depfile::StoredDepfile;

/// Text the compiler printed, stored with root tokens when that round-trips safely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Text {
    /// Stored as printed.
    Raw(Vec<u8>),
    /// Absolute paths under the roots replaced by tokens (`Roots::tokenize_text`).
    Tokenized(Vec<u8>),
}

/// One cached compile result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The object or assembly file; `None` for `-fsyntax-only`.
    pub output: Option<Vec<u8>>,
    /// The dependency file, when the call asked for one.
    pub depfile: Option<StoredDepfile>,
    /// Extra outputs the compiler wrote, with the naming variant it used (see `replay::extra_path`).
    pub extras: Vec<(Extra, u8, Vec<u8>)>,
    pub stdout: Text,
    pub stderr: Text,
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
        };
        assert_eq!(Entry::decode(&e.encode()).unwrap(), e);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"\xff\xff\xff\xff\xff", b"\x01\x05abc"] {
            let _ = Entry::decode(bytes);
        }
    }
}
