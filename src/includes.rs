//! The include search path of a compile, and the files whose appearance would change which
//! header an `#include` finds.
//!
//! Direct mode checks the content of every file a compile read. That misses one change: a
//! header created in a directory searched *before* the one that held the old match (`-Ia -Ib`,
//! `x.h` found in `b/`, then `a/x.h` appears). So each manifest candidate also lists those
//! earlier paths, which must still not exist for a hit.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::key::KeyBuilder;

/// The directories the preprocessor searches, in order, as it reports them with `-v`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchPath {
    /// Searched for `#include "…"` only (`-iquote`).
    pub quote: Vec<String>,
    /// Searched for both forms (`-I`, `-isystem`, the system directories, `-idirafter`).
    pub bracket: Vec<String>,
    /// Directories the compiler left out because they did not exist (`-Ib` before `b/` is
    /// made). One that appears later joins the search, so headers under it can shadow.
    pub missing: Vec<String>,
}

/// Parse the search list GCC and Clang print on stderr for `-v`.
pub fn parse_verbose(stderr: &str) -> SearchPath {
    let mut out = SearchPath::default();
    let mut current: Option<&mut Vec<String>> = None;
    for line in stderr.lines() {
        if let Some(dir) = line
            .strip_prefix("ignoring nonexistent directory \"")
            .and_then(|rest| rest.strip_suffix('"'))
        {
            out.missing.push(dir.trim_end_matches('/').to_string());
            continue;
        }
        if line.starts_with("#include \"...\" search starts here") {
            current = Some(&mut out.quote);
        } else if line.starts_with("#include <...> search starts here") {
            current = Some(&mut out.bracket);
        } else if line.starts_with("End of search list") {
            break;
        } else if let Some(list) = current.as_mut()
            && let Some(dir) = line.strip_prefix(' ')
        {
            let dir = dir.trim_end_matches(" (framework directory)");
            list.push(dir.trim_end_matches('/').to_string());
        }
    }
    out
}

/// The compiler's answer about its search path: memoized, or being computed by a probe that
/// runs alongside the compile.
pub enum Probe {
    Known(SearchPath),
    Running { child: Child, memo: PathBuf },
}

