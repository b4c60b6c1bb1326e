//! Build fingerprints (`zcc fp`): decide whether a whole build can be skipped.
//!
//! A fingerprint is a blake3 digest over the files under a root (their root-relative paths
//! and content hashes, in sorted order), the options that chose them and a format version.
//! A small state file (the "cache file") remembers the fingerprint of the last successful
//! build, the one the last [`check`] computed ("pending"), and a stat cache that lets the next
//! check skip re-hashing files whose `stat` data did not change.
//!
//! The rules, in the order zcc's principles put them:
//! - Content decides, never mtimes or absolute paths: a tree and its cache file copied to
//!   another directory or machine still say "unchanged" when the contents are the same.
//!   Stat data only lets a check reuse a hash, and only when the entry was recorded safely
//!   after the file was last written (git's "racy clean" rule, `RACY_MARGIN_NS`).
//! - When unsure, say "changed": a missing, damaged or other-version cache file, a file or
//!   directory that cannot be read, a check that says "changed" (the build that follows is
//!   about to change the outputs, so the last success no longer describes them).
//!
//! ```no_run
//! use zcc::fingerprint::{FileSet, check, mark_success};
//! use std::path::Path;
//! let set = FileSet::new(&["cpp,h".into()], &[".pio".into()])?;
//! let report = check(Path::new("fp.state"), Path::new("."), &set)?;
//! if report.changed {
//!     // … run the build; on success:
//!     mark_success(Path::new("fp.state"))?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::key::KeyBuilder;
use crate::store::Key;

/// The fingerprint's domain: bumped when what a fingerprint covers changes, so an old
/// success never matches a fingerprint computed under new rules.
pub(crate) const FINGERPRINT_VERSION: &str = "zcc-fp-1";

/// A stat-cache entry is only recorded when the file's mtime and ctime are at least this much
/// older than the moment the check started. A file written again within the timestamp
/// granularity of its last hash could otherwise keep the same stat data with new content.
/// Two seconds cover FAT's 2 s timestamps and coarse network file systems.
pub(crate) const RACY_MARGIN_NS: i128 = 2_000_000_000;

/// Which files under the root count: an extension filter and exclude globs.
#[derive(Debug, Clone)]
pub struct FileSet {
    /// Lowercase extensions without the dot, sorted, deduplicated; empty = every file.
    exts: Vec<String>,
    /// Exclude patterns as matched (normalized, see [`normalize_exclude`]), sorted.
    excludes: Vec<String>,
    globs: GlobSet,
    /// Root-relative path of the cache file when it lies under the root: never part of the
    /// set (it changes on every check).
    own_file: Option<Vec<u8>>,
}

impl FileSet {
    /// Build the set from `--ext` values (comma lists, with or without dots, repeatable) and
    /// `--exclude` globs. A bad value is an `Err` with a one-line message.
    pub fn new(ext_args: &[String], exclude_args: &[String]) -> Result<FileSet, String> {
        let exts = parse_exts(ext_args)?;
        let mut excludes = Vec::new();
        let mut builder = GlobSetBuilder::new();
        for raw in exclude_args {
            let pattern = normalize_exclude(raw)?;
            let glob = GlobBuilder::new(&pattern)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("--exclude {raw:?} is not a valid glob: {}", e.kind()))?;
            builder.add(glob);
            excludes.push(pattern);
        }
        let globs = builder
            .build()
            .map_err(|e| format!("bad --exclude glob: {e}"))?;
        excludes.sort();
        excludes.dedup();
        Ok(FileSet {
            exts,
            excludes,
            globs,
            own_file: None,
        })
    }

    /// Whether the root-relative path (`/`-separated) is excluded by a glob.
    pub(crate) fn is_excluded(&self, rel: &[u8]) -> bool {
        self.globs.is_match(Path::new(OsStr::from_bytes(rel)))
    }

    /// Whether a file name passes the extension filter (ASCII case-insensitive).
    pub(crate) fn has_wanted_ext(&self, name: &[u8]) -> bool {
        self.exts.is_empty()
            || self.exts.iter().any(|ext| {
                name.len() > ext.len()
                    && name[name.len() - ext.len() - 1] == b'.'
                    && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext.as_bytes())
            })
    }

    /// Whether a regular file at this root-relative path belongs to the set.
    pub(crate) fn wants_file(&self, rel: &[u8]) -> bool {
        let name = rel.rsplit(|&b| b == b'/').next().unwrap_or(rel);
        self.has_wanted_ext(name)
            && !self.is_excluded(rel)
            && !self
                .own_file
                .as_deref()
                .is_some_and(|own| is_own_file(own, rel))
    }

    fn describe(&self, k: &mut KeyBuilder) {
        k.field("ext-count", &(self.exts.len() as u64).to_le_bytes());
        for ext in &self.exts {
            k.field("ext", ext.as_bytes());
        }
        k.field("exclude-count", &(self.excludes.len() as u64).to_le_bytes());
        for pattern in &self.excludes {
            k.field("exclude", pattern.as_bytes());
        }
    }
}

