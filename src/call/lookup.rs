//! Looking a call up: direct-mode manifests, exact-path manifests, the preprocessor-mode key,
//! and serving a hit.

use super::*;

impl Call<'_> {
    /// After a direct-mode miss of a source compiled before: the preprocessor-mode lookup. A
    /// hit is served and recorded as a new candidate in the manifest, so the next call is a
    /// direct hit; `Err` carries the key for the compile to store under, or `None` when the
    /// preprocessor cannot give one (the compile then reports what is wrong).
    pub(super) fn preprocessed_after_direct_miss(
        &self,
        manifest_key: &Key,
    ) -> Result<Completed, Option<Key>> {
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

    /// Run `compiler <cpp args> -E <input>`.
    pub(super) fn run_preprocessor(&self) -> Result<process::Captured, Internal> {
        self.start();
        capture(
            &self.compiler.path,
            &self.preprocessor_args(),
            &self.req.cwd,
            &self.req.env,
        )
        .map_err(|e| Internal::new(Counter::ErrorInternal, format!("preprocessor: {e}")))
    }

    /// The arguments of the preprocessor run: `<cpp args> -E <input>`.
    pub(super) fn preprocessor_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = self.inv.cpp_args.iter().map(OsString::from).collect();
        args.push("-E".into());
        args.push(self.inv.input.clone().into());
        args
    }

    /// The preprocessor-mode key of a preprocessor run that went alongside a miss's compile
    /// (`ZCC_PREPROCESS_MISSES`), when it gives one the result may be stored under: it
    /// succeeded, and no precompiled header may stand in for a header it read.
    pub(super) fn key_alongside(&self, cpp: &process::Captured) -> Option<Key> {
        if cpp.status != 0 {
            return None;
        }
        let pp = self.preprocessed_key(cpp).ok()?;
        if self.pch_found(&pp.inputs).unwrap_or(true) {
            return None;
        }
        Some(pp.key)
    }

    /// The preprocessor failed: run the real compile uncached, so the user sees the compiler's
    /// own diagnostics and exit status.
    pub(super) fn preprocessor_failed(&self) -> Completed {
        self.log("preprocessor failed; compiling without the cache");
        let done = Completed::uncached(&self.compiler.path, self.req);
        if done.status != 0 {
            self.ctx.rec.count(&[Counter::CompileFailed]);
        }
        Completed {
            served: Served::Failed,
            ..done
        }
    }

    /// The preprocessor-mode key from the preprocessor's output.
    pub(super) fn preprocessed_key(
        &self,
        cpp: &process::Captured,
    ) -> Result<PreprocessedKey, Passthrough> {
        if let Some(directive) = filehash::unsupported_directive(&cpp.stdout) {
            return Err(Passthrough::UnsupportedDirective(directive.into()));
        }
        // `__builtin_FILE()` takes its path from the line markers: they are keyed as the
        // compiler wrote them, not through roots or the debug prefix maps.
        let norm = if filehash::uses_builtin_file(&cpp.stdout) {
            PathNorm::Exact
        } else {
            self.norm()
        };
        // Through the roots, names under the input's directory as the key names the input.
        let spelling = match norm {
            PathNorm::Roots(_) => self.spelling.as_ref(),
            _ => None,
        };
        let (text, inputs) = key::normalize_preprocessed(&cpp.stdout, norm, spelling);
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
    pub(super) fn direct_lookup(&self, manifest_key: &Key) -> Direct {
        if self.ctx.config.recache {
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
    pub(super) fn search_probe(&self) -> io::Result<includes::Probe> {
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

    /// Look a result up in the exact-path manifest (see [`Target::Exact`]).
    pub(super) fn exact_lookup(&self, exact_key: &Key) -> Option<Completed> {
        let manifest = self.read_manifest(exact_key)?;
        match manifest::find(&manifest, no_roots(), &self.req.cwd, &self.memo) {
            Ok(Target::Result(key)) => self.serve(key, Served::DirectHit),
            _ => None,
        }
    }

    pub(super) fn read_manifest(&self, manifest_key: &Key) -> Option<Manifest> {
        let bytes = self.get(Kind::Manifest, manifest_key)?;
        match Manifest::decode(&bytes) {
            Ok(m) => Some(m),
            Err(e) => {
                self.ctx.rec.count(&[Counter::ErrorStoreRead]);
                self.log(&format!("undecodable manifest: {e}"));
                None
            }
        }
    }

    /// Every read of a manifest or result goes through here ([`Storage::get`]).
    pub(super) fn get(&self, kind: Kind, key: &Key) -> Option<Vec<u8>> {
        self.storage.get(kind, key)
    }

    /// Serve a hit, if the store has a good entry for `key`.
    pub(super) fn serve(&self, key: &Key, served: Served) -> Option<Completed> {
        if self.ctx.config.recache {
            return None;
        }
        let bytes = self.get(Kind::Result, key)?;
        let entry = match Entry::decode(&bytes) {
            Ok(e) => e,
            Err(e) => {
                self.ctx.rec.count(&[Counter::ErrorStoreRead]);
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
        if let Some(spelled) = &entry.spelled
            && *spelled != self.keyed_input()
        {
            // Its outputs name the input as that call did.
            self.log(&format!("stored for the input named {spelled}; compiling"));
            return None;
        }
        let counter = match served {
            Served::DirectHit => Counter::DirectHit,
            _ => Counter::PreprocessedHit,
        };
        let (stdout, stderr) = (self.expand(&entry.stdout), self.expand(&entry.stderr));
        if !color::is_plain(&stdout) || !color::is_plain(&stderr) {
            // Escape sequences beyond colours could retitle, rewrite or query the terminal.
            self.ctx.rec.count(&[Counter::ErrorStoreRead]);
            self.log(&format!(
                "bad entry {}: its output holds terminal control sequences",
                store::hex(key)
            ));
            return None;
        }
        match self.replay(&entry) {
            Ok(()) => {
                if self.storage.fetched() {
                    self.ctx.rec.count(&[counter, Counter::RemoteHit]);
                } else {
                    self.ctx.rec.count(&[counter]);
                }
                let name = counter.name();
                self.log(&format!("{name} {} {}", store::hex(key), self.inv.input));
                Some(Completed::new(0, stdout, self.shown(stderr), served))
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                self.ctx.rec.count(&[Counter::ErrorStoreRead]);
                self.log(&format!("bad entry {}: {e}; compiling", store::hex(key)));
                None
            }
            Err(e) => {
                self.ctx.rec.count(&[Counter::ErrorReplay]);
                self.log(&format!("cannot write outputs of a hit: {e}; compiling"));
                None
            }
        }
    }
}
