//! Direct-mode manifests: for one (compiler, arguments, source) the files earlier compiles
//! read, with their content hashes, and the result each set of contents produced.
//!
//! A hit needs every listed file to have the recorded content here and every listed "absent"
//! path to still not exist; then no preprocessor runs. Paths are stored in their portable
//! spelling and expanded with the current call's roots.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::filehash::{self, StatId};
use crate::key::KeyBuilder;
use crate::memo;
use crate::paths::{PathHasher, Roots};
use crate::store::Key;

/// Most candidates a manifest keeps, newest first (one per header-content combination seen).
pub const MAX_CANDIDATES: usize = 32;

/// What a candidate leads to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A stored result.
    Result(Key),
    /// These inputs use time macros or `__has_include`: use preprocessor mode.
    Preprocessor,
    /// These inputs use `__FILE__`, whose expansions hold paths as the compiler spelled them:
    /// look the result up in the manifest keyed on exact paths (same machine layout), else use
    /// preprocessor mode (portable).
    Exact,
}

/// One combination of input contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Every file the compile read (portable spelling, as the compiler named it) and its hash.
    pub files: Vec<(String, [u8; 32])>,
    /// Paths that did not exist and would change what an `#include` finds (or what a
    /// `__has_include` answers) if they appeared.
    pub absent: Vec<String>,
    /// Paths that existed and made a `__has_include` true: they must still exist.
    pub present: Vec<String>,
    pub target: Target,
}

/// All candidates for one manifest key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub candidates: Vec<Candidate>,
}

impl Manifest {
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn decode(bytes: &[u8]) -> Result<Manifest, postcard::Error> {
        postcard::from_bytes(bytes)
    }

    /// This manifest with `candidate` first, any older candidate with the same inputs dropped,
    /// and at most [`MAX_CANDIDATES`] kept.
    pub fn with(mut self, candidate: Candidate) -> Manifest {
        self.candidates
            .retain(|c| c.files != candidate.files || c.absent != candidate.absent);
        self.candidates.insert(0, candidate);
        self.candidates.truncate(MAX_CANDIDATES);
        self
    }
}

/// The result key for a set of inputs under a manifest key.
pub fn result_key(manifest_key: &Key, files: &[(String, [u8; 32])]) -> Key {
    let mut k = KeyBuilder::new("zcc-direct-result-1");
    k.field("manifest", manifest_key);
    for (path, hash) in files {
        k.field("file", path.as_bytes());
        k.field("hash", hash);
    }
    k.finish()
}

/// Why a candidate does not match the files here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// A path that did not exist now does, earlier in the include search.
    Appeared(String),
    /// A file the compile read is gone or unreadable.
    Gone(String),
    /// A file the compile read has other content.
    Changed(String),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Appeared(p) => write!(f, "{p} appeared earlier in the include path"),
            Mismatch::Gone(p) => write!(f, "{p} is gone"),
            Mismatch::Changed(p) => write!(f, "{p} changed"),
        }
    }
}

/// [`check_with`] with the hashes compiles use.
#[cfg(test)]
pub fn check(
    candidate: &Candidate,
    roots: &Roots,
    cwd: &Path,
    memo: &Path,
) -> Result<(), Mismatch> {
    check_with(candidate, roots, cwd, memo, filehash::content_hash_and_stat)
}

/// How a candidate's files are hashed: (path, memo directory) → hash and the stat from before
/// the read. [`filehash::content_hash_and_stat`] for compiles; links hash archives without
/// their member timestamps (`link.rs`).
pub type Hasher = fn(&Path, &Path) -> std::io::Result<([u8; 32], StatId)>;

