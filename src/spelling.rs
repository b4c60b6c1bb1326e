//! The same input named several ways: `src/t.c`, `./src/t.c`, `$PWD/src/t.c`, `sub/../src/t.c`.
//!
//! Measured with gcc 12, avr-gcc 5.4 and clang 14 (`docs/ARCHITECTURE.md`, "The input's
//! spelling"): without debug info, LTO, profiling, coverage, sanitizers, `-fverbose-asm`,
//! recorded switches or stack-usage files, the object does not depend on how the input is
//! named. What does is text zcc renders anyway: the dependency file names the input and every
//! header found next to it through the input's directory as written (with a leading `./`
//! dropped), and diagnostics name them in their locations (`./src/x.h:2:26: warning: …`).
//!
//! So the key holds the input relative to the working directory, lexically normalized, and the
//! stored outputs hold the input's directory as a placeholder that each call fills with its own
//! spelling. That is exact only where every name starting with that directory came to the
//! compiler through it; [`Spelling::of_input`] refuses spellings where another route (a
//! `-include`, a toolchain directory) could write such a name, and the store checks what it
//! cannot know in advance ([`Spelling::traced`], [`Spelling::routes_clear`] for search
//! directories, [`mark_locations`], [`has_line_directive`]): when unsure, the entry is kept for
//! calls that spell the input the same way only.

use crate::paths::normalize_lexically;

/// How one call names its input, when its outputs can be rendered for another spelling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spelling {
    /// The input's directory as written, up to and including its last `/` (`""` for a bare
    /// name): what the compiler puts before the names of headers found next to the input.
    dir: String,
    /// The input relative to the working directory, lexically normalized: what the key holds.
    canonical: String,
    /// Search directories (as given) from which the compiler could write a name under `dir`:
    /// the store checks that no include directive did ([`Spelling::routes_clear`]).
    routes: Vec<String>,
}

