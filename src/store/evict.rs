//! The store's size: a cheap running estimate kept on every write, and trimming (approximate
//! LRU by mtime) when it passes the limit, or on demand (`zcc gc`).
//!
//! # The running estimate
//!
//! `<root>/v1/size/` holds counters in the same sharded, lock-protected files as the stats
//! (`crate::stats`): `bytes_added` and `bytes_removed`; the estimate is their difference.
//! A `put` only adds the change in file size (new entry minus the one it replaced) to an
//! in-memory sum; [`Store::trim_if_needed`], called once at the end of a call that stored
//! something, adds that sum to one shard in one locked update (the same cost as the stats
//! bump every call already makes). Summing all 16 shards is only worth it now and then: the
//! updated shard's own `bytes_added` is returned by the update, and only when it crosses a
//! multiple of `limit / 320` are the shards summed and compared with the limit. Between
//! two sums each shard adds less than one step, so the store overshoots the limit by at most
//! 16 steps = 5 % before a trim starts.
//!
//! The estimate drifts (two processes writing the same key both add; aux memos are not
//! counted as they are written; a killed writer's temp file is not counted), so every trim
//! walks the store, counts it exactly and writes that as the new baseline, and creates the
//! marker file `size/counted`. Without the marker (a new store, or one from an older zcc)
//! the store was never counted: the next call that stores something walks it.
//!
//! # Trimming
//!
//! Whoever gets the try-lock on `size/trim.lock` walks `results/`, `manifests/` and `aux/`,
//! sorts every file by mtime (a hit refreshes an entry's mtime, so this is approximate LRU)
//! and removes the oldest until the total is under the goal. Nobody waits for that lock
//! during a compile: a writer that finds it taken leaves the trim to its holder. Stray temp
//! files (`.tmp.*`, `.stamp.*`, `*.zcc-tmp.*`) and `clear`'s trash directories older than an
//! hour are removed on the way; younger ones may belong to a live writer. NFS placeholders
//! (`.nfs*`, files removed while still open) are left alone.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use super::{Kind, Store, TRASH_PREFIX, is_entry_name, list_dir};
use crate::stats::Stats;

/// Directory under `v1/` holding the size counters and the trim lock.
pub(super) const SIZE_DIR: &str = "size";
const TRIM_LOCK: &str = "trim.lock";
const ADDED: &str = "bytes_added";
const REMOVED: &str = "bytes_removed";
/// Exists once a walk has set the baseline (writes alone do not make the estimate complete).
const COUNTED_MARKER: &str = "counted";
/// The shards are summed each time one shard's `bytes_added` crosses a multiple of
/// `limit / SUM_STEPS` (16 shards × 20: at most 5 % over the limit before a trim).
const SUM_STEPS: u64 = 16 * 20;

/// An automatic trim goes down to this share of the limit, so that the next one is some
/// writes away rather than on the very next miss.
const TRIM_TARGET_PERCENT: u64 = 90;
/// Temp files and trash directories younger than this may belong to a live writer.
pub const STRAY_AGE: Duration = Duration::from_secs(3600);

/// What the store holds, counted exactly by a walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// Result entries and manifests.
    pub entries: u64,
    /// Their bytes (file sizes, header included).
    pub entry_bytes: u64,
    /// Files in `aux/` (memos).
    pub aux_files: u64,
    /// Their bytes.
    pub aux_bytes: u64,
}

impl Usage {
    /// Everything that counts toward the size limit.
    pub fn bytes(&self) -> u64 {
        self.entry_bytes.saturating_add(self.aux_bytes)
    }
}

/// What to trim.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrimGoal {
    /// Remove the oldest files until the store holds at most this many bytes.
    pub max_bytes: Option<u64>,
    /// Remove every file not used (written or hit) for this long.
    pub older_than: Option<Duration>,
    /// Remove every file not used since this time (exact when hits knew the job's start:
    /// [`Config::job_start`](crate::Config::job_start)).
    pub unused_since: Option<SystemTime>,
}