/// Check one candidate against the files here (`cwd` resolves relative paths, `memo` is the
/// stat cache), hashing them with `hasher`, the way the candidate's hashes were made.
///
/// Only content hashes are compared: the facts a candidate's target was chosen from (time
/// macros, `__FILE__`, …; see `filehash::Flags`) follow from the content, so equal hashes
/// mean the same target is right.
///
/// A verified match leaves a *snapshot* in the memo directory: the stat of every file, and of
/// the directory each absent path would appear in, under a name derived from the paths and
/// the hashes they were verified to have. While every file and directory still has its
/// snapshot stat, the next check is one `stat` each and reads nothing: a file cannot appear
/// in a directory without changing the directory's mtime (a missing directory, recorded as
/// such, cannot hold one at all), so an absent path is checked through its directory, and a
/// C++ compile's hundreds of shadow paths cost a few dozen stats. Any difference falls back
/// to checking path by path and hashing file by file, so the snapshot only ever saves work.
/// It is machine-local like every stat memo: after a restore onto another machine, stats
/// differ and files are hashed once.
pub fn check_with(
    candidate: &Candidate,
    roots: &Roots,
    cwd: &Path,
    memo: &Path,
    hasher: Hasher,
) -> Result<(), Mismatch> {
    for present in &candidate.present {
        let path = roots.expand(present);
        if !cwd.join(&path).exists() {
            return Err(Mismatch::Gone(path));
        }
    }
    let expand = |portable: &String| {
        let path = roots.expand(portable);
        let full = cwd.join(&path);
        (path, full)
    };
    let files: Vec<(String, PathBuf)> = candidate
        .files
        .iter()
        .map(|(portable, _)| expand(portable))
        .collect();
    // Hundreds of shadow paths in a few dozen directories: only the directories are expanded
    // on the way to a snapshot hit, and the paths go into its name as one buffer.
    let mut absent_names = Vec::with_capacity(
        candidate
            .absent
            .iter()
            .map(|portable| 8 + portable.len())
            .sum(),
    );
    let mut dirs: Vec<PathBuf> = Vec::new();
    // A unity file's candidate lists thousands of absent paths in a hundred directories.
    let mut seen = std::collections::HashSet::with_hasher(PathHasher::default());
    for portable in &candidate.absent {
        absent_names.extend_from_slice(&(portable.len() as u64).to_le_bytes());
        absent_names.extend_from_slice(portable.as_bytes());
        let parent = match memchr::memrchr(b'/', portable.as_bytes()) {
            Some(0) => "/",
            Some(slash) => &portable[..slash],
            None => "",
        };
        if seen.insert(parent) {
            dirs.push(cwd.join(roots.expand(parent)));
        }
    }
    let snapshot = memo.join(snapshot_name(
        &files,
        &candidate.files,
        &absent_names,
        &dirs,
    ));
    if snapshot_matches(&snapshot, &files, &dirs) {
        return Ok(());
    }
    // The directories first: a file created after this shows as a changed directory next time.
    let dir_stats: Vec<[u8; 56]> = dirs.iter().map(|d| dir_stat(d)).collect();
    for portable in &candidate.absent {
        let (path, full) = expand(portable);
        if full.exists() {
            return Err(Mismatch::Appeared(path));
        }
    }
    let mut stats = Vec::with_capacity(files.len());
    for ((path, full), (_, hash)) in files.iter().zip(&candidate.files) {
        match hasher(full, memo) {
            Ok((found, stat)) if found == *hash => stats.push(stat),
            Ok(_) => return Err(Mismatch::Changed(path.clone())),
            Err(_) => return Err(Mismatch::Gone(path.clone())),
        }
    }
    let dirs_settled = dir_stats
        .iter()
        .all(|d| *d == MISSING || StatId::from_bytes(d).is_some_and(|s| s.settled()));
    if dirs_settled && stats.iter().all(StatId::settled) {
        let bytes: Vec<u8> = stats
            .iter()
            .map(|stat| stat.to_bytes())
            .chain(dir_stats)
            .flatten()
            .collect();
        memo::write(&snapshot, &bytes);
    }
    Ok(())
}

/// A snapshot's record of a directory that does not exist (no file has inode 0).
const MISSING: [u8; 56] = [0; 56];

