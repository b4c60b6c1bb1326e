//! The counting and logging of one call, in one handle: what the parts of a call (lookup, miss,
//! storage, remote tiers, links) are given instead of the whole cache. Everything recorded
//! also goes into the call's [`Report`].

use std::cell::RefCell;

use crate::compiler::Compiler;
use crate::counter::Counter;
use crate::log::Log;
use crate::outcome::{Outcome, Report};
use crate::passthrough::Passthrough;
use crate::stats::Stats;

/// Counts and logs for one call.
pub(crate) struct Recorder<'a> {
    stats: &'a Stats,
    log: &'a Log,
    /// Whether counters are written: not into a store refused as insecure, whose files are
    /// written by nobody (so nothing ever follows a link planted in a store someone else
    /// controls).
    counting: bool,
    report: RefCell<Report>,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(stats: &'a Stats, log: &'a Log, counting: bool) -> Recorder<'a> {
        Recorder {
            stats,
            log,
            counting,
            report: RefCell::new(Report::default()),
        }
    }

    /// Bump counters (one update of the stats files for all of them).
    pub(crate) fn count(&self, counters: &[Counter]) {
        if !self.counting {
            return;
        }
        self.report
            .borrow_mut()
            .counters
            .extend_from_slice(counters);
        let names: Vec<_> = counters.iter().map(|c| c.name()).collect();
        let names: Vec<&str> = names.iter().map(|n| n.as_ref()).collect();
        if let Err(e) = self.stats.bump(&names) {
            self.log(&format!("cannot update counters {names:?}: {e}"));
        }
    }

    /// Log one line.
    pub(crate) fn log(&self, message: &str) {
        self.log.line(message);
        self.report.borrow_mut().log.push(message.to_string());
    }

    /// Pass a call through, counted as `passthrough_<name>`.
    pub(crate) fn passthrough(&self, compiler: &Compiler, reason: Passthrough) -> Outcome {
        self.count(&[Counter::Passthrough(reason.name())]);
        self.log(&format!(
            "passthrough: {reason}: {}",
            compiler.path.display()
        ));
        Outcome::Passthrough {
            compiler: compiler.path.clone(),
            reason,
            report: Report::default(),
        }
    }

    /// Everything recorded so far.
    pub(crate) fn into_report(self) -> Report {
        self.report.into_inner()
    }
}

/// What unit tests of the parts of a call use to record.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Counters and a log for the calls of a test, in a directory of its own.
    pub(crate) struct Counting {
        pub(crate) dir: tempfile::TempDir,
        stats: Stats,
        log: Log,
    }

    impl Counting {
        pub(crate) fn new() -> Counting {
            let dir = tempfile::tempdir().unwrap();
            let stats = Stats::new(dir.path().join("stats"));
            Counting {
                dir,
                stats,
                log: Log::default(),
            }
        }

        pub(crate) fn recorder(&self) -> Recorder<'_> {
            Recorder::new(&self.stats, &self.log, true)
        }

        pub(crate) fn total(&self, name: &str) -> Option<u64> {
            self.stats.totals().unwrap().get(name).copied()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_reports_what_it_counted_and_logged_and_a_refused_store_counts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let stats = Stats::new(dir.path().join("stats"));
        let logfile = dir.path().join("log");
        let log = Log::new(Some(logfile.clone()));
        let counting = Recorder::new(&stats, &log, true);
        counting.count(&[Counter::Miss, Counter::NotStoredTimeMacro]);
        counting.log("miss a.c: first compile; not_stored_time_macro");
        let report = counting.into_report();
        assert_eq!(
            report.counters,
            [Counter::Miss, Counter::NotStoredTimeMacro]
        );
        assert_eq!(
            report.log,
            ["miss a.c: first compile; not_stored_time_macro"]
        );
        assert_eq!(stats.totals().unwrap().get("miss"), Some(&1));
        let refused = Recorder::new(&stats, &log, false);
        refused.count(&[Counter::Miss]);
        refused.log("store refused");
        let report = refused.into_report();
        assert_eq!(report.counters, []);
        assert_eq!(report.log, ["store refused"]);
        assert_eq!(stats.totals().unwrap().get("miss"), Some(&1));
        assert_eq!(
            std::fs::read_to_string(&logfile).unwrap().lines().count(),
            2
        );
    }
}
