//! Named counters (`direct_hit`, `miss`, ...) shared by every zcc process using a store.
//!
//! # On-disk layout
//!
//! ```text
//! <dir>/shard-00 .. shard-15      counters: text, one "name value" line per counter, sorted
//! <dir>/shard-NN.lock             empty; locked (File::lock) by whoever reads or updates shard-NN
//! ```
//!
//! Counts are spread over 16 shards so that parallel processes (`make -j16`) rarely
//! wait for each other; a reader sums all shards. An update takes the shard's lock
//! exclusively, reads the shard and rewrites it in place; a reader takes it shared. The lock
//! makes increments exact and keeps readers from seeing an update half done. It lives in a
//! separate file, which zcc versions that replaced the shard by a rename also lock, so they
//! can share a store.
//!
//! Counter names are lowercase ASCII letters, digits and `_`. Lines a reader cannot
//! parse are skipped (and dropped at the shard's next update); counters it does not
//! know are kept, since a newer zcc may share the store.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A shard holds a few hundred bytes of counters; anything bigger is not one.
const MAX_SHARD_LEN: u64 = 1 << 20;

/// Number of shard files new counts are spread over.
const SHARDS: u64 = 16;
const SHARD_PREFIX: &str = "shard-";

/// Counters kept in a directory of shard files. Cheap to clone; Send + Sync.
#[derive(Clone, Debug)]
pub struct Stats {
    dir: PathBuf,
}

impl Stats {
    /// Stats kept under `dir` (the caller passes `<store root>/stats`); created on first write.
    pub fn new(dir: PathBuf) -> Stats {
        Stats { dir }
    }

    /// Add 1 to each named counter in one locked update of one shard file.
    ///
    /// The shard is chosen from the pid and thread so parallel processes rarely contend; if it
    /// is busy the next free one is used, and only when all 16 are busy does this wait. Under
    /// the shard's exclusive `File::lock` the shard is read, updated, written to a temp file and
    /// renamed into place. Unknown counters in the file are preserved (a newer zcc may write
    /// counters an older one doesn't know). A name given twice is counted twice; values
    /// saturate at `u64::MAX`. An invalid name (anything but lowercase ASCII letters, digits
    /// and `_`) is an `InvalidInput` error and nothing is counted.
    pub fn bump(&self, names: &[&str]) -> io::Result<()> {
        let ones: Vec<(&str, u64)> = names.iter().map(|name| (*name, 1)).collect();
        self.add(&ones)
    }

    /// Add an amount to each named counter in one locked update of one shard file (as
    /// [`Stats::bump`] does with 1). An amount of 0 still writes the name, so a report lists it.
    pub fn add(&self, amounts: &[(&str, u64)]) -> io::Result<()> {
        self.add_and_read(amounts).map(drop)
    }