/// What a snapshot records of the directory an absent path would appear in.
fn dir_stat(dir: &Path) -> [u8; 56] {
    std::fs::metadata(dir).map_or(MISSING, |m| StatId::of(&m).to_bytes())
}

/// Where the snapshot for these files (full paths here) with these expected hashes, these
/// absent paths (portable spelling, length-prefixed) and the directories they are in (here)
/// lives.
fn snapshot_name(
    files: &[(String, PathBuf)],
    expected: &[(String, [u8; 32])],
    absent_names: &[u8],
    dirs: &[PathBuf],
) -> String {
    let mut k = KeyBuilder::new("zcc-snapshot-4");
    // One field for all files (hundreds in a unity build), each path length-prefixed.
    let mut listed = Vec::new();
    for ((_, full), (_, hash)) in files.iter().zip(expected) {
        let path = full.as_os_str().as_encoded_bytes();
        listed.extend_from_slice(&(path.len() as u64).to_le_bytes());
        listed.extend_from_slice(path);
        listed.extend_from_slice(hash);
    }
    k.field("files", &listed);
    k.field("absent", absent_names);
    for dir in dirs {
        k.field("dir", dir.as_os_str().as_encoded_bytes());
    }
    let hex = crate::store::hex(&k.finish());
    format!("snap/{}/{}", &hex[..2], &hex[2..])
}

/// Whether the snapshot exists and every file and directory still has the stat it records
/// (one 56-byte [`StatId`] per file, in order, then one per directory).
fn snapshot_matches(snapshot: &Path, files: &[(String, PathBuf)], dirs: &[PathBuf]) -> bool {
    let Some(bytes) = memo::read(snapshot) else {
        return false;
    };
    let (file_bytes, dir_bytes) = bytes.split_at(bytes.len().min(files.len() * 56));
    bytes.len() == (files.len() + dirs.len()) * 56
        && files
            .iter()
            .zip(file_bytes.chunks_exact(56))
            .all(|((_, full), recorded)| {
                std::fs::metadata(full)
                    .is_ok_and(|m| StatId::from_bytes(recorded) == Some(StatId::of(&m)))
            })
        && dirs_match(dirs, dir_bytes)
}

/// Whether every directory still has the stat recorded for it. A directory recorded as
/// missing is not stat'ed when one above it is missing now: nothing under a path that does not
/// resolve resolves (`..` included: the walk stops at the missing part). The missing search
/// directories of a unity build hold dozens of such directories (`<dir>/pixel/noise`, …).
fn dirs_match(dirs: &[PathBuf], recorded: &[u8]) -> bool {
    let recorded: Vec<&[u8]> = recorded.chunks_exact(56).collect();
    if recorded.len() != dirs.len() {
        return false;
    }
    // Shortest first, so a directory comes after those above it.
    let mut order: Vec<usize> = (0..dirs.len()).collect();
    order.sort_by_key(|&i| dirs[i].as_os_str().len());
    let mut missing: Vec<&[u8]> = Vec::new();
    // Below `above` as spelled: its bytes, then a `/` (a path spelled otherwise is stat'ed).
    let below = |dir: &[u8], above: &[u8]| {
        dir.strip_prefix(above)
            .is_some_and(|rest| rest.first() == Some(&b'/'))
    };
    order.into_iter().all(|i| {
        let dir = dirs[i].as_os_str().as_encoded_bytes();
        if recorded[i] == MISSING && missing.iter().any(|above| below(dir, above)) {
            return true;
        }
        let now = dir_stat(&dirs[i]);
        if now == MISSING {
            missing.push(dir);
        }
        now == recorded[i]
    })
}

/// The first candidate that matches the files here: its target; otherwise why the newest
/// candidate did not match (`None` for an empty manifest).
pub fn find<'m>(
    manifest: &'m Manifest,
    roots: &Roots,
    cwd: &Path,
    memo: &Path,
) -> Result<&'m Target, Option<Mismatch>> {
    find_with(manifest, roots, cwd, memo, filehash::content_hash_and_stat)
}

