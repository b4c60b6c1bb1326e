//! What a call gives back: a completed compile (served or run) or a passthrough, each with the
//! report of what zcc decided; and the internal problem that sends a call to a plain compile.

use std::path::{Path, PathBuf};

use crate::counter::Counter;
use crate::passthrough::Passthrough;
use crate::process;
use crate::request::CompileRequest;

/// How a completed call was served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Served {
    /// From the store, found through a direct-mode manifest (no preprocessor run).
    DirectHit,
    /// From the store, keyed on the preprocessed text.
    PreprocessedHit,
    /// Compiled and stored (or compiled and not stored, with the reason counted).
    Miss,
    /// The compiler failed; nothing stored.
    Failed,
    /// Compiled without the cache because of an internal problem (counted and logged).
    Fallback,
}

/// What zcc decided for one call, and why: the counters it bumped and the lines it logged, in
/// order (the same lines `ZCC_LOGFILE` receives, without their time stamps). An embedder shows
/// or records them without reading a log file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Every counter the call bumped (`zcc stats` names them; `docs/CLI.md` says what each
    /// counts). A counter is not bumped, and so not listed, in a store refused as insecure.
    pub counters: Vec<Counter>,
    /// What the call logged: the decision (`direct_hit <key> <input>`, `miss <input>: <why>;
    /// stored <key>`, `passthrough: <reason>: <compiler>`) and every internal problem.
    pub log: Vec<String>,
}

/// The result of a compile that zcc ran or served: what the compiler would have returned.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Completed {
    /// Exit status (a signal `n` is reported as `128 + n`, as shells do).
    pub status: i32,
    /// What the compiler printed on stdout.
    pub stdout: Vec<u8>,
    /// What the compiler printed on stderr (warnings and errors).
    pub stderr: Vec<u8>,
    /// Whether the result came from the store or from running the compiler.
    pub served: Served,
    /// What zcc decided, and why.
    pub report: Report,
}

impl Completed {
    pub(crate) fn new(status: i32, stdout: Vec<u8>, stderr: Vec<u8>, served: Served) -> Completed {
        Completed {
            status,
            stdout,
            stderr,
            served,
            report: Report::default(),
        }
    }

    /// A finished process's output, as served in the way `served` says.
    pub(crate) fn captured(done: process::Captured, served: Served) -> Completed {
        Completed::new(done.status, done.stdout, done.stderr, served)
    }

    /// A program that could not be started, reported as a shell would (127).
    pub(crate) fn not_started(program: &Path, error: &std::io::Error, served: Served) -> Completed {
        let message = format!("zcc: cannot run {}: {error}\n", program.display());
        Completed::new(127, Vec::new(), message.into_bytes(), served)
    }

    /// Run `compiler` with the request's arguments, directory and environment, capturing
    /// its output: the call as it would have run without zcc.
    pub(crate) fn uncached(compiler: &Path, req: &CompileRequest) -> Completed {
        match process::capture(compiler, &req.args, &req.cwd, &req.env) {
            Ok(done) => Completed::captured(done, Served::Miss),
            Err(e) => Completed::not_started(compiler, &e, Served::Fallback),
        }
    }
}

/// What [`Cache::compile`](crate::Cache::compile) decided.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Served or compiled; outputs are written, the caller prints stdout/stderr and exits.
    Completed(Completed),
    /// Not a cacheable call: the caller runs `compiler` with the request's arguments itself
    /// (the binary `exec`s it; an embedding tool may use
    /// [`Cache::run_uncached`](crate::Cache::run_uncached)).
    Passthrough {
        /// The real compiler, found as the request named it.
        compiler: PathBuf,
        /// Why the call is not cached.
        reason: Passthrough,
        /// What zcc decided, and why.
        report: Report,
    },
}

impl Outcome {
    /// What zcc decided for this call, and why.
    pub fn report(&self) -> &Report {
        match self {
            Outcome::Completed(done) => &done.report,
            Outcome::Passthrough { report, .. } => report,
        }
    }

    pub(crate) fn with_report(mut self, new: Report) -> Outcome {
        match &mut self {
            Outcome::Completed(done) => done.report = new,
            Outcome::Passthrough { report, .. } => *report = new,
        }
        self
    }
}

/// Errors that are the caller's to report (not internal problems).
#[derive(Debug)]
#[non_exhaustive]
pub enum CompileError {
    /// No compiler of that name (or it is zcc itself).
    CompilerNotFound(String),
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::CompilerNotFound(m) => write!(f, "compiler not found: {m}"),
        }
    }
}

impl std::error::Error for CompileError {}

/// An internal problem on the way to a result; the call falls back to a plain compile.
pub(crate) struct Internal {
    /// The `error_*` counter to bump; `None` when the counters cannot be trusted either (they
    /// live in a store that was refused as insecure).
    pub(crate) counter: Option<Counter>,
    pub(crate) message: String,
}

impl Internal {
    pub(crate) fn new(counter: Counter, message: impl std::fmt::Display) -> Internal {
        Internal {
            counter: Some(counter),
            message: message.to_string(),
        }
    }

    /// A problem that is logged but not counted.
    pub(crate) fn uncounted(message: impl std::fmt::Display) -> Internal {
        Internal {
            counter: None,
            message: message.to_string(),
        }
    }
}