/// What a trim did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrimReport {
    /// Entries (results and manifests) removed.
    pub removed_entries: u64,
    /// Their bytes.
    pub removed_entry_bytes: u64,
    /// Aux memos removed.
    pub removed_aux: u64,
    /// Their bytes.
    pub removed_aux_bytes: u64,
    /// Stray temp files and trash directories removed.
    pub removed_stray: u64,
    /// What is left.
    pub remaining: Usage,
    /// How long the walk and the removals took.
    pub elapsed: Duration,
}

/// One file that counts toward the size.
struct Candidate {
    mtime: SystemTime,
    len: u64,
    path: PathBuf,
    is_entry: bool,
}

/// Whether a name is a temp file of a write in progress (`store`'s `.tmp.`, `process::fs_now`'s
/// `.stamp.`, `replay::write_atomic`'s `.<name>.zcc-tmp.`).
fn is_temp_name(name: &str) -> bool {
    name.starts_with(super::TEMP_PREFIX)
        || name.starts_with(".stamp.")
        || name.contains(".zcc-tmp.")
}

/// Whether a name is NFS's placeholder for a removed file that is still open (`.nfs` and hex
/// digits): removing it only makes NFS create another.
fn is_nfs_placeholder(name: &str) -> bool {
    name.starts_with(".nfs")
}

/// The bytes an automatic trim leaves: `TRIM_TARGET_PERCENT` of the limit.
pub fn trim_target(limit: u64) -> u64 {
    // u128: no overflow for limits near u64::MAX.
    (u128::from(limit) * u128::from(TRIM_TARGET_PERCENT) / 100) as u64
}

/// Which files to remove, oldest first, so that what remains is within `goal`: every file
/// older than `older_than` (relative to `now`) or last used before `unused_since`, then the
/// oldest until the total is at most `max_bytes`. `files` is (mtime, size); returns their
/// indexes. Pure, for the unit tests.
pub fn choose_victims(files: &[(SystemTime, u64)], goal: TrimGoal, now: SystemTime) -> Vec<usize> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| files[i].0);
    let mut total: u64 = files.iter().map(|f| f.1).fold(0, u64::saturating_add);
    let cutoff = goal
        .older_than
        .and_then(|age| now.checked_sub(age))
        .into_iter()
        .chain(goal.unused_since)
        .max();
    let mut victims = Vec::new();
    for i in order {
        let (mtime, len) = files[i];
        let too_old = cutoff.is_some_and(|cutoff| mtime < cutoff);
        let too_big = goal.max_bytes.is_some_and(|max| total > max);
        if !too_old && !too_big {
            // Sorted by age: nothing younger is too old, and the total only shrinks.
            break;
        }
        victims.push(i);
        total = total.saturating_sub(len);
    }
    victims
}

impl Store {
    /// The size counters (`v1/size/`).
    fn size_counters(&self) -> Stats {
        Stats::new(self.data.join(SIZE_DIR))
    }

    /// Note that a write changed the store's size by `new_len - old_len` bytes (in memory;
    /// [`Store::trim_if_needed`] adds it to the counters). Only for a store with a limit.
    pub(super) fn note_write(&self, old_len: u64, new_len: u64) {
        if self.max_size.is_some() {
            let delta = i64::try_from(new_len).unwrap_or(i64::MAX)
                - i64::try_from(old_len).unwrap_or(i64::MAX);
            self.pending_bytes.fetch_add(delta, Ordering::Relaxed);
        }
    }

    /// Add the writes noted so far to the size counters, and decide whether the store is over
    /// `limit` (see the module doc). Counting is best effort: a failure only makes the estimate
    /// drift until the next trim corrects it.
    fn flush_and_check(&self, limit: u64) -> bool {
        let delta = self.pending_bytes.swap(0, Ordering::Relaxed);
        if !self.is_counted() {
            // Never counted: walk once to start the estimate.
            return true;
        }
        if delta <= 0 {
            if delta < 0 {
                let _ = self.size_counters().add(&[(REMOVED, delta.unsigned_abs())]);
            }
            return false;
        }
        let delta = delta.unsigned_abs();
        let Ok(shard) = self.size_counters().add_and_read(&[(ADDED, delta)]) else {
            return false;
        };
        let after = shard.get(ADDED).copied().unwrap_or(0);
        let step = (limit / SUM_STEPS).max(1);
        let crossed = after / step != after.saturating_sub(delta) / step;
        crossed && self.estimated_bytes().is_some_and(|bytes| bytes > limit)
    }