    /// [`Stats::add`], returning the counts of the shard that was updated (what they are now).
    /// One shard's counts are a cheap hint of how far the totals moved, without reading all.
    pub fn add_and_read(&self, amounts: &[(&str, u64)]) -> io::Result<BTreeMap<String, u64>> {
        if let Some((bad, _)) = amounts.iter().find(|(name, _)| !is_valid_name(name)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid counter name {bad:?}"),
            ));
        }
        if amounts.is_empty() {
            return Ok(BTreeMap::new());
        }
        let shard = self.lock_any_shard(preferred_shard())?;
        let mut counts = read_counts(&shard.path)?;
        for (name, amount) in amounts {
            let count = counts.entry((*name).to_string()).or_default();
            *count = count.saturating_add(*amount);
        }
        write_counts(&shard.path, &counts)?;
        Ok(counts)
    }

    /// Sum over all shards. A damaged shard line is skipped, not fatal.
    ///
    /// A missing directory means no counts. Sums saturate at `u64::MAX`.
    pub fn totals(&self) -> io::Result<BTreeMap<String, u64>> {
        let mut totals = BTreeMap::new();
        for shard in self.existing_shards()? {
            let _reading = self.lock_shard_shared(&shard)?;
            for (name, value) in read_counts(&self.dir.join(shard))? {
                let total: &mut u64 = totals.entry(name).or_default();
                *total = total.saturating_add(value);
            }
        }
        Ok(totals)
    }

    /// Zero all counters (under each shard's lock).
    ///
    /// Counter names stay in the files with value 0, so a report still lists them.
    pub fn zero(&self) -> io::Result<()> {
        for shard in self.existing_shards()? {
            let locked = self.lock_shard(&shard)?;
            let mut counts = read_counts(&locked.path)?;
            for value in counts.values_mut() {
                *value = 0;
            }
            write_counts(&locked.path, &counts)?;
        }
        Ok(())
    }

    /// Lock a shard, trying them all without waiting (starting at `preferred`) before
    /// waiting for `preferred`, so a compile is held up only when every shard is busy.
    fn lock_any_shard(&self, preferred: u64) -> io::Result<LockedShard> {
        for offset in 0..SHARDS {
            let shard = shard_name((preferred + offset) % SHARDS);
            let lock = self.open_lock_file(&shard)?;
            match lock.try_lock() {
                Ok(()) => return Ok(self.locked(&shard, lock)),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(e),
            }
        }
        self.lock_shard(&shard_name(preferred))
    }

    /// Lock the named shard, waiting as long as it takes.
    fn lock_shard(&self, shard: &str) -> io::Result<LockedShard> {
        let lock = self.open_lock_file(shard)?;
        lock.lock()?;
        Ok(self.locked(shard, lock))
    }

    /// Share the named shard's lock with other readers, so no update is seen half done.
    /// Reading writes nothing (a store that was refused is only read): without a lock file no
    /// update of zcc's ever ran on the shard, so there is none to wait for.
    fn lock_shard_shared(&self, shard: &str) -> io::Result<Option<File>> {
        let path = self.dir.join(format!("{shard}.lock"));
        let lock = match crate::safefs::no_follow(OpenOptions::new().read(true)).open(path) {
            Ok(lock) => lock,
            Err(e) if e.kind() == io::ErrorKind::NotFound || is_damage(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        lock.lock_shared()?;
        Ok(Some(lock))
    }

    /// Open (creating) a shard's lock file, and the directory on first use: not before every
    /// update, which would cost each compile two more system calls.
    fn open_lock_file(&self, shard: &str) -> io::Result<File> {
        let path = self.dir.join(format!("{shard}.lock"));
        let mut options = OpenOptions::new();
        crate::safefs::no_follow(options.write(true).create(true).truncate(false).mode(0o644));
        match crate::fileio::open_making_dir(&path, &options, create_private_dir) {
            // A symlink planted in its place: removed (the link only), then made anew.
            Err(e) if is_damage(&e) => {
                fs::remove_file(&path)?;
                options.open(&path)
            }
            opened => opened,
        }
    }

    fn locked(&self, shard: &str, lock: File) -> LockedShard {
        LockedShard {
            path: self.dir.join(shard),
            _lock: lock,
        }
    }

    /// Names of the shard data files present, whatever their number (a newer zcc may use more).
    fn existing_shards(&self) -> io::Result<Vec<String>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut shards = Vec::new();
        for entry in entries {
            let name = entry?.file_name();
            if let Some(name) = name.to_str().filter(|name| is_shard_name(name)) {
                shards.push(name.to_string());
            }
        }
        shards.sort();
        Ok(shards)
    }
}

/// A shard's data file path, and its lock file held open (closing it releases the lock).
struct LockedShard {
    path: PathBuf,
    _lock: File,
}

fn shard_name(index: u64) -> String {
    format!("{SHARD_PREFIX}{index:02}")
}

