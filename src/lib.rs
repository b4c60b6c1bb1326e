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
//! A build tool can compile through the cache from many threads without spawning zcc:
//! ```no_run
//! use zcc::{Cache, CompileRequest, Config, Outcome};
//! let cache = Cache::open(Config::from_process_env()?);
//! let req = CompileRequest::from_process("avr-gcc".into(), vec!["-c".into(), "main.c".into()])?;
//! match cache.compile(&req)? {
//!     Outcome::Completed(done) => println!("exit {} ({:?})", done.status, done.served),
//!     Outcome::Passthrough { compiler, .. } => {
//!         let done = cache.run_uncached(&compiler, &req);
//!         println!("not cacheable; exit {}", done.status);
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod args;
pub mod cache;
mod call;
pub mod color;
pub mod compiler;
pub mod config;
pub mod counter;
pub mod depfile;
pub mod entry;
pub mod explain;
pub mod filehash;
mod fileio;
pub mod fingerprint;
pub mod includes;
pub mod key;
pub mod lastuse;
pub mod link;
pub mod links;
pub mod log;
pub mod manifest;
pub mod memo;
pub mod notice;
pub mod options;
pub mod packages;
pub mod paths;
pub mod platformio;
pub mod process;
pub mod remote;
pub mod replay;
mod safefs;
mod spelling;
pub mod stats;
mod storage;
pub mod store;
pub mod user_deps;

pub use cache::{Cache, CompileError, CompileRequest, Completed, Outcome, Served};
pub use config::{Config, ConfigError};