impl Probe {
    /// Ask the compiler for the search path of a compile with these preprocessor arguments,
    /// unless the answer is memoized under `memo_dir` (by compiler identity, language,
    /// arguments and environment). The probe runs in the background; [`Probe::wait`] collects it.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        compiler: &Path,
        identity: &[u8; 32],
        cpp_args: &[String],
        language: &str,
        cwd: &Path,
        env: &[(OsString, OsString)],
        memo_dir: &Path,
    ) -> io::Result<Probe> {
        let mut k = KeyBuilder::new("zcc-search-1");
        k.field("compiler", identity);
        k.field("path", compiler.as_os_str().as_encoded_bytes());
        k.field("cwd", cwd.as_os_str().as_encoded_bytes());
        k.field("language", language.as_bytes());
        for a in cpp_args {
            k.field("arg", a.as_bytes());
        }
        for (name, value) in env {
            if let Some((name, _)) = crate::key::KEYED_ENV
                .iter()
                .find(|(n, _)| name.as_encoded_bytes() == n.as_bytes())
            {
                k.field(name, value.as_encoded_bytes());
            }
        }
        let memo = memo_dir.join(format!("search-{}", crate::store::hex(&k.finish())));
        if let Some(text) = crate::memo::read(&memo) {
            return Ok(Probe::Known(parse_verbose(&String::from_utf8_lossy(&text))));
        }
        let child = crate::process::command_in(compiler, cwd, env)
            .args(cpp_args)
            .args(["-x", language, "-E", "-v", "/dev/null"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        Ok(Probe::Running { child, memo })
    }

    /// The search path, waiting for the probe if it is still running.
    pub fn wait(self) -> io::Result<SearchPath> {
        let (child, memo) = match self {
            Probe::Known(search) => return Ok(search),
            Probe::Running { child, memo } => (child, memo),
        };
        let out = child.wait_with_output()?;
        if !out.status.success() {
            return Err(io::Error::other(
                "the compiler did not report its search path",
            ));
        }
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        crate::memo::write_once(&memo, text.as_bytes());
        Ok(parse_verbose(&text))
    }
}

/// `dir/name` as the preprocessor spells it (`name` alone for the working directory).
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Every place `__has_include` in `includer` looks for `name`, in search order: next to the
/// includer (quoted form only), then the quote chain (quoted form only), then the bracket
/// chain, then the missing directories (which may appear anywhere in it). (`__has_include_next`
/// starts later in the chain; the full list is a superset.)
pub fn probe_paths(search: &SearchPath, includer: &str, name: &str, quoted: bool) -> Vec<String> {
    if name.starts_with('/') {
        return vec![name.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    if quoted {
        out.extend(next_to(includer, name));
        out.extend(search.quote.iter().map(|d| join(d, name)));
    }
    out.extend(search.bracket.iter().map(|d| join(d, name)));
    out.extend(search.missing.iter().map(|d| join(d, name)));
    out
}

/// Where a quoted `#include "name"` in `file` looks first: next to `file`.
pub fn next_to(file: &str, name: &str) -> Option<String> {
    if name.starts_with('/') {
        return None;
    }
    Some(join(file.rsplit_once('/').map_or("", |(dir, _)| dir), name))
}

/// The name `path` has relative to `dir`, if it is inside it.
fn name_in<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if dir.is_empty() {
        return (!path.starts_with('/')).then_some(path);
    }
    path.strip_prefix(dir)?
        .strip_prefix('/')
        .filter(|n| !n.is_empty())
}

/// For each header found under the search directory at position k (the source's directory
/// first, then the quote and bracket chains), the same name under every directory before k,
/// and under every directory the compiler left out as missing (their place in the chain is not
/// reported, so each counts as earlier). A superset is harmless: the caller keeps only paths
/// that do not exist now, and one that appears later only costs a miss.
pub fn shadow_paths(headers: &[String], search: &SearchPath, source_dir: &str) -> Vec<String> {
    let mut chain: Vec<&str> = vec![source_dir];
    for dir in search.quote.iter().chain(&search.bracket) {
        if !chain.contains(&dir.as_str()) {
            chain.push(dir);
        }
    }
    // A C++ compile has thousands: a set keeps the de-duplication linear.
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::with_hasher(crate::paths::PathHasher::default());
    for header in headers {
        for (k, dir) in chain.iter().enumerate() {
            let Some(name) = name_in(header, dir) else {
                continue;
            };
            for earlier in chain[..k]
                .iter()
                .copied()
                .chain(search.missing.iter().map(String::as_str))
            {
                let candidate = join(earlier, name);
                if candidate != *header && seen.insert(candidate.clone()) {
                    out.push(candidate);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GCC_V: &str = "Using built-in specs.\nignoring nonexistent directory \"/x\"\n#include \"...\" search starts here:\n quoted\n#include <...> search starts here:\n inc\n /usr/lib/gcc/avr/5.4.0/include\n /usr/lib/gcc/avr/5.4.0/../../../avr/include\nEnd of search list.\n";

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_gcc_verbose_output() {
        let s = parse_verbose(GCC_V);
        assert_eq!(s.quote, v(&["quoted"]));
        assert_eq!(
            s.bracket,
            v(&[
                "inc",
                "/usr/lib/gcc/avr/5.4.0/include",
                "/usr/lib/gcc/avr/5.4.0/../../../avr/include"
            ])
        );
        assert_eq!(s.missing, v(&["/x"]));
        assert_eq!(parse_verbose(""), SearchPath::default());
        let clang = "#include <...> search starts here:\n /a/Frameworks (framework directory)\n /b/\nEnd of search list.\n";
        assert_eq!(parse_verbose(clang).bracket, v(&["/a/Frameworks", "/b"]));
    }

    #[test]
    fn shadows_are_earlier_directories() {
        let search = SearchPath {
            quote: vec![],
            bracket: v(&["a", "b", "/sys"]),
            missing: vec![],
        };
        let headers = v(&["b/x.h", "a/y.h", "/sys/stdio.h", "src/local.h"]);
        assert_eq!(
            shadow_paths(&headers, &search, "src"),
            v(&[
                "src/x.h",
                "a/x.h",
                "src/y.h",
                "src/stdio.h",
                "a/stdio.h",
                "b/stdio.h"
            ])
        );
    }

    #[test]
    fn missing_directories_shadow_every_header() {
        let search = SearchPath {
            quote: vec![],
            bracket: v(&["a", "/sys"]),
            missing: v(&["b", "/opt/inc"]),
        };
        assert_eq!(
            shadow_paths(&v(&["a/x.h", "/sys/s.h"]), &search, "src"),
            v(&[
                "src/x.h",
                "b/x.h",
                "/opt/inc/x.h",
                "src/s.h",
                "a/s.h",
                "b/s.h",
                "/opt/inc/s.h"
            ])
        );
        assert_eq!(
            probe_paths(&search, "src/m.c", "opt.h", false),
            v(&["a/opt.h", "/sys/opt.h", "b/opt.h", "/opt/inc/opt.h"])
        );
    }

    #[test]
    fn source_in_the_working_directory() {
        let search = SearchPath {
            quote: vec![],
            bracket: v(&["inc"]),
            missing: vec![],
        };
        assert_eq!(shadow_paths(&v(&["inc/x.h"]), &search, ""), v(&["x.h"]));
        // A header next to the source has nothing before it.
        assert!(shadow_paths(&v(&["x.h"]), &search, "").is_empty());
    }

    #[test]
    fn nested_search_directories_give_a_superset() {
        let search = SearchPath {
            quote: vec![],
            bracket: v(&["inc", "inc/sub"]),
            missing: vec![],
        };
        assert_eq!(
            shadow_paths(&v(&["inc/sub/x.h"]), &search, "src"),
            v(&["src/sub/x.h", "src/x.h", "inc/x.h"])
        );
    }

    #[test]
    fn probe_paths_follow_the_search_order() {
        let search = SearchPath {
            quote: v(&["q"]),
            bracket: v(&["inc", "/sys"]),
            missing: vec![],
        };
        assert_eq!(
            probe_paths(&search, "src/m.c", "opt.h", true),
            v(&["src/opt.h", "q/opt.h", "inc/opt.h", "/sys/opt.h"])
        );
        assert_eq!(
            probe_paths(&search, "src/m.c", "p/x.h", false),
            v(&["inc/p/x.h", "/sys/p/x.h"])
        );
        assert_eq!(probe_paths(&search, "m.c", "/abs.h", true), v(&["/abs.h"]));
    }

    #[test]
    fn next_to_the_including_file() {
        assert_eq!(
            next_to("hdr/outer.h", "inner.h").as_deref(),
            Some("hdr/inner.h")
        );
        assert_eq!(next_to("m.c", "x.h").as_deref(), Some("x.h"));
        assert_eq!(next_to("/a/b.h", "c/d.h").as_deref(), Some("/a/c/d.h"));
        assert_eq!(next_to("m.c", "/abs.h"), None);
    }

    #[test]
    fn names() {
        assert_eq!(name_in("a/b/x.h", "a"), Some("b/x.h"));
        assert_eq!(name_in("ab/x.h", "a"), None);
        assert_eq!(name_in("a/", "a"), None);
        assert_eq!(name_in("x.h", ""), Some("x.h"));
        assert_eq!(name_in("/x.h", ""), None);
        assert_eq!(join("", "x.h"), "x.h");
        assert_eq!(join("d", "x.h"), "d/x.h");
    }
}