impl Spelling {
    /// The spelling of `input`, a call's input as given, or `None` when its outputs must keep
    /// it exactly: a name outside the working directory (`cwds`: its spellings, `$PWD` and
    /// the physical one), a `..` after a symbolic link (`is_real_dir` says whether a path,
    /// relative to the working directory, is a directory and no link), a character a
    /// dependency file or a diagnostic location would escape or split on, or a path in `dirs`
    /// (path arguments other than search directories, the toolchain's prefixes, where its
    /// built-in directories are) from which the compiler could write a name that starts like
    /// the input's directory. Such search directories (`search`: `-I`, `-iquote`, `-isystem`,
    /// `-idirafter`, the include path variables) are kept as routes for the store to check.
    pub fn of_input(
        input: &str,
        cwds: &[&str],
        dirs: &[&str],
        search: &[&str],
        is_real_dir: &dyn Fn(&str) -> bool,
    ) -> Option<Spelling> {
        if input
            .bytes()
            .any(|b| b" \t\r\n$#\\:\"'@\0".contains(&b) || b.is_ascii_control())
        {
            return None;
        }
        let relative = if input.starts_with('/') {
            cwds.iter().find_map(|cwd| {
                let cwd = normalize_lexically(cwd);
                let base = cwd.strip_suffix('/').unwrap_or(&cwd);
                input.strip_prefix(base)?.strip_prefix('/')
            })?
        } else {
            input
        };
        let mut kept: Vec<&str> = Vec::new();
        for part in relative.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    // `a/..` is the working directory only when `a` is a directory and no link.
                    if kept.is_empty() || !is_real_dir(&kept.join("/")) {
                        return None;
                    }
                    kept.pop();
                }
                _ => kept.push(part),
            }
        }
        if kept.is_empty() || relative.ends_with('/') {
            return None;
        }
        let dir = dir_of(input).to_string();
        if dirs.iter().any(|d| overlaps(d, &dir)) {
            return None;
        }
        let routes = search
            .iter()
            .filter(|d| overlaps(d, &dir))
            .map(|d| d.to_string())
            .collect();
        Some(Spelling {
            dir,
            canonical: kept.join("/"),
            routes,
        })
    }

    /// The input as the key holds it.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The input's directory as the call wrote it (diagnostics name headers with it).
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// The input's directory as dependency files write it: without a leading `./`.
    pub fn dep_dir(&self) -> &str {
        dep_form(&self.dir)
    }

    /// `path`, a name the compiler wrote, with the input's directory spelled as the key spells
    /// the input (relative to the working directory), when it starts with it.
    pub fn canonical_path(&self, path: &str) -> Option<String> {
        let canonical_dir = dir_of(&self.canonical);
        [self.dir.as_str(), self.dep_dir()]
            .into_iter()
            .find_map(|dir| under(dir, path))
            .map(|rest| format!("{canonical_dir}{rest}"))
    }

    /// Whether every file of `files` (names as the dependency file writes them, the input
    /// first, each with the names of its `#include "…"` directives) that is named under the
    /// input's directory was reached from the input through quoted includes, each looked up
    /// next to its includer: then the name came through the input's directory, and another
    /// spelling of the input names it with that spelling. An absolute quoted include under the
    /// directory could give the same name another way, and so could a route
    /// ([`Spelling::routes_clear`]).
    pub fn traced(&self, files: &[(&str, &[String])]) -> bool {
        let dir = self.dep_dir();
        let absolute_inside = files
            .iter()
            .flat_map(|(_, quoted)| quoted.iter())
            .any(|name| name.starts_with('/') && under(dir, name).is_some());
        if absolute_inside {
            return false;
        }
        let mut reached: std::collections::HashSet<String> = Default::default();
        if let Some((input, _)) = files.first() {
            reached.insert(input.to_string());
        }
        loop {
            let before = reached.len();
            for (name, quoted) in files {
                if !reached.contains(*name) {
                    continue;
                }
                let includer_dir = dir_of(name);
                for include in quoted.iter().filter(|n| !n.starts_with('/')) {
                    reached.insert(dep_form(&format!("{includer_dir}{include}")).to_string());
                }
            }
            if reached.len() == before {
                break;
            }
        }
        files
            .iter()
            .all(|(name, _)| under(dir, name).is_none() || reached.contains(*name))
    }

    /// Search directories that could write a name under the input's directory; when there are
    /// any, the files read must pass [`Spelling::routes_clear`].
    pub fn routes(&self) -> &[String] {
        &self.routes
    }

    /// Whether no include directive of `files` (each file's name as the dependency file writes
    /// it, with its directives: name and whether quoted; `computed`: whether any file includes
    /// a name given by a macro) can have reached, through a route, an existing file (`exists`,
    /// a name relative to the working directory) under the input's directory: such a name
    /// reads like one found next to the input, and another spelling of the input would not
    /// write it so. With GCC (`next_to_includer_as_found`) a quoted include whose file is next
    /// to its includer never searches the routes; any other may, whichever directory the
    /// compiler found it in first. Clang names a file found next to its includer through a
    /// search directory that is the includer's directory (measured, clang 14: `-Isrc` with
    /// `$PWD/src/t.c` writes `src/x.h` for `"x.h"`), so with clang every directive counts.
    pub fn routes_clear(
        &self,
        files: &[(&str, Vec<(String, bool)>)],
        computed: bool,
        next_to_includer_as_found: bool,
        exists: &dyn Fn(&str) -> bool,
    ) -> bool {
        if self.routes.is_empty() {
            return true;
        }
        if computed {
            return false;
        }
        let dir = self.dep_dir();
        files.iter().all(|(includer, directives)| {
            let includer_dir = dir_of(includer);
            directives.iter().all(|(name, quoted)| {
                if next_to_includer_as_found && *quoted && exists(&format!("{includer_dir}{name}"))
                {
                    return true;
                }
                self.routes.iter().all(|route| {
                    let route = route.trim_end_matches('/');
                    let found = if route.is_empty() {
                        name.clone()
                    } else {
                        format!("{route}/{name}")
                    };
                    under(dir, dep_form(&found)).is_none() || !exists(&found)
                })
            })
        })
    }
}

