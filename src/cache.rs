//! The flow of one call: classify → key → store → replay, with the fallback that keeps every
//! internal problem from breaking a build; and the store's upkeep (usage, counters, trimming).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::args;
use crate::call::Call;
use crate::compiler::{self, Compiler};
use crate::config::Config;
use crate::counter::Counter;
use crate::log::Log;
use crate::outcome::{CompileError, Completed, Internal, Outcome, Served};
use crate::passthrough::Passthrough;
use crate::recorder::Recorder;
use crate::remote::Remotes;
use crate::request::CompileRequest;
use crate::shared::Shared;
use crate::stats::Stats;
use crate::store::{Store, TrimGoal, TrimReport, Usage};

/// The largest response file (`@file`) zcc reads; a bigger one passes the call through.
const MAX_RESPONSE_FILE: u64 = 16 << 20;

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

/// A problem with the store itself: it cannot be opened (or is refused), or an operation on
/// it failed. The message names the store and says why.
#[derive(Debug)]
pub struct StoreError(String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// The statistics counters of a store, by stable name (`docs/CLI.md`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Counters(BTreeMap<String, u64>);

impl Counters {
    /// One counter's value (0 when never bumped).
    pub fn get(&self, counter: Counter) -> u64 {
        self.0.get(counter.name().as_ref()).copied().unwrap_or(0)
    }

    /// Every counter bumped at least once, by name, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(name, n)| (name.as_str(), *n))
    }
}

