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
//! The job's start comes from the cache's configuration, through the policy of the call
//! running on the thread ([`crate::policy::Policy`]).

use std::fs::File;
use std::time::{Duration, SystemTime};

/// How stale a file's mtime may get before a read refreshes it, when no job start is known.
pub const TOUCH_AFTER: Duration = Duration::from_secs(3600);

/// `t` rounded up to a whole second: a file used within the job start's second is refreshed
/// too (file systems with one-second timestamps would otherwise leave it just before the
/// start).
fn whole_seconds_up(t: SystemTime) -> SystemTime {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    SystemTime::UNIX_EPOCH + Duration::from_secs(d.as_secs() + u64::from(d.subsec_nanos() > 0))
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
    let policy = crate::policy::current();
    let job_start = policy.job_start.map(whole_seconds_up);
    if !policy.read_only && is_stale(mtime, now, job_start) {
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
        assert_eq!(whole_seconds_up(at(5_000_250)), at(5_001_000));
        assert_eq!(whole_seconds_up(at(5_000_000)), at(5_000_000));
        assert_eq!(whole_seconds_up(at(0)), at(0));
        assert_eq!(
            whole_seconds_up(SystemTime::UNIX_EPOCH - Duration::from_secs(9)),
            at(0)
        );
    }
}
