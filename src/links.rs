//! Masquerade links: symlinks named like compilers (`avr-gcc`, `g++`) that point at zcc.
//!
//! A directory of such links placed before the real compilers in `PATH` routes every call of
//! those names through zcc, which finds the real compiler further down `PATH` ([`runs`] says
//! which). This module creates them: [`install`] makes the links and reports what it did.

use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

/// What [`install`] did for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAction {
    /// No entry of that name existed; the link was created.
    Created,
    /// A link to the same zcc was already there.
    Unchanged,
    /// A symlink pointing elsewhere was replaced.
    Replaced {
        /// Where the old link pointed.
        old_target: PathBuf,
    },
}

/// The compiler a masquerading call of `name` runs: the first one in `path_var` (searched from
/// `cwd`) that is not `zcc` itself.
pub fn runs(name: &str, path_var: &OsStr, cwd: &Path, zcc: &Path) -> Result<PathBuf, String> {
    crate::compiler::resolve(name.as_ref(), Some(path_var), cwd, Some(zcc)).map(|c| c.path)
}

/// Why a name cannot be a masquerade link, or `None` when it can.
///
/// A name is one path component naming a compiler: not empty, no `/`, not `.`/`..`, and not
/// `zcc` itself (a link called `zcc` would be zcc's command mode, not a compiler).
pub(crate) fn check_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("an empty name")
    } else if name.contains('/') {
        Some("a path, not a compiler name")
    } else if name == "." || name == ".." {
        Some("not a file name")
    } else if name == "zcc" {
        Some("zcc itself")
    } else if name.starts_with('-') {
        Some("an option, not a compiler name")
    } else {
        None
    }
}

/// Creates `dir` (with parents) and in it one symlink per name pointing at `zcc`.
///
/// Idempotent: an existing link to `zcc` is left alone and a symlink pointing elsewhere is
/// replaced atomically (rename over it). Anything that is not a symlink (a real compiler, a
/// script) is never replaced: that is an error naming the file. All names are checked before
/// anything is written, so a bad name changes nothing.
pub fn install(dir: &Path, zcc: &Path, names: &[String]) -> io::Result<Vec<(String, LinkAction)>> {
    for name in names {
        if let Some(why) = check_name(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("'{name}' cannot be a masquerade link: {why}"),
            ));
        }
    }
    std::fs::create_dir_all(dir)?;
    let mut done = Vec::with_capacity(names.len());
    for name in names {
        let link = dir.join(name);
        let action = match std::fs::symlink_metadata(&link) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::os::unix::fs::symlink(zcc, &link)?;
                LinkAction::Created
            }
            Err(e) => return Err(e),
            Ok(meta) if !meta.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists and is not a symlink; not replacing it",
                        link.display()
                    ),
                ));
            }
            Ok(_) => {
                let old_target = std::fs::read_link(&link)?;
                if old_target == zcc {
                    LinkAction::Unchanged
                } else {
                    // A new link beside it, renamed over the old one: never a moment
                    // without a compiler of that name.
                    let tmp = dir.join(format!(".{name}.zcc-link.{}", std::process::id()));
                    let _ = std::fs::remove_file(&tmp);
                    std::os::unix::fs::symlink(zcc, &tmp)?;
                    std::fs::rename(&tmp, &link)?;
                    LinkAction::Replaced { old_target }
                }
            }
        };
        done.push((name.clone(), action));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_names_are_accepted() {
        for name in [
            "gcc",
            "g++",
            "avr-gcc",
            "arm-none-eabi-g++",
            "cc",
            "clang++-14",
        ] {
            assert_eq!(check_name(name), None, "{name}");
        }
    }

    #[test]
    fn bad_names_are_refused() {
        for name in ["", "bin/gcc", "/usr/bin/gcc", ".", "..", "zcc", "--force"] {
            assert!(check_name(name).is_some(), "{name:?}");
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn install_creates_then_is_idempotent_then_replaces_foreign_links() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/links");
        let zcc = Path::new("/opt/zcc/bin/zcc");
        let first = install(&dir, zcc, &names(&["gcc", "g++"])).unwrap();
        assert_eq!(
            first,
            vec![
                ("gcc".to_string(), LinkAction::Created),
                ("g++".to_string(), LinkAction::Created)
            ]
        );
        assert_eq!(std::fs::read_link(dir.join("gcc")).unwrap(), zcc);
        let again = install(&dir, zcc, &names(&["gcc"])).unwrap();
        assert_eq!(again, vec![("gcc".to_string(), LinkAction::Unchanged)]);
        let other = Path::new("/usr/local/bin/zcc");
        let moved = install(&dir, other, &names(&["gcc"])).unwrap();
        assert_eq!(
            moved,
            vec![(
                "gcc".to_string(),
                LinkAction::Replaced {
                    old_target: zcc.to_path_buf()
                }
            )]
        );
        assert_eq!(std::fs::read_link(dir.join("gcc")).unwrap(), other);
        // No temporary links left behind.
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        entries.sort();
        assert_eq!(entries, ["g++", "gcc"]);
    }

    #[test]
    fn install_never_replaces_a_real_file() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("gcc"), "#!/bin/sh\n").unwrap();
        let err = install(tmp.path(), Path::new("/zcc"), &names(&["gcc"])).unwrap_err();
        assert!(err.to_string().contains("not a symlink"), "{err}");
        assert_eq!(
            std::fs::read(tmp.path().join("gcc")).unwrap(),
            b"#!/bin/sh\n"
        );
    }

    #[test]
    fn a_bad_name_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("links");
        let err = install(&dir, Path::new("/zcc"), &names(&["gcc", "zcc"])).unwrap_err();
        assert!(err.to_string().contains("'zcc'"), "{err}");
        assert!(!dir.exists());
    }
}
