//! One cacheable compile: compute its key, serve a hit, or compile and store.
//!
//! Direct mode first (DESIGN §4): a manifest keyed by the compiler, the arguments and the
//! source's content lists, per earlier compile, every file it read with its hash; when all
//! still match, the result is served without running the preprocessor. Otherwise
//! (`ZCC_NODIRECT`, time macros, `__FILE__`, …) the key covers the preprocessed text.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::SystemTime;

use crate::args::{Invocation, Mode};
use crate::color;
use crate::compiler::{self, Compiler, Family};
use crate::config::Config;
use crate::counter::Counter;
use crate::depfile;
use crate::entry::{Entry, Text};
use crate::explain;
use crate::filehash::{self, Flags};
use crate::includes;
use crate::key::{self, Context, KeyBuilder, KeyMode, PathNorm};
use crate::manifest::{self, Candidate, Manifest, Mismatch, Target};
use crate::outcome::{Completed, Internal, Outcome, Served};
use crate::passthrough::Passthrough;
use crate::paths::{self, Roots};
use crate::process::{self, capture, fs_now, modified_at_or_after, written_since};
use crate::replay::{self, write_atomic};
use crate::request::CompileRequest;
use crate::shared::Shared;
use crate::spelling::{self, Spelling};
use crate::storage::Storage;
use crate::store::{self, Key, Kind, Store};
use crate::user_deps;

mod candidates;
mod lookup;
mod miss;
mod outputs;
mod storing;
#[cfg(test)]
mod tests;

/// Everything known about one cacheable call once it is classified.
pub(crate) struct Call<'a> {
    ctx: Shared<'a>,
    compiler: &'a Compiler,
    req: &'a CompileRequest,
    inv: Invocation,
    /// Roots for paths in keys (unless debug info needs exact paths) and in stored text.
    roots: Roots,
    /// `-fdebug-prefix-map=<root>=@<NAME>` options zcc puts before the call's arguments
    /// (`ZCC_PORTABLE_DEBUG`); empty unless the setting is on and the compile has debug info.
    debug_maps: Vec<OsString>,
    /// How the call names its input, when no output holds that name but the dependency file
    /// and diagnostics, which are rendered for each call (`crate::spelling`); `None`: the
    /// input is keyed as given.
    spelling: Option<Spelling>,
    /// The stat cache and probe memos.
    memo: PathBuf,
    identity: [u8; 32],
    /// Content hashes of the `--specs=` files.
    specs: Vec<[u8; 32]>,
    /// Content hashes of the other files options make the compiler read.
    read_files: Vec<[u8; 32]>,
    /// The local store and the remote tiers during this call.
    storage: Storage<'a>,
    /// On the filesystem's clock, taken before the first program (preprocessor or compiler)
    /// reads an input; a hit never needs it.
    start: OnceLock<SystemTime>,
    /// The `-MD` list of a miss whose `-MMD` file was written from it ([`Includes::Derived`]).
    full_deps: OnceLock<Vec<u8>>,
    /// The files a miss read after its compile (to write the `-MMD` file), by name as the
    /// compiler spelled them, so that finding `__has_include` wrapper uses reads none again.
    read_after_compile: std::cell::RefCell<std::collections::HashMap<String, Vec<u8>>>,
}

