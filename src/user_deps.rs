//! The dependency file `-MMD` asks for, written from the `-MD` file of the same compile.
//!
//! Direct mode needs every file a compile read, and `-MMD` leaves system headers out. Rather
//! than preprocess a second time to list them, a miss compiles with `-MD` into a file of zcc's
//! and writes the caller's file from it: the same rule, without what the compiler counts as
//! system headers, wrapped the way this compiler wraps (`depfile::keep_prerequisites`).
//!
//! What the compiler counts as a system header (GCC's `_cpp_stack_file`, clang's
//! `HandleIncludeDirective`): a file found in a system directory (`-isystem`, the built-in
//! directories, `-idirafter`), *or* included from a system context — from a system header, or
//! after `#pragma GCC system_header`. GCC decides at a file's first inclusion, clang lists it
//! if any inclusion is from a user context. The `-MD` file lists files in order of first
//! inclusion, so a file in a user directory is certainly a user header when no system
//! context before it could have included it: no system header (or file with the pragma)
//! earlier in the list names it in a `<…>`/`"…"` or includes a macro that the caller's
//! arguments or a user file mention. Otherwise, and whenever a path's directory is unclear,
//! [`derive()`] gives up and the caller lets the compiler write the file itself.

use crate::depfile::{self, Style};
use crate::includes::SearchPath;

/// Arguments that change the search path or the inclusion context in ways the split below does
/// not model (`-include` files are stacked from the main file, wherever they are; `-I-` and
/// `-iwithprefixbefore` make user directories that no `-I` names).
const UNMODELLED: &[&str] = &[
    "-include",
    "-imacros",
    "-I-",
    "-iprefix",
    "-iwithprefix",
    "-iwithprefixbefore",
    "-iframework",
    "-F",
    "--include",
    "--include-directory",
    "--imacros",
    "--include-prefix",
    "--include-with-prefix",
    "--include-with-prefix-before",
    "-Wp,",
    "-Xpreprocessor",
];

/// Whether a compile with these (expanded) arguments may have its `-MMD` file derived: it asks
/// for `-MMD` in the argument list itself (not inside a response file, so the rewrite can
/// reach it) and uses no option from `UNMODELLED`.
pub fn derivable(args: &[String], expanded: &[String]) -> bool {
    let mmd = |list: &[String]| list.iter().filter(|a| *a == "-MMD").count();
    mmd(args) > 0
        && mmd(args) == mmd(expanded)
        && !expanded
            .iter()
            .any(|a| UNMODELLED.iter().any(|u| a.starts_with(u)))
}

/// The search directories split into user and system ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dirs {
    user: Vec<String>,
    system: Vec<String>,
    /// Each directory of `user` and `system` with `name/..` pairs removed
    /// ([`collapse_dot_dot`]), in the same order: computed once, compared with every path.
    user_collapsed: Vec<String>,
    system_collapsed: Vec<String>,
}

impl Dirs {
    /// Split `search`: the quote chain and the leading bracket directories that the call gave
    /// with `-I` (`include_dirs`) are user directories, the rest system ones. A `-I` directory
    /// that duplicates a system one is moved by the compiler to the system part, where it
    /// stays a system directory here too.
    pub fn new(search: &SearchPath, include_dirs: &[String]) -> Dirs {
        let given: Vec<&str> = include_dirs
            .iter()
            .map(|d| d.trim_end_matches('/'))
            .collect();
        let users = search
            .bracket
            .iter()
            .take_while(|d| given.contains(&d.as_str()))
            .count();
        let user: Vec<String> = search
            .quote
            .iter()
            .chain(&search.bracket[..users])
            .cloned()
            .collect();
        let system = search.bracket[users..].to_vec();
        let collapsed = |dirs: &[String]| dirs.iter().map(|d| collapse_dot_dot(d)).collect();
        Dirs {
            user_collapsed: collapsed(&user),
            system_collapsed: collapsed(&system),
            user,
            system,
        }
    }

