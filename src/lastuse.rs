//! When a stored file (entry, manifest, memo) was last used: its mtime, which trimming orders
//! by (`zcc gc`, the size limit) and `zcc gc --unused-since TIME` compares with.
//!
//! A write sets the mtime. A read refreshes it only when it is stale, so that a warm rebuild
//! does not write every inode it reads: stale means older than [`TOUCH_AFTER`] (good enough
//! to order by), or older than the job's start when one is known (`ZCC_JOB_START`). With the
//! job's start known, every file the job used has an mtime at or after that start, so
//! `zcc gc --unused-since <job start>` keeps exactly what the job used; each file is still
//! refreshed at most once per job.
//!
//! The job's start is one per process (a process serves one job): [`set_job_start`] is called
//! when a cache is opened.

use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// How stale a file's mtime may get before a read refreshes it, when no job start is known.
pub const TOUCH_AFTER: Duration = Duration::from_secs(3600);

/// The job's start in whole seconds since the Unix epoch, rounded up; 0: not known.
static JOB_START_SECS: AtomicU64 = AtomicU64::new(0);

/// Make reads refresh every file last used before `start` (`None`: only the stale ones).
pub fn set_job_start(start: Option<SystemTime>) {
    JOB_START_SECS.store(start.map_or(0, whole_seconds_up), Ordering::Relaxed);
}

/// Seconds since the Unix epoch, rounded up: a file used within the start's second is
/// refreshed too (file systems with one-second timestamps would otherwise leave it just
/// before the start). At least 1, since 0 means "not known".
fn whole_seconds_up(t: SystemTime) -> u64 {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

fn job_start() -> Option<SystemTime> {
    match JOB_START_SECS.load(Ordering::Relaxed) {
        0 => None,
        secs => Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)),
    }
}

/// Whether a file last used at `mtime` should be marked used at `now`. Pure, for the tests.
pub fn is_stale(mtime: SystemTime, now: SystemTime, job_start: Option<SystemTime>) -> bool {
    let aged = now.duration_since(mtime).is_ok_and(|age| age > TOUCH_AFTER);
    aged || job_start.is_some_and(|start| mtime < start)
}

/// Record a read of `file` (whose mtime is `mtime`): refresh the mtime when stale, unless the
/// store is read-only (`ZCC_READONLY`: nothing in it is written). Best effort: a failure only
/// makes trimming less exact.
pub fn record(file: &File, mtime: SystemTime) {
    let now = SystemTime::now();
    if !crate::memo::is_read_only() && is_stale(mtime, now, job_start()) {
        let _ = file.set_modified(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_when_old_or_before_the_job() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let ago = |secs| now - Duration::from_secs(secs);
        assert!(!is_stale(ago(0), now, None));
        assert!(!is_stale(ago(3600), now, None));
        assert!(is_stale(ago(3601), now, None));
        // In the future (clock skew between machines): not stale.
        assert!(!is_stale(now + Duration::from_secs(50), now, None));
        // A job that started 10 minutes ago: anything before it is stale.
        let start = Some(ago(600));
        assert!(is_stale(ago(601), now, start));
        assert!(!is_stale(ago(600), now, start));
        assert!(!is_stale(ago(10), now, start));
        assert!(is_stale(ago(7200), now, start));
    }

    #[test]
    fn job_start_rounds_up_to_the_second() {
        let at = |ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
        assert_eq!(whole_seconds_up(at(5_000_250)), 5001);
        assert_eq!(whole_seconds_up(at(5_000_000)), 5000);
        assert_eq!(whole_seconds_up(at(0)), 1);
        assert_eq!(
            whole_seconds_up(SystemTime::UNIX_EPOCH - Duration::from_secs(9)),
            1
        );
    }
}
