//! The flow of one call: classify → key → store → replay, with the fallback that keeps every
//! internal problem from breaking a build.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::args::{self, Passthrough};
use crate::compiler::{self, Compiler};
use crate::config::Config;
use crate::counter::Counter;
use crate::log::Log;
use crate::remote::Remotes;
use crate::stats::Stats;
use crate::store::Store;

/// The largest response file (`@file`) zcc reads; a bigger one passes the call through.
const MAX_RESPONSE_FILE: u64 = 16 << 20;

/// One compile as a build tool asks for it.
#[derive(Clone, Debug)]
pub struct CompileRequest {
    /// The compiler as the caller named it: a name looked up in `PATH`, or a path.
    pub compiler: OsString,
    /// The arguments after the compiler name, exactly as the compiler will receive them.
    pub args: Vec<OsString>,
    /// The working directory of the compile.
    pub cwd: PathBuf,
    /// The compile's whole environment.
    pub env: Vec<(OsString, OsString)>,
    /// Whether the caller shows the compiler's stderr on a terminal: with no colour option,
    /// diagnostics are then coloured, as the compiler colours them on a terminal.
    pub stderr_is_terminal: bool,
}

impl CompileRequest {
    /// A request for this process's working directory, environment and stderr.
    pub fn from_process(compiler: OsString, args: Vec<OsString>) -> io::Result<CompileRequest> {
        Ok(CompileRequest {
            compiler,
            args,
            cwd: std::env::current_dir()?,
            env: std::env::vars_os().collect(),
            // SAFETY: isatty only reads the descriptor's state.
            stderr_is_terminal: unsafe { libc::isatty(2) } == 1,
        })
    }

    /// The value of one environment variable of the request (empty counts as unset).
    pub fn var(&self, name: &str) -> Option<&OsStr> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_os_str())
            .filter(|v| !v.is_empty())
    }

    /// The working directory as the compiler reports it (GCC's `getpwd`, LLVM's
    /// `current_path`): `$PWD` when it is absolute and names the same directory (device and
    /// inode) as the physical one, else the physical one. Debug info (`DW_AT_comp_dir`), the
    /// `.gcno` and the `.gcda` path hold this spelling, so a directory reached through a
    /// symlink is recorded as the link's path, which a `-fdebug-prefix-map=$PWD=.` matches.
    pub fn compiler_pwd(&self) -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let same =
                |a: &fs::Metadata, b: &fs::Metadata| a.dev() == b.dev() && a.ino() == b.ino();
            if let Some(pwd) = self.var("PWD").map(PathBuf::from)
                && pwd.is_absolute()
                && let (Ok(a), Ok(b)) = (fs::metadata(&pwd), fs::metadata(&self.cwd))
                && same(&a, &b)
            {
                return pwd;
            }
        }
        self.cwd.clone()
    }
}

/// How a completed call was served.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// The result of a compile that zcc ran or served: what the compiler would have returned.
#[derive(Clone, Debug)]
pub struct Completed {
    /// Exit status (a signal `n` is reported as `128 + n`, as shells do).
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub served: Served,
}

/// What [`Cache::compile`] decided.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Served or compiled; outputs are written, the caller prints stdout/stderr and exits.
    Completed(Completed),
    /// Not a cacheable compile: the caller runs `compiler` with the request's arguments itself
    /// (the binary `exec`s it; an embedding tool may use [`Cache::run_uncached`]).
    Passthrough { compiler: PathBuf, reason: String },
}

/// Errors that are the caller's to report (not internal problems).
#[derive(Debug)]
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
    counter: Option<Counter>,
    message: String,
}

impl Internal {
    pub(crate) fn new(counter: Counter, message: impl std::fmt::Display) -> Internal {
        Internal {
            counter: Some(counter),
            message: message.to_string(),
        }
    }

    /// A problem that is logged but not counted.
    fn uncounted(message: impl std::fmt::Display) -> Internal {
        Internal {
            counter: None,
            message: message.to_string(),
        }
    }
}

/// Why the store could not be opened.
#[derive(Debug)]
struct OpenFailure {
    message: String,
    /// Refused for its owner or permissions (nothing is written into it, counters included).
    refused: bool,
}

/// A compiler cache over one store. Cheap to clone; safe to use from many threads at once
/// (no lock is held around compiles; the store and the counters are shared files).
#[derive(Clone, Debug)]
pub struct Cache {
    config: Config,
    /// Opened on first use, so that a disabled call never touches the store.
    store: Arc<OnceLock<Result<Store, OpenFailure>>>,
    stats: Stats,
    log: Log,
    /// The remote tiers (`ZCC_REMOTE`); connections are opened on first use.
    remotes: Arc<Remotes>,
}

