//! zcc: a compiler cache for GCC- and Clang-family compilers, built for firmware projects and
//! CI runners whose cache is restored onto a different machine layout.
//!
//! A call flows one way through the modules:
//! `args` (classify the command line, using the `options` table) → `key` (hash everything that
//! determines the output; paths through `paths` roots) → `store` (content-addressed files) →
//! `replay` (write the outputs, `depfile` re-rendered for this call). `cache` ties them together
//! and owns the rule that no internal problem may break a build. A link goes to `link`
//! instead: the same manifest, store and replay machinery, with the inputs from the linker's
//! `--verbose` report.
//!
//! # Embedding
//! A build tool can compile through the cache from many threads without spawning zcc. Each
//! outcome carries a [`Report`]: the counters the call bumped and the lines it logged.
//! ```no_run
//! use zcc::{Cache, CompileRequest, Config, Outcome};
//! let cache = Cache::open(Config::from_process_env()?);
//! let req = CompileRequest::from_process("avr-gcc".into(), vec!["-c".into(), "main.c".into()])?;
//! let outcome = cache.compile(&req)?;
//! for line in &outcome.report().log {
//!     eprintln!("zcc: {line}");
//! }
//! match outcome {
//!     Outcome::Completed(done) => println!("exit {} ({:?})", done.status, done.served),
//!     Outcome::Passthrough { compiler, reason, .. } => {
//!         let done = cache.run_uncached(&compiler, &req);
//!         println!("not cacheable ({reason}); exit {}", done.status);
//!     }
//!     other => unimplemented!("an outcome of a later zcc: {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The rest of the public API reads and upkeeps a store ([`Cache::counters`],
//! [`Cache::usage`], [`Cache::gc`], [`Cache::clear`]) and sets zcc up ([`links`],
//! [`platformio`]); [`fingerprint`] decides whether a whole build can be skipped.

#![warn(missing_docs)]

mod cache;
mod call;
mod compiler;
mod config;
mod counter;
mod explain;
mod fileio;
pub mod fingerprint;
mod includes;
mod key;
mod lastuse;
mod link;
pub mod links;
mod log;
mod notice;
mod options;
mod outcome;
mod packages;
mod passthrough;
pub mod platformio;
mod policy;
mod process;
mod recorder;
mod remote;
mod replay;
mod request;
mod safefs;
mod shared;
mod spelling;
mod stats;
mod storage;
mod user_deps;

/// Declares modules that are private, or, with the `internals` feature (zcc's own tests and
/// benchmarks only), public and hidden from the documentation.
macro_rules! internal_modules {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        mod $name;
    )*};
}

internal_modules!(
    args, color, depfile, entry, filehash, manifest, memo, paths, store
);

pub use cache::{Cache, Counters, StoreError};
pub use config::{Config, ConfigError};
pub use counter::Counter;
pub use outcome::{CompileError, Completed, Outcome, Report, Served};
pub use passthrough::{LinkRefusal, Passthrough};
pub use remote::{RemoteCredentials, RemoteUrl};
pub use request::CompileRequest;
pub use store::{TrimGoal, TrimReport, Usage};

/// How zcc reads sizes, ages and times: the forms `ZCC_MAXSIZE`, `ZCC_JOB_START` and the
/// options of `zcc gc` accept.
pub mod values {
    pub use crate::config::{TIME_FORMS, parse_age, parse_size, parse_time};
}