/// Whether `content` has an `#include` (or `#include_next`, `#import`) whose name is not
/// written out (`#include HEADER`): the file it names is not known from the text.
pub fn has_computed_include(content: &[u8]) -> bool {
    content.split(|&b| b == b'\n').any(|line| {
        let blank = |b: &u8| *b == b' ' || *b == b'\t';
        let line = &line[line.iter().take_while(|b| blank(b)).count()..];
        let Some(rest) = line.strip_prefix(b"#") else {
            return false;
        };
        let rest = &rest[rest.iter().take_while(|b| blank(b)).count()..];
        let Some(rest) = [&b"include_next"[..], b"include", b"import"]
            .iter()
            .find_map(|word| rest.strip_prefix(*word))
        else {
            return false;
        };
        let rest = &rest[rest.iter().take_while(|b| blank(b)).count()..];
        rest.first().is_some_and(|b| *b != b'"' && *b != b'<')
    })
}

/// The directory part of `path`, up to and including its last `/` (`""` for a bare name):
/// what the compiler puts before the names of headers it finds next to that file.
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// GCC's and clang's form of a name in a dependency file: leading `./` (and the slashes after
/// it) dropped.
pub fn dep_form(mut name: &str) -> &str {
    while let Some(rest) = name.strip_prefix("./") {
        name = rest.trim_start_matches('/');
    }
    name
}

/// The rest of `path` after `dir` (`""` or ending in `/`), when `path` starts with it; a
/// relative `path` is under `""`, an absolute one never.
fn under<'p>(dir: &str, path: &'p str) -> Option<&'p str> {
    if dir.is_empty() {
        return (!path.starts_with('/')).then_some(path);
    }
    path.strip_prefix(dir)
}

/// Whether the compiler could write a name under `dir` (the input's directory) from search
/// directory `other`, or the other way round: one is a textual prefix of the other, compared
/// as written and as dependency files write them. `.` and `""` stand for the working
/// directory, which holds every relative name.
fn overlaps(other: &str, dir: &str) -> bool {
    let trim = |s: &str| {
        let s = s.trim_end_matches('/');
        if s == "." {
            String::new()
        } else {
            s.to_string()
        }
    };
    let related = |a: &str, b: &str| {
        let (a, b) = (trim(a), trim(b));
        a.is_empty()
            || b.is_empty()
            || a == b
            || a.starts_with(&format!("{b}/"))
            || b.starts_with(&format!("{a}/"))
    };
    if other.starts_with('/') != dir.starts_with('/') {
        return false;
    }
    related(other, dir) || related(dep_form(other), dep_form(dir))
}

/// The placeholder for the input's directory in stored diagnostics: a byte no compiler prints.
pub const DIR_MARK: u8 = 0;