/// `shard-` followed by digits only (not the `.lock` companions, nor an older zcc's `.tmp`).
fn is_shard_name(name: &str) -> bool {
    name.strip_prefix(SHARD_PREFIX)
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The shard this thread of this process starts with: concurrent zcc processes have
/// different pids (usually consecutive), so they mostly start on different shards.
fn preferred_shard() -> u64 {
    u64::from(std::process::id()).wrapping_add(thread_number()) % SHARDS
}

/// A small number identifying the current thread within this process (std's ThreadId has
/// no stable numeric form); 0 if asked during thread teardown.
fn thread_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        static NUMBER: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.try_with(|n| *n).unwrap_or(0)
}

/// Counter names: non-empty snake_case ASCII, so they cannot break the line format.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Read a shard; a missing file has no counts. Damaged lines are skipped; a name
/// appearing twice (never written by zcc, but possible in a hand-edited file) is summed.
fn read_counts(path: &Path) -> io::Result<BTreeMap<String, u64>> {
    // A shard is a few hundred bytes; a symlink, a device or a huge file in its place is
    // damage: no counts (the next update replaces it), never a read through it.
    let bytes = match crate::safefs::read_file(path, MAX_SHARD_LEN) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        // No counts; the next update replaces it (`write_counts`).
        Err(e) if is_damage(&e) => return Ok(BTreeMap::new()),
        Err(e) => return Err(e),
    };
    let mut counts = BTreeMap::new();
    // Lossy: invalid UTF-8 becomes U+FFFD, which no valid name contains, so only that line is lost.
    for (name, value) in String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(parse_line)
    {
        let count: &mut u64 = counts.entry(name.to_string()).or_default();
        *count = count.saturating_add(value);
    }
    Ok(counts)
}

/// Whether opening or reading a shard failed because something else is in its place: a
/// symlink (`ELOOP` under `O_NOFOLLOW`), a device or FIFO, a file too big.
fn is_damage(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidData || e.raw_os_error() == Some(libc::ELOOP)
}

/// `name value`, separated by whitespace; anything else is a damaged line.
fn parse_line(line: &str) -> Option<(&str, u64)> {
    let mut fields = line.split_whitespace();
    let (Some(name), Some(value), None) = (fields.next(), fields.next(), fields.next()) else {
        return None;
    };
    if !is_valid_name(name) {
        return None;
    }
    Some((name, value.parse().ok()?))
}

/// Write the shard at `path` in place (caller holds the shard's lock).
///
/// In place rather than a temp file renamed over it: ext4 flushes a file renamed over
/// another (see `replay::write_atomic`), which cost a hit 0.2 ms. Readers take the lock too,
/// so none sees a write half done. The new text is almost always at least as long as the old
/// (counts and names only grow), so a crash between the write and the truncation leaves at
/// worst a damaged tail line, which readers skip.
fn write_counts(path: &Path, counts: &BTreeMap<String, u64>) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let text: String = counts
        .iter()
        .map(|(name, value)| format!("{name} {value}\n"))
        .collect();
    let mut options = OpenOptions::new();
    crate::safefs::no_follow(options.write(true).create(true).truncate(false).mode(0o644));
    let file = match options.open(path) {
        // Something planted in its place: removed (a link, never its target), then made anew.
        Err(e) if is_damage(&e) => {
            fs::remove_file(path)?;
            options.open(path)?
        }
        opened => opened?,
    };
    file.write_all_at(text.as_bytes(), 0)?;
    file.set_len(text.len() as u64)
}