/// The cache file itself, or one of its temp files (`.NAME.zcc-tmp.*`, see
/// [`crate::replay::write_atomic`]).
fn is_own_file(own: &[u8], rel: &[u8]) -> bool {
    if own == rel {
        return true;
    }
    let split = |p: &[u8]| match p.iter().rposition(|&b| b == b'/') {
        Some(i) => (p[..i].to_vec(), p[i + 1..].to_vec()),
        None => (Vec::new(), p.to_vec()),
    };
    let (own_dir, own_name) = split(own);
    let (dir, name) = split(rel);
    let mut tmp_prefix = b".".to_vec();
    tmp_prefix.extend_from_slice(&own_name);
    tmp_prefix.extend_from_slice(b".zcc-tmp.");
    dir == own_dir && name.starts_with(&tmp_prefix)
}

/// `--ext` values: each a comma-separated list; a leading dot is optional; matching is ASCII
/// case-insensitive. Returns them lowercase, sorted and deduplicated. An empty item, or one
/// holding `/`, is an error.
pub(crate) fn parse_exts(args: &[String]) -> Result<Vec<String>, String> {
    let mut exts = Vec::new();
    for arg in args {
        for item in arg.split(',') {
            let item = item.trim();
            let ext = item.strip_prefix('.').unwrap_or(item);
            if ext.is_empty() {
                return Err(format!(
                    "--ext {arg:?} has an empty extension (use e.g. --ext cpp,h)"
                ));
            }
            if ext.contains('/') || ext.contains('\0') {
                return Err(format!("--ext {arg:?}: {item:?} is not a file extension"));
            }
            exts.push(ext.to_ascii_lowercase());
        }
    }
    exts.sort();
    exts.dedup();
    Ok(exts)
}

/// An `--exclude` pattern as it is matched against root-relative paths (gitignore-like):
/// a pattern without `/` matches a file or directory name at any depth (`build`, `*.o`,
/// `.pio`); one with `/` is anchored at the root (`src/gen/**`, `lib/*/examples`); a leading
/// `/` or `./` anchors explicitly; a trailing `/` is dropped. An excluded directory is not
/// entered.
pub(crate) fn normalize_exclude(raw: &str) -> Result<String, String> {
    let mut p = raw.trim_end_matches('/');
    let mut anchored = false;
    if p == "." {
        p = "";
    }
    loop {
        if let Some(rest) = p.strip_prefix("./") {
            p = rest;
            anchored = true;
        } else if let Some(rest) = p.strip_prefix('/') {
            p = rest;
            anchored = true;
        } else {
            break;
        }
    }
    if p.is_empty() {
        return Err(format!(
            "--exclude {raw:?} is empty (give a glob such as build or .pio/**)"
        ));
    }
    if anchored || p.contains('/') {
        Ok(p.to_string())
    } else {
        Ok(format!("**/{p}"))
    }
}

/// The stat data that must all be equal for a stat-cache entry to be reused.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stat {
    pub size: u64,
    pub ino: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

impl Stat {
    pub(crate) fn of(meta: &fs::Metadata) -> Stat {
        Stat {
            size: meta.size(),
            ino: meta.ino(),
            mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            ctime_ns: meta.ctime() as i128 * 1_000_000_000 + meta.ctime_nsec() as i128,
        }
    }

    /// The racy-clean rule: whether a hash taken of this file by a check that started at
    /// `started_ns` may be reused later on equal stat data.
    pub(crate) fn is_safely_old(&self, started_ns: i128) -> bool {
        self.mtime_ns + RACY_MARGIN_NS <= started_ns && self.ctime_ns + RACY_MARGIN_NS <= started_ns
    }
}

/// One stat-cache entry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct StatEntry {
    /// Root-relative path, `/`-separated, raw bytes (names need not be UTF-8).
    pub path: Vec<u8>,
    pub stat: Stat,
    pub hash: [u8; 32],
}

/// What the last check computed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Pending {
    /// No check recorded.
    #[default]
    None,
    /// The check could not read the whole tree: nothing may be marked as built.
    Unknown,
    Fingerprint(Key),
}

/// The content of the cache file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct State {
    /// The fingerprint of the last successful build.
    pub success: Option<Key>,
    pub pending: Pending,
    /// Sorted by path.
    pub stat_cache: Vec<StatEntry>,
}

const MAGIC: &[u8; 8] = b"ZCCFP\0\0\x01";
const CHECK_LEN: usize = 16;