    /// Whether `path` (as the compiler spelled it) was found in a system directory, given the
    /// directories of the user files listed before it (a quoted include looks next to its
    /// includer first). `None` when it lies under both a user and a system directory, or
    /// under neither.
    fn is_system(&self, path: &str, user_file_dirs: &[&str]) -> Option<bool> {
        // GCC 5 reports `/usr/lib/gcc/avr/5.4.0/../../../avr/include` and names the files in
        // it `/usr/lib/avr/include/…`: compare with both spellings.
        let under = |dirs: &[String], collapsed: &[String]| {
            dirs.iter().chain(collapsed).any(|d| inside(path, d))
        };
        let user = under(&self.user, &self.user_collapsed)
            || user_file_dirs.iter().any(|d| inside(path, d));
        match (under(&self.system, &self.system_collapsed), user) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    }
}

/// `dir` with every `name/..` pair removed, as GCC simplifies the directories it prints.
fn collapse_dot_dot(dir: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/') {
        match part {
            ".." if parts.last().is_some_and(|p| !p.is_empty() && *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// Whether `path` lies inside `dir` (`""`: the working directory, for a relative path).
fn inside(path: &str, dir: &str) -> bool {
    if dir.is_empty() {
        return !path.starts_with('/');
    }
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The `-MMD` file for the `-MD` file `md` of the same compile, or `None` when it cannot be
/// known exactly. `read` gives a listed file's content; `args` are the call's arguments
/// (a macro they define may name a header).
pub fn derive(
    md: &[u8],
    dirs: &Dirs,
    style: Style,
    args: &[String],
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Option<Vec<u8>> {
    let names = depfile::prerequisite_list(md, style)?;
    // The first name is the main source (or an extra dependency clang lists first): kept.
    let mut system = vec![false];
    let mut user_file_dirs: Vec<&str> = vec![parent(&names[0])];
    for name in names.iter().skip(1) {
        let is_system = dirs.is_system(name, &user_file_dirs)?;
        if !is_system {
            user_file_dirs.push(parent(name));
        }
        system.push(is_system);
    }
    let Some(last_user) = system.iter().rposition(|s| !s) else {
        return depfile::keep_prerequisites(md, style, &[true]);
    };
    // Every user file is read (a macro a system header includes may be defined in any), and
    // system headers up to the last user file (after it, nothing they include matters).
    let contents: Vec<Vec<u8>> = names[..=last_user]
        .iter()
        .map(|name| read(name))
        .collect::<Option<_>>()?;
    let user_text = || {
        contents
            .iter()
            .zip(&system)
            .filter(|(_, is_system)| !**is_system)
            .map(|(text, _)| text)
    };
    // Every name that finds a user file (its path and each part after a `/`), with the last
    // place in the list of a file it finds: a system context before that place must not name
    // it. (Hundreds of names against hundreds of files: a map, probed once per name.)
    let mut found_later = std::collections::HashMap::with_capacity(4 * (last_user + 1));
    for (i, name) in names.iter().enumerate().take(last_user + 1).skip(1) {
        if !system[i] {
            found_later.extend(path_suffixes(name).map(|suffix| (suffix, i)));
        }
    }
    for (i, content) in contents.iter().enumerate() {
        if !system[i] && !has_system_header_pragma(content) {
            continue;
        }
        for macro_name in macro_includes(content) {
            let mentioned = |text: &[u8]| memchr::memmem::find(text, &macro_name).is_some();
            if args.iter().any(|a| mentioned(a.as_bytes())) || user_text().any(|t| mentioned(t)) {
                return None;
            }
        }
        let names_a_later_user_file = header_names(content).into_iter().any(|n| {
            let n = n.trim_start_matches("./");
            !n.is_empty() && found_later.get(n).is_some_and(|&at| at > i)
        });
        if names_a_later_user_file {
            return None;
        }
    }
    let keep: Vec<bool> = system.iter().map(|s| !s).collect();
    depfile::keep_prerequisites(md, style, &keep)
}

/// The directory part of a path (`""` for a bare name).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Every name an include could have used to find `path`: the path itself and each part
/// after a `/` (`a/b.h`, `b.h` for `a/b.h`).
fn path_suffixes(path: &str) -> impl Iterator<Item = &str> {
    std::iter::once(path).chain(path.match_indices('/').map(|(at, _)| &path[at + 1..]))
}

/// `#pragma GCC system_header`, `#pragma clang system_header` or their `_Pragma` forms: the
/// word after `pragma` on its line (a mention in a comment only costs a compile).
fn has_system_header_pragma(content: &[u8]) -> bool {
    memchr::memmem::find_iter(content, b"system_header").any(|at| {
        let line_start = content[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = content[line_start..at].to_ascii_lowercase();
        memchr::memmem::find(&line, b"pragma").is_some()
    })
}

/// Every `<…>` and `"…"` span within a line: every name an `#include` could use, including
/// those a `#define` gives to a macro that is included later. Comparisons (`a < b > c`) add
/// names that match nothing.
fn header_names(content: &[u8]) -> Vec<&str> {
    let mut names = Vec::new();
    let mut at = 0;
    // System headers run to tens of kilobytes: vectorized searches, not a walk per byte.
    while let Some(found) = memchr::memchr2(b'<', b'"', &content[at..]) {
        let open = at + found;
        let close = if content[open] == b'<' { b'>' } else { b'"' };
        let after = &content[open + 1..];
        match memchr::memchr2(close, b'\n', after) {
            Some(end) => {
                if after[end] == close
                    && let Ok(name) = std::str::from_utf8(&after[..end])
                {
                    names.push(name.trim());
                }
                at = open + 1 + end + 1;
            }
            None => break,
        }
    }
    names
}

/// The first word after each `#include` / `#include_next` whose operand is neither `<…>` nor
/// `"…"`: a macro expanding to the name.
fn macro_includes(content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(content, b"include") {
        let line_start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
        let before = content[line_start..at].trim_ascii();
        if before
            .strip_prefix(b"#")
            .is_none_or(|rest| !rest.trim_ascii().is_empty())
        {
            continue;
        }
        let rest = &content[at + b"include".len()..];
        let rest = rest.strip_prefix(b"_next").unwrap_or(rest);
        let line_end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let rest = rest[..line_end].trim_ascii_start();
        let word: Vec<u8> = rest
            .iter()
            .copied()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .collect();
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn dirs() -> Dirs {
        let search = SearchPath {
            quote: s(&["q"]),
            bracket: s(&["inc", "lib/x", "/usr/lib/gcc/include", "/usr/include"]),
            missing: vec![],
        };
        Dirs::new(&search, &s(&["inc", "lib/x/"]))
    }

    fn files(list: &[(&str, &str)]) -> impl Fn(&str) -> Option<Vec<u8>> + use<> {
        let list: Vec<(String, Vec<u8>)> = list
            .iter()
            .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
            .collect();
        move |name| list.iter().find(|(n, _)| n == name).map(|(_, c)| c.clone())
    }

    #[test]
    fn dirs_split_at_the_first_directory_no_dash_i_named() {
        let d = dirs();
        assert_eq!(d.user, s(&["q", "inc", "lib/x"]));
        assert_eq!(d.system, s(&["/usr/lib/gcc/include", "/usr/include"]));
        // A -I of a system directory is moved by the compiler: it stays system.
        let search = SearchPath {
            quote: vec![],
            bracket: s(&["a", "/usr/include", "b"]),
            missing: vec![],
        };
        let d = Dirs::new(&search, &s(&["a", "b", "/usr/include"]));
        assert_eq!(d.user, s(&["a", "/usr/include", "b"]));
        let d = Dirs::new(&search, &s(&["a", "b"]));
        assert_eq!(d.system, s(&["/usr/include", "b"]));
    }

    #[test]
    fn system_by_directory() {
        let d = dirs();
        assert_eq!(d.is_system("/usr/include/stdio.h", &[]), Some(true));
        assert_eq!(d.is_system("inc/a.h", &[]), Some(false));
        assert_eq!(d.is_system("src/a.h", &["src"]), Some(false));
        assert_eq!(d.is_system("src/a.h", &[]), None);
        assert_eq!(d.is_system("a.h", &[""]), Some(false));
        assert_eq!(d.is_system("/usr/includes/a.h", &[]), None);
        let avr = Dirs::new(
            &SearchPath {
                quote: vec![],
                bracket: s(&["/usr/lib/gcc/avr/5.4.0/../../../avr/include"]),
                missing: vec![],
            },
            &[],
        );
        assert_eq!(
            avr.is_system("/usr/lib/avr/include/stdint.h", &[]),
            Some(true)
        );
        let nested = Dirs::new(
            &SearchPath {
                quote: vec![],
                bracket: s(&["/usr/include/mine", "/usr/include"]),
                missing: vec![],
            },
            &s(&["/usr/include/mine"]),
        );
        assert_eq!(nested.is_system("/usr/include/mine/a.h", &[]), None);
        assert_eq!(collapse_dot_dot("/a/b/../../c/../d"), "/d");
        assert_eq!(collapse_dot_dot("../x/../y"), "../y");
    }

    #[test]
    fn leaves_out_system_headers_and_their_phony_rules() {
        let md = b"x.o: src/x.c /usr/include/stdio.h inc/a.h\n\nsrc/../inc/b.h:\n";
        // Not a -MP file (rules differ): must be a real layout first.
        assert_eq!(derive(md, &dirs(), Style::Gcc, &[], &files(&[])), None);
        let md = b"x.o: src/x.c /usr/include/stdio.h inc/a.h\n/usr/include/stdio.h:\ninc/a.h:\n";
        let read = files(&[
            ("src/x.c", "#include <stdio.h>\n#include <a.h>\n"),
            ("/usr/include/stdio.h", "#include <bits/types.h>\n"),
            ("inc/a.h", ""),
        ]);
        assert_eq!(
            derive(md, &dirs(), Style::Gcc, &[], &read).as_deref(),
            Some(&b"x.o: src/x.c inc/a.h\ninc/a.h:\n"[..])
        );
    }

    #[test]
    fn a_user_header_a_system_header_may_include_is_not_derived() {
        let md = b"x.o: src/x.c /usr/include/s.h inc/cfg/a.h\n";
        let plain = files(&[
            ("src/x.c", ""),
            ("/usr/include/s.h", "#include <cfg/b.h>\n"),
            ("inc/cfg/a.h", ""),
        ]);
        assert_eq!(
            derive(md, &dirs(), Style::Gcc, &[], &plain).as_deref(),
            Some(&b"x.o: src/x.c inc/cfg/a.h\n"[..])
        );
        for system in [
            "#include <cfg/a.h>\n",
            "#  include_next \"a.h\"\n",
            "#define CONFIG <cfg/a.h>\n#include CONFIG\n",
        ] {
            let read = files(&[
                ("src/x.c", ""),
                ("/usr/include/s.h", system),
                ("inc/cfg/a.h", ""),
            ]);
            assert_eq!(
                derive(md, &dirs(), Style::Gcc, &[], &read),
                None,
                "{system}"
            );
        }
        // A macro include is harmless unless the caller or a user file defines the macro.
        let read = files(&[
            ("src/x.c", ""),
            ("/usr/include/s.h", "#ifdef DEV\n# include DEV\n#endif\n"),
            ("inc/cfg/a.h", ""),
        ]);
        assert!(derive(md, &dirs(), Style::Gcc, &[], &read).is_some());
        assert_eq!(
            derive(md, &dirs(), Style::Gcc, &s(&["-DDEV=<x.h>"]), &read),
            None
        );
        let read = files(&[
            ("src/x.c", "#define DEV \"cfg/a.h\"\n"),
            ("/usr/include/s.h", "# include DEV\n"),
            ("inc/cfg/a.h", ""),
        ]);
        assert_eq!(derive(md, &dirs(), Style::Gcc, &[], &read), None);
    }

    #[test]
    fn a_system_header_after_the_last_user_file_is_not_read() {
        let md = b"x.o: src/x.c inc/a.h /usr/include/s.h\n";
        let read = files(&[("src/x.c", ""), ("inc/a.h", "")]);
        assert_eq!(
            derive(md, &dirs(), Style::Gcc, &[], &read).as_deref(),
            Some(&b"x.o: src/x.c inc/a.h\n"[..])
        );
    }

    #[test]
    fn the_pragma_makes_a_user_file_a_system_context() {
        let md = b"x.o: src/x.c inc/p.h inc/a.h\n";
        let read = files(&[
            ("src/x.c", ""),
            ("inc/p.h", "#pragma GCC system_header\n#include \"a.h\"\n"),
            ("inc/a.h", ""),
        ]);
        assert_eq!(derive(md, &dirs(), Style::Gcc, &[], &read), None);
    }

    #[test]
    fn pragma_forms() {
        assert!(has_system_header_pragma(b"#pragma GCC system_header\n"));
        assert!(has_system_header_pragma(
            b"x\n  #  pragma clang system_header\n"
        ));
        assert!(has_system_header_pragma(b"_Pragma(\"GCC system_header\")"));
        assert!(!has_system_header_pragma(
            b"#include <vendor_system_header.h>\n"
        ));
        assert!(!has_system_header_pragma(
            b"#pragma once\n#include <system_header.h>\n"
        ));
    }

    #[test]
    fn unreadable_or_ambiguous_files_give_up() {
        let md = b"x.o: src/x.c inc/a.h\n";
        assert_eq!(
            derive(md, &dirs(), Style::Gcc, &[], &files(&[("src/x.c", "")])),
            None
        );
    }

    #[test]
    fn names_and_macro_includes() {
        let text = b"#include <a.h>\n  #  include \"b/c.h\" // x\nint x = a < b;\n#define CFG <cfg.h>\n\
                     # include_next CONFIG_H\n#include\tDEV\nint include;\nchar *s = \"un\nterminated\";\n";
        assert_eq!(header_names(text), ["a.h", "b/c.h", "cfg.h"]);
        assert_eq!(
            macro_includes(text),
            [b"CONFIG_H".to_vec(), b"DEV".to_vec()]
        );
        assert!(macro_includes(b"x #include FOO\n// include BAR\n").is_empty());
    }

    #[test]
    fn derivable_arguments() {
        let yes = s(&["-c", "x.c", "-MMD", "-MP"]);
        assert!(derivable(&yes, &yes));
        let md = s(&["-c", "x.c", "-MD"]);
        assert!(!derivable(&md, &md));
        let rsp = s(&["-c", "@r"]);
        assert!(!derivable(&rsp, &yes));
        let inc = s(&["-c", "x.c", "-MMD", "-include", "p.h"]);
        assert!(!derivable(&inc, &inc));
    }

    #[test]
    fn names_match_whole_path_components() {
        let all: Vec<&str> = path_suffixes("inc/cfg/a.h").collect();
        assert_eq!(all, ["inc/cfg/a.h", "cfg/a.h", "a.h"]);
        assert_eq!(path_suffixes("a.h").collect::<Vec<_>>(), ["a.h"]);
        assert!(!path_suffixes("inc/ba.h").any(|s| s == "a.h"));
    }
}