/// [`find`] with the files hashed by `hash` (see [`check_with`]).
pub fn find_with<'m>(
    manifest: &'m Manifest,
    roots: &Roots,
    cwd: &Path,
    memo: &Path,
    hash: Hasher,
) -> Result<&'m Target, Option<Mismatch>> {
    let mut newest = None;
    for c in &manifest.candidates {
        match check_with(c, roots, cwd, memo, hash) {
            Ok(()) => return Ok(&c.target),
            Err(why) => {
                newest.get_or_insert(why);
            }
        }
    }
    Err(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::fs;

    fn candidate(files: &[(&str, &[u8])], absent: &[&str], target: Target) -> Candidate {
        Candidate {
            files: files
                .iter()
                .map(|(p, c)| (p.to_string(), *blake3::hash(c).as_bytes()))
                .collect(),
            absent: absent.iter().map(|s| s.to_string()).collect(),
            present: Vec::new(),
            target,
        }
    }

    /// The bytes of a manifest with each kind of target. Manifests travel between zcc versions
    /// through shared stores and remotes: a change to these bytes must be deliberate, and must
    /// come with a new format or key version.
    #[test]
    fn manifest_bytes_are_pinned() {
        let mut with_present = candidate(&[("@WS0/x.c", b"x")], &[], Target::Exact);
        with_present.present = vec!["@TC0/include/opt.h".into()];
        let manifest = Manifest {
            candidates: vec![
                candidate(
                    &[("@WS0/x.c", b"x"), ("/usr/include/stdio.h", b"s")],
                    &["@WS0/inc/x.h.gch"],
                    Target::Result([3; 32]),
                ),
                candidate(&[("x.c", b"y")], &[], Target::Preprocessor),
                with_present,
            ],
        };
        let bytes = manifest.encode();
        assert_eq!(crate::store::hex(&bytes), GOLDEN_MANIFEST);
        assert_eq!(Manifest::decode(&bytes).unwrap(), manifest);
    }

    const GOLDEN_MANIFEST: &str = concat!(
        "030208405753302f782e633ae7d805f6789a6402acb70ad4096a85a56bf6804eaf25c0493ac697548d30b514",
        "2f7573722f696e636c7564652f737464696f2e683d1d92230feb6db469532f26d9e2d7ab2b9a7982924c2706",
        "ac5a89679756e6bf0110405753302f696e632f782e682e676368000003030303030303030303030303030303",
        "030303030303030303030303030303030103782e6308112a9e334ce73042b531c25668cf5cb12a1ee040a432",
        "6afeac065461079a060000010108405753302f782e633ae7d805f6789a6402acb70ad4096a85a56bf6804eaf",
        "25c0493ac697548d30b5000112405443302f696e636c7564652f6f70742e6802",
    );

    /// Every file under `dir`, relative.
    fn files_in(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).into_iter().flatten().flatten() {
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn absent_paths_are_checked_through_their_directories_in_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        fs::create_dir_all(ws.join("inc")).unwrap();
        fs::create_dir_all(ws.join("early")).unwrap();
        fs::write(ws.join("inc/a.h"), b"#define A 1\n").unwrap();
        let memo = dir.path().join("memo");
        let roots = Roots::new(Vec::new());
        // Shadow paths in an existing directory and in one that does not exist.
        let absent = ["early/a.h", "early/b.h", "gone/a.h"];
        let c = candidate(&[("inc/a.h", b"#define A 1\n")], &absent, Target::Exact);
        std::thread::sleep(filehash::SETTLED_AFTER);
        assert_eq!(check(&c, &roots, &ws, &memo), Ok(()));
        let snaps: Vec<String> = files_in(&memo)
            .into_iter()
            .filter(|f| f.starts_with("snap/"))
            .collect();
        assert_eq!(snaps.len(), 1, "{snaps:?}");
        let recorded = memo::read(&memo.join(&snaps[0])).unwrap();
        assert_eq!(recorded.len(), 3 * 56, "one file and two directories");
        assert_eq!(check(&c, &roots, &ws, &memo), Ok(()));

        // Appearing in a recorded directory, or in one recorded as missing: a mismatch.
        fs::write(ws.join("early/a.h"), b"#define A 2\n").unwrap();
        assert_eq!(
            check(&c, &roots, &ws, &memo),
            Err(Mismatch::Appeared("early/a.h".to_string()))
        );
        fs::remove_file(ws.join("early/a.h")).unwrap();
        assert_eq!(check(&c, &roots, &ws, &memo), Ok(()));
        fs::create_dir_all(ws.join("gone")).unwrap();
        fs::write(ws.join("gone/a.h"), b"#define A 3\n").unwrap();
        assert_eq!(
            check(&c, &roots, &ws, &memo),
            Err(Mismatch::Appeared("gone/a.h".to_string()))
        );
    }

    #[test]
    fn directories_under_a_missing_one_are_missing_without_a_stat() {
        let dir = tempfile::tempdir().unwrap();
        let at = |rel: &str| dir.path().join(rel);
        fs::create_dir_all(at("kept/sub")).unwrap();
        // Deepest first, as a candidate may list them; `..` inside a missing directory too.
        let dirs: Vec<PathBuf> = ["gone/x/y", "gone/x/..", "kept/sub", "gone", "kept"]
            .iter()
            .map(|d| at(d))
            .collect();
        let record =
            |dirs: &[PathBuf]| -> Vec<u8> { dirs.iter().flat_map(|d| dir_stat(d)).collect() };
        let recorded = record(&dirs);
        assert!(dirs_match(&dirs, &recorded));
        assert!(!dirs_match(&dirs, &recorded[56..]), "one stat short");
        // Any of them appearing shows at the top one that was missing.
        fs::create_dir_all(at("gone/x/y")).unwrap();
        assert!(!dirs_match(&dirs, &recorded));
        fs::remove_dir_all(at("gone")).unwrap();
        assert!(dirs_match(&dirs, &recorded));
        // A directory recorded as present is stat'ed even below a missing one.
        let recorded = record(&dirs);
        fs::remove_dir_all(at("kept")).unwrap();
        assert!(!dirs_match(&dirs, &recorded));
    }

    #[test]
    fn a_verified_candidate_is_rechecked_from_its_snapshot_until_a_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        fs::create_dir_all(&ws).unwrap();
        fs::write(ws.join("a.h"), b"#define A 1\n").unwrap();
        fs::write(ws.join("b.h"), b"const char *f = __FILE__;\n").unwrap();
        let memo = dir.path().join("memo");
        let roots = Roots::new(Vec::new());
        let c = candidate(
            &[
                ("a.h", b"#define A 1\n"),
                ("b.h", b"const char *f = __FILE__;\n"),
            ],
            &[],
            Target::Exact,
        );
        // Freshly written files are not "settled": nothing is recorded about them. (Stamped a
        // second ahead, so a loaded machine cannot make them settle before the check.)
        let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        for f in ["a.h", "b.h"] {
            let file = fs::File::options().write(true).open(ws.join(f)).unwrap();
            file.set_modified(ahead).unwrap();
        }
        assert_eq!(check(&c, &roots, &ws, &memo), Ok(()));
        assert!(files_in(&memo).is_empty(), "{:?}", files_in(&memo));
        std::thread::sleep(filehash::SETTLED_AFTER);
        assert_eq!(check(&c, &roots, &ws, &memo), Ok(()));
        let recorded = files_in(&memo);
        assert_eq!(
            recorded.iter().filter(|f| f.starts_with("snap/")).count(),
            1,
            "{recorded:?}"
        );
        // With any per-file memos gone, the snapshot alone answers (and none are re-made).
        for f in recorded.iter().filter(|f| !f.starts_with("snap/")) {
            fs::remove_file(memo.join(f)).unwrap();
        }
        assert_eq!(check(&c, &roots, &ws, &memo), Ok(()));
        assert_eq!(files_in(&memo).len(), 1, "{:?}", files_in(&memo));
        // Same size, new content: the stat differs, the file is hashed, the candidate fails.
        fs::write(ws.join("a.h"), b"#define A 2\n").unwrap();
        assert_eq!(
            check(&c, &roots, &ws, &memo),
            Err(Mismatch::Changed("a.h".to_string()))
        );
        // Another candidate over the same paths with other hashes has another snapshot.
        let other = candidate(
            &[
                ("a.h", b"#define A 2\n"),
                ("b.h", b"const char *f = __FILE__;\n"),
            ],
            &[],
            Target::Exact,
        );
        assert_eq!(check(&other, &roots, &ws, &memo), Ok(()));
    }

    #[test]
    fn with_prepends_dedupes_and_caps() {
        let mut m = Manifest::default();
        for i in 0..40u8 {
            m = m.with(candidate(&[("a.h", &[i])], &[], Target::Result([i; 32])));
        }
        assert_eq!(m.candidates.len(), MAX_CANDIDATES);
        assert_eq!(m.candidates[0].target, Target::Result([39; 32]));
        let m = m.with(candidate(&[("a.h", &[39])], &[], Target::Preprocessor));
        assert_eq!(m.candidates.len(), MAX_CANDIDATES);
        assert_eq!(m.candidates[0].target, Target::Preprocessor);
        assert_eq!(Manifest::decode(&m.encode()).unwrap(), m);
    }

    #[test]
    fn find_checks_content_and_absent_paths() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        fs::create_dir_all(ws.join("inc")).unwrap();
        fs::write(ws.join("inc/x.h"), b"new").unwrap();
        let memo = dir.path().join("memo");
        let roots = Roots::new(vec![("WS0".into(), ws.clone())]);
        let old = candidate(&[("@WS0/inc/x.h", b"old")], &[], Target::Result([1; 32]));
        let new = candidate(
            &[("inc/x.h", b"new")],
            &["src/x.h"],
            Target::Result([2; 32]),
        );
        let m = Manifest {
            candidates: vec![old, new],
        };
        assert_eq!(
            *find(&m, &roots, &ws, &memo).unwrap(),
            Target::Result([2; 32])
        );
        // A header appearing earlier in the search path invalidates the candidate; the newest
        // candidate's reason is reported.
        fs::create_dir_all(ws.join("src")).unwrap();
        fs::write(ws.join("src/x.h"), b"shadow").unwrap();
        let inc_x = ws.join("inc/x.h").to_string_lossy().into_owned();
        assert_eq!(
            find(&m, &roots, &ws, &memo).unwrap_err(),
            Some(Mismatch::Changed(inc_x.clone()))
        );
        fs::remove_file(ws.join("src/x.h")).unwrap();
        // The old content matches again through the root token.
        fs::write(ws.join("inc/x.h"), b"old").unwrap();
        assert_eq!(
            *find(&m, &roots, &ws, &memo).unwrap(),
            Target::Result([1; 32])
        );
        // A missing file matches nothing.
        fs::remove_file(ws.join("inc/x.h")).unwrap();
        assert_eq!(
            find(&m, &roots, &ws, &memo).unwrap_err(),
            Some(Mismatch::Gone(inc_x))
        );
        assert_eq!(
            find(&Manifest::default(), &roots, &ws, &memo).unwrap_err(),
            None
        );
    }

    #[test]
    fn result_keys_depend_on_files() {
        let m = [7u8; 32];
        let a = result_key(&m, &[("a.h".into(), [1; 32])]);
        let b = result_key(&m, &[("a.h".into(), [2; 32])]);
        let c = result_key(&[8; 32], &[("a.h".into(), [1; 32])]);
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn garbage_does_not_decode() {
        assert!(Manifest::decode(b"\xff\xff\xff\xff\xff\xff").is_err());
    }
}
