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

use crate::args::{Invocation, Mode, Passthrough};
use crate::cache::{Cache, CompileRequest, Completed, Internal, Outcome, Served};
use crate::color;
use crate::compiler::{self, Compiler, Family};
use crate::counter::Counter;
use crate::depfile;
use crate::entry::{Entry, Text};
use crate::explain;
use crate::filehash::{self, Flags};
use crate::includes;
use crate::key::{self, Context, KeyBuilder, KeyMode, PathNorm};
use crate::manifest::{self, Candidate, Manifest, Mismatch, Target};
use crate::paths::{self, Roots};
use crate::process::{self, capture, fs_now, modified_at_or_after, written_since};
use crate::replay::{self, write_atomic};
use crate::storage::Storage;
use crate::store::{self, Key, Kind, Store};
use crate::user_deps;

/// Everything known about one cacheable call once it is classified.
pub(crate) struct Call<'a> {
    cache: &'a Cache,
    compiler: &'a Compiler,
    req: &'a CompileRequest,
    inv: Invocation,
    /// Roots for paths in keys (unless debug info needs exact paths) and in stored text.
    roots: Roots,
    /// `-fdebug-prefix-map=<root>=@<NAME>` options zcc puts before the call's arguments
    /// (`ZCC_PORTABLE_DEBUG`); empty unless the setting is on and the compile has debug info.
    debug_maps: Vec<OsString>,
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
    /// The call asked for `-MMD`: the compile runs with `-MD` into this file of zcc's, and the
    /// caller's file is written from it ([`user_deps`]).
    Derived(PathBuf),
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
    },
}

