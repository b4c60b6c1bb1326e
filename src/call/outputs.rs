//! What a call writes and prints: replaying an entry's files at this call's paths, reading
//! back what a compile wrote, and showing its diagnostics with or without colour.

use super::*;

impl Call<'_> {
    /// Whether this call shows diagnostics in colour (`color.rs`).
    pub(super) fn wants_color(&self) -> bool {
        let term = self.req.var("TERM");
        color::wanted(self.inv.color, self.req.stderr_is_terminal, term)
    }

    /// Diagnostics as this call shows them: as stored (a stored entry holds no terminal
    /// sequences but colours and links, `color::is_plain`), or without colours.
    pub(super) fn shown(&self, stderr: Vec<u8>) -> Vec<u8> {
        if self.wants_color() {
            stderr
        } else {
            color::strip(&stderr)
        }
    }

    pub(super) fn expand(&self, text: &Text) -> Vec<u8> {
        text.expand(&self.roots, self.input_dir())
    }

    pub(super) fn tokenize(&self, text: Vec<u8>) -> Text {
        Text::tokenize(&self.roots, text)
    }

    /// What the compile printed with the input's directory marked in its locations, when an
    /// entry may be rendered for other spellings of the input: only when the spelling shows
    /// nowhere else, and, when a location was marked, no file read holds a line directive
    /// (its locations name files as the directive wrote them). `files`: the files the compile
    /// read, as the dependency file names them.
    fn spelled_texts(&self, done: &Completed, files: &[String]) -> Option<(Text, Text)> {
        let spelling = self.spelling.as_ref()?;
        let known = |name: &str| files.iter().any(|f| f == spelling::dep_form(name));
        let stdout = spelling::mark_locations(&done.stdout, spelling.dir(), &known)?;
        let stderr = spelling::mark_locations(&done.stderr, spelling.dir(), &known)?;
        let marked = [&stdout, &stderr]
            .iter()
            .any(|t| t.contains(&spelling::DIR_MARK));
        if marked
            && files
                .iter()
                .any(|f| fs::read(self.path(f)).map_or(true, |c| spelling::has_line_directive(&c)))
        {
            return None;
        }
        Some((
            Text::spelled(&self.roots, stdout)?,
            Text::spelled(&self.roots, stderr)?,
        ))
    }

    /// Write the entry's files at the paths this call asked for. The object goes last, so a
    /// failure never leaves a new object beside a stale dependency file.
    pub(super) fn replay(&self, entry: &Entry) -> io::Result<()> {
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
            let dir = spelling::dep_form(self.input_dir());
            let text = depfile::render(stored, &self.roots, dep.default_target.as_deref(), dir);
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
    pub(super) fn extra_path(
        &self,
        output: &str,
        extra: crate::args::Extra,
        variant: u8,
    ) -> PathBuf {
        match (extra, &self.inv.listing) {
            (crate::args::Extra::Listing, Some(listing)) => self.path(listing),
            _ => self
                .req
                .cwd
                .join(replay::extra_path(output, extra, variant)),
        }
    }

    /// The naming variants of derived extra outputs for this call's object.
    pub(super) fn extra_variants(&self) -> &'static [u8] {
        self.inv
            .output
            .as_deref()
            .map_or(&[], replay::extra_variants)
    }

    /// Read back what the compiler wrote; `Err(counter)` when it must not be stored. `inputs`:
    /// the files the compile read; `portable`: whether they trace every name under the input's
    /// directory to it, so the entry may be rendered for other spellings of the input.
    pub(super) fn collect(
        &self,
        done: &Completed,
        inputs: &[String],
        portable: bool,
    ) -> Result<Entry, Counter> {
        let texts = if portable {
            self.spelled_texts(done, inputs)
        } else {
            None
        };
        let input_dir = match (&texts, &self.spelling) {
            (Some(_), Some(spelling)) => Some(spelling.dep_dir()),
            _ => None,
        };
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
                let stored =
                    depfile::store_preferring(&data, &self.roots, target, style, input_dir)
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
        // Under a key holding the input as named (no spelling) nothing more is needed; under
        // one holding its canonical form, outputs that keep this call's spelling are for
        // calls that name the input the same way.
        let spelled = (texts.is_none() && self.spelling.is_some()).then(|| self.keyed_input());
        let (stdout, stderr) = texts.unwrap_or_else(|| {
            (
                self.tokenize(done.stdout.clone()),
                self.tokenize(done.stderr.clone()),
            )
        });
        Ok(Entry {
            output,
            depfile,
            extras,
            stdout,
            stderr,
            spelled,
        })
    }
}
