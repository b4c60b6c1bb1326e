//! A miss: run the compiler (with what zcc adds to learn the headers), then store what it
//! produced under the key the lookup computed or the manifest candidate it leads to.

use super::*;

impl Call<'_> {
    /// How a direct-mode miss will learn the compile's include list.
    pub(super) fn includes_source(&self) -> Includes {
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
            // Also `-MMD -MF /dev/null` (no file asked for): an added `-MD` alone would lose
            // to the `-MMD`. The compile writes the caller's file, which is rewritten from
            // it: no file of zcc's to make and delete, unless there is none to write.
            _ if user_deps::derivable(&args, &self.inv.expanded) => {
                Includes::Derived(match &self.inv.dep {
                    Some(dep) if dep.path != "/dev/null" => None,
                    _ => Some(tmp),
                })
            }
            None => Includes::AddedDepfile(tmp),
            Some(_) => Includes::Scan(tmp),
        }
    }

    /// A miss: run the compiler, store what it produced, return what it printed. `parts` are
    /// the key's parts and `why` what a manifest said, to explain the miss in the log.
    pub(super) fn miss(
        &self,
        keying: Keying,
        parts: &[(&str, Key)],
        why: Option<String>,
    ) -> Completed {
        let record = explain::Record::new(parts);
        let record_path = explain::record_path(&self.memo, &self.norm().apply(&self.inv.input));
        let why =
            why.unwrap_or_else(|| explain::diff(explain::load(&record_path).as_ref(), &record));
        let readonly = self.ctx.config.readonly;
        let (compiled, mut probe, alongside) = self.compile_miss(&keying);
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
            self.ctx.rec.count(&[Counter::CompileFailed]);
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
                self.store_result(&done, &keying, probe.take(), alongside)
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
            self.ctx.rec.count(&counters);
            self.log(&format!("miss {}: {why}; {what}", self.inv.input));
            done
        };
        if let Some(Ok(probe)) = probe {
            // Not used (the compile failed): collect the child rather than leave a zombie.
            let _ = probe.wait();
        }
        if let Keying::Direct {
            includes:
                Includes::AddedDepfile(tmp) | Includes::Scan(tmp) | Includes::Derived(Some(tmp)),
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

    /// Run the compile of a miss with what zcc adds: `-MD -MF <tmp>` (or `-MMD` turned into
    /// `-MD`, into the caller's own file) where direct mode learns the headers from it, and
    /// `-fdiagnostics-color=always` for a call shown in colour. The include search-path probe
    /// runs alongside; it is handed back with the result for storing, and so is the
    /// preprocessor-mode key when the preprocessor ran alongside too
    /// (`ZCC_PREPROCESS_MISSES`).
    fn compile_miss(
        &self,
        keying: &Keying,
    ) -> (
        Result<Completed, Completed>,
        Option<io::Result<includes::Probe>>,
        Option<Key>,
    ) {
        let readonly = self.ctx.config.readonly;
        self.start();
        let mut args = self.own_args();
        // What zcc adds to the call's arguments: the compiler names one of these when it is
        // what fails the compile (`Call::compile`).
        let mut added: Vec<OsString> = Vec::new();
        let derived = match keying {
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
                // GCC's driver passes `-MD` before `-MMD` whatever the order given, and the
                // last of them wins; the last `-MF` names the file.
                for arg in args.iter_mut().filter(|a| *a == "-MMD") {
                    *arg = "-MD".into();
                }
                match tmp {
                    Some(tmp) => {
                        let _ = crate::safefs::create_new(tmp, 0o600);
                        added.extend(["-MF".into(), tmp.clone().into()]);
                        Some(tmp.clone())
                    }
                    None => self.inv.dep.as_ref().map(|dep| self.path(&dep.path)),
                }
            }
            _ => None,
        };
        // The include search path is only needed after the compile: ask for it alongside.
        let mut probe = match keying {
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
        let alongside = matches!(
            keying,
            Keying::Direct {
                preprocess_alongside: true,
                ..
            }
        ) && !readonly;
        // The preprocessor in a thread of its own: both programs run at once. A thread that
        // cannot be made only costs the preprocessor key.
        let (mut compiled, cpp) = std::thread::scope(|scope| {
            let cpp = alongside.then(|| {
                let (program, cpp_args, req) =
                    (&self.compiler.path, self.preprocessor_args(), self.req);
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || {
                        capture(program, &cpp_args, &req.cwd, &req.env)
                    })
                    .ok()
            });
            let compiled = self.compile(args, &named);
            (compiled, cpp.flatten().map(|thread| thread.join()))
        });
        let preprocessed = match cpp {
            Some(Ok(Ok(cpp))) => self.key_alongside(&cpp),
            _ => None,
        };
        if let (Some(md), Ok(c)) = (derived, &compiled)
            && c.served == Served::Miss
        {
            // A failed compile, or a file that cannot be derived exactly: the caller's own
            // command, so the compiler writes (or leaves out) the caller's file itself.
            let written = c.status == 0 && {
                let search = probe.take().map(|p| p.and_then(includes::Probe::wait));
                let md = fs::read(&md).ok();
                let written = match (&search, md) {
                    (Some(Ok(search)), Some(md)) => {
                        let written = self.write_user_deps(&md, search);
                        let _ = self.full_deps.set(md);
                        written
                    }
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
        (compiled, probe, preprocessed)
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
    pub(super) fn compile(
        &self,
        args: Vec<OsString>,
        added: &[OsString],
    ) -> Result<Completed, Completed> {
        let run = |args: Vec<OsString>| {
            let (program, args) = self.with_prefix(args);
            capture(&program, &args, &self.req.cwd, &self.req.env)
                .map_err(|e| Completed::not_started(&self.compiler.path, &e, Served::Failed))
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
                return Ok(Completed::captured(plain, Served::Fallback));
            }
            plain
        } else {
            first
        };
        Ok(Completed::captured(done, Served::Miss))
    }

    /// Write the caller's `-MMD` file from the compile's `-MD` file `md` (see [`user_deps`]);
    /// `false` when it cannot be derived exactly or written. Nothing to write for
    /// `-MF /dev/null`.
    pub(super) fn write_user_deps(&self, md: &[u8], search: &includes::SearchPath) -> bool {
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
        let read = |name: &str| {
            let content = fs::read(self.path(name)).ok()?;
            self.read_after_compile
                .borrow_mut()
                .insert(name.to_string(), content.clone());
            Some(content)
        };
        let derived = user_deps::derive(md, &dirs, style, &self.inv.expanded, &read);
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
    pub(super) fn with_prefix(&self, args: Vec<OsString>) -> (PathBuf, Vec<OsString>) {
        let prefix = &self.ctx.config.prefix;
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
                self.ctx.rec.count(&[Counter::ErrorPrefix]);
                self.log(&format!(
                    "ZCC_PREFIX {first}: {e}; compiling without the prefix"
                ));
                (self.compiler.path.clone(), args)
            }
        }
    }
}