impl Cache {
    /// Open the cache the configuration describes. A store that cannot be opened is not an
    /// error here: every compile then runs uncached and says why in the log.
    pub fn open(config: Config) -> Cache {
        crate::memo::set_read_only(config.readonly);
        crate::lastuse::set_job_start(config.job_start);
        let store = Arc::new(OnceLock::new());
        let stats = Stats::new(config.dir.join("stats"));
        let log = Log::new(config.logfile.clone());
        let remotes = Arc::new(Remotes::open(
            &config.remotes,
            config.remote_timeout,
            config.remote_readonly,
            &config.remote_credentials,
        ));
        Cache {
            config,
            store,
            stats,
            log,
            remotes,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store (with the configured size limit), or why it could not be opened.
    pub fn store(&self) -> Result<&Store, &str> {
        self.open_store().map_err(|f| f.message.as_str())
    }

    /// Why the store is refused (its owner or permissions), if it is: compiles then run
    /// uncached and nothing is written into it.
    pub fn refusal(&self) -> Option<&str> {
        self.open_store()
            .err()
            .filter(|f| f.refused)
            .map(|f| f.message.as_str())
    }

    fn open_store(&self) -> Result<&Store, &OpenFailure> {
        self.store
            .get_or_init(|| match Store::open(&self.config.dir) {
                Ok(store) => Ok(store.with_max_size(self.config.max_size)),
                // A refusal's message names the store and says why.
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(OpenFailure {
                    refused: true,
                    message: e.to_string(),
                }),
                Err(e) => Err(OpenFailure {
                    refused: false,
                    message: format!("cannot open the store {}: {e}", self.config.dir.display()),
                }),
            })
            .as_ref()
    }

    /// Trim the store if this call's writes pushed it over the size limit (never after a hit:
    /// a hit writes nothing). A trim failure is logged; the call's result stands.
    fn trim_if_needed(&self) {
        let Some(Ok(store)) = self.store.get() else {
            return;
        };
        match store.trim_if_needed() {
            None => {}
            Some(Ok(report)) if report.removed_entries + report.removed_aux == 0 => {
                self.log.line(&format!(
                    "counted the store: {} bytes in {} entries, limit {} bytes; \
                     {} stray files removed; took {} ms",
                    report.remaining.bytes(),
                    report.remaining.entries,
                    self.config.max_size,
                    report.removed_stray,
                    report.elapsed.as_millis()
                ))
            }
            Some(Ok(report)) => self.log.line(&format!(
                "trimmed the store to its limit of {} bytes: removed {} entries ({} bytes), \
                 {} aux files ({} bytes), {} stray files; {} bytes left; took {} ms",
                self.config.max_size,
                report.removed_entries,
                report.removed_entry_bytes,
                report.removed_aux,
                report.removed_aux_bytes,
                report.removed_stray,
                report.remaining.bytes(),
                report.elapsed.as_millis()
            )),
            Some(Err(e)) => self.log.line(&format!("cannot trim the store: {e}")),
        }
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub(crate) fn remotes(&self) -> &Remotes {
        &self.remotes
    }

    pub(crate) fn log(&self, message: &str) {
        self.log.line(message);
    }

    /// Bump counters, unless the store is refused: its counters are written by nobody, so
    /// nothing ever follows a link planted in a store someone else controls.
    pub(crate) fn count(&self, counters: &[Counter]) {
        if self.open_store().is_err_and(|f| f.refused) {
            return;
        }
        let names: Vec<_> = counters.iter().map(|c| c.name()).collect();
        let names: Vec<&str> = names.iter().map(|n| n.as_ref()).collect();
        if let Err(e) = self.stats.bump(&names) {
            self.log
                .line(&format!("cannot update counters {names:?}: {e}"));
        }
    }

    /// Serve or run one compile. Never fails because of the cache: any internal problem
    /// (including a bug that panics) falls back to running the compiler as is.
    pub fn compile(&self, req: &CompileRequest) -> Result<Outcome, CompileError> {
        let compiler = compiler::resolve(&req.compiler, req.var("PATH"), &req.cwd)
            .map_err(CompileError::CompilerNotFound)?;
        if self.config.disable {
            return Ok(Outcome::Passthrough {
                compiler: compiler.path,
                reason: "disabled".into(),
            });
        }
        let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let outcome = self.cached(&compiler, req);
            self.trim_if_needed();
            outcome
        }));
        let failure = match attempt {
            Ok(Ok(outcome)) => return Ok(outcome),
            Ok(Err(internal)) => internal,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Internal::new(
                    Counter::ErrorInternal,
                    format!("internal error (bug): {what}"),
                )
            }
        };
        if let Some(counter) = failure.counter {
            self.count(&[counter]);
        }
        self.log.line(&format!(
            "{}: {}; compiling without the cache",
            failure.counter.map_or("store refused".into(), |c| c.name()),
            failure.message
        ));
        let mut done = self.run_uncached(&compiler.path, req);
        done.served = Served::Fallback;
        Ok(Outcome::Completed(done))
    }

    /// Run the compiler with the request's arguments, capturing its output.
    pub fn run_uncached(&self, compiler: &Path, req: &CompileRequest) -> Completed {
        match crate::process::capture(compiler, &req.args, req) {
            Ok(c) => Completed {
                status: c.status,
                stdout: c.stdout,
                stderr: c.stderr,
                served: Served::Miss,
            },
            Err(e) => Completed {
                status: 127,
                stdout: Vec::new(),
                stderr: format!("zcc: cannot run {}: {e}\n", compiler.display()).into_bytes(),
                served: Served::Fallback,
            },
        }
    }

    pub(crate) fn passthrough(&self, compiler: &Compiler, reason: &Passthrough) -> Outcome {
        self.passthrough_named(compiler, reason.name(), reason)
    }

    /// Pass a call through, counted as `passthrough_<name>`.
    pub(crate) fn passthrough_named(
        &self,
        compiler: &Compiler,
        name: &'static str,
        reason: &dyn std::fmt::Display,
    ) -> Outcome {
        self.count(&[Counter::Passthrough(name)]);
        self.log.line(&format!(
            "passthrough: {reason}: {}",
            compiler.path.display()
        ));
        Outcome::Passthrough {
            compiler: compiler.path.clone(),
            reason: reason.to_string(),
        }
    }

    /// The cached path; `Err` means "fall back to a plain compile".
    fn cached(&self, compiler: &Compiler, req: &CompileRequest) -> Result<Outcome, Internal> {
        let mut args = Vec::with_capacity(req.args.len());
        for a in &req.args {
            match a.to_str() {
                Some(s) => args.push(s.to_string()),
                None => {
                    let p = Passthrough::BadArguments("argument is not UTF-8".into());
                    return Ok(self.passthrough(compiler, &p));
                }
            }
        }
        // A response file is a regular file of reasonable size: `@/dev/zero` or a FIFO is
        // never read by zcc (the call passes through; the compiler reads it as it does).
        // A key spells the working directory as text (debug info embeds it): two directories
        // whose names are not UTF-8 could share a lossy spelling.
        if req.cwd.to_str().is_none() {
            let p = Passthrough::BadArguments("working directory is not UTF-8".into());
            return Ok(self.passthrough(compiler, &p));
        }
        let read = |name: &str| {
            let bytes = crate::safefs::read_regular(&req.cwd.join(name), MAX_RESPONSE_FILE).ok()?;
            String::from_utf8(bytes).ok()
        };
        let inv = match args::classify(&args, &read) {
            Ok(inv) => inv,
            Err(Passthrough::Link) if !self.config.nolink => {
                return crate::link::run(self, compiler, req, &args);
            }
            Err(p) => return Ok(self.passthrough(compiler, &p)),
        };
        if req.var("DEPENDENCIES_OUTPUT").is_some() || req.var("SUNPRO_DEPENDENCIES").is_some() {
            return Ok(self.passthrough(compiler, &Passthrough::DependencyEnv));
        }
        // An output path that is a directory, or a symlink (`-o /dev/stdout`): a compiler
        // writes through some links and replaces others; only running it gives exactly what
        // it would do.
        let outputs = inv.output.iter().chain(inv.dep.iter().map(|d| &d.path));
        for out in outputs {
            let what = match fs::symlink_metadata(req.cwd.join(out)) {
                Ok(m) if m.is_dir() => "a directory",
                Ok(m) if m.file_type().is_symlink() => "a symbolic link",
                _ => continue,
            };
            let p = Passthrough::BadArguments(format!("output {out} is {what}"));
            return Ok(self.passthrough(compiler, &p));
        }
        // zcc reads the input several times (hash, preprocessor, compile): a FIFO or device
        // would be consumed by the first, or never end.
        if fs::metadata(req.cwd.join(&inv.input)).is_ok_and(|m| !m.is_file()) {
            let p = Passthrough::BadArguments(format!("input {} is not a regular file", inv.input));
            return Ok(self.passthrough(compiler, &p));
        }
        let store = self.usable_store(req)?;
        crate::call::Call::new(self, store, compiler, req, inv)?.run()
    }

    /// The store, or the internal problem that sends the call to a plain run. A refused store
    /// is said once on stderr (`notice.rs`, markers found through `req`'s environment).
    pub(crate) fn usable_store(&self, req: &CompileRequest) -> Result<&Store, Internal> {
        self.open_store().map_err(|f| {
            if f.refused {
                let dir = crate::notice::marker_dir(|name| req.var(name));
                crate::notice::once(
                    dir,
                    &format!(
                        "{}; compiling without the cache (said once; `zcc stats` shows it)",
                        f.message
                    ),
                );
                Internal::uncounted(&f.message)
            } else {
                Internal::new(Counter::ErrorStoreOpen, &f.message)
            }
        })
    }
}