/// A preprocessor-mode key with its parts and the files the preprocessor read.
struct PreprocessedKey {
    key: Key,
    parts: Vec<(&'static str, Key)>,
    inputs: Vec<String>,
}

/// How a direct-mode lookup ended.
enum Direct {
    Hit(Completed),
    /// The inputs need preprocessor mode.
    Preprocessor,
    /// The inputs use `__FILE__`: try the exact-path manifest.
    Exact,
    /// No match; why the newest candidate did not match, if there was one (none: no manifest,
    /// the source with these arguments was not compiled in this store, or a matching
    /// candidate's entry is gone).
    Miss(Option<Mismatch>),
}

/// Where a direct-mode miss learns which files the compile read.
enum Includes {
    /// The dependency file the call asked for (`-MD`: every header).
    CallersDepfile(String),
    /// One zcc adds to the compile (`-MD -MF <tmp>`), when the call asked for none.
    AddedDepfile(PathBuf),
    /// A separate `-M` run, when the call's own file leaves out system headers (`-MMD`) and
    /// cannot be derived.
    Scan(PathBuf),
    /// The call asked for `-MMD`: the compile runs with `-MD`, into the caller's own file
    /// (`None`) or, when that is `/dev/null`, into this file of zcc's; the caller's file is
    /// then written from it ([`user_deps`]), and the full list kept in `Call::full_deps`.
    Derived(Option<PathBuf>),
}

/// How a miss is keyed.
enum Keying {
    /// Preprocessor mode: the key is known before the compile. `exact` is the exact-path
    /// manifest to record the result in (inputs using `__FILE__`), if any.
    Known {
        key: Key,
        inputs: Vec<String>,
        exact: Option<Key>,
    },
    /// Direct mode: the key follows from the files the compile read, unless the preprocessor
    /// ran already (`preprocessed`): the result is then stored under that key, which the
    /// manifest's candidate points to, so the next compile with the same preprocessed text
    /// finds it whatever changed in the headers' comments and unused macros.
    Direct {
        manifest_key: Key,
        includes: Includes,
        preprocessed: Option<Key>,
        /// Run the preprocessor alongside the compile for a key to store under
        /// (`ZCC_PREPROCESS_MISSES`): the lookup ran none.
        preprocess_alongside: bool,
    },
}

impl<'a> Call<'a> {
    pub(crate) fn new(
        ctx: &Shared<'a>,
        store: &'a Store,
        compiler: &'a Compiler,
        req: &'a CompileRequest,
        mut inv: Invocation,
    ) -> Result<Call<'a>, Internal> {
        let memo = store.aux_dir();
        let dirs = root_dirs(ctx.config, compiler, req);
        let roots = Roots::new(with_packages(dirs, &inv.key_args, Some(&inv.input), &memo));
        let mut debug_maps = Vec::new();
        // Not with `-frecord-gcc-switches`: the object would hold the maps, which name this
        // machine's directories.
        if ctx.config.portable_debug && inv.debug && !inv.record_switches && !exact_paths(&inv) {
            // Before the call's own maps, which then still win where they match (the last
            // matching map wins): the key sees them in the same order.
            let maps = roots.prefix_maps();
            debug_maps = maps
                .iter()
                .map(|(dir, token)| OsString::from(format!("-fdebug-prefix-map={dir}={token}")))
                .collect();
            inv.prefix_maps.splice(0..0, maps);
        }
        // The compiler runs other programs (cc1, as) found through -B.
        let probe: Vec<String> = inv
            .key_args
            .iter()
            .filter(|a| a.text == "-B")
            .filter_map(|a| a.path.as_ref().map(|p| format!("-B{p}")))
            .collect();
        let identity = compiler::identity(compiler, &probe, &req.env, &memo).map_err(|e| {
            Internal::new(Counter::ErrorInternal, format!("compiler identity: {e}"))
        })?;
        let specs = spec_hashes(compiler, &inv.specs, req, &memo)?;
        let read_files = inv
            .read_files
            .iter()
            .map(|f| {
                filehash::content_hash(&req.cwd.join(f), &memo)
                    .map_err(|e| Internal::new(Counter::ErrorInternal, format!("{f}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let storage = Storage::new(ctx, store, &memo);
        let spelling = input_spelling(&inv, compiler, req);
        Ok(Call {
            ctx: *ctx,
            compiler,
            req,
            inv,
            roots,
            debug_maps,
            spelling,
            memo,
            identity,
            specs,
            read_files,
            storage,
            start: OnceLock::new(),
            full_deps: OnceLock::new(),
            read_after_compile: Default::default(),
        })
    }

    fn norm(&self) -> PathNorm<'_> {
        if self.exact_paths() {
            PathNorm::Exact
        } else if self.inv.debug {
            PathNorm::PrefixMaps(&self.inv.prefix_maps)
        } else {
            PathNorm::Roots(&self.roots)
        }
    }

    fn exact_paths(&self) -> bool {
        exact_paths(&self.inv)
    }

    /// The call's arguments as zcc compiles them: its own, after the portable debug maps.
    fn own_args(&self) -> Vec<OsString> {
        let mut args = self.debug_maps.clone();
        args.extend(self.req.args.iter().cloned());
        args
    }

    /// How a manifest spells a file of this call: exactly (`exact`, or a compile whose
    /// outputs hold exact paths), through the roots, or, with the portable debug maps, as the
    /// compiler spells it in the object when that is a root token (`@NAME/rest`, the rest as
    /// written), else exactly.
    fn spell(&self, exact: bool, path: &str) -> String {
        if exact {
            return path.to_string();
        }
        if self.debug_maps.is_empty() {
            // Named through the input's directory: as the key names the input.
            let canonical = self.spelling.as_ref().and_then(|s| s.canonical_path(path));
            return manifest_path(self.file_roots(), canonical.as_deref().unwrap_or(path));
        }
        let mapped = key::apply_prefix_maps(&self.inv.prefix_maps, path);
        let token = mapped.split('/').next().unwrap_or("");
        if self.roots.has_token(token) {
            mapped
        } else {
            path.to_string()
        }
    }

    /// The roots that expand the paths of this call's manifest ([`Call::spell`]).
    fn manifest_roots(&self) -> &Roots {
        if self.debug_maps.is_empty() {
            self.file_roots()
        } else {
            &self.roots
        }
    }

    fn log(&self, message: &str) {
        self.ctx.rec.log(message);
    }

    /// `Err(counter)` (and a log line) when one of `files` was written after the start mark:
    /// what the key or the hashes saw may then differ from what the compiler read.
    fn unchanged_since_start(&self, files: &[String]) -> Result<(), Counter> {
        match files
            .iter()
            .find(|f| written_since(&self.path(f), self.start()))
        {
            Some(f) => {
                self.log(&format!("{f} changed during the compile"));
                Err(Counter::NotStoredModifiedInput)
            }
            None => Ok(()),
        }
    }

    /// The moment before any program read the inputs: an input modified after it may differ
    /// between what the key saw and what the compiler read.
    fn start(&self) -> SystemTime {
        *self.start.get_or_init(|| {
            if self.ctx.config.readonly {
                // Nothing is stored, so nothing is checked against the mark: a read-only
                // store is not touched for it.
                return SystemTime::now();
            }
            // The store makes its directories on first write; the stamp, and the dependency
            // file a miss adds, go here first: made when the stamp cannot be.
            fs_now(&self.memo)
                .or_else(|_| {
                    store::create_private_dir(&self.memo)?;
                    fs_now(&self.memo)
                })
                .unwrap_or_else(|_| SystemTime::now())
        })
    }

    fn path(&self, p: &str) -> PathBuf {
        self.req.cwd.join(p)
    }

    /// The input's directory as the call names it, up to its last `/`: what the compiler
    /// writes before the names of the headers it finds there.
    fn input_dir(&self) -> &str {
        spelling::dir_of(&self.inv.input)
    }

    /// The input as a key that keeps its spelling holds it (through the roots).
    fn keyed_input(&self) -> String {
        self.roots.portable(&self.inv.input)
    }

    /// The common part of the key for `mode`.
    fn common(&self, mode: KeyMode) -> key::Common {
        self.common_with(mode, self.norm())
    }

    /// The common part of the key for `mode`, with paths spelled by `norm`.
    fn common_with(&self, mode: KeyMode, norm: PathNorm) -> key::Common {
        let env = |name: &str| self.req.var(name).map(|v| v.to_string_lossy().into_owned());
        // What the outputs record (debug info, `.gcno`, `.gcda` path) is the compiler's view.
        let cwd = self.req.compiler_pwd().to_string_lossy().into_owned();
        let ctx = Context {
            compiler: &self.identity,
            cwd: &cwd,
            env: &env,
            specs: &self.specs,
            read_files: &self.read_files,
            // Only where paths are spelled through the roots: exact and debug keys keep the
            // input as given.
            canonical_input: match norm {
                PathNorm::Roots(_) => self.spelling.as_ref().map(Spelling::canonical),
                _ => None,
            },
        };
        key::common(&self.inv, &ctx, norm, mode)
    }

    /// The key of the manifest for sources whose inputs use `__FILE__`: every path exactly as
    /// given, so a match means the same `__FILE__` expansions.
    fn exact_manifest_key(&self, source_hash: &[u8; 32]) -> Key {
        let mut common = self.common_with(KeyMode::Direct, PathNorm::Exact);
        common.builder.field("exact_source", source_hash);
        common.builder.finish()
    }

    pub(crate) fn run(self) -> Result<Outcome, Internal> {
        if !self.inv.language.is_preprocessed() {
            // Assembler and preprocessed input: the file's content is the whole input. It is
            // hashed after the start mark, so a change before the compile is noticed.
            self.start();
            let mut common = self.common(KeyMode::Direct);
            let info =
                filehash::file_info(&self.path(&self.inv.input), &self.memo).map_err(|e| {
                    Internal::new(Counter::ErrorInternal, format!("{}: {e}", self.inv.input))
                })?;
            if info.flags.contains(Flags::EMBED) {
                // `.include`/`.incbin`: the assembler reads a file this key does not cover.
                let reason = Passthrough::UnsupportedDirective(".include/.incbin".into());
                return Ok(self.ctx.rec.passthrough(self.compiler, reason));
            }
            common.builder.field("input_content", &info.hash);
            common.parts.push(("input", info.hash));
            let key = common.builder.finish();
            if let Some(done) = self.serve(&key, Served::PreprocessedHit) {
                return Ok(Outcome::Completed(done));
            }
            let inputs = vec![self.inv.input.clone()];
            let keying = Keying::Known {
                key,
                inputs,
                exact: None,
            };
            return Ok(Outcome::Completed(self.miss(keying, &common.parts, None)));
        }

        // The exact-path manifest to record a preprocessor-mode result in (`__FILE__`).
        let mut exact = None;
        let source = filehash::file_info(&self.path(&self.inv.input), &self.memo);
        if let Ok(source) = &source
            && !self.ctx.config.nodirect
            && only_file_macros(source.flags)
        {
            // The source itself expands `__FILE__`.
            let exact_key = self.exact_manifest_key(&source.hash);
            if let Some(done) = self.exact_lookup(&exact_key) {
                return Ok(Outcome::Completed(done));
            }
            exact = Some(exact_key);
        } else if let Ok(source) = &source
            && !self.ctx.config.nodirect
            && source.flags.is_empty()
        {
            let mut common = self.common(KeyMode::Direct);
            common.builder.field("source", &source.hash);
            common.parts.push(("source", source.hash));
            let manifest_key = common.builder.finish();
            match self.direct_lookup(&manifest_key) {
                Direct::Hit(done) => return Ok(Outcome::Completed(done)),
                Direct::Miss(why) => {
                    // Compiled before, and a header's content changed: the preprocessed text
                    // may still be one a compile stored (a comment or an unused macro). A
                    // header that appeared or went away changes what is included: the
                    // preprocessor run (a quarter to a third of a compile) would not pay.
                    let mut preprocessed = None;
                    let changed = matches!(why, Some(Mismatch::Changed(_)));
                    if changed {
                        match self.preprocessed_after_direct_miss(&manifest_key) {
                            Ok(done) => return Ok(Outcome::Completed(done)),
                            Err(key) => preprocessed = key,
                        }
                    }
                    let includes = self.includes_source();
                    let keying = Keying::Direct {
                        manifest_key,
                        includes,
                        preprocessed,
                        preprocess_alongside: !changed && self.ctx.config.preprocess_misses,
                    };
                    let why = why.map(|w| w.to_string());
                    return Ok(Outcome::Completed(self.miss(keying, &common.parts, why)));
                }
                Direct::Exact => {
                    let exact_key = self.exact_manifest_key(&source.hash);
                    if let Some(done) = self.exact_lookup(&exact_key) {
                        return Ok(Outcome::Completed(done));
                    }
                    exact = Some(exact_key);
                }
                Direct::Preprocessor => {}
            }
        }

        let cpp = self.run_preprocessor()?;
        if cpp.status != 0 {
            return Ok(Outcome::Completed(self.preprocessor_failed()));
        }
        let pp = match self.preprocessed_key(&cpp) {
            Ok(pp) => pp,
            Err(p) => return Ok(self.ctx.rec.passthrough(self.compiler, p)),
        };
        if self.pch_found(&pp.inputs)? {
            return Ok(self.ctx.rec.passthrough(self.compiler, Passthrough::Pch));
        }
        if let Some(done) = self.serve(&pp.key, Served::PreprocessedHit) {
            if let Some(exact_key) = exact {
                // Next time on this layout, a direct hit.
                self.record_exact(&exact_key, &pp.inputs, &pp.key);
            }
            return Ok(Outcome::Completed(done));
        }
        let keying = Keying::Known {
            key: pp.key,
            inputs: pp.inputs,
            exact,
        };
        Ok(Outcome::Completed(self.miss(keying, &pp.parts, None)))
    }

    /// Roots for the paths in manifests. With debug info the key spells paths exactly, so the
    /// manifest does too.
    fn file_roots(&self) -> &Roots {
        if self.inv.debug || self.exact_paths() {
            no_roots()
        } else {
            &self.roots
        }
    }
}

/// The largest output file read back to be stored (an entry file must stay under the store's
/// read bound).
const MAX_OUTPUT: u64 = 512 << 20;

/// The outputs hold paths exactly as the compiler saw them, prefix maps or not: the `.gcno`
/// of a coverage build, a sanitizer's source locations, the file names in a `.su`
/// (`-fstack-usage`) or a `.ci` (`-fcallgraph-info`).
fn exact_paths(inv: &Invocation) -> bool {
    use crate::args::Extra;
    inv.sanitize
        || inv.extras.iter().any(|e| {
            matches!(
                e,
                Extra::Coverage | Extra::StackUsage | Extra::CallgraphInfo
            )
        })
}

/// How `req` names the input of `inv`, unless an output may hold that name (then it is keyed
/// as given): an assembler or preprocessed input (`.s`, `.i`: no include list to trace with),
/// debug info, LTO (GCC's and clang's IR name the input as given), profiling or coverage data,
/// sanitizer locations, recorded switches, `-fverbose-asm`, stack-usage or call-graph files,
/// or options zcc does not follow into the search path (`-Wp,`, `-I-`, `-iprefix`, a
/// sysroot, modules). Measured in
/// `docs/ARCHITECTURE.md` ("The input's spelling"). Search directories (`-I`, …, the include
/// path variables) that could name a file like the input's directory are checked against what
/// the compile included ([`Spelling::routes_clear`]); any other path argument or the
/// toolchain's prefixes (its built-in directories) doing so keeps the spelling.
fn input_spelling(inv: &Invocation, compiler: &Compiler, req: &CompileRequest) -> Option<Spelling> {
    const NAMING: &[&str] = &[
        "lto",
        "profile",
        "coverage",
        "sanitize",
        "record",
        "bitcode",
        "verbose-asm",
        "instrument",
        "-Wp,",
        "-Xpreprocessor",
        "-iprefix",
        "-iwithprefix",
        "sysroot",
        "module",
    ];
    let named = inv.key_args.iter().any(|a| {
        let define = a.text.starts_with("-D") || a.text.starts_with("-U");
        (!define && NAMING.iter().any(|n| a.text.contains(n))) || a.path.as_deref() == Some("-")
    });
    let extras = inv.extras.iter().any(|e| *e != crate::args::Extra::Listing);
    if !inv.language.is_preprocessed()
        || inv.debug
        || inv.record_switches
        || inv.profile_paths
        || inv.sanitize
        || exact_paths(inv)
        || extras
        || named
    {
        return None;
    }
    const SEARCH: &[&str] = &["-I", "-iquote", "-isystem", "-idirafter"];
    let (search, other): (Vec<_>, Vec<_>) = inv
        .key_args
        .iter()
        .filter(|a| a.path.is_some())
        .partition(|a| SEARCH.contains(&a.text.as_str()));
    let mut search: Vec<String> = search.into_iter().filter_map(|a| a.path.clone()).collect();
    let mut dirs: Vec<String> = other
        .into_iter()
        .filter_map(|a| a.path.clone())
        .chain(inv.read_files.iter().cloned())
        .collect();
    for var in [
        "CPATH",
        "C_INCLUDE_PATH",
        "CPLUS_INCLUDE_PATH",
        "OBJC_INCLUDE_PATH",
        "OBJCPLUS_INCLUDE_PATH",
    ] {
        if let Some(list) = req.var(var) {
            // An empty element is the working directory.
            search.extend(list.to_string_lossy().split(':').map(str::to_string));
        }
    }
    dirs.extend(
        compiler
            .prefixes()
            .iter()
            .map(|p| p.to_string_lossy().into_owned()),
    );
    let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    let search: Vec<&str> = search.iter().map(String::as_str).collect();
    let pwd = req.compiler_pwd();
    let cwds = [pwd.to_str()?, req.cwd.to_str()?];
    let is_real_dir =
        |p: &str| fs::symlink_metadata(req.cwd.join(p)).is_ok_and(|m| m.file_type().is_dir());
    Spelling::of_input(&inv.input, &cwds, &dirs, &search, &is_real_dir)
}

/// No roots: paths spelled exactly as the compiler spelled them.
fn no_roots() -> &'static Roots {
    static EMPTY: OnceLock<Roots> = OnceLock::new();
    EMPTY.get_or_init(Roots::default)
}

/// Whether the only reason not to serve inputs directly is `__FILE__` (no time macros, no
/// embedded files, no `__has_include`).
fn only_file_macros(flags: Flags) -> bool {
    !flags.is_empty()
        && !flags.contains(Flags::TIME)
        && !flags.contains(Flags::EMBED)
        && !flags.contains(Flags::HAS_INCLUDE)
}

/// Content hashes of the `--specs=` files: a name without a slash is found where the compiler
/// finds it (`-print-file-name=`).
pub(crate) fn spec_hashes(
    compiler: &Compiler,
    specs: &[String],
    req: &CompileRequest,
    memo: &std::path::Path,
) -> Result<Vec<[u8; 32]>, Internal> {
    let mut out = Vec::new();
    for spec in specs {
        let given = req.cwd.join(spec);
        let path = if spec.contains('/') || given.is_file() {
            given
        } else {
            let found = process::command_in(&compiler.path, &req.cwd, &req.env)
                .arg(format!("-print-file-name={spec}"))
                .output()
                .map_err(|e| Internal::new(Counter::ErrorInternal, format!("specs probe: {e}")))?;
            PathBuf::from(String::from_utf8_lossy(&found.stdout).trim())
        };
        let hash = filehash::content_hash(&path, memo).map_err(|e| {
            Internal::new(
                Counter::ErrorInternal,
                format!("specs {}: {e}", path.display()),
            )
        })?;
        out.push(hash);
    }
    Ok(out)
}

/// A path as a manifest records it: only a root prefix is replaced, the rest stays as the
/// compiler spelled it (`..` through a symlink must not be collapsed).
pub(crate) fn manifest_path(roots: &Roots, path: &str) -> String {
    let verbatim = roots.portable_verbatim(path);
    if verbatim.starts_with('@') {
        verbatim
    } else {
        path.to_string()
    }
}

/// `dirs` and the package roots ([`crate::packages`]) above the absolute paths a call names:
/// the path arguments of `key_args` (`-I`, `-isystem`, `-L`, objects, …) and `more` (the input
/// of a compile).
pub(crate) fn with_packages(
    mut dirs: Vec<(String, PathBuf)>,
    key_args: &[crate::args::KeyArg],
    more: Option<&str>,
    memo: &std::path::Path,
) -> Vec<(String, PathBuf)> {
    let starts: Vec<String> = key_args
        .iter()
        .filter_map(|a| a.path.as_deref())
        .chain(more)
        .filter(|p| p.starts_with('/'))
        .map(str::to_string)
        .collect();
    let known: Vec<PathBuf> = dirs.iter().map(|(_, dir)| dir.clone()).collect();
    dirs.extend(crate::packages::find(&starts, &known, memo));
    dirs
}

/// The roots of one call as (name, directory) pairs: the workspace(s), the compiler's
/// installation prefixes, and HOME. A caller adds roots of its own (package roots, the
/// output directory of a link).
pub(crate) fn root_dirs(
    config: &Config,
    compiler: &Compiler,
    req: &CompileRequest,
) -> Vec<(String, PathBuf)> {
    let mut roots: Vec<(String, PathBuf)> = Vec::new();
    // Prefer the apparent working directory ($PWD) when it names the same directory, so that
    // both spellings of a symlinked workspace are known.
    let cwd = req.compiler_pwd();
    let basedirs = &config.basedirs;
    if basedirs.is_empty() {
        if let Some(ws) = paths::detect_workspace(&cwd) {
            roots.push(("WS0".into(), ws));
        }
    } else {
        let ordered = paths::basedirs_by_cwd(basedirs, &[cwd.as_path(), req.cwd.as_path()]);
        for (i, dir) in ordered.into_iter().enumerate() {
            roots.push((format!("WS{i}"), dir.clone()));
        }
    }
    for (i, prefix) in compiler.prefixes().into_iter().enumerate() {
        roots.push((format!("TC{i}"), prefix));
    }
    if let Some(home) = req.var("HOME") {
        roots.push(("HOME".into(), PathBuf::from(home)));
    }
    // A root of `/` would turn every path into a token and say nothing.
    roots.retain(|(_, p)| p.is_absolute() && p.parent().is_some());
    roots
}