    /// The running size estimate; `None` if the store was never counted.
    pub fn estimated_bytes(&self) -> Option<u64> {
        if !self.is_counted() {
            return None;
        }
        let totals = self.size_counters().totals().ok()?;
        let added = *totals.get(ADDED)?;
        let removed = totals.get(REMOVED).copied().unwrap_or(0);
        Some(added.saturating_sub(removed))
    }

    /// Add the writes made through this `Store` to the size estimate and, if that pushed it
    /// over the limit, trim the store to 90% of the limit — unless another process is
    /// trimming right now (then `None`; that trim does the work). Called once after a call
    /// has stored its results; a hit writes nothing, so it never trims.
    pub fn trim_if_needed(&self) -> Option<io::Result<TrimReport>> {
        let limit = self.max_size?;
        if self.pending_bytes.load(Ordering::Relaxed) == 0 || !self.flush_and_check(limit) {
            return None;
        }
        let goal = TrimGoal {
            max_bytes: Some(trim_target(limit)),
            older_than: None,
            unused_since: None,
        };
        let lock = match self.open_trim_lock() {
            Ok(lock) => lock,
            Err(e) => return Some(Err(e)),
        };
        match lock.try_lock() {
            Ok(()) => Some(self.trim_locked(goal)),
            Err(TryLockError::WouldBlock) => None,
            Err(TryLockError::Error(e)) => Some(Err(e)),
        }
    }

    /// Trim on demand (`zcc gc`): remove stray temp files, then what `goal` says. Waits for a
    /// trim in progress to finish first.
    pub fn gc(&self, goal: TrimGoal) -> io::Result<TrimReport> {
        let lock = self.open_trim_lock()?;
        lock.lock()?;
        self.trim_locked(goal)
    }

    /// Count everything exactly (a walk; not on the hot path).
    pub fn usage(&self) -> io::Result<Usage> {
        let (files, _) = self.walk(None)?;
        let mut usage = Usage::default();
        for file in &files {
            usage.add(file, 1);
        }
        Ok(usage)
    }

    /// Count the store exactly and make that the estimate's new baseline.
    pub(super) fn recount(&self) -> io::Result<Usage> {
        let usage = self.usage()?;
        self.rebase(usage.bytes())?;
        Ok(usage)
    }

    #[cfg(test)]
    pub(super) fn open_trim_lock_for_test(&self) -> File {
        self.open_trim_lock().expect("trim lock")
    }

