//! Direct-mode manifest candidates: the files a compile read with their hashes, and the paths
//! whose appearance would change what it read (shadowing headers, `__has_include` answers,
//! precompiled headers).

use std::collections::HashSet;

use super::*;
use crate::paths::PathHasher;

impl Call<'_> {
    /// Record in the manifest that the files the preprocessor read (as it spelled them) lead
    /// to the result stored under their preprocessed text. Skipped when an input changed since
    /// the call started, uses time macros, `__FILE__` or embedded files, or the probe fails:
    /// that only costs this path again next time.
    pub(super) fn record_direct(&self, manifest_key: &Key, pp: &PreprocessedKey) {
        let search = self.search_probe().and_then(includes::Probe::wait);
        let Ok(search) = search else {
            return;
        };
        let Ok((mut candidate, flags, _)) =
            self.candidate(manifest_key, &pp.inputs, &search, false)
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

    /// Record in the exact-path manifest that the files the preprocessor read (`files`, as
    /// it spelled them) lead to `result`. Skipped when an input changed since the call
    /// started (the preprocessed text might not match the files hashed now) or the probe
    /// fails: that only costs a direct hit later.
    pub(super) fn record_exact(&self, exact_key: &Key, files: &[String], result: &Key) {
        let search = self.search_probe().and_then(includes::Probe::wait);
        let Ok(search) = search else {
            return;
        };
        let Ok((mut candidate, flags, _)) = self.candidate(exact_key, files, &search, true) else {
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

    /// The manifest candidate for a compile that read `files`, the union of their flags, and
    /// whether every file named under the input's directory came through it
    /// ([`crate::spelling::Spelling::traced`]; `false` when the spelling is kept exact).
    pub(super) fn candidate(
        &self,
        manifest_key: &Key,
        files: &[String],
        search: &includes::SearchPath,
        exact: bool,
    ) -> Result<(Candidate, Flags, bool), Counter> {
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
        // Each file with its quoted includes, to trace names back to the input's directory.
        let mut quoted = Vec::with_capacity(files.len());
        for f in files {
            // The source itself stays out of the record: it is what changes from one miss to
            // the next (an edit), and recording it would rewrite the record on every miss.
            let info = if *f == self.inv.input {
                filehash::file_info(&self.path(f), &self.memo)
            } else {
                recent.file_info(&self.path(f), &self.memo)
            }
            .map_err(|e| {
                self.log(&format!("cannot hash {f}: {e}"));
                Counter::NotStoredModifiedInput
            })?;
            flags = flags.union(info.flags);
            hashed.push((self.spell(exact, f), info.hash));
            next_to_includer.extend(info.quoted.iter().filter_map(|n| includes::next_to(f, n)));
            quoted.push((f.as_str(), info.quoted));
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
        let mut listed = HashSet::with_hasher(PathHasher::default());
        let mut add_absent = |p: String| {
            if listed.insert(p.clone()) {
                absent.push(p);
            }
        };
        let mut existence = Existence::new(&self.req.cwd);
        // The files the compile read exist: a quoted include found next to its includer is
        // offered as a place to look again.
        let read: HashSet<&str, PathHasher> = files.iter().map(String::as_str).collect();
        // A header found next to several includers is offered by both lists: stat it once.
        let mut checked = HashSet::with_hasher(PathHasher::default());
        for p in includes::shadow_paths(files.get(1..).unwrap_or(&[]), search, source_dir)
            .into_iter()
            .chain(next_to_includer)
        {
            if read.contains(p.as_str()) || checked.contains(&p) {
                continue;
            }
            if !existence.exists(&p) {
                add_absent(self.spell(exact, &p));
            }
            checked.insert(p);
        }
        // A precompiled header the compile used is in no dependency list (nor is its header):
        // none may exist now, nor appear later.
        for gch in self.pch_places(search) {
            if existence.exists(&gch) {
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
            match paths.iter().find(|path| existence.exists(path)) {
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
        let traced = self.spelling.as_ref().is_some_and(|s| {
            let list: Vec<(&str, &[String])> = quoted.iter().map(|(f, q)| (*f, &q[..])).collect();
            s.traced(&list) && self.routes_clear(s, files)
        });
        Ok((
            Candidate {
                files: hashed,
                absent,
                present,
                target,
            },
            flags,
            traced,
        ))
    }

    /// [`Spelling::routes_clear`] for the files a compile read: their directives read again,
    /// only when a search directory could name files like the input's directory.
    fn routes_clear(&self, spelling: &Spelling, files: &[String]) -> bool {
        if spelling.routes().is_empty() {
            return true;
        }
        let mut computed = false;
        let mut directives = Vec::with_capacity(files.len());
        for f in files {
            let Ok(content) = fs::read(self.path(f)) else {
                return false;
            };
            computed |= spelling::has_computed_include(&content);
            directives.push((f.as_str(), filehash::include_names(&content)));
        }
        let exists = |p: &str| self.path(p).exists();
        let gcc = self.compiler.family == Family::Gcc;
        spelling.routes_clear(&directives, computed, gcc, &exists)
    }

    /// Whether a precompiled header exists where the compile may take one instead of a header
    /// the preprocessor read (`inputs`, from its line markers) or looked for (`pch_places`).
    pub(super) fn pch_found(&self, inputs: &[String]) -> Result<bool, Internal> {
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
    pub(super) fn pch_places(&self, search: &includes::SearchPath) -> Vec<String> {
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
    pub(super) fn wrapper_probes<'f>(
        &self,
        files: &'f [String],
        mut wrappers: Vec<filehash::Wrapper>,
    ) -> Option<Vec<(&'f String, filehash::Probed)>> {
        let mut read = self.read_after_compile.take();
        let contents: Vec<Vec<u8>> = files
            .iter()
            .map(|f| read.remove(f).or_else(|| fs::read(self.path(f)).ok()))
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
}

/// Whether paths exist, asking the filesystem as little as it takes: a directory that does
/// not exist is stat'ed once for every path under it, and one asked about often is listed
/// once, so that only names it holds are stat'ed (a unity file's `__has_include` probes and
/// shadow paths ask about hundreds of names that are in none of a dozen directories).
struct Existence<'c> {
    cwd: &'c std::path::Path,
    dirs: std::collections::HashMap<String, Dir, PathHasher>,
}

/// What is known about one directory.
enum Dir {
    Missing,
    /// Stat'ed this many times for names in it.
    Asked(u32),
    /// Its names, ASCII letters lower-cased: on a case-insensitive filesystem a name differing
    /// in case exists too, so it is stat'ed rather than taken for absent.
    Listed(HashSet<Vec<u8>, PathHasher>),
}

/// After this many stats in one directory, it is listed instead.
const LIST_AFTER: u32 = 8;

impl<'c> Existence<'c> {
    fn new(cwd: &'c std::path::Path) -> Existence<'c> {
        Existence {
            cwd,
            dirs: std::collections::HashMap::default(),
        }
    }

    /// Whether `path` (relative to the working directory) exists, following symlinks.
    fn exists(&mut self, path: &str) -> bool {
        let (dir, leaf) = path.rsplit_once('/').map_or((".", path), |(d, leaf)| {
            (if d.is_empty() { "/" } else { d }, leaf)
        });
        let state = match self.dirs.get_mut(dir) {
            Some(state) => state,
            None => {
                let state = if self.cwd.join(dir).is_dir() {
                    Dir::Asked(0)
                } else {
                    Dir::Missing
                };
                self.dirs.entry(dir.to_string()).or_insert(state)
            }
        };
        // Only a plain ASCII name is looked up in a listing (`.`, `..` and Unicode
        // normalization are the filesystem's business).
        let plain = !matches!(leaf, "" | "." | "..") && leaf.is_ascii();
        match state {
            Dir::Missing => return false,
            Dir::Listed(names)
                if plain && !names.contains(&leaf.to_ascii_lowercase().into_bytes()) =>
            {
                return false;
            }
            Dir::Asked(asked) if plain => {
                *asked += 1;
                if *asked > LIST_AFTER
                    && let Some(names) = list(&self.cwd.join(dir))
                {
                    let listed = names.contains(&leaf.to_ascii_lowercase().into_bytes());
                    *state = Dir::Listed(names);
                    if !listed {
                        return false;
                    }
                }
            }
            _ => {}
        }
        self.cwd.join(path).exists()
    }
}

/// The names in directory `dir`, ASCII letters lower-cased; `None` when it cannot be read.
fn list(dir: &std::path::Path) -> Option<HashSet<Vec<u8>, PathHasher>> {
    use std::os::unix::ffi::OsStrExt;
    fs::read_dir(dir)
        .ok()?
        .map(|entry| {
            entry
                .ok()
                .map(|e| e.file_name().as_bytes().to_ascii_lowercase())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existence_agrees_with_the_filesystem_before_and_after_listing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir(root.join("inc")).unwrap();
        for name in ["a.h", "B.h", "sub.h"] {
            fs::write(root.join("inc").join(name), "").unwrap();
        }
        fs::create_dir(root.join("inc/dir")).unwrap();
        std::os::unix::fs::symlink("nowhere.h", root.join("inc/dangling.h")).unwrap();
        std::os::unix::fs::symlink("a.h", root.join("inc/link.h")).unwrap();
        let asked = [
            "inc/a.h",
            "inc/b.h",
            "inc/B.h",
            "inc/A.h",
            "inc/dangling.h",
            "inc/link.h",
            "inc/none.h",
            "inc/dir",
            "inc/.",
            "inc/..",
            "inc/dir/../a.h",
            "inc/dir/../none.h",
            "inc/",
            "missing/a.h",
            "inc/sub.h/x.h",
            "inc/é.h",
        ];
        let mut existence = Existence::new(root);
        // Enough rounds that the directory is listed part-way through.
        for _ in 0..3 {
            for path in asked {
                assert_eq!(existence.exists(path), root.join(path).exists(), "{path}");
            }
        }
        assert!(matches!(existence.dirs.get("inc"), Some(Dir::Listed(_))));
        assert!(matches!(existence.dirs.get("missing"), Some(Dir::Missing)));
        // Relative to the working directory, absolute paths as they are.
        let absolute = root.join("inc/a.h");
        assert!(Existence::new(std::path::Path::new("/")).exists(absolute.to_str().unwrap()));
    }
}