impl State {
    /// The file bytes: magic (with the format version), postcard payload, and a blake3
    /// checksum over both.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&postcard::to_stdvec(self).unwrap_or_default());
        let sum = blake3::hash(&bytes);
        bytes.extend_from_slice(&sum.as_bytes()[..CHECK_LEN]);
        bytes
    }

    /// `None` for anything but an intact file of this format version.
    pub(crate) fn decode(bytes: &[u8]) -> Option<State> {
        let split = bytes.len().checked_sub(CHECK_LEN)?;
        let (body, sum) = bytes.split_at(split);
        if !body.starts_with(MAGIC) || blake3::hash(body).as_bytes()[..CHECK_LEN] != *sum {
            return None;
        }
        let state: State = postcard::from_bytes(&body[MAGIC.len()..]).ok()?;
        state
            .stat_cache
            .is_sorted_by(|a, b| a.path < b.path)
            .then_some(state)
    }
}

/// How reading the cache file went.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Loaded {
    Missing,
    /// Damaged, truncated, another format version, or unreadable.
    Unusable,
    Ok(State),
}

pub(crate) fn load(cache_file: &Path) -> Loaded {
    match fs::read(cache_file) {
        Ok(bytes) => State::decode(&bytes).map_or(Loaded::Unusable, Loaded::Ok),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Loaded::Missing,
        Err(_) => Loaded::Unusable,
    }
}

/// Write the cache file atomically (temp file + rename), creating its directory.
pub(crate) fn save(cache_file: &Path, state: &State) -> io::Result<()> {
    if let Some(parent) = cache_file.parent()
        && !parent.as_os_str().is_empty()
    {
        fs::create_dir_all(parent)?;
    }
    crate::replay::write_atomic(cache_file, &state.encode())
}

/// A file of the set, found by the walk.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub rel: Vec<u8>,
    pub path: PathBuf,
    pub stat: Stat,
}

/// Every regular file of the set under `root`, sorted by relative path. Symlinks to files
/// count under the link's name; symlinks to directories are followed unless they lead back to
/// a directory on the current path (a cycle); dangling or self-looping symlinks, FIFOs,
/// sockets and devices are skipped. Any other error (an unreadable directory, a `stat`
/// failure) is returned: the caller must then say "changed".
pub(crate) fn walk(root: &Path, set: &FileSet) -> io::Result<Vec<Found>> {
    let meta = fs::metadata(root)?;
    let mut out = Vec::new();
    let mut ancestors = vec![(meta.dev(), meta.ino())];
    walk_dir(root, &[], set, &mut ancestors, &mut out)?;
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn walk_dir(
    dir: &Path,
    prefix: &[u8],
    set: &FileSet,
    ancestors: &mut Vec<(u64, u64)>,
    out: &mut Vec<Found>,
) -> io::Result<()> {
    let context =
        |e: io::Error, p: &Path| io::Error::new(e.kind(), format!("{}: {e}", p.display()));
    for entry in fs::read_dir(dir).map_err(|e| context(e, dir))? {
        let entry = entry.map_err(|e| context(e, dir))?;
        let name = entry.file_name();
        let mut rel = prefix.to_vec();
        if !rel.is_empty() {
            rel.push(b'/');
        }
        rel.extend_from_slice(name.as_bytes());
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| context(e, &path))?;
        let is_dir_or_file = kind.is_dir() || kind.is_file() || kind.is_symlink();
        if !is_dir_or_file {
            continue;
        }
        // Cheap rejections before any stat: an excluded name, or a plain file whose
        // extension is not wanted.
        if set.is_excluded(&rel) || (kind.is_file() && !set.wants_file(&rel)) {
            continue;
        }
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if kind.is_symlink() && is_dangling(&e) => continue,
            Err(e) => return Err(context(e, &path)),
        };
        if meta.is_dir() {
            let id = (meta.dev(), meta.ino());
            if ancestors.contains(&id) {
                continue; // a symlink back up the tree: its content is already covered
            }
            ancestors.push(id);
            let result = walk_dir(&path, &rel, set, ancestors, out);
            ancestors.pop();
            result?;
        } else if meta.is_file() && (kind.is_file() || set.wants_file(&rel)) {
            out.push(Found {
                rel,
                path,
                stat: Stat::of(&meta),
            });
        }
    }
    Ok(())
}

fn is_dangling(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ELOOP)
}

/// blake3 of a file's content.
pub(crate) fn hash_file(path: &Path) -> io::Result<[u8; 32]> {
    let mut hasher = blake3::Hasher::new();
    fs::File::open(path)
        .and_then(|file| hasher.update_reader(file).map(|_| ()))
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    Ok(*hasher.finalize().as_bytes())
}

/// The fingerprint of a sorted list of (relative path, content hash) under a file set.
pub(crate) fn fingerprint<'a>(
    set: &FileSet,
    files: impl IntoIterator<Item = (&'a [u8], &'a [u8; 32])>,
) -> Key {
    let mut k = KeyBuilder::new(FINGERPRINT_VERSION);
    set.describe(&mut k);
    let mut count = 0u64;
    for (rel, hash) in files {
        k.field("path", rel);
        k.field("hash", hash);
        count += 1;
    }
    k.field("count", &count.to_le_bytes());
    k.finish()
}

