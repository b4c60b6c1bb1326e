//! Explaining misses: which part of the key was new.
//!
//! For every source zcc keeps a small record of the key parts of the last compile it stored
//! (compiler, arguments, environment, input). On a miss the new parts are compared with it, so
//! the log can say "arguments changed" instead of just "miss". Direct-mode misses are
//! explained more precisely by the manifest ("inc/x.h changed"), see `manifest::explain`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::key::KeyBuilder;
use crate::store::{Key, hex};

/// The key parts of one compile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// (part name, digest), in a fixed order: compiler, arguments, environment, input.
    pub parts: Vec<(String, Key)>,
}

impl Record {
    pub fn new(parts: &[(&str, Key)]) -> Record {
        Record {
            parts: parts.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
        }
    }
}

/// Where the record for a source lives: keyed by its portable path, so it survives a move.
pub fn record_path(memo_dir: &Path, portable_input: &str) -> PathBuf {
    let key = KeyBuilder::new("zcc-explain-1")
        .field("input", portable_input.as_bytes())
        .finish();
    memo_dir.join(format!("explain-{}", hex(&key)))
}

pub fn load(path: &Path) -> Option<Record> {
    postcard::from_bytes(&crate::memo::read(path)?).ok()
}

/// Save the record; failing to is harmless (the next miss is just explained less well).
pub fn save(path: &Path, record: &Record) {
    if let Ok(bytes) = postcard::to_stdvec(record) {
        crate::memo::write(path, &bytes);
    }
}

/// A short, human sentence naming what differs from the last stored compile of this source.
pub fn diff(old: Option<&Record>, new: &Record) -> String {
    let Some(old) = old else {
        return "first compile of this source in this store".into();
    };
    let changed: Vec<&str> = new
        .parts
        .iter()
        .filter(|(name, digest)| {
            old.parts
                .iter()
                .find(|(n, _)| n == name)
                .is_none_or(|(_, d)| d != digest)
        })
        .map(|(name, _)| name.as_str())
        .collect();
    if changed.is_empty() {
        "same key parts as the last stored compile (entry evicted, cleared or not yet written)"
            .into()
    } else {
        format!("{} changed", changed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn rec(parts: &[(&str, u8)]) -> Record {
        Record::new(
            &parts
                .iter()
                .map(|(n, b)| (*n, [*b; 32]))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn differences_are_named() {
        let old = rec(&[
            ("compiler", 1),
            ("arguments", 2),
            ("environment", 3),
            ("source", 4),
        ]);
        let cases: &[(Record, &str)] = &[
            (
                rec(&[
                    ("compiler", 9),
                    ("arguments", 2),
                    ("environment", 3),
                    ("source", 4),
                ]),
                "compiler changed",
            ),
            (
                rec(&[
                    ("compiler", 1),
                    ("arguments", 9),
                    ("environment", 9),
                    ("source", 4),
                ]),
                "arguments, environment changed",
            ),
            (
                rec(&[
                    ("compiler", 1),
                    ("arguments", 2),
                    ("environment", 3),
                    ("source", 9),
                ]),
                "source changed",
            ),
            (
                rec(&[
                    ("compiler", 1),
                    ("arguments", 2),
                    ("environment", 3),
                    ("preprocessed", 9),
                ]),
                "preprocessed changed",
            ),
        ];
        for (new, want) in cases {
            assert_eq!(diff(Some(&old), new), *want);
        }
        assert!(diff(Some(&old), &old).starts_with("same key parts"));
        assert!(diff(None, &old).starts_with("first compile"));
    }

    #[test]
    fn records_round_trip_through_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = record_path(dir.path(), "@WS0/src/main.c");
        assert_ne!(path, record_path(dir.path(), "@WS0/src/other.c"));
        assert!(load(&path).is_none());
        let r = rec(&[("compiler", 1)]);
        save(&path, &r);
        assert_eq!(load(&path), Some(r));
        fs::write(&path, b"\xff\xff\xff").unwrap();
        assert!(load(&path).is_none());
    }
}