    fn open_trim_lock(&self) -> io::Result<File> {
        let dir = self.data.join(SIZE_DIR);
        super::create_private_dir(&dir)?;
        crate::safefs::no_follow(
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600),
        )
        .open(dir.join(TRIM_LOCK))
    }

    /// The trim itself; the caller holds the trim lock.
    fn trim_locked(&self, goal: TrimGoal) -> io::Result<TrimReport> {
        let start = Instant::now();
        let now = SystemTime::now();
        let mut report = TrimReport::default();
        let (files, stray) = self.walk(Some(now))?;
        report.removed_stray = stray;
        let stamps: Vec<(SystemTime, u64)> = files.iter().map(|f| (f.mtime, f.len)).collect();
        let mut removed = vec![false; files.len()];
        for i in choose_victims(&stamps, goal, now) {
            let file = &files[i];
            match fs::remove_file(&file.path) {
                Ok(()) => {
                    removed[i] = true;
                    if file.is_entry {
                        report.removed_entries += 1;
                        report.removed_entry_bytes += file.len;
                    } else {
                        report.removed_aux += 1;
                        report.removed_aux_bytes += file.len;
                    }
                }
                // Removed meanwhile (a concurrent clear or a corrupt read): gone either way.
                Err(e) if e.kind() == io::ErrorKind::NotFound => removed[i] = true,
                Err(e) => return Err(e),
            }
        }
        for (file, _) in files.iter().zip(&removed).filter(|(_, gone)| !**gone) {
            report.remaining.add(file, 1);
        }
        self.rebase(report.remaining.bytes())?;
        report.elapsed = start.elapsed();
        Ok(report)
    }

    /// Make `bytes` the estimate: zero the counters, then add `bytes`. Writes that land between
    /// the two steps are lost from the estimate; the next trim counts them.
    fn rebase(&self, bytes: u64) -> io::Result<()> {
        let counters = self.size_counters();
        counters.zero()?;
        counters.add(&[(ADDED, bytes), (REMOVED, 0)])?;
        crate::safefs::no_follow(OpenOptions::new().write(true).create(true).mode(0o600))
            .open(self.counted_marker())
            .map(drop)
    }

    /// `size/counted`; only a regular file counts (a symlink planted there is ignored).
    fn counted_marker(&self) -> PathBuf {
        self.data.join(SIZE_DIR).join(COUNTED_MARKER)
    }

    fn is_counted(&self) -> bool {
        fs::symlink_metadata(self.counted_marker()).is_ok_and(|m| m.is_file())
    }

    /// Every file that counts toward the size. With `remove_stray_at` set, stray temp files
    /// and trash directories older than [`STRAY_AGE`] (relative to it) are removed, and their
    /// number returned.
    fn walk(&self, remove_stray_at: Option<SystemTime>) -> io::Result<(Vec<Candidate>, u64)> {
        let mut files = Vec::new();
        let mut stray = 0;
        let is_old = |meta: &fs::Metadata| {
            remove_stray_at.is_some_and(|now| {
                meta.modified()
                    .is_ok_and(|m| now.duration_since(m).is_ok_and(|age| age > STRAY_AGE))
            })
        };
        for kind in Kind::ALL {
            for fanout in list_real_dir(&self.data.join(kind.dir_name()))? {
                // Only real directories are walked: a symlink planted here is removed (the
                // link, not what it points to), anything else left alone.
                match fanout.file_type() {
                    Ok(t) if t.is_dir() => {}
                    Ok(t) if t.is_symlink() => {
                        stray += remove_stray(&fanout.path());
                        continue;
                    }
                    _ => continue,
                }
                for entry in list_dir(&fanout.path())? {
                    let name = entry.file_name();
                    let Some(meta) = metadata(&entry)? else {
                        continue;
                    };
                    if is_entry_name(&name) && meta.is_file() {
                        files.push(candidate(entry.path(), &meta, true));
                    } else if is_temp_name(&name.to_string_lossy()) && is_old(&meta) {
                        stray += remove_stray(&entry.path());
                    }
                }
            }
        }
        let mut dirs = vec![self.aux_dir()];
        while let Some(dir) = dirs.pop() {
            for entry in list_real_dir(&dir)? {
                let Some(meta) = metadata(&entry)? else {
                    continue;
                };
                let name = entry.file_name();
                if meta.is_dir() {
                    dirs.push(entry.path());
                } else if is_nfs_placeholder(&name.to_string_lossy()) {
                    // Neither counted nor removed: NFS keeps it for a file still open somewhere.
                } else if is_temp_name(&name.to_string_lossy()) {
                    if is_old(&meta) {
                        stray += remove_stray(&entry.path());
                    }
                } else if meta.is_file() {
                    files.push(candidate(entry.path(), &meta, false));
                }
            }
        }
        for entry in list_dir(&self.data)? {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(TRASH_PREFIX)
                && metadata(&entry)?.is_some_and(|meta| is_old(&meta))
            {
                stray += remove_stray(&entry.path());
            }
        }
        Ok((files, stray))
    }
}

impl Usage {
    fn add(&mut self, file: &Candidate, count: u64) {
        if file.is_entry {
            self.entries += count;
            self.entry_bytes = self.entry_bytes.saturating_add(file.len);
        } else {
            self.aux_files += count;
            self.aux_bytes = self.aux_bytes.saturating_add(file.len);
        }
    }
}

/// The entries of `dir` if it is a directory itself: a symlink in its place is not walked
/// (`Store::open` removes it), so a walk never leaves the store.
fn list_real_dir(dir: &Path) -> io::Result<Vec<fs::DirEntry>> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => list_dir(dir),
        _ => Ok(Vec::new()),
    }
}

