//! `zcc fp`: the command-line face of [`zcc::fingerprint`] (build fingerprints).
//!
//! Exit statuses: `check` 0 = changed (build), 1 = unchanged (skip); `mark-success` and
//! `mark-failure` 0; any bad argument or error 2 with one `zcc: error: …` line.

use crate::Status;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use zcc::fingerprint::{self, FileSet, Marked};

/// `zcc fp --cache-file FILE <check|mark-success|mark-failure>`.
#[derive(Args, Debug)]
pub struct FpArgs {
    /// The fingerprint state file (created by `check`; keep one per build).
    #[arg(long, value_name = "FILE", global = true)]
    cache_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<FpCommand>,
}

#[derive(Subcommand, Debug)]
enum FpCommand {
    /// Exit 0 when the files under --root changed since the last success (build), 1 when
    /// nothing did (skip).
    Check {
        /// The directory whose files are fingerprinted (paths are taken relative to it).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Only files with these extensions (comma list, dots optional; repeatable).
        #[arg(long, value_name = "EXTS")]
        ext: Vec<String>,
        /// Leave out files and directories matching this glob (repeatable).
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// Print one line to stderr saying what was decided and why.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Record the fingerprint the last check computed as a successful build.
    MarkSuccess,
    /// Forget the last success, so the next check says changed.
    MarkFailure,
}

pub fn run(args: FpArgs) -> Status {
    let Some(command) = args.command else {
        return super::fail(
            "zcc fp needs a command: check, mark-success or mark-failure (see zcc fp --help)",
        );
    };
    let Some(cache_file) = args.cache_file else {
        return super::fail("zcc fp needs --cache-file FILE (see zcc fp --help)");
    };
    if cache_file.as_os_str().is_empty() {
        return super::fail("--cache-file is empty");
    }
    match command {
        FpCommand::Check {
            root,
            ext,
            exclude,
            verbose,
        } => {
            let Some(root) = root else {
                return super::fail("zcc fp check needs --root DIR (see zcc fp check --help)");
            };
            let set = match FileSet::new(&ext, &exclude) {
                Ok(set) => set,
                Err(e) => return super::fail(e),
            };
            let report = match fingerprint::check(&cache_file, &root, &set) {
                Ok(r) => r,
                Err(e) => return super::fail(e),
            };
            for warning in &report.warnings {
                eprintln!("zcc: warning: {warning}");
            }
            if verbose {
                eprintln!(
                    "zcc fp: {} ({}; {} files, {} hashed)",
                    if report.changed {
                        "changed"
                    } else {
                        "unchanged"
                    },
                    if report.changed {
                        report.reason
                    } else {
                        "same as the last success"
                    },
                    report.files,
                    report.hashed
                );
            }
            if report.changed { 0 } else { 1 }
        }
        FpCommand::MarkSuccess => match fingerprint::mark_success(&cache_file) {
            Ok(Marked::Recorded) => 0,
            Ok(Marked::NothingKnown) => {
                eprintln!(
                    "zcc: warning: the last check could not read every file; \
                     nothing recorded, the next check will say changed"
                );
                0
            }
            Err(e) => super::fail(e),
        },
        FpCommand::MarkFailure => match fingerprint::mark_failure(&cache_file) {
            Ok(()) => 0,
            Err(e) => super::fail(e),
        },
    }
}