impl Cache {
    /// Open the cache the configuration describes. A store that cannot be opened is not an
    /// error here: every compile then runs uncached and says why in its report and the log.
    pub fn open(config: Config) -> Cache {
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

    /// The configuration the cache was opened with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Why the store is refused (its owner or permissions), if it is: compiles then run
    /// uncached and nothing is written into it.
    pub fn refusal(&self) -> Option<&str> {
        self.open_store()
            .err()
            .filter(|f| f.refused)
            .map(|f| f.message.as_str())
    }

    /// What the store holds now.
    pub fn usage(&self) -> Result<Usage, StoreError> {
        let store = self.existing_store()?;
        store.usage().map_err(|e| self.store_failed("read", e))
    }

    /// Remove every cached entry.
    pub fn clear(&self) -> Result<(), StoreError> {
        let store = self.existing_store()?;
        store.clear().map_err(|e| self.store_failed("clear", e))
    }

    /// Trim the store now: stray temporary files, then what `goal` names.
    pub fn gc(&self, goal: TrimGoal) -> Result<TrimReport, StoreError> {
        let store = self.existing_store()?;
        store.gc(goal).map_err(|e| self.store_failed("trim", e))
    }

    /// The store's counters, summed over every process that used it.
    pub fn counters(&self) -> Result<Counters, StoreError> {
        self.stats.totals().map(Counters).map_err(|e| {
            StoreError(format!(
                "cannot read the counters of {}: {e}",
                self.config.dir.display()
            ))
        })
    }

    /// Set every counter to zero (not in a store that is refused: nothing is written into it).
    pub fn zero_counters(&self) -> Result<(), StoreError> {
        self.existing_store()?;
        self.stats.zero().map_err(|e| {
            StoreError(format!(
                "cannot zero the counters of {}: {e}",
                self.config.dir.display()
            ))
        })
    }

    fn existing_store(&self) -> Result<&Store, StoreError> {
        self.open_store().map_err(|f| StoreError(f.message.clone()))
    }

    fn store_failed(&self, what: &str, e: io::Error) -> StoreError {
        StoreError(format!("cannot {what} {}: {e}", self.config.dir.display()))
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
    fn trim_if_needed(&self, rec: &Recorder) {
        let Some(Ok(store)) = self.store.get() else {
            return;
        };
        match store.trim_if_needed() {
            None => {}
            Some(Ok(report)) if report.removed_entries + report.removed_aux == 0 => {
                rec.log(&format!(
                    "counted the store: {} bytes in {} entries, limit {} bytes; \
                     {} stray files removed; took {} ms",
                    report.remaining.bytes(),
                    report.remaining.entries,
                    self.config.max_size,
                    report.removed_stray,
                    report.elapsed.as_millis()
                ))
            }
            Some(Ok(report)) => rec.log(&format!(
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
            Some(Err(e)) => rec.log(&format!("cannot trim the store: {e}")),
        }
    }

    /// Serve or run one compile. Never fails because of the cache: any internal problem
    /// (including a bug that panics) falls back to running the compiler as is.
    pub fn compile(&self, req: &CompileRequest) -> Result<Outcome, CompileError> {
        let compiler = compiler::resolve(
            &req.compiler,
            req.var("PATH"),
            &req.cwd,
            self.config.launcher.as_deref(),
        )
        .map_err(CompileError::CompilerNotFound)?;
        if self.config.disable {
            return Ok(Outcome::Passthrough {
                compiler: compiler.path,
                reason: Passthrough::Disabled,
                report: Default::default(),
            });
        }
        let _policy = crate::policy::set(crate::policy::Policy {
            read_only: self.config.readonly,
            job_start: self.config.job_start,
        });
        // Counters are written into the store: not into one refused as insecure.
        let counting = !self.open_store().is_err_and(|f| f.refused);
        let rec = Recorder::new(&self.stats, &self.log, counting);
        let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let outcome = self.cached(&compiler, req, &rec);
            self.trim_if_needed(&rec);
            outcome
        }));
        let failure = match attempt {
            Ok(Ok(outcome)) => return Ok(outcome.with_report(rec.into_report())),
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
            rec.count(&[counter]);
        }
        rec.log(&format!(
            "{}: {}; compiling without the cache",
            failure.counter.map_or("store refused".into(), |c| c.name()),
            failure.message
        ));
        let mut done = self.run_uncached(&compiler.path, req);
        done.served = Served::Fallback;
        done.report = rec.into_report();
        Ok(Outcome::Completed(done))
    }

    /// Run the compiler with the request's arguments, capturing its output (what a caller
    /// does with a [`Outcome::Passthrough`] when it does not `exec` the compiler).
    pub fn run_uncached(&self, compiler: &Path, req: &CompileRequest) -> Completed {
        Completed::uncached(compiler, req)
    }

    /// The cached path; `Err` means "fall back to a plain compile".
    fn cached(
        &self,
        compiler: &Compiler,
        req: &CompileRequest,
        rec: &Recorder,
    ) -> Result<Outcome, Internal> {
        let mut args = Vec::with_capacity(req.args.len());
        for a in &req.args {
            match a.to_str() {
                Some(s) => args.push(s.to_string()),
                None => {
                    let p = Passthrough::BadArguments("argument is not UTF-8".into());
                    return Ok(rec.passthrough(compiler, p));
                }
            }
        }
        // A response file is a regular file of reasonable size: `@/dev/zero` or a FIFO is
        // never read by zcc (the call passes through; the compiler reads it as it does).
        // A key spells the working directory as text (debug info embeds it): two directories
        // whose names are not UTF-8 could share a lossy spelling.
        if req.cwd.to_str().is_none() {
            let p = Passthrough::BadArguments("working directory is not UTF-8".into());
            return Ok(rec.passthrough(compiler, p));
        }
        let read = |name: &str| {
            let bytes = crate::safefs::read_regular(&req.cwd.join(name), MAX_RESPONSE_FILE).ok()?;
            String::from_utf8(bytes).ok()
        };
        let inv = match args::classify(&args, &read) {
            Ok(inv) => inv,
            Err(Passthrough::Link) if !self.config.nolink => {
                let link = match crate::link::plan(compiler, req, &args) {
                    Ok(link) => link,
                    Err(p) => return Ok(rec.passthrough(compiler, p)),
                };
                let store = self.usable_store(req)?;
                return crate::link::run(&self.shared(rec), store, compiler, req, link);
            }
            Err(p) => return Ok(rec.passthrough(compiler, p)),
        };
        if req.var("DEPENDENCIES_OUTPUT").is_some() || req.var("SUNPRO_DEPENDENCIES").is_some() {
            return Ok(rec.passthrough(compiler, Passthrough::DependencyEnv));
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
            return Ok(rec.passthrough(compiler, p));
        }
        // zcc reads the input several times (hash, preprocessor, compile): a FIFO or device
        // would be consumed by the first, or never end.
        if fs::metadata(req.cwd.join(&inv.input)).is_ok_and(|m| !m.is_file()) {
            let p = Passthrough::BadArguments(format!("input {} is not a regular file", inv.input));
            return Ok(rec.passthrough(compiler, p));
        }
        let store = self.usable_store(req)?;
        Call::new(&self.shared(rec), store, compiler, req, inv)?.run()
    }

    /// What the parts of one call are given: the configuration, the remote tiers, and the
    /// call's counting and logging.
    fn shared<'a>(&'a self, rec: &'a Recorder<'a>) -> Shared<'a> {
        Shared {
            config: &self.config,
            remotes: &self.remotes,
            rec,
        }
    }

    /// The store, or the internal problem that sends the call to a plain run. A refused store
    /// is said once on stderr (`notice.rs`, markers found through `req`'s environment).
    fn usable_store(&self, req: &CompileRequest) -> Result<&Store, Internal> {
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