/// `text` (diagnostics) with the input's directory `dir` replaced by [`DIR_MARK`] wherever it
/// begins the path of a location the compiler printed for one of its files (`known`, a name as
/// the diagnostics spell it): at the start of a line (`src/x.h:2:26: warning: …`,
/// `src/t.c: In function ‘f’:`) or after `In file included from ` / `from `, followed by `:`.
/// A line right after a message line is not a location: clang quotes the source line there.
/// `None` when the spelling shows anywhere else, or the text holds the placeholder byte.
pub fn mark_locations(text: &[u8], dir: &str, known: &dyn Fn(&str) -> bool) -> Option<Vec<u8>> {
    if text.contains(&DIR_MARK) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len());
    // The text left as it is, to check that the spelling shows nowhere else.
    let mut rest = Vec::with_capacity(text.len());
    let mut after_message = false;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let plain = crate::color::strip(line);
        let mut at = None;
        if !after_message {
            let start = skip_sgr(line, 0);
            let body = &line[start..];
            let blanks = body.iter().take_while(|&&b| b == b' ').count();
            let offset = if body.starts_with(b"In file included from ") {
                "In file included from ".len()
            } else if blanks > 0 && body[blanks..].starts_with(b"from ") {
                blanks + "from ".len()
            } else {
                0
            };
            let from = skip_sgr(line, start + offset);
            at = location_at(line, from, dir, known).map(|len| (from, len));
        }
        after_message = [&b"error: "[..], b"warning: ", b"note: ", b"remark: "]
            .iter()
            .any(|kind| memchr::memmem::find(&plain, kind).is_some());
        match at {
            Some((from, len)) => {
                out.extend_from_slice(&line[..from]);
                out.push(DIR_MARK);
                out.extend_from_slice(&line[from + dir.len()..]);
                rest.extend_from_slice(&line[..from]);
                rest.push(b'\n');
                rest.extend_from_slice(&line[from + len..]);
            }
            None => {
                out.extend_from_slice(line);
                rest.extend_from_slice(line);
            }
        }
    }
    let shows = |needle: &str| memchr::memmem::find(&rest, needle.as_bytes()).is_some();
    let spelled_elsewhere = if dir.is_empty() {
        // Every relative name starts with an empty directory: look for the files' names.
        text_names(&rest).any(known)
    } else {
        shows(dir) || (!dep_form(dir).is_empty() && shows(dep_form(dir)))
    };
    (!spelled_elsewhere).then_some(out)
}

/// The text with this call's input directory in place of every [`DIR_MARK`].
pub fn fill_locations(text: &[u8], dir: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for &b in text {
        if b == DIR_MARK {
            out.extend_from_slice(dir.as_bytes());
        } else {
            out.push(b);
        }
    }
    out
}

/// The length of a location's path starting at `line[from]` with `dir` and naming a known
/// file: the name runs to the next `:` (or terminal sequence), and a `:` follows it.
fn location_at(line: &[u8], from: usize, dir: &str, known: &dyn Fn(&str) -> bool) -> Option<usize> {
    let body = line.get(from..)?;
    if !body.starts_with(dir.as_bytes()) {
        return None;
    }
    let end = body
        .iter()
        .position(|&b| b == b':' || b == 0x1b || b == b'\n')
        .unwrap_or(body.len());
    let after = skip_sgr(body, end);
    let name = std::str::from_utf8(&body[..end]).ok()?;
    (end > dir.len() && body.get(after) == Some(&b':') && known(name)).then_some(end)
}

/// The index after the colour and erase-line sequences (`ESC [ … m`, `ESC [ K`) at `text[at]`.
fn skip_sgr(text: &[u8], mut at: usize) -> usize {
    while text.get(at) == Some(&0x1b) && text.get(at + 1) == Some(&b'[') {
        let Some(len) = text[at + 2..].iter().position(|&b| b == b'm' || b == b'K') else {
            break;
        };
        at += len + 3;
    }
    at
}

/// The words of a text that could be relative file names (split at blanks, quotes and the
/// punctuation around locations).
fn text_names(text: &[u8]) -> impl Iterator<Item = &str> {
    text.split(|b| b" \t\n\r:,;()[]{}'\"`<>=".contains(b) || *b == 0x1b)
        .filter_map(|w| std::str::from_utf8(w).ok())
        .filter(|w| !w.is_empty())
}