impl<'a> Call<'a> {
    pub(crate) fn new(
        cache: &'a Cache,
        store: &'a Store,
        compiler: &'a Compiler,
        req: &'a CompileRequest,
        mut inv: Invocation,
    ) -> Result<Call<'a>, Internal> {
        let memo = store.aux_dir();
        let dirs = root_dirs(cache, compiler, req);
        let roots = Roots::new(with_packages(dirs, &inv.key_args, Some(&inv.input), &memo));
        let mut debug_maps = Vec::new();
        // Not with `-frecord-gcc-switches`: the object would hold the maps, which name this
        // machine's directories.
        if cache.config().portable_debug && inv.debug && !inv.record_switches && !exact_paths(&inv)
        {
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
        let storage = Storage::new(cache, store, &memo);
        Ok(Call {
            cache,
            compiler,
            req,
            inv,
            roots,
            debug_maps,
            memo,
            identity,
            specs,
            read_files,
            storage,
            start: OnceLock::new(),
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
            return manifest_path(self.file_roots(), path);
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
        self.cache.log(message);
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
            if self.cache.config().readonly {
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
                return Ok(self.cache.passthrough(self.compiler, &reason));
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
            && !self.cache.config().nodirect
            && only_file_macros(source.flags)
        {
            // The source itself expands `__FILE__`.
            let exact_key = self.exact_manifest_key(&source.hash);
            if let Some(done) = self.exact_lookup(&exact_key) {
                return Ok(Outcome::Completed(done));
            }
            exact = Some(exact_key);
        } else if let Ok(source) = &source
            && !self.cache.config().nodirect
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
                    if matches!(why, Some(Mismatch::Changed(_))) {
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
            Err(p) => return Ok(self.cache.passthrough(self.compiler, &p)),
        };
        if self.pch_found(&pp.inputs)? {
            return Ok(self.cache.passthrough(self.compiler, &Passthrough::Pch));
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

    /// After a direct-mode miss of a source compiled before: the preprocessor-mode lookup. A
    /// hit is served and recorded as a new candidate in the manifest, so the next call is a
    /// direct hit; `Err` carries the key for the compile to store under, or `None` when the
    /// preprocessor cannot give one (the compile then reports what is wrong).
    fn preprocessed_after_direct_miss(&self, manifest_key: &Key) -> Result<Completed, Option<Key>> {
        let cpp = self.run_preprocessor().map_err(|_| None)?;
        if cpp.status != 0 {
            return Err(None);
        }
        let pp = self.preprocessed_key(&cpp).map_err(|_| None)?;
        if self.pch_found(&pp.inputs).unwrap_or(true) {
            // The compile may take a header from a `.gch` the preprocessed text does not
            // cover: compiled, and not stored (`Call::candidate`).
            return Err(None);
        }
        let Some(done) = self.serve(&pp.key, Served::PreprocessedHit) else {
            return Err(Some(pp.key));
        };
        self.record_direct(manifest_key, &pp);
        Ok(done)
    }

    /// Record in the manifest that the files the preprocessor read (as it spelled them) lead
    /// to the result stored under their preprocessed text. Skipped when an input changed since
    /// the call started, uses time macros, `__FILE__` or embedded files, or the probe fails:
    /// that only costs this path again next time.
    fn record_direct(&self, manifest_key: &Key, pp: &PreprocessedKey) {
        let search = self.search_probe().and_then(includes::Probe::wait);
        let Ok(search) = search else {
            return;
        };
        let Ok((mut candidate, flags)) = self.candidate(manifest_key, &pp.inputs, &search, false)
        else {
            return;
        };
        if !flags.is_empty() || self.unchanged_since_start(&pp.inputs).is_err() {
            return;
        }
        candidate.target = Target::Result(pp.key);
        let manifest = self.read_manifest(manifest_key).unwrap_or_default();
        let _ = self.put(
            Kind::Manifest,
            manifest_key,
            &manifest.with(candidate).encode(),
        );
    }

    /// Run `compiler <cpp args> -E <input>`.
    fn run_preprocessor(&self) -> Result<process::Captured, Internal> {
        self.start();
        let mut args: Vec<OsString> = self.inv.cpp_args.iter().map(OsString::from).collect();
        args.push("-E".into());
        args.push(self.inv.input.clone().into());
        capture(&self.compiler.path, &args, self.req)
            .map_err(|e| Internal::new(Counter::ErrorInternal, format!("preprocessor: {e}")))
    }

    /// The preprocessor failed: run the real compile uncached, so the user sees the compiler's
    /// own diagnostics and exit status.
    fn preprocessor_failed(&self) -> Completed {
        self.log("preprocessor failed; compiling without the cache");
        let done = self.cache.run_uncached(&self.compiler.path, self.req);
        if done.status != 0 {
            self.cache.count(&[Counter::CompileFailed]);
        }
        Completed {
            served: Served::Failed,
            ..done
        }
    }

    /// The preprocessor-mode key from the preprocessor's output.
    fn preprocessed_key(&self, cpp: &process::Captured) -> Result<PreprocessedKey, Passthrough> {
        if let Some(directive) = key::unsupported_directive(&cpp.stdout) {
            return Err(Passthrough::UnsupportedDirective(directive.into()));
        }
        // `__builtin_FILE()` takes its path from the line markers: they are keyed as the
        // compiler wrote them, not through roots or the debug prefix maps.
        let norm = if filehash::uses_builtin_file(&cpp.stdout) {
            PathNorm::Exact
        } else {
            self.norm()
        };
        let (text, inputs) = key::normalize_preprocessed(&cpp.stdout, norm);
        let mut cpp_key = KeyBuilder::new("preprocessed");
        cpp_key.field("cpp", &text);
        cpp_key.field("cpp_stderr", &self.roots.tokenize_text(&cpp.stderr));
        let digest = cpp_key.finish();
        let mut common = self.common(KeyMode::Preprocessed);
        common.builder.field("preprocessed", &digest);
        common.parts.push(("preprocessed", digest));
        Ok(PreprocessedKey {
            key: common.builder.finish(),
            parts: common.parts,
            inputs,
        })
    }

    /// Look the manifest up and check its candidates against the files here.
    fn direct_lookup(&self, manifest_key: &Key) -> Direct {
        if self.cache.config().recache {
            return Direct::Miss(None);
        }
        let manifest = match self.read_manifest(manifest_key) {
            Some(m) => m,
            None => return Direct::Miss(None),
        };
        match manifest::find(&manifest, self.manifest_roots(), &self.req.cwd, &self.memo) {
            Err(why) => Direct::Miss(why),
            Ok(Target::Preprocessor) => Direct::Preprocessor,
            Ok(Target::Exact) => Direct::Exact,
            Ok(Target::Result(key)) => match self.serve(key, Served::DirectHit) {
                Some(done) => Direct::Hit(done),
                None => Direct::Miss(None),
            },
        }
    }

    /// Ask the compiler for this call's include search path (memoized; see `includes::Probe`).
    fn search_probe(&self) -> io::Result<includes::Probe> {
        includes::Probe::start(
            &self.compiler.path,
            &self.identity,
            &self.inv.cpp_args,
            self.inv.language.name(),
            &self.req.cwd,
            &self.req.env,
            &self.memo,
        )
    }

    /// Record in the exact-path manifest that the files the preprocessor read (`files`, as
    /// it spelled them) lead to `result`. Skipped when an input changed since the call
    /// started (the preprocessed text might not match the files hashed now) or the probe
    /// fails: that only costs a direct hit later.
    fn record_exact(&self, exact_key: &Key, files: &[String], result: &Key) {
        let search = self.search_probe().and_then(includes::Probe::wait);
        let Ok(search) = search else {
            return;
        };
        let Ok((mut candidate, flags)) = self.candidate(exact_key, files, &search, true) else {
            return;
        };
        if !only_file_macros(flags) || self.unchanged_since_start(files).is_err() {
            return;
        }
        candidate.target = Target::Result(*result);
        let manifest = self.read_manifest(exact_key).unwrap_or_default();
        let _ = self.put(
            Kind::Manifest,
            exact_key,
            &manifest.with(candidate).encode(),
        );
    }

    /// Look a result up in the exact-path manifest (see [`Target::Exact`]).
    fn exact_lookup(&self, exact_key: &Key) -> Option<Completed> {
        let manifest = self.read_manifest(exact_key)?;
        match manifest::find(&manifest, no_roots(), &self.req.cwd, &self.memo) {
            Ok(Target::Result(key)) => self.serve(key, Served::DirectHit),
            _ => None,
        }
    }

    fn read_manifest(&self, manifest_key: &Key) -> Option<Manifest> {
        let bytes = self.get(Kind::Manifest, manifest_key)?;
        match Manifest::decode(&bytes) {
            Ok(m) => Some(m),
            Err(e) => {
                self.cache.count(&[Counter::ErrorStoreRead]);
                self.log(&format!("undecodable manifest: {e}"));
                None
            }
        }
    }

    /// Every read of a manifest or result goes through here ([`Storage::get`]).
    fn get(&self, kind: Kind, key: &Key) -> Option<Vec<u8>> {
        self.storage.get(kind, key)
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

    /// Serve a hit, if the store has a good entry for `key`.
    fn serve(&self, key: &Key, served: Served) -> Option<Completed> {
        if self.cache.config().recache {
            return None;
        }
        let bytes = self.get(Kind::Result, key)?;
        let entry = match Entry::decode(&bytes) {
            Ok(e) => e,
            Err(e) => {
                self.cache.count(&[Counter::ErrorStoreRead]);
                self.log(&format!("undecodable entry {}: {e}", store::hex(key)));
                return None;
            }
        };
        if self.wants_color() && !color::is_colored(entry.stderr.bytes()) {
            // Diagnostics stored from a call that showed them plain: this call shows colours,
            // so it compiles (and stores the coloured text for the next one).
            self.log("stored diagnostics have no colours; compiling");
            return None;
        }
        let counter = match served {
            Served::DirectHit => Counter::DirectHit,
            _ => Counter::PreprocessedHit,
        };
        let (stdout, stderr) = (self.expand(&entry.stdout), self.expand(&entry.stderr));
        if !color::is_plain(&stdout) || !color::is_plain(&stderr) {
            // Escape sequences beyond colours could retitle, rewrite or query the terminal.
            self.cache.count(&[Counter::ErrorStoreRead]);
            self.log(&format!(
                "bad entry {}: its output holds terminal control sequences",
                store::hex(key)
            ));
            return None;
        }
        match self.replay(&entry) {
            Ok(()) => {
                if self.storage.fetched() {
                    self.cache.count(&[counter, Counter::RemoteHit]);
                } else {
                    self.cache.count(&[counter]);
                }
                let name = counter.name();
                self.log(&format!("{name} {} {}", store::hex(key), self.inv.input));
                Some(Completed {
                    status: 0,
                    stdout,
                    stderr: self.shown(stderr),
                    served,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                self.cache.count(&[Counter::ErrorStoreRead]);
                self.log(&format!("bad entry {}: {e}; compiling", store::hex(key)));
                None
            }
            Err(e) => {
                self.cache.count(&[Counter::ErrorReplay]);
                self.log(&format!("cannot write outputs of a hit: {e}; compiling"));
                None
            }
        }
    }

    /// Whether this call shows diagnostics in colour (`color.rs`).
    fn wants_color(&self) -> bool {
        let term = self.req.var("TERM");
        color::wanted(self.inv.color, self.req.stderr_is_terminal, term)
    }

    /// Diagnostics as this call shows them: as stored (a stored entry holds no terminal
    /// sequences but colours and links, `color::is_plain`), or without colours.
    fn shown(&self, stderr: Vec<u8>) -> Vec<u8> {
        if self.wants_color() {
            stderr
        } else {
            color::strip(&stderr)
        }
    }

    fn expand(&self, text: &Text) -> Vec<u8> {
        text.expand(&self.roots)
    }

    fn tokenize(&self, text: Vec<u8>) -> Text {
        Text::tokenize(&self.roots, text)
    }

    /// Write the entry's files at the paths this call asked for. The object goes last, so a
    /// failure never leaves a new object beside a stale dependency file.
    fn replay(&self, entry: &Entry) -> io::Result<()> {
        let missing = |what: &str| io::Error::other(format!("entry has no {what}"));
        // Only the extra outputs this call asks for: a crafted entry never makes a hit write
        // other files. Checked before anything is written.
        let asked = |(extra, variant, _): &&(crate::args::Extra, u8, Vec<u8>)| {
            self.inv.extras.contains(extra) && self.extra_variants().contains(variant)
        };
        if let Some((extra, _, _)) = entry.extras.iter().find(|e| !asked(e)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("it holds a {extra:?} output this call did not ask for"),
            ));
        }
        if let Some(dep) = &self.inv.dep {
            let stored = entry.depfile.as_ref().ok_or_else(|| missing("depfile"))?;
            let text = depfile::render(stored, &self.roots, dep.default_target.as_deref());
            if !depfile::is_plain_rules(&text) {
                // Make includes this file: a crafted entry must not get anything run.
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "its dependency file is not plain make rules",
                ));
            }
            write_atomic(&self.path(&dep.path), &text)?;
        }
        if let Some(output) = &self.inv.output {
            for (extra, variant, data) in &entry.extras {
                write_atomic(&self.extra_path(output, *extra, *variant), data)?;
            }
            let data = entry.output.as_ref().ok_or_else(|| missing("output"))?;
            write_atomic(&self.path(output), data)?;
        }
        Ok(())
    }

    /// Where this call's compile writes `extra` beside the object `output`: the file the
    /// listing option names, or a name derived from the object's (`replay::extra_path`).
    fn extra_path(&self, output: &str, extra: crate::args::Extra, variant: u8) -> PathBuf {
        match (extra, &self.inv.listing) {
            (crate::args::Extra::Listing, Some(listing)) => self.path(listing),
            _ => self
                .req
                .cwd
                .join(replay::extra_path(output, extra, variant)),
        }
    }

    /// The naming variants of derived extra outputs for this call's object.
    fn extra_variants(&self) -> &'static [u8] {
        self.inv
            .output
            .as_deref()
            .map_or(&[], replay::extra_variants)
    }

    /// How a direct-mode miss will learn the compile's include list.
    fn includes_source(&self) -> Includes {
        // A name nobody can plant a link under in advance (`miss` makes the file).
        let tmp = self.memo.join(crate::safefs::random_name("deps.") + ".d");
        let args: Vec<String> = self
            .req
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        match &self.inv.dep {
            Some(dep) if dep.lists_all_headers && dep.path != "/dev/null" => {
                Includes::CallersDepfile(dep.path.clone())
            }
            // Also `-MMD -MF /dev/null`: an added `-MD` alone would lose to the `-MMD`.
            _ if user_deps::derivable(&args, &self.inv.expanded) => Includes::Derived(tmp),
            None => Includes::AddedDepfile(tmp),
            Some(_) => Includes::Scan(tmp),
        }
    }

    /// A miss: run the compiler, store what it produced, return what it printed. `parts` are
    /// the key's parts and `why` what a manifest said, to explain the miss in the log.
    fn miss(&self, keying: Keying, parts: &[(&str, Key)], why: Option<String>) -> Completed {
        let record = explain::Record::new(parts);
        let record_path = explain::record_path(&self.memo, &self.norm().apply(&self.inv.input));
        let why =
            why.unwrap_or_else(|| explain::diff(explain::load(&record_path).as_ref(), &record));
        let readonly = self.cache.config().readonly;
        self.start();
        let mut args = self.own_args();
        // What zcc adds to the call's arguments: the compiler names one of these when it is
        // what fails the compile (`Call::compile`).
        let mut added: Vec<OsString> = Vec::new();
        let derived = match &keying {
            Keying::Direct {
                includes: Includes::AddedDepfile(tmp),
                ..
            } if !readonly => {
                // Made here, so the compiler writes a file of ours; failing to make it is left
                // to the compile.
                let _ = crate::safefs::create_new(tmp, 0o600);
                added.extend(["-MD".into(), "-MF".into(), tmp.clone().into()]);
                None
            }
            Keying::Direct {
                includes: Includes::Derived(tmp),
                ..
            } if !readonly => {
                let _ = crate::safefs::create_new(tmp, 0o600);
                // GCC's driver passes `-MD` before `-MMD` whatever the order given, and the
                // last of them wins; the last `-MF` names the file.
                for arg in args.iter_mut().filter(|a| *a == "-MMD") {
                    *arg = "-MD".into();
                }
                added.extend(["-MF".into(), tmp.clone().into()]);
                Some(tmp)
            }
            _ => None,
        };
        // The include search path is only needed after the compile: ask for it alongside.
        let mut probe = match &keying {
            Keying::Direct { .. } if !readonly => Some(self.search_probe()),
            _ => None,
        };
        // A call that shows colours compiles with them whatever its stderr is, and the entry
        // keeps them; a call that shows none compiles as it asked (`color.rs`). A compiler
        // older than the option (GCC < 4.9) rejects it: `compile` then runs the call as given.
        let own_command = || {
            let mut own = self.own_args();
            if self.wants_color() {
                own.push(color::ALWAYS.into());
            }
            own
        };
        if self.wants_color() {
            added.push(color::ALWAYS.into());
        }
        args.extend(added.iter().cloned());
        // The compiler may reject what zcc adds: `compile` then runs the call as given.
        let mut named = self.debug_maps.clone();
        named.extend(added.iter().cloned());
        let mut compiled = self.compile(args, &named);
        if let (Some(tmp), Ok(c)) = (derived, &compiled)
            && c.served == Served::Miss
        {
            // A failed compile, or a file that cannot be derived exactly: the caller's own
            // command, so the compiler writes (or leaves out) the caller's file itself.
            let written = c.status == 0 && {
                let search = probe.take().map(|p| p.and_then(includes::Probe::wait));
                let written = match &search {
                    Some(Ok(search)) => self.write_user_deps(tmp, search),
                    _ => false,
                };
                probe = search.map(|s| s.map(includes::Probe::Known));
                written
            };
            if !written {
                self.log("compiling again with the call's own dependency options");
                compiled = self.compile(own_command(), &self.debug_maps);
            }
        }
        let done = match compiled {
            Ok(done) => done,
            Err(done) => {
                if let Some(Ok(probe)) = probe {
                    let _ = probe.wait();
                }
                return done;
            }
        };
        let outcome = if done.status != 0 {
            self.cache.count(&[Counter::CompileFailed]);
            self.log(&format!("compile_failed {}", self.inv.input));
            Completed {
                served: Served::Failed,
                ..done
            }
        } else {
            let stored = if readonly || done.served == Served::Fallback {
                // A read-only store is never written; a fallback compile has nothing to store.
                Err(if readonly {
                    Counter::NotStoredReadonly
                } else {
                    Counter::ErrorAddedArguments
                })
            } else {
                self.store_result(&done, &keying, probe.take())
            };
            let what = match &stored {
                Ok(key) => {
                    explain::save(&record_path, &record);
                    format!("stored {}", store::hex(key))
                }
                Err(reason) => reason.name().into_owned(),
            };
            let mut counters = vec![Counter::Miss];
            if let Err(reason) = stored {
                counters.push(reason);
            }
            if self.storage.asked() {
                counters.push(Counter::RemoteMiss);
            }
            self.cache.count(&counters);
            self.log(&format!("miss {}: {why}; {what}", self.inv.input));
            done
        };
        if let Some(Ok(probe)) = probe {
            // Not used (the compile failed): collect the child rather than leave a zombie.
            let _ = probe.wait();
        }
        if let Keying::Direct {
            includes: Includes::AddedDepfile(tmp) | Includes::Scan(tmp) | Includes::Derived(tmp),
            ..
        } = &keying
        {
            let _ = fs::remove_file(tmp);
        }
        Completed {
            stderr: self.shown(outcome.stderr),
            ..outcome
        }
    }

    /// Run the compile of a miss: `args`, the call's arguments with zcc's changes, among them
    /// `added` (zcc's own `-MD -MF <tmp>`, `-fdiagnostics-color=always`). What zcc adds must
    /// never fail a compile: when the compile fails and the compiler's message names one of
    /// the added arguments (the dependency file it could not open or write, an option it does
    /// not know), the call's own compile runs, exactly as asked, and its result stands; if that
    /// one succeeds, the added arguments were the problem: logged, and the result is marked
    /// [`Served::Fallback`] (counted `error_added_arguments` by `miss`, not stored). A failure
    /// that names none of them is the source's own and is not compiled twice.
    /// `Err`: the compiler could not even be started (reported like a shell would).
    fn compile(&self, args: Vec<OsString>, added: &[OsString]) -> Result<Completed, Completed> {
        let run = |args: Vec<OsString>| {
            let (program, args) = self.with_prefix(args);
            capture(&program, &args, self.req).map_err(|e| Completed {
                status: 127,
                stdout: Vec::new(),
                stderr: format!("zcc: cannot run {}: {e}\n", self.compiler.path.display())
                    .into_bytes(),
                served: Served::Failed,
            })
        };
        let first = run(args)?;
        let names_added = |text: &[u8]| {
            added
                .iter()
                .any(|a| memchr::memmem::find(text, a.as_encoded_bytes()).is_some())
        };
        let done = if first.status != 0 && names_added(&first.stderr) {
            let plain = run(self.req.args.clone())?;
            if plain.status == 0 {
                self.log(&format!(
                    "the compile failed only with zcc's added arguments ({}); \
                     the call's own compile succeeded and is used, not stored",
                    String::from_utf8_lossy(&first.stderr).trim_end()
                ));
                return Ok(Completed {
                    status: plain.status,
                    stdout: plain.stdout,
                    stderr: plain.stderr,
                    served: Served::Fallback,
                });
            }
            plain
        } else {
            first
        };
        Ok(Completed {
            status: done.status,
            stdout: done.stdout,
            stderr: done.stderr,
            served: Served::Miss,
        })
    }

    /// Write the caller's `-MMD` file from the compile's `-MD` file `md` (see [`user_deps`]);
    /// `false` when it cannot be derived exactly or written. Nothing to write for
    /// `-MF /dev/null`.
    fn write_user_deps(&self, md: &std::path::Path, search: &includes::SearchPath) -> bool {
        let Some(dep) = &self.inv.dep else {
            return true;
        };
        let include_dirs: Vec<String> = self
            .inv
            .key_args
            .iter()
            .filter(|a| a.text == "-I")
            .filter_map(|a| a.path.clone())
            .collect();
        let dirs = user_deps::Dirs::new(search, &include_dirs);
        let style = match self.compiler.family {
            Family::Gcc => depfile::Style::Gcc,
            Family::Clang => depfile::Style::Clang,
        };
        let read = |name: &str| fs::read(self.path(name)).ok();
        let derived = fs::read(md)
            .ok()
            .and_then(|md| user_deps::derive(&md, &dirs, style, &self.inv.expanded, &read));
        match derived {
            Some(bytes) => write_atomic(&self.path(&dep.path), &bytes).is_ok(),
            None => false,
        }
    }

    /// The program and arguments of a miss's compile: `ZCC_PREFIX` (e.g. `distcc`), looked up
    /// in the call's `PATH`, before the compiler. Only the compile of a miss gets it, never the
    /// preprocessor, probe or dependency-scan runs (they are needed here, and fast), and it is
    /// not part of the key: a prefix changes where an object is made, not what it is. A prefix
    /// that cannot be found is counted (`error_prefix`) and the compiler runs without it.
    fn with_prefix(&self, args: Vec<OsString>) -> (PathBuf, Vec<OsString>) {
        let prefix = &self.cache.config().prefix;
        let Some((first, rest)) = prefix.split_first() else {
            return (self.compiler.path.clone(), args);
        };
        match which::which_in(first, self.req.var("PATH"), &self.req.cwd) {
            Ok(program) => {
                let mut all: Vec<OsString> = rest.iter().map(OsString::from).collect();
                all.push(self.compiler.path.clone().into());
                all.extend(args);
                (program, all)
            }
            Err(e) => {
                self.cache.count(&[Counter::ErrorPrefix]);
                self.log(&format!(
                    "ZCC_PREFIX {first}: {e}; compiling without the prefix"
                ));
                (self.compiler.path.clone(), args)
            }
        }
    }

    /// Store a successful compile; `Err(counter)` says why it was not stored.
    fn store_result(
        &self,
        done: &Completed,
        keying: &Keying,
        probe: Option<io::Result<includes::Probe>>,
    ) -> Result<Key, Counter> {
        match keying {
            Keying::Known { key, inputs, exact } => {
                let entry = self.collect(done, inputs)?;
                self.put(Kind::Result, key, &entry.encode())?;
                if let Some(exact_key) = exact {
                    self.record_exact(exact_key, inputs, key);
                }
                Ok(*key)
            }
            Keying::Direct {
                manifest_key,
                includes,
                preprocessed,
            } => {
                let files = self.read_includes(includes)?;
                // Hash first, then check that nothing changed since the compile started: a
                // file changed after the check could otherwise be hashed with new content.
                let search = probe
                    .unwrap_or_else(|| Err(io::Error::other("no probe")))
                    .and_then(includes::Probe::wait)
                    .map_err(|e| {
                        self.log(&format!("include search path: {e}"));
                        Counter::NotStoredSearchPath
                    })?;
                let (mut candidate, flags) =
                    self.candidate(manifest_key, &files, &search, false)?;
                let entry = self.collect(done, &files)?;
                if let (Target::Result(_), Some(key)) = (&candidate.target, preprocessed) {
                    candidate.target = Target::Result(*key);
                }
                let stored = match &candidate.target {
                    Target::Result(key) => {
                        self.put(Kind::Result, key, &entry.encode()).map(|()| *key)
                    }
                    _ => self.store_preprocessed(&entry, flags),
                };
                if let Ok(key) = &stored
                    && only_file_macros(flags)
                {
                    // `__FILE__`: the preprocessor key keeps the result portable; an exact-path
                    // manifest pointing at the same entry gives direct hits on this layout.
                    let source = filehash::file_info(&self.path(&self.inv.input), &self.memo)
                        .map_err(|_| Counter::NotStoredModifiedInput)?;
                    let exact_key = self.exact_manifest_key(&source.hash);
                    let (mut exact, _) = self.candidate(&exact_key, &files, &search, true)?;
                    exact.target = Target::Result(*key);
                    let manifest = self.read_manifest(&exact_key).unwrap_or_default();
                    self.put(Kind::Manifest, &exact_key, &manifest.with(exact).encode())?;
                    candidate.target = Target::Exact;
                }
                let manifest = self.read_manifest(manifest_key).unwrap_or_default();
                self.put(
                    Kind::Manifest,
                    manifest_key,
                    &manifest.with(candidate).encode(),
                )?;
                stored
            }
        }
    }

    /// Store a result whose inputs use `__FILE__` under its preprocessor-mode key: the macro's
    /// expansions are in the preprocessed text, so that key is exact while staying portable.
    /// Time macros are not stored; nor are embedded files, when the preprocessed text still
    /// holds the directive that reads them (a mention in a comment is gone from it).
    fn store_preprocessed(&self, entry: &Entry, flags: Flags) -> Result<Key, Counter> {
        if flags.contains(Flags::TIME) {
            return Err(Counter::NotStoredTimeMacro);
        }
        let fail = |_| Counter::NotStoredPreprocessor;
        let cpp = self.run_preprocessor().map_err(fail)?;
        if cpp.status != 0 {
            return Err(Counter::NotStoredPreprocessor);
        }
        let pp = self
            .preprocessed_key(&cpp)
            .map_err(|_| Counter::NotStoredEmbeddedFile)?;
        self.unchanged_since_start(&pp.inputs)?;
        self.put(Kind::Result, &pp.key, &entry.encode())?;
        Ok(pp.key)
    }

    /// Every write of a manifest or result goes through here ([`Storage::put`]).
    fn put(&self, kind: Kind, key: &Key, bytes: &[u8]) -> Result<(), Counter> {
        self.storage.put(kind, key, bytes)
    }

    /// The files the compile read, as the compiler named them.
    fn read_includes(&self, includes: &Includes) -> Result<Vec<String>, Counter> {
        let bytes = match includes {
            Includes::CallersDepfile(path) => fs::read(self.path(path)),
            Includes::AddedDepfile(tmp) | Includes::Derived(tmp) => fs::read(tmp),
            Includes::Scan(tmp) => {
                let mut args: Vec<OsString> =
                    self.inv.cpp_args.iter().map(OsString::from).collect();
                args.extend(["-M".into(), "-MF".into(), tmp.clone().into()]);
                args.push(self.inv.input.clone().into());
                match capture(&self.compiler.path, &args, self.req) {
                    Ok(c) if c.status == 0 => fs::read(tmp),
                    _ => Err(io::Error::other("dependency scan failed")),
                }
            }
        }
        .map_err(|e| {
            self.log(&format!("cannot read the include list: {e}"));
            Counter::NotStoredDepfile
        })?;
        let files = depfile::prerequisites(&bytes);
        if files.is_empty() {
            return Err(Counter::NotStoredDepfile);
        }
        Ok(files)
    }

    /// Where the facts of the files the last compile of this source read are kept
    /// ([`filehash::Recent`]): keyed by the source's full path, as stat memos are.
    fn recent_path(&self) -> PathBuf {
        let key = KeyBuilder::new("zcc-recent-3")
            .field(
                "input",
                self.path(&self.inv.input).as_os_str().as_encoded_bytes(),
            )
            .finish();
        self.memo.join(format!("recent-{}", store::hex(&key)))
    }

    /// The manifest candidate for a compile that read `files`, and the union of their flags.
    fn candidate(
        &self,
        manifest_key: &Key,
        files: &[String],
        search: &includes::SearchPath,
        exact: bool,
    ) -> Result<(Candidate, Flags), Counter> {
        let mut hashed = Vec::with_capacity(files.len());
        let mut flags = Flags::default();
        // Where a quoted include would look first: next to the file that includes it.
        let mut next_to_includer = Vec::new();
        // What `__has_include` asked about: (includer, name, quoted).
        let mut probed = Vec::new();
        // Macros handing a parameter to `__has_include`, defined in any file read.
        let mut wrappers: Vec<filehash::Wrapper> = Vec::new();
        let recent_path = self.recent_path();
        let mut recent = filehash::Recent::load(&recent_path);
        for f in files {
            let info = recent.file_info(&self.path(f), &self.memo).map_err(|e| {
                self.log(&format!("cannot hash {f}: {e}"));
                Counter::NotStoredModifiedInput
            })?;
            flags = flags.union(info.flags);
            hashed.push((self.spell(exact, f), info.hash));
            next_to_includer.extend(info.quoted.iter().filter_map(|n| includes::next_to(f, n)));
            probed.extend(info.probed.into_iter().map(|p| (f, p)));
            wrappers.extend(info.wrappers);
        }
        recent.save(&recent_path);
        if !wrappers.is_empty() {
            match self.wrapper_probes(files, wrappers) {
                Some(found) => probed.extend(found),
                None => flags = flags.union(Flags::HAS_INCLUDE),
            }
        }
        let source_dir = self.inv.input.rsplit_once('/').map_or("", |(d, _)| d);
        // Thousands for a C++ compile: a set keeps the de-duplication linear.
        let mut absent: Vec<String> = Vec::new();
        let mut listed = std::collections::HashSet::new();
        let mut add_absent = |p: String| {
            if listed.insert(p.clone()) {
                absent.push(p);
            }
        };
        // Whether a path exists, with one stat per directory that does not: a missing search
        // directory offers a shadow path for every header.
        let mut dirs = std::collections::HashMap::new();
        let mut exists = |p: &str| {
            let dir = p
                .rsplit_once('/')
                .map_or(".", |(d, _)| if d.is_empty() { "/" } else { d });
            *dirs
                .entry(dir.to_string())
                .or_insert_with(|| self.path(dir).is_dir())
                && self.path(p).exists()
        };
        // A header found next to several includers is offered by both lists: stat it once.
        let mut checked = std::collections::HashSet::new();
        for p in includes::shadow_paths(files.get(1..).unwrap_or(&[]), search, source_dir)
            .into_iter()
            .chain(next_to_includer)
        {
            if checked.contains(&p) {
                continue;
            }
            if !exists(&p) {
                add_absent(self.spell(exact, &p));
            }
            checked.insert(p);
        }
        // A precompiled header the compile used is in no dependency list (nor is its header):
        // none may exist now, nor appear later.
        for gch in self.pch_places(search) {
            if exists(&gch) {
                self.log(&format!("{gch} may be used as a precompiled header"));
                return Err(Counter::NotStoredPch);
            }
            add_absent(self.spell(exact, &gch));
        }
        // A `__has_include` answer holds while the file it found still exists, or while none
        // of the places it looked in gains the file.
        let mut present: Vec<String> = Vec::new();
        for (includer, p) in probed {
            let paths = includes::probe_paths(search, includer, &p.name, p.quoted);
            match paths.iter().find(|path| self.path(path).exists()) {
                Some(found) => present.push(self.spell(exact, found)),
                None => {
                    for path in paths {
                        add_absent(self.spell(exact, &path));
                    }
                }
            }
        }
        let target = if flags.is_empty() {
            Target::Result(manifest::result_key(manifest_key, &hashed))
        } else {
            self.log(&format!(
                "{} uses time macros, __FILE__ or embedded files: preprocessor mode",
                self.inv.input
            ));
            Target::Preprocessor
        };
        Ok((
            Candidate {
                files: hashed,
                absent,
                present,
                target,
            },
            flags,
        ))
    }

    /// Whether a precompiled header exists where the compile may take one instead of a header
    /// the preprocessor read (`inputs`, from its line markers) or looked for (`pch_places`).
    fn pch_found(&self, inputs: &[String]) -> Result<bool, Internal> {
        let search = self
            .search_probe()
            .and_then(includes::Probe::wait)
            .map_err(|e| {
                Internal::new(Counter::ErrorInternal, format!("include search path: {e}"))
            })?;
        let own = inputs.iter().map(|f| format!("{f}.gch"));
        let found = self
            .pch_places(&search)
            .into_iter()
            .chain(own)
            .find(|g| self.path(g).exists());
        if let Some(gch) = &found {
            self.log(&format!("{gch} may be used as a precompiled header"));
        }
        Ok(found.is_some())
    }

    /// Where the compiler would look for a precompiled header: GCC and Clang try `name.gch`
    /// (Clang `name.pch` too) in each directory of the search, just before `name` itself, for
    /// the `-include` files
    /// (searched from the working directory first) and the source's own `#include`s (only those
    /// before the first C token can use one; all are listed).
    fn pch_places(&self, search: &includes::SearchPath) -> Vec<String> {
        let forced = self
            .inv
            .key_args
            .iter()
            .filter(|a| a.text == "-include")
            .filter_map(|a| Some(("", a.path.clone()?, true)));
        let content = fs::read(self.path(&self.inv.input)).unwrap_or_default();
        let own = filehash::include_names(&content)
            .into_iter()
            .map(|(name, quoted)| (self.inv.input.as_str(), name, quoted));
        let mut places = Vec::new();
        for (includer, name, quoted) in forced.chain(own) {
            for path in includes::probe_paths(search, includer, &name, quoted) {
                places.push(format!("{path}.gch"));
                if self.compiler.family == Family::Clang {
                    places.push(format!("{path}.pch"));
                }
                if self.path(&path).exists() {
                    break;
                }
            }
        }
        places
    }

    /// What the uses of `__has_include` wrapper macros in `files` ask about, as
    /// (includer, probe); wrappers of wrappers are followed. `None` when a use passes
    /// something other than a literal name, or a file cannot be read: preprocessor mode.
    /// Only a miss of a source whose headers define a wrapper reads its files again for this.
    fn wrapper_probes<'f>(
        &self,
        files: &'f [String],
        mut wrappers: Vec<filehash::Wrapper>,
    ) -> Option<Vec<(&'f String, filehash::Probed)>> {
        let contents: Vec<Vec<u8>> = files
            .iter()
            .map(|f| fs::read(self.path(f)).ok())
            .collect::<Option<_>>()?;
        loop {
            let mut found = Vec::new();
            let mut more: Vec<filehash::Wrapper> = Vec::new();
            for (f, content) in files.iter().zip(&contents) {
                let uses = filehash::wrapper_uses(content, &wrappers)?;
                found.extend(uses.probes.into_iter().map(|p| (f, p)));
                more.extend(uses.wrappers.into_iter().filter(|w| !wrappers.contains(w)));
            }
            if more.is_empty() {
                return Some(found);
            }
            for w in more {
                if !wrappers.contains(&w) {
                    wrappers.push(w);
                }
            }
        }
    }

    /// Read back what the compiler wrote; `Err(counter)` when it must not be stored.
    fn collect(&self, done: &Completed, inputs: &[String]) -> Result<Entry, Counter> {
        // Regular files only, of a size an entry may hold: `-o /dev/zero` never ends.
        let read_at = |p: &std::path::Path| crate::safefs::read_regular(p, MAX_OUTPUT);
        let read = |p: &str| read_at(&self.path(p));
        let output = match (&self.inv.output, self.inv.mode) {
            (_, Mode::SyntaxOnly) | (None, _) => None,
            (Some(out), _) => {
                let data = read(out).map_err(|_| Counter::NotStoredNoOutput)?;
                if data.is_empty() {
                    return Err(Counter::NotStoredEmptyOutput);
                }
                Some(data)
            }
        };
        let depfile = match &self.inv.dep {
            None => None,
            Some(dep) => {
                let data = read(&dep.path).map_err(|_| Counter::NotStoredNoOutput)?;
                // Only what a hit may serve (see `replay`) is worth storing.
                if !depfile::is_plain_rules(&data) {
                    return Err(Counter::NotStoredDepfile);
                }
                let style = match self.compiler.family {
                    Family::Gcc => depfile::Style::Gcc,
                    Family::Clang => depfile::Style::Clang,
                };
                let target = dep.default_target.as_deref();
                let stored = depfile::store_preferring(&data, &self.roots, target, style)
                    .ok_or(Counter::NotStoredDepfile)?;
                Some(stored)
            }
        };
        let mut extras = Vec::new();
        if let Some(out) = &self.inv.output {
            for extra in &self.inv.extras {
                for variant in self.extra_variants() {
                    let path = self.extra_path(out, *extra, *variant);
                    if modified_at_or_after(&path, self.start()) {
                        let data = read_at(&path).map_err(|_| Counter::NotStoredNoOutput)?;
                        extras.push((*extra, *variant, data));
                        break;
                    }
                }
            }
        }
        self.unchanged_since_start(inputs)?;
        Ok(Entry {
            output,
            depfile,
            extras,
            stdout: self.tokenize(done.stdout.clone()),
            stderr: self.tokenize(done.stderr.clone()),
        })
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
    cache: &Cache,
    compiler: &Compiler,
    req: &CompileRequest,
) -> Vec<(String, PathBuf)> {
    let mut roots: Vec<(String, PathBuf)> = Vec::new();
    // Prefer the apparent working directory ($PWD) when it names the same directory, so that
    // both spellings of a symlinked workspace are known.
    let cwd = req.compiler_pwd();
    let basedirs = &cache.config().basedirs;
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