/// `mkdir -p` with mode 0700 for every directory it creates.
fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    /// Set in child processes spawned by `bumps_from_many_processes_are_exact`.
    const CHILD_DIR_VAR: &str = "ZCC_STATS_TEST_CHILD_DIR";
    const CHILD_BUMPS: u64 = 300;

    fn new_stats() -> (tempfile::TempDir, Stats) {
        let dir = tempfile::tempdir().expect("tempdir");
        let stats = Stats::new(dir.path().join("stats"));
        (dir, stats)
    }

    fn total(stats: &Stats, name: &str) -> u64 {
        stats.totals().unwrap().get(name).copied().unwrap_or(0)
    }

    #[test]
    fn bump_then_totals() {
        let (_dir, stats) = new_stats();
        stats.bump(&["direct_hit"]).unwrap();
        stats.bump(&["direct_hit", "miss"]).unwrap();
        stats.bump(&["miss", "miss"]).unwrap();
        let totals = stats.totals().unwrap();
        assert_eq!(totals.get("direct_hit"), Some(&2));
        assert_eq!(totals.get("miss"), Some(&3));
        assert_eq!(totals.len(), 2);
    }

    #[test]
    fn missing_dir_has_no_totals_and_zero_is_fine() {
        let (dir, stats) = new_stats();
        assert!(stats.totals().unwrap().is_empty());
        stats.zero().unwrap();
        assert!(!dir.path().join("stats").exists());
    }

    #[test]
    fn first_bump_creates_dir() {
        let (dir, stats) = new_stats();
        stats.bump(&["miss"]).unwrap();
        assert!(dir.path().join("stats").is_dir());
    }

    #[test]
    fn empty_bump_writes_nothing() {
        let (dir, stats) = new_stats();
        stats.bump(&[]).unwrap();
        assert!(!dir.path().join("stats").exists());
    }

    #[test]
    fn invalid_names_are_rejected_and_nothing_counted() {
        let (_dir, stats) = new_stats();
        for bad in ["", "has space", "new\nline", "Upper", "dash-ed", "ünïcode"] {
            let err = stats.bump(&["miss", bad]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(stats.totals().unwrap().is_empty());
    }

    #[test]
    fn shard_file_is_sorted_name_value_lines() {
        let (dir, stats) = new_stats();
        stats.bump(&["miss", "direct_hit", "miss"]).unwrap();
        let shard = dir.path().join("stats").join(shard_name(preferred_shard()));
        assert_eq!(fs::read_to_string(shard).unwrap(), "direct_hit 1\nmiss 2\n");
    }

    #[test]
    fn totals_sum_over_shards() {
        let (_dir, stats) = new_stats();
        fs::create_dir_all(&stats.dir).unwrap();
        fs::write(stats.dir.join("shard-00"), "miss 5\n").unwrap();
        fs::write(stats.dir.join("shard-07"), "miss 6\nhit 1\n").unwrap();
        // A newer zcc with more shards.
        fs::write(stats.dir.join("shard-31"), "miss 1\n").unwrap();
        assert_eq!(total(&stats, "miss"), 12);
        assert_eq!(total(&stats, "hit"), 1);
    }

    #[test]
    fn lock_and_temp_files_are_not_counted() {
        let (_dir, stats) = new_stats();
        fs::create_dir_all(&stats.dir).unwrap();
        fs::write(stats.dir.join("shard-00"), "miss 1\n").unwrap();
        fs::write(stats.dir.join("shard-00.tmp"), "miss 100\n").unwrap();
        fs::write(stats.dir.join("shard-00.lock"), "miss 100\n").unwrap();
        fs::write(stats.dir.join("notes"), "miss 100\n").unwrap();
        assert_eq!(total(&stats, "miss"), 1);
    }

    #[test]
    fn damaged_lines_are_skipped() {
        let (_dir, stats) = new_stats();
        fs::create_dir_all(&stats.dir).unwrap();
        let mut text = b"miss 4\nmiss\nmiss x\nmiss 1 2\n 7\nBad 3\nmiss -1\n".to_vec();
        text.extend_from_slice(b"\xff\xfe 9\nmiss 99999999999999999999999\ndirect_hit 2");
        fs::write(stats.dir.join("shard-03"), text).unwrap();
        let totals = stats.totals().unwrap();
        assert_eq!(totals.get("miss"), Some(&4));
        assert_eq!(
            totals.get("direct_hit"),
            Some(&2),
            "last line without newline"
        );
        assert_eq!(totals.len(), 2);
    }

    #[test]
    fn parse_line_cases() {
        assert_eq!(parse_line("miss 3"), Some(("miss", 3)));
        assert_eq!(parse_line("  miss\t3  "), Some(("miss", 3)));
        assert_eq!(parse_line(""), None);
        assert_eq!(parse_line("miss"), None);
        assert_eq!(parse_line("miss 3 4"), None);
        assert_eq!(parse_line("miss 0x3"), None);
        assert_eq!(parse_line("mi$s 3"), None);
    }

    #[test]
    fn unknown_counters_are_preserved_by_bump() {
        let (_dir, stats) = new_stats();
        fs::create_dir_all(&stats.dir).unwrap();
        // Every shard, since bump may pick any of them.
        for index in 0..SHARDS {
            fs::write(
                stats.dir.join(shard_name(index)),
                "future_counter 7\nmiss 1\n",
            )
            .unwrap();
        }
        stats.bump(&["miss"]).unwrap();
        assert_eq!(total(&stats, "future_counter"), 7 * SHARDS);
        assert_eq!(total(&stats, "miss"), SHARDS + 1);
    }

    #[test]
    fn very_large_values_saturate() {
        let (_dir, stats) = new_stats();
        fs::create_dir_all(&stats.dir).unwrap();
        for index in 0..SHARDS {
            fs::write(
                stats.dir.join(shard_name(index)),
                format!("miss {}\n", u64::MAX - 1),
            )
            .unwrap();
        }
        assert_eq!(total(&stats, "miss"), u64::MAX);
        stats.bump(&["miss", "miss", "miss"]).unwrap();
        let shard = stats.dir.join(shard_name(preferred_shard()));
        assert_eq!(
            fs::read_to_string(shard).unwrap(),
            format!("miss {}\n", u64::MAX)
        );
    }

    #[test]
    fn add_adds_amounts_and_records_zero() {
        let (_dir, stats) = new_stats();
        stats.add(&[("bytes", 1000), ("gone", 0)]).unwrap();
        stats.add(&[("bytes", 24)]).unwrap();
        let totals = stats.totals().unwrap();
        assert_eq!(totals.get("bytes"), Some(&1024));
        assert_eq!(totals.get("gone"), Some(&0));
        assert!(stats.add(&[("Bad", 1)]).is_err());
        let shard = stats.add_and_read(&[("bytes", 1)]).unwrap();
        assert!(shard["bytes"] >= 1, "{shard:?}");
        assert!(shard["bytes"] <= 1025);
    }

    #[test]
    fn zero_resets_all_counters_and_keeps_names() {
        let (_dir, stats) = new_stats();
        stats.bump(&["miss", "direct_hit"]).unwrap();
        // Another shard than the one bump wrote (a fixed "shard-12" was that one 1 time in 16).
        let other = shard_name((preferred_shard() + 1) % SHARDS);
        fs::write(stats.dir.join(other), "future_counter 9\n").unwrap();
        stats.zero().unwrap();
        let totals = stats.totals().unwrap();
        assert_eq!(totals.values().sum::<u64>(), 0);
        assert_eq!(totals.len(), 3);
        stats.bump(&["miss"]).unwrap();
        assert_eq!(total(&stats, "miss"), 1);
    }

    #[test]
    fn busy_shard_does_not_block_bump() {
        let (_dir, stats) = new_stats();
        fs::create_dir_all(&stats.dir).unwrap();
        let (shard_tx, shard_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel();
        let stats2 = stats.clone();
        thread::spawn(move || {
            // Tell the test which shard this thread prefers, so it can occupy exactly that one.
            let _ = shard_tx.send(preferred_shard());
            let _ = go_rx.recv();
            let _ = done_tx.send(stats2.bump(&["miss"]).is_ok());
        });
        let preferred = shard_rx.recv().unwrap();
        // flock locks belong to open files, so a lock held here excludes the other thread too.
        let held = stats.open_lock_file(&shard_name(preferred)).unwrap();
        held.lock().unwrap();
        go_tx.send(()).unwrap();

        let finished = done_rx.recv_timeout(Duration::from_secs(10));
        assert_eq!(finished, Ok(true), "bump waited for a busy shard");
        assert_eq!(total(&stats, "miss"), 1);
        assert!(
            !stats.dir.join(shard_name(preferred)).exists(),
            "busy shard was written"
        );
        held.unlock().unwrap();
    }

    #[test]
    fn bump_waits_when_every_shard_is_busy() {
        let (_dir, stats) = new_stats();
        fs::create_dir_all(&stats.dir).unwrap();
        let held: Vec<File> = (0..SHARDS)
            .map(|index| {
                let lock = stats.open_lock_file(&shard_name(index)).unwrap();
                lock.lock().unwrap();
                lock
            })
            .collect();
        let stats2 = stats.clone();
        let bumper = thread::spawn(move || stats2.bump(&["miss"]).is_ok());
        thread::sleep(Duration::from_millis(100));
        assert_eq!(total(&stats, "miss"), 0, "bump ignored the locks");
        drop(held);
        assert!(bumper.join().unwrap());
        assert_eq!(total(&stats, "miss"), 1);
    }

    #[test]
    fn unwritable_dir_is_an_error_not_a_panic() {
        let (dir, _) = new_stats();
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        let stats = Stats::new(file.join("stats"));
        assert!(stats.bump(&["miss"]).is_err());
        assert!(stats.totals().is_err());
        let stats = Stats::new(file);
        assert!(stats.bump(&["miss"]).is_err());
    }

    #[test]
    fn bumps_from_many_threads_are_exact() {
        const THREADS: u64 = 8;
        const BUMPS: u64 = 500;
        let (_dir, stats) = new_stats();
        thread::scope(|s| {
            for _ in 0..THREADS {
                let stats = &stats;
                s.spawn(move || {
                    for _ in 0..BUMPS {
                        stats.bump(&["miss", "preprocessed_hit"]).unwrap();
                    }
                });
            }
        });
        assert_eq!(total(&stats, "miss"), THREADS * BUMPS);
        assert_eq!(total(&stats, "preprocessed_hit"), THREADS * BUMPS);
    }

    /// Not a test on its own: the body of the child processes spawned below.
    #[test]
    fn child_process_bumper() {
        let Some(dir) = std::env::var_os(CHILD_DIR_VAR) else {
            return;
        };
        let stats = Stats::new(PathBuf::from(dir));
        for _ in 0..CHILD_BUMPS {
            stats.bump(&["miss", "direct_hit"]).unwrap();
        }
    }

    #[test]
    fn bumps_from_many_processes_are_exact() {
        const CHILDREN: u64 = 6;
        let (_dir, stats) = new_stats();
        let exe = std::env::current_exe().unwrap();
        // Test names are module paths without the crate name; derived so a move cannot break it.
        let (_crate, module) = module_path!().split_once("::").unwrap();
        let child_test = format!("{module}::child_process_bumper");
        let children: Vec<_> = (0..CHILDREN)
            .map(|_| {
                Command::new(&exe)
                    .args(["--exact", &child_test, "--quiet"])
                    .env(CHILD_DIR_VAR, &stats.dir)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        // This process bumps at the same time, with its own threads' shards.
        for _ in 0..CHILD_BUMPS {
            stats.bump(&["miss"]).unwrap();
        }
        for child in children {
            let output = child.wait_with_output().unwrap();
            let log = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "child failed:\n{log}");
            // Guards against the filter matching nothing, which would also "succeed".
            assert!(log.contains("1 passed"), "child ran no test:\n{log}");
        }
        assert_eq!(total(&stats, "miss"), (CHILDREN + 1) * CHILD_BUMPS);
        assert_eq!(total(&stats, "direct_hit"), CHILDREN * CHILD_BUMPS);
    }

    #[test]
    fn stats_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Stats>();
    }
}