/// Whether a file holds a line directive (`#line 7 "f"`, `# 7 "f"`): the locations of the
/// lines after it name whatever file it says, spelled as written there, not through the
/// input's directory. Any line whose first token is `#` followed by `line` or a digit counts,
/// in comments too.
pub fn has_line_directive(content: &[u8]) -> bool {
    content.split(|&b| b == b'\n').any(|line| {
        let blank = |b: &&u8| **b == b' ' || **b == b'\t';
        let mut rest = line.iter().skip_while(blank);
        if rest.next() != Some(&b'#') {
            return false;
        }
        let rest: Vec<u8> = rest.skip_while(blank).take(4).copied().collect();
        rest.starts_with(b"line") || rest.first().is_some_and(u8::is_ascii_digit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(_: &str) -> bool {
        true
    }

    fn of(input: &str, dirs: &[&str]) -> Option<Spelling> {
        Spelling::of_input(input, &["/ws"], dirs, &[], &real)
    }

    #[test]
    fn spellings_of_one_input_share_their_canonical_form() {
        for input in [
            "src/t.c",
            "./src/t.c",
            "/ws/src/t.c",
            "sub/../src/t.c",
            ".//src//t.c",
            "src/./t.c",
        ] {
            let s = of(input, &[]).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(s.canonical(), "src/t.c", "{input}");
        }
        assert_eq!(of("t.c", &[]).unwrap().canonical(), "t.c");
        assert_eq!(of("./t.c", &[]).unwrap().dir(), "./");
        assert_eq!(of("./t.c", &[]).unwrap().dep_dir(), "");
        assert_eq!(of("/ws/src/t.c", &[]).unwrap().dir(), "/ws/src/");
        assert_eq!(of("./src/t.c", &[]).unwrap().dep_dir(), "src/");
    }

    #[test]
    fn spellings_kept_exact() {
        // Outside the working directory, or leaving it.
        assert_eq!(of("/other/src/t.c", &[]), None);
        assert_eq!(of("/wsx/t.c", &[]), None);
        assert_eq!(of("../ws/src/t.c", &[]), None);
        assert_eq!(of("src/../../t.c", &[]), None);
        // Characters a dependency file escapes or a location splits on.
        for input in [
            "s rc/t.c", "src/t$.c", "a:b/t.c", "src/#t.c", "@WS0/t.c", "a\\b.c",
        ] {
            assert_eq!(of(input, &[]), None, "{input}");
        }
        // A `..` after a link.
        let link = |p: &str| p != "sub";
        assert_eq!(
            Spelling::of_input("sub/../src/t.c", &["/ws"], &[], &[], &link),
            None
        );
        assert!(Spelling::of_input("src/../src/t.c", &["/ws"], &[], &[], &link).is_some());
        // The physical working directory counts as well as $PWD.
        let s = Spelling::of_input("/real/ws/t.c", &["/ws", "/real/ws/"], &[], &[], &real);
        assert_eq!(s.unwrap().canonical(), "t.c");
    }

    #[test]
    fn search_directories_that_could_name_files_like_the_input_directory() {
        // A directory above, at or below the input's, as written or as `.d` files write it.
        for dir in ["src", "src/inc", "./src", ".", "", "./", "src/"] {
            assert_eq!(of("src/t.c", &[dir]), None, "{dir}");
        }
        for dir in ["/ws", "/ws/src", "/ws/src/inc", "/"] {
            assert_eq!(of("/ws/src/t.c", &[dir]), None, "{dir}");
        }
        // Relative and absolute names never look alike; siblings do not either.
        for dir in ["inc", "srcx", "../src", "/ws/src", "/usr"] {
            assert!(of("src/t.c", &[dir]).is_some(), "{dir}");
        }
        for dir in ["src", ".", "/usr", "/ws/inc", "/ws/srcx"] {
            assert!(of("/ws/src/t.c", &[dir]).is_some(), "{dir}");
        }
        // A bare name's directory is the working directory: every relative one overlaps.
        assert_eq!(of("t.c", &["inc"]), None);
        assert!(of("t.c", &["/usr/include"]).is_some());
        assert_eq!(of("sub/../src/t.c", &["sub/.."]), None);
    }

    #[test]
    fn names_under_the_input_directory_get_the_canonical_spelling() {
        let s = of("/ws/src/t.c", &[]).unwrap();
        assert_eq!(s.canonical_path("/ws/src/x.h").as_deref(), Some("src/x.h"));
        assert_eq!(
            s.canonical_path("/ws/src/../inc/a.h").as_deref(),
            Some("src/../inc/a.h")
        );
        assert_eq!(s.canonical_path("/ws/inc/a.h"), None);
        assert_eq!(s.canonical_path("src/x.h"), None);
        let s = of("./src/t.c", &[]).unwrap();
        assert_eq!(s.canonical_path("./src/x.h").as_deref(), Some("src/x.h"));
        assert_eq!(s.canonical_path("src/x.h").as_deref(), Some("src/x.h"));
        assert_eq!(s.canonical_path("inc/x.h"), None);
        let s = of("./t.c", &[]).unwrap();
        assert_eq!(s.canonical_path("x.h").as_deref(), Some("x.h"));
        assert_eq!(s.canonical_path("/usr/x.h"), None);
        let s = of("sub/../src/t.c", &[]).unwrap();
        assert_eq!(
            s.canonical_path("sub/../src/x.h").as_deref(),
            Some("src/x.h")
        );
    }

    #[test]
    fn tracing_names_back_to_the_input() {
        let s = of("/ws/src/t.c", &[]).unwrap();
        let q = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let (t, x, y, none) = (q(&["x.h", "../inc/y.h"]), q(&["y.h"]), q(&[]), q(&[]));
        let files: Vec<(&str, &[String])> = vec![
            ("/ws/src/t.c", &t),
            ("/usr/include/stdio.h", &none),
            ("/ws/src/x.h", &x),
            ("/ws/src/y.h", &y),
            ("/ws/src/../inc/y.h", &none),
        ];
        assert!(s.traced(&files));
        // A name under the directory no quoted include leads to: another route wrote it.
        let mut more = files.clone();
        more.push(("/ws/src/z.h", &none));
        assert!(!s.traced(&more));
        // An absolute include naming a file there.
        let abs = q(&["/ws/src/x.h"]);
        let mut with_abs = files.clone();
        with_abs[1] = ("/usr/include/stdio.h", &abs);
        assert!(!s.traced(&with_abs));
        // Dependency-file names drop a leading `./`.
        let s = of("./t.c", &[]).unwrap();
        let dot = q(&["./x.h"]);
        let files: Vec<(&str, &[String])> = vec![("t.c", &dot), ("x.h", &none)];
        assert!(s.traced(&files));
    }

    fn known(name: &str) -> bool {
        ["src/t.c", "src/x.h", "./src/t.c", "./src/x.h"].contains(&name)
    }

    #[test]
    fn locations_are_marked_and_filled() {
        let gcc = "In file included from ./src/t.c:1:\n./src/x.h: In function \u{2018}g\u{2019}:\n./src/x.h:2:26: warning: unused variable \u{2018}u2\u{2019} [-Wunused-variable]\n    2 | static int g(void) { int u2; return 1; }\n      |                          ^~\n";
        let marked = mark_locations(gcc.as_bytes(), "./src/", &known).unwrap();
        assert_eq!(marked.iter().filter(|&&b| b == DIR_MARK).count(), 3);
        assert_eq!(fill_locations(&marked, "./src/"), gcc.as_bytes());
        let other = String::from_utf8(fill_locations(&marked, "/ws/src/")).unwrap();
        assert_eq!(other, gcc.replace("./src/", "/ws/src/"));
        // GCC's colours around the location.
        let colored = b"\x1b[01m\x1b[K./src/t.c:\x1b[m\x1b[K In function\n\x1b[01m\x1b[K./src/t.c:3:20:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[Kw\n";
        let marked = mark_locations(colored, "./src/", &known).unwrap();
        assert_eq!(fill_locations(&marked, "./src/"), colored.to_vec());
        assert_eq!(marked.iter().filter(|&&b| b == DIR_MARK).count(), 2);
        // `from` lines of an include chain.
        let chain = b"In file included from src/x.h:1,\n                 from src/t.c:1:\n";
        let marked = mark_locations(chain, "src/", &known).unwrap();
        assert_eq!(marked.iter().filter(|&&b| b == DIR_MARK).count(), 2);
    }

    #[test]
    fn spellings_outside_locations_keep_the_text_exact() {
        // In a message, in clang's quoted source line, an unknown file, no colon.
        for text in [
            "src/t.c:1:2: warning: #warning src/t.c is old\n",
            "src/t.c:1:2: warning: w\nsrc/x.h: a source line\n",
            "src/y.h:1:2: warning: w\n",
            "src/t.c\n",
            "src/t.c:1:2: warning: w\n    inlined from \u{2018}g\u{2019} at src/t.c:3:\n",
        ] {
            assert_eq!(
                mark_locations(text.as_bytes(), "src/", &known),
                None,
                "{text}"
            );
        }
        // A bare name's empty directory: the names themselves must not show elsewhere.
        let bare = |n: &str| n == "t.c";
        assert!(mark_locations(b"t.c:1:2: warning: w\n", "", &bare).is_some());
        assert_eq!(
            mark_locations(b"t.c:1:2: warning: see t.c\n", "", &bare),
            None
        );
        // The placeholder byte itself.
        assert_eq!(mark_locations(b"a\0b\n", "src/", &known), None);
        // Nothing to mark is fine.
        assert_eq!(mark_locations(b"", "src/", &known), Some(vec![]));
        assert_eq!(
            mark_locations(b"cc1: warning: w\n", "src/", &known),
            Some(b"cc1: warning: w\n".to_vec())
        );
    }

    #[test]
    fn routes_that_could_name_files_like_the_input_directory() {
        let search = |input: &str, dirs: &[&str]| {
            Spelling::of_input(input, &["/ws"], &[], dirs, &real).unwrap()
        };
        assert_eq!(
            search("src/t.c", &[".", "inc", "src", "/ws"]).routes(),
            [".", "src"]
        );
        assert!(
            search("/ws/src/t.c", &["src", "/usr/include"])
                .routes()
                .is_empty()
        );
        let s = search("src/t.c", &[".", "src"]);
        let files = ["src/t.c", "src/x.h", "y.h", "src/w.h", "inc/z.h"];
        let exists = |p: &str| files.contains(&dep_form(p));
        let directives = |list: &[(&str, bool)]| -> Vec<(String, bool)> {
            list.iter().map(|(n, q)| (n.to_string(), *q)).collect()
        };
        // `"x.h"` next to the input, `<y.h>` through `.`: nothing under `src/` another way.
        let clear = [("src/t.c", directives(&[("x.h", true), ("y.h", false)]))];
        assert!(s.routes_clear(&clear, false, true, &exists));
        // Clang may name `x.h` through `src`.
        assert!(!s.routes_clear(&clear, false, false, &exists));
        // `<x.h>` through `src`, `<src/w.h>` through `.`, `"w.h"` from `inc/z.h` (not next
        // to it: the routes are searched): each names a file under `src/` another way.
        for (includer, name, quoted) in [
            ("src/t.c", "x.h", false),
            ("src/t.c", "src/w.h", false),
            ("inc/z.h", "w.h", true),
        ] {
            let files = [(includer, directives(&[(name, quoted)]))];
            assert!(
                !s.routes_clear(&files, false, true, &exists),
                "{includer} {name}"
            );
        }
        // A name given by a macro could be anything.
        assert!(!s.routes_clear(&clear, true, true, &exists));
        // Without routes there is nothing to check.
        let none = search("src/t.c", &["inc"]);
        assert!(none.routes_clear(&clear, true, false, &exists));
    }

    #[test]
    fn computed_includes() {
        assert!(has_computed_include(b"#include HEADER\n"));
        assert!(has_computed_include(b"  #  include_next FT_H\n"));
        assert!(!has_computed_include(
            b"#include \"x.h\"\n#include <y.h>\n#define include\n"
        ));
        assert!(!has_computed_include(b"int include = 1;\n"));
    }

    #[test]
    fn line_directives() {
        assert!(has_line_directive(b"int a;\n#line 3 \"x.c\"\n"));
        assert!(has_line_directive(b"  #  12 \"x.c\" 2\n"));
        assert!(has_line_directive(b"#line 3\n"));
        assert!(!has_line_directive(b"#include \"x.h\"\n#define LINE 3\n"));
        assert!(!has_line_directive(b"int line; // # line\n"));
    }
}