/// The result of [`check`].
#[derive(Debug)]
pub struct CheckReport {
    /// Build needed.
    pub changed: bool,
    /// Why (one short phrase).
    pub reason: &'static str,
    /// Files in the set.
    pub files: usize,
    /// Files whose content was read (the rest came from the stat cache).
    pub hashed: usize,
    /// Problems that made the answer "changed" or kept the cache file from being written;
    /// one line each.
    pub warnings: Vec<String>,
}

fn now_ns() -> i128 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// Compute the fingerprint of `root` under `set`, compare it with the last success recorded in
/// `cache_file`, and record it as pending. `Err` only for a root that is not a readable
/// directory (a bad argument); every other problem is a warning and the answer "changed".
pub fn check(cache_file: &Path, root: &Path, set: &FileSet) -> Result<CheckReport, String> {
    let meta = fs::metadata(root).map_err(|e| format!("--root {}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!("--root {} is not a directory", root.display()));
    }
    let mut set = set.clone();
    set.own_file = own_relative_path(root, cache_file);
    let mut warnings = Vec::new();
    let loaded = load(cache_file);
    let was_intact = matches!(loaded, Loaded::Ok(_));
    let (old, mut reason) = match loaded {
        Loaded::Ok(state) => (state, ""),
        Loaded::Missing => (State::default(), "no cache file yet"),
        Loaded::Unusable => {
            warnings.push(format!(
                "{} is damaged or from another version; starting afresh",
                cache_file.display()
            ));
            (State::default(), "unusable cache file")
        }
    };
    let started = now_ns();
    let computed = walk(root, &set).and_then(|found| hash_all(&old, found));
    let mut new = State {
        success: old.success,
        pending: Pending::Unknown,
        stat_cache: Vec::new(),
    };
    let (files, hashed) = match computed {
        Ok((entries, hashed)) => {
            let fp = fingerprint(&set, entries.iter().map(|e| (&e.path[..], &e.hash)));
            new.pending = Pending::Fingerprint(fp);
            let files = entries.len();
            new.stat_cache = entries
                .into_iter()
                .filter(|e| e.stat.is_safely_old(started))
                .collect();
            (files, hashed)
        }
        Err(e) => {
            warnings.push(format!("cannot read the tree ({e}); saying changed"));
            reason = "unreadable file";
            (0, 0)
        }
    };
    let changed = match (new.pending, old.success) {
        (Pending::Fingerprint(fp), Some(success)) if fp == success => false,
        (_, None) if reason.is_empty() => {
            reason = "no successful build recorded";
            true
        }
        _ => {
            if reason.is_empty() {
                reason = "files or options changed";
            }
            true
        }
    };
    if changed {
        // The build that follows is about to change the outputs: until it is marked a
        // success, the last success no longer describes them.
        new.success = None;
    }
    if !(was_intact && old == new)
        && let Err(e) = save(cache_file, &new)
    {
        // A stale pending fingerprint must not be promoted later: drop the file if we can.
        let _ = fs::remove_file(cache_file);
        warnings.push(format!("cannot write {}: {e}", cache_file.display()));
    }
    Ok(CheckReport {
        changed,
        reason,
        files,
        hashed,
        warnings,
    })
}

/// The cache file's path relative to the root, when it lies under the root.
fn own_relative_path(root: &Path, cache_file: &Path) -> Option<Vec<u8>> {
    let root = fs::canonicalize(root).ok()?;
    let parent = match cache_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let parent = fs::canonicalize(parent).ok()?;
    let rel = parent.join(cache_file.file_name()?);
    let rel = rel.strip_prefix(&root).ok()?;
    Some(rel.as_os_str().as_bytes().to_vec())
}

/// Hash every found file, reusing stat-cache hashes; files to read are split over the cores.
fn hash_all(old: &State, found: Vec<Found>) -> io::Result<(Vec<StatEntry>, usize)> {
    let cached: HashMap<&[u8], &StatEntry> = old
        .stat_cache
        .iter()
        .map(|e| (e.path.as_slice(), e))
        .collect();
    let mut hashes: Vec<Option<[u8; 32]>> = found
        .iter()
        .map(|f| {
            cached
                .get(f.rel.as_slice())
                .filter(|e| e.stat == f.stat)
                .map(|e| e.hash)
        })
        .collect();
    let todo: Vec<usize> = (0..found.len()).filter(|&i| hashes[i].is_none()).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let results: Vec<(usize, io::Result<[u8; 32]>)> = if threads > 1 && todo.len() >= 32 {
        let chunk = todo.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = todo
                .chunks(chunk)
                .map(|part| {
                    let found = &found;
                    s.spawn(move || {
                        part.iter()
                            .map(|&i| (i, hash_file(&found[i].path)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec![(0, Err(io::Error::other("hashing thread panicked")))]
                    })
                })
                .collect()
        })
    } else {
        todo.iter()
            .map(|&i| (i, hash_file(&found[i].path)))
            .collect()
    };
    for (i, result) in results {
        hashes[i] = Some(result?);
    }
    let hashed = todo.len();
    let entries = found
        .into_iter()
        .zip(hashes)
        .map(|(f, h)| StatEntry {
            path: f.rel,
            stat: f.stat,
            hash: h.unwrap_or_default(),
        })
        .collect();
    Ok((entries, hashed))
}

/// The result of [`mark_success`].
#[derive(Debug, PartialEq, Eq)]
pub enum Marked {
    /// The pending fingerprint is now the last success.
    Recorded,
    /// The last check could not read the whole tree: nothing recorded, the next check says
    /// "changed".
    NothingKnown,
}

/// Promote the fingerprint the last check computed to "last success". `Err` (one line) when
/// no check was recorded in `cache_file`, or the file cannot be read or written.
pub fn mark_success(cache_file: &Path) -> Result<Marked, String> {
    let mut state = match load(cache_file) {
        Loaded::Ok(state) => state,
        Loaded::Missing => {
            return Err(format!(
                "{} does not exist: run `zcc fp --cache-file {} check …` before the build",
                cache_file.display(),
                cache_file.display()
            ));
        }
        Loaded::Unusable => {
            return Err(format!(
                "{} is damaged or from another version; the next check will say changed",
                cache_file.display()
            ));
        }
    };
    let fp = match state.pending {
        Pending::Fingerprint(fp) => fp,
        Pending::Unknown => return Ok(Marked::NothingKnown),
        Pending::None => {
            return Err(format!(
                "no check recorded in {}: run `zcc fp check` before the build",
                cache_file.display()
            ));
        }
    };
    if state.success != Some(fp) {
        state.success = Some(fp);
        save(cache_file, &state)
            .map_err(|e| format!("cannot write {}: {e}", cache_file.display()))?;
    }
    Ok(Marked::Recorded)
}

/// Forget the last success (and the pending fingerprint), so the next check says "changed".
/// A missing cache file has nothing to forget. A file that cannot be rewritten is removed;
/// `Err` only when neither works.
pub fn mark_failure(cache_file: &Path) -> Result<(), String> {
    let mut state = match load(cache_file) {
        Loaded::Missing => return Ok(()),
        Loaded::Ok(state) if state.success.is_none() && state.pending == Pending::None => {
            return Ok(());
        }
        Loaded::Ok(state) => state,
        Loaded::Unusable => State::default(),
    };
    state.success = None;
    state.pending = Pending::None;
    match save(cache_file, &state) {
        Ok(()) => Ok(()),
        Err(e) => match fs::remove_file(cache_file) {
            Ok(()) => Ok(()),
            Err(_) => Err(format!("cannot write {}: {e}", cache_file.display())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::time::Duration;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn set(exts: &[&str], excludes: &[&str]) -> FileSet {
        FileSet::new(&strings(exts), &strings(excludes)).unwrap()
    }

    /// Write a file and date it an hour back, so its stat entry is not racy.
    fn write_old(path: &Path, content: &[u8]) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, content).unwrap();
        set_mtime(path, SystemTime::now() - Duration::from_secs(3600));
    }

    fn set_mtime(path: &Path, when: SystemTime) {
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    fn fp_of(root: &Path, set: &FileSet) -> Key {
        let (entries, _) = hash_all(&State::default(), walk(root, set).unwrap()).unwrap();
        fingerprint(set, entries.iter().map(|e| (&e.path[..], &e.hash)))
    }

    fn rels(root: &Path, set: &FileSet) -> Vec<String> {
        walk(root, set)
            .unwrap()
            .into_iter()
            .map(|f| String::from_utf8_lossy(&f.rel).into_owned())
            .collect()
    }

    #[test]
    fn ext_lists_parse_with_or_without_dots() {
        assert_eq!(
            parse_exts(&strings(&["cpp,.h", "C", " hpp "])).unwrap(),
            vec!["c", "cpp", "h", "hpp"]
        );
        assert_eq!(parse_exts(&strings(&["h", ".h,H"])).unwrap(), vec!["h"]);
        assert_eq!(parse_exts(&[]).unwrap(), Vec::<String>::new());
        assert_eq!(parse_exts(&strings(&["tar.gz"])).unwrap(), vec!["tar.gz"]);
        for bad in ["", ",", "cpp,", "cpp,,h", ".", "a/b"] {
            assert!(parse_exts(&strings(&[bad])).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ext_filter_matches_the_name_suffix_case_insensitively() {
        let s = set(&["cpp,h", "tar.gz"], &[]);
        for yes in ["a.cpp", "A.CPP", "x.h", "a.b.h", "f.tar.gz", ".h"] {
            assert!(s.has_wanted_ext(yes.as_bytes()), "{yes}");
        }
        for no in ["acpp", "a.cpp.o", "a.hpp", "f.gz", "h", "cpp"] {
            assert!(!s.has_wanted_ext(no.as_bytes()), "{no}");
        }
        assert!(set(&[], &[]).has_wanted_ext(b"anything"));
    }

    #[test]
    fn exclude_patterns_are_normalized_gitignore_style() {
        let cases = [
            ("build", "**/build"),
            ("*.o", "**/*.o"),
            ("build/", "**/build"),
            ("/build", "build"),
            ("./build", "build"),
            (".pio/**", ".pio/**"),
            ("src/gen/*.c", "src/gen/*.c"),
            ("**/tmp", "**/tmp"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_exclude(raw).unwrap(), want, "{raw}");
        }
        for bad in ["", "/", "./", "//"] {
            assert!(normalize_exclude(bad).is_err(), "{bad:?}");
        }
        assert!(FileSet::new(&[], &strings(&["[ab"])).is_err());
        assert!(FileSet::new(&[], &strings(&["{a,b"])).is_err());
    }

    #[test]
    fn exclude_globs_match_root_relative_paths() {
        let s = set(&[], &["build", "*.o", ".pio/**", "src/gen/*.c", "/top.txt"]);
        for yes in [
            "build",
            "lib/x/build",
            "x.o",
            "a/b/x.o",
            ".pio/build/uno/firmware.hex",
            "src/gen/a.c",
            "top.txt",
        ] {
            assert!(s.is_excluded(yes.as_bytes()), "{yes}");
        }
        for no in [
            "builder",
            "src/build.c",
            "x.o.d",
            "lib/.pio/x",
            "src/gen/sub/a.c",
            "src/top.txt",
        ] {
            assert!(!s.is_excluded(no.as_bytes()), "{no}");
        }
        // Raw bytes that are not UTF-8 are matched, not refused.
        assert!(s.is_excluded(b"dir/\xff.o"));
        assert!(!s.is_excluded(b"dir/\xff.c"));
    }

    #[test]
    fn walk_applies_filters_prunes_excluded_dirs_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "src/z.cpp",
            "src/a.cpp",
            "src/sub/b.h",
            "src/notes.txt",
            "build/out.cpp",
            ".hidden/h.h",
            "lib/x/build/gen.h",
        ] {
            write_old(&root.join(rel), rel.as_bytes());
        }
        assert_eq!(
            rels(root, &set(&["cpp", "h"], &["build"])),
            vec![".hidden/h.h", "src/a.cpp", "src/sub/b.h", "src/z.cpp"]
        );
        assert_eq!(rels(root, &set(&[], &["src/**", "/build", ".*"])).len(), 1);
    }

    #[test]
    fn walk_follows_symlinks_without_looping_and_skips_dangling_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_old(&root.join("real/a.h"), b"a");
        symlink("real", root.join("linked")).unwrap();
        symlink("..", root.join("real/up")).unwrap(); // a cycle back to the root
        symlink("real/a.h", root.join("alias.h")).unwrap();
        symlink("missing.h", root.join("dangling.h")).unwrap();
        symlink("self.h", root.join("self.h")).unwrap(); // ELOOP
        assert_eq!(
            rels(root, &set(&[], &[])),
            vec!["alias.h", "linked/a.h", "real/a.h"],
            "real/up and linked/up lead back to the root, an ancestor"
        );
    }

    #[test]
    fn non_utf8_names_are_fingerprinted() {
        let dir = tempfile::tempdir().unwrap();
        let name = OsStr::from_bytes(b"\xffweird.c");
        write_old(&dir.path().join(name), b"x");
        let found = walk(dir.path(), &set(&["c"], &[])).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rel, b"\xffweird.c");
    }

    #[test]
    fn fingerprint_depends_on_content_names_and_options_not_on_order() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        // Same files, created in opposite orders (directory listing order differs).
        for (rel, content) in [("a.c", "1"), ("d/b.c", "2"), ("z.c", "3")] {
            write_old(&one.path().join(rel), content.as_bytes());
        }
        for (rel, content) in [("z.c", "3"), ("d/b.c", "2"), ("a.c", "1")] {
            write_old(&two.path().join(rel), content.as_bytes());
        }
        let s = set(&["c"], &[]);
        let base = fp_of(one.path(), &s);
        assert_eq!(base, fp_of(two.path(), &s));
        assert_eq!(base, fp_of(one.path(), &s), "deterministic");

        // Options are part of it, however they are spelled.
        assert_eq!(base, fp_of(one.path(), &set(&[".C"], &[])));
        assert_ne!(base, fp_of(one.path(), &set(&["c", "h"], &[])));
        assert_ne!(base, fp_of(one.path(), &set(&["c"], &["nothing"])));

        // Swapping two files' contents, or renaming one, changes it.
        fs::write(two.path().join("a.c"), "3").unwrap();
        fs::write(two.path().join("z.c"), "1").unwrap();
        assert_ne!(base, fp_of(two.path(), &s));
        fs::write(two.path().join("a.c"), "1").unwrap();
        fs::write(two.path().join("z.c"), "3").unwrap();
        assert_eq!(base, fp_of(two.path(), &s));
        fs::rename(two.path().join("z.c"), two.path().join("y.c")).unwrap();
        assert_ne!(base, fp_of(two.path(), &s));
    }

    #[test]
    fn fingerprint_of_no_files_differs_from_one_empty_file() {
        let s = set(&[], &[]);
        let empty = fingerprint(&s, []);
        let hash = *blake3::hash(b"").as_bytes();
        assert_ne!(empty, fingerprint(&s, [(&b"e"[..], &hash)]));
    }

    fn sample_state() -> State {
        State {
            success: Some([1; 32]),
            pending: Pending::Fingerprint([2; 32]),
            stat_cache: vec![
                StatEntry {
                    path: b"a.c".to_vec(),
                    stat: Stat {
                        size: 3,
                        ino: 4,
                        mtime_ns: 5,
                        ctime_ns: -6,
                    },
                    hash: [7; 32],
                },
                StatEntry {
                    path: b"b/\xff.h".to_vec(),
                    stat: Stat {
                        size: 0,
                        ino: 1,
                        mtime_ns: i128::MAX,
                        ctime_ns: 0,
                    },
                    hash: [8; 32],
                },
            ],
        }
    }

    #[test]
    fn state_round_trips_and_damage_reads_as_none() {
        let state = sample_state();
        let bytes = state.encode();
        assert_eq!(State::decode(&bytes), Some(state.clone()));
        assert_eq!(
            State::decode(&State::default().encode()),
            Some(State::default())
        );
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x40;
            assert_eq!(State::decode(&damaged), None, "flipped byte {i}");
        }
        for len in 0..bytes.len() {
            assert_eq!(State::decode(&bytes[..len]), None, "truncated to {len}");
        }
        // Another format version, with a valid checksum, is not read.
        let mut other = bytes[..bytes.len() - CHECK_LEN].to_vec();
        other[MAGIC.len() - 1] = 2;
        let sum = blake3::hash(&other);
        other.extend_from_slice(&sum.as_bytes()[..CHECK_LEN]);
        assert_eq!(State::decode(&other), None);
        // Unsorted stat entries (not written by zcc) are refused.
        let mut unsorted = state;
        unsorted.stat_cache.reverse();
        assert_eq!(State::decode(&unsorted.encode()), None);
    }

    #[test]
    fn load_tells_missing_from_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("sub/fp.state");
        assert_eq!(load(&f), Loaded::Missing);
        save(&f, &sample_state()).unwrap();
        assert_eq!(load(&f), Loaded::Ok(sample_state()));
        fs::write(&f, b"garbage").unwrap();
        assert_eq!(load(&f), Loaded::Unusable);
        assert_eq!(load(dir.path()), Loaded::Unusable, "a directory");
    }

    #[test]
    fn racy_rule_trusts_only_entries_older_than_the_margin() {
        let started = 100 * RACY_MARGIN_NS;
        let stat = |m: i128, c: i128| Stat {
            size: 1,
            ino: 1,
            mtime_ns: m,
            ctime_ns: c,
        };
        assert!(stat(started - RACY_MARGIN_NS, started - RACY_MARGIN_NS).is_safely_old(started));
        assert!(stat(0, 0).is_safely_old(started));
        assert!(!stat(started - RACY_MARGIN_NS + 1, 0).is_safely_old(started));
        assert!(!stat(0, started - 1).is_safely_old(started), "recent ctime");
        assert!(!stat(started, 0).is_safely_old(started));
        assert!(
            !stat(started + 10, 0).is_safely_old(started),
            "mtime in the future"
        );
    }

    #[test]
    fn stat_cache_skips_old_files_and_rehashes_fresh_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let state_file = dir.path().join("fp.state");
        write_old(&root.join("old.c"), b"old");
        // ctime cannot be set back: wait out the margin so old.c's ctime is safely old too.
        std::thread::sleep(Duration::from_nanos(RACY_MARGIN_NS as u64 + 100_000_000));
        fs::write(root.join("fresh.c"), b"fresh").unwrap();
        let s = set(&[], &[]);
        let first = check(&state_file, &root, &s).unwrap();
        assert_eq!((first.files, first.hashed), (2, 2));
        let Loaded::Ok(state) = load(&state_file) else {
            panic!("no state written")
        };
        let cached: Vec<&[u8]> = state.stat_cache.iter().map(|e| &e.path[..]).collect();
        assert_eq!(cached, vec![&b"old.c"[..]], "fresh.c is racy, not recorded");
        let second = check(&state_file, &root, &s).unwrap();
        assert_eq!((second.files, second.hashed), (2, 1));
    }

    #[test]
    fn same_size_and_mtime_with_new_content_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let state_file = dir.path().join("fp.state");
        let file = root.join("a.c");
        write_old(&file, b"one");
        std::thread::sleep(Duration::from_nanos(RACY_MARGIN_NS as u64 + 100_000_000));
        let s = set(&[], &[]);
        assert!(check(&state_file, &root, &s).unwrap().changed);
        assert_eq!(mark_success(&state_file), Ok(Marked::Recorded));
        let report = check(&state_file, &root, &s).unwrap();
        assert!(!report.changed);
        assert_eq!(report.hashed, 0, "served by the stat cache");
        // Rewrite in place, same size, mtime put back: the ctime gives it away.
        let mtime = fs::metadata(&file).unwrap().modified().unwrap();
        fs::write(&file, b"two").unwrap();
        set_mtime(&file, mtime);
        let report = check(&state_file, &root, &s).unwrap();
        assert!(report.changed);
        assert_eq!(report.hashed, 1);
    }

    #[test]
    fn a_changed_check_forgets_the_last_success() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let state_file = dir.path().join("fp.state");
        write_old(&root.join("a.c"), b"v1");
        let s = set(&[], &[]);
        assert!(check(&state_file, &root, &s).unwrap().changed);
        mark_success(&state_file).unwrap();
        write_old(&root.join("a.c"), b"v2");
        assert!(check(&state_file, &root, &s).unwrap().changed);
        // The v2 build failed without mark-failure, and the edit is reverted: the outputs
        // may be v2's half-built ones, so v1 is not "unchanged" any more.
        write_old(&root.join("a.c"), b"v1");
        assert!(check(&state_file, &root, &s).unwrap().changed);
    }

    #[test]
    fn mark_commands_without_a_check() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("fp.state");
        assert!(mark_success(&f).is_err(), "no file");
        assert_eq!(mark_failure(&f), Ok(()));
        assert!(!f.exists(), "mark-failure creates nothing");
        save(&f, &State::default()).unwrap();
        assert!(mark_success(&f).is_err(), "no pending fingerprint");
        fs::write(&f, b"junk").unwrap();
        assert!(mark_success(&f).is_err(), "damaged");
        assert_eq!(mark_failure(&f), Ok(()));
        assert_eq!(load(&f), Loaded::Ok(State::default()));
        let unknown = State {
            pending: Pending::Unknown,
            ..State::default()
        };
        save(&f, &unknown).unwrap();
        assert_eq!(mark_success(&f), Ok(Marked::NothingKnown));
        assert_eq!(load(&f), Loaded::Ok(unknown), "still no success");
    }

    #[test]
    fn a_file_that_cannot_be_read_fails_the_hash() {
        let found = vec![Found {
            rel: b"gone.c".to_vec(),
            path: PathBuf::from("/nonexistent/zcc-fp/gone.c"),
            stat: Stat {
                size: 0,
                ino: 0,
                mtime_ns: 0,
                ctime_ns: 0,
            },
        }];
        assert!(hash_all(&State::default(), found).is_err());
    }

    #[test]
    fn many_files_hash_in_parallel_like_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..100 {
            write_old(
                &dir.path().join(format!("f{i:03}.c")),
                format!("{i}").as_bytes(),
            );
        }
        let found = walk(dir.path(), &set(&[], &[])).unwrap();
        let (entries, hashed) = hash_all(&State::default(), found).unwrap();
        assert_eq!(hashed, 100);
        for e in &entries {
            assert_eq!(
                e.hash,
                hash_file(&dir.path().join(OsStr::from_bytes(&e.path))).unwrap()
            );
        }
    }

    #[test]
    fn the_cache_file_under_the_root_is_not_part_of_the_set() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write_old(&root.join("a.c"), b"a");
        let state_file = root.join("fp.state");
        let s = set(&[], &[]);
        assert!(check(&state_file, root, &s).unwrap().changed);
        mark_success(&state_file).unwrap();
        fs::write(root.join(".fp.state.zcc-tmp.1.2"), b"stray").unwrap();
        let report = check(&state_file, root, &s).unwrap();
        assert!(!report.changed);
        assert_eq!(report.files, 1);
        assert!(is_own_file(b"d/fp", b"d/.fp.zcc-tmp.9.9"));
        assert!(!is_own_file(b"d/fp", b".fp.zcc-tmp.9.9"));
        assert!(!is_own_file(b"fp", b"fp2"));
    }
}
