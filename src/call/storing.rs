//! Storing what a miss produced: the result entry under its key, the manifest candidate
//! that leads to it, and the headers the compile read.

use super::*;

impl Call<'_> {
    /// Store a successful compile; `Err(counter)` says why it was not stored.
    /// `alongside`: the preprocessor-mode key from a preprocessor run alongside the compile.
    pub(super) fn store_result(
        &self,
        done: &Completed,
        keying: &Keying,
        probe: Option<io::Result<includes::Probe>>,
        alongside: Option<Key>,
    ) -> Result<Key, Counter> {
        match keying {
            Keying::Known { key, inputs, exact } => {
                let entry = self.collect(done, inputs, false)?;
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
                ..
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
                let (mut candidate, flags, traced) =
                    self.candidate(manifest_key, &files, &search, false)?;
                // Rendered for other spellings of the input when the files read trace every
                // name under the input's directory to it.
                let entry = self.collect(done, &files, traced)?;
                if let (Target::Result(_), Some(key)) =
                    (&candidate.target, preprocessed.or(alongside))
                {
                    candidate.target = Target::Result(key);
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
                    let (mut exact, _, _) = self.candidate(&exact_key, &files, &search, true)?;
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
    pub(super) fn store_preprocessed(&self, entry: &Entry, flags: Flags) -> Result<Key, Counter> {
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
    pub(super) fn put(&self, kind: Kind, key: &Key, bytes: &[u8]) -> Result<(), Counter> {
        self.storage.put(kind, key, bytes)
    }

    /// The files the compile read, as the compiler named them.
    pub(super) fn read_includes(&self, includes: &Includes) -> Result<Vec<String>, Counter> {
        let bytes = match includes {
            Includes::CallersDepfile(path) => fs::read(self.path(path)),
            Includes::AddedDepfile(tmp) => fs::read(tmp),
            Includes::Derived(_) => self
                .full_deps
                .get()
                .cloned()
                .ok_or_else(|| io::Error::other("no dependency list")),
            Includes::Scan(tmp) => {
                let mut args: Vec<OsString> =
                    self.inv.cpp_args.iter().map(OsString::from).collect();
                args.extend(["-M".into(), "-MF".into(), tmp.clone().into()]);
                args.push(self.inv.input.clone().into());
                match capture(&self.compiler.path, &args, &self.req.cwd, &self.req.env) {
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
    pub(super) fn recent_path(&self) -> PathBuf {
        let key = KeyBuilder::new("zcc-recent-3")
            .field(
                "input",
                self.path(&self.inv.input).as_os_str().as_encoded_bytes(),
            )
            .finish();
        self.memo.join(format!("recent-{}", store::hex(&key)))
    }
}