/// Metadata without following symlinks; `None` if the file vanished meanwhile.
fn metadata(entry: &fs::DirEntry) -> io::Result<Option<fs::Metadata>> {
    match entry.metadata() {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn candidate(path: PathBuf, meta: &fs::Metadata, is_entry: bool) -> Candidate {
    Candidate {
        mtime: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        len: meta.len(),
        path,
        is_entry,
    }
}

/// Remove a stray file or directory; 1 if it was removed, 0 if not (best effort).
fn remove_stray(path: &Path) -> u64 {
    u64::from(super::remove_any(path).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn trim_target_is_ninety_percent() {
        assert_eq!(trim_target(1000), 900);
        assert_eq!(trim_target(0), 0);
        assert!(trim_target(u64::MAX) > u64::MAX / 10 * 8);
    }

    #[test]
    fn temp_names() {
        assert!(is_temp_name(".tmp.12.3.4"));
        assert!(is_temp_name(".stamp.12.3"));
        assert!(is_temp_name(".search-ab.zcc-tmp.12.3"));
        assert!(!is_temp_name("search-ab"));
        assert!(!is_temp_name(&"a".repeat(64)));
        assert!(is_nfs_placeholder(".nfs000000000012345600000001"));
        assert!(!is_nfs_placeholder("nfs-memo"));
    }

    #[test]
    fn victims_oldest_first_until_under_size() {
        let files = [(at(30), 10), (at(10), 10), (at(20), 10), (at(40), 10)];
        let goal = TrimGoal {
            max_bytes: Some(25),
            older_than: None,
            unused_since: None,
        };
        assert_eq!(choose_victims(&files, goal, at(100)), vec![1, 2]);
    }

    #[test]
    fn victims_none_when_within_limit() {
        let files = [(at(1), 10), (at(2), 10)];
        let goal = TrimGoal {
            max_bytes: Some(20),
            older_than: None,
            unused_since: None,
        };
        assert!(choose_victims(&files, goal, at(100)).is_empty());
        assert!(choose_victims(&files, TrimGoal::default(), at(100)).is_empty());
        assert!(choose_victims(&[], goal, at(100)).is_empty());
    }

    #[test]
    fn victims_by_age() {
        let files = [(at(50), 1), (at(95), 1), (at(10), 1)];
        let goal = TrimGoal {
            max_bytes: None,
            older_than: Some(Duration::from_secs(30)),
            unused_since: None,
        };
        assert_eq!(choose_victims(&files, goal, at(100)), vec![2, 0]);
    }

    #[test]
    fn victims_unused_since() {
        let files = [(at(50), 1), (at(95), 1), (at(10), 1), (at(60), 1)];
        let since = |t| TrimGoal {
            unused_since: Some(at(t)),
            ..TrimGoal::default()
        };
        // Used at the time itself: kept.
        assert_eq!(choose_victims(&files, since(60), at(100)), vec![2, 0]);
        assert_eq!(
            choose_victims(&files, since(0), at(100)),
            Vec::<usize>::new()
        );
        assert_eq!(
            choose_victims(&files, since(200), at(100)),
            vec![2, 0, 3, 1]
        );
        // With an age as well, the later of the two cut-offs wins.
        let both = TrimGoal {
            older_than: Some(Duration::from_secs(30)),
            ..since(20)
        };
        assert_eq!(choose_victims(&files, both, at(100)), vec![2, 0, 3]);
        let both = TrimGoal {
            older_than: Some(Duration::from_secs(80)),
            ..since(55)
        };
        assert_eq!(choose_victims(&files, both, at(100)), vec![2, 0]);
    }

    #[test]
    fn victims_by_age_and_size() {
        let files = [(at(50), 100), (at(95), 100), (at(10), 1), (at(90), 100)];
        let goal = TrimGoal {
            max_bytes: Some(150),
            older_than: Some(Duration::from_secs(60)),
            unused_since: None,
        };
        // Age removes the one at 10; size then removes 50 and 90.
        assert_eq!(choose_victims(&files, goal, at(100)), vec![2, 0, 3]);
    }

    #[test]
    fn victims_zero_limit_removes_everything() {
        let files = [(at(1), 5), (at(2), 0)];
        let goal = TrimGoal {
            max_bytes: Some(0),
            older_than: None,
            unused_since: None,
        };
        // The empty file does not push the total over 0, so it stays.
        assert_eq!(choose_victims(&files, goal, at(3)), vec![0]);
    }
}
