//! Finding the real compiler and identifying it by content.
//!
//! A compiler is identified by the content of its driver and of the programs the driver runs for
//! a compile (`cc1`, `cc1plus`, `as`), never by its path: the same toolchain unpacked under
//! another HOME must hit, a different binary at the same path must miss. Hashing is memoized
//! in the store's aux directory by (path, device, inode, size, mtime, ctime), so it happens
//! once per installed compiler.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::filehash::{StatId, content_hash_and_stat};
use crate::key::KeyBuilder;

/// GCC or Clang: decides a few option semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Gcc,
    Clang,
}

impl Family {
    /// The name hashed into memo keys: fixed here, so renaming a variant changes no key.
    pub fn name(self) -> &'static str {
        match self {
            Family::Gcc => "Gcc",
            Family::Clang => "Clang",
        }
    }
}

/// A resolved compiler.
#[derive(Clone, Debug)]
pub struct Compiler {
    /// The path zcc executes (as found in PATH or given).
    pub path: PathBuf,
    /// `path` with symlinks resolved.
    pub canonical: PathBuf,
    pub family: Family,
}

impl Compiler {
    /// Installation prefixes: the directory above `bin/` of the canonical path, and of the path
    /// as found when that differs (a symlinked toolchain package).
    pub fn prefixes(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        for p in [&self.canonical, &self.path] {
            if let Some(prefix) = install_prefix(p)
                && !out.contains(&prefix)
            {
                out.push(prefix);
            }
        }
        out
    }
}

fn install_prefix(exe: &Path) -> Option<PathBuf> {
    let dir = exe.parent()?;
    if dir.file_name() == Some(OsStr::new("bin")) {
        dir.parent().map(Path::to_path_buf)
    } else {
        Some(dir.to_path_buf())
    }
}

/// `candidate` with symlinks resolved, or `None` if it is zcc itself (a symlink or hard link
/// to it, or a copy named zcc).
fn canonical_unless_zcc(candidate: &Path, zcc: Option<&(u64, u64)>) -> io::Result<Option<PathBuf>> {
    let meta = fs::metadata(candidate)?;
    if zcc == Some(&(meta.dev(), meta.ino())) {
        return Ok(None);
    }
    let canonical = dunce::canonicalize(candidate)?;
    Ok((canonical.file_name() != Some(OsStr::new("zcc"))).then_some(canonical))
}

/// Find the compiler to run for `name`: a path is used as given (relative to `cwd`); a bare
/// name is looked up in `path_var`, skipping every candidate that is `launcher` (zcc itself)
/// or named zcc, so a masquerade symlink never calls itself.
pub fn resolve(
    name: &OsStr,
    path_var: Option<&OsStr>,
    cwd: &Path,
    launcher: Option<&Path>,
) -> Result<Compiler, String> {
    let zcc_id = launcher
        .and_then(|exe| fs::metadata(exe).ok())
        .map(|m| (m.dev(), m.ino()));
    let name_str = name.to_string_lossy();
    let (path, canonical) = if name_str.contains('/') {
        let p = cwd.join(name);
        match canonical_unless_zcc(&p, zcc_id.as_ref()) {
            Ok(Some(canonical)) => (p, canonical),
            Ok(None) => return Err(format!("{name_str} is zcc itself")),
            Err(e) => return Err(format!("{}: {e}", p.display())),
        }
    } else {
        let path_var: OsString = path_var.map(OsStr::to_os_string).unwrap_or_default();
        which::which_in_all(name, Some(path_var), cwd)
            .map_err(|e| format!("cannot search PATH for {name_str}: {e}"))?
            .find_map(|c| match canonical_unless_zcc(&c, zcc_id.as_ref()) {
                Ok(Some(canonical)) => Some((c, canonical)),
                _ => None,
            })
            .ok_or_else(|| format!("{name_str}: no such compiler in PATH"))?
    };
    let family = family_of(&path, &canonical);
    Ok(Compiler {
        path,
        canonical,
        family,
    })
}

fn family_of(path: &Path, canonical: &Path) -> Family {
    let names = [path, canonical].map(|p| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    if names.iter().any(|n| n.contains("clang")) {
        Family::Clang
    } else {
        Family::Gcc
    }
}

/// Content identity of the compiler and the programs it runs for a compile.
/// `probe_args` are the call's options that change which programs are found (`-B`).
///
/// Memoized whole, every call needs it: the identity and the stat of each program it covers,
/// in a memo named by the driver's path and stat and by what decides which programs are
/// found. A call then costs one memo read and a stat per program. A program whose stat
/// changed sends the call through `compute_identity`, whose file hashes are memoized too.
pub fn identity(
    compiler: &Compiler,
    probe_args: &[String],
    env: &[(OsString, OsString)],
    memo_dir: &Path,
) -> io::Result<[u8; 32]> {
    let driver_stat = StatId::of(&fs::metadata(&compiler.canonical)?);
    let mut k = KeyBuilder::new("zcc-compiler-memo-1");
    k.field("stat", &driver_stat.to_bytes());
    k.field("family", compiler.family.name().as_bytes());
    program_lookup_fields(&mut k, compiler, probe_args, env);
    let memo = memo_dir.join(format!("compiler-{}", crate::store::hex(&k.finish())));
    if let Some(bytes) = crate::memo::read(&memo)
        && let Some(identity) = IdentityMemo::decode(&bytes).and_then(|m| m.current())
    {
        return Ok(identity);
    }
    let (identity, programs) = compute_identity(compiler, probe_args, env, memo_dir)?;
    let unchanged_driver = programs.first().map(|(_, stat)| *stat) == Some(driver_stat);
    if unchanged_driver && programs.iter().all(|(_, stat)| stat.settled()) {
        let memo_bytes = IdentityMemo {
            identity,
            programs: programs
                .iter()
                .map(|(path, stat)| {
                    (
                        path.as_os_str().as_bytes().to_vec(),
                        stat.to_bytes().to_vec(),
                    )
                })
                .collect(),
        };
        crate::memo::write(&memo, &memo_bytes.encode());
    }
    Ok(identity)
}

/// What [`identity`] memoizes: the identity and the programs it was computed from, each with
/// its stat when it was hashed (the driver first).
#[derive(Serialize, Deserialize)]
struct IdentityMemo {
    identity: [u8; 32],
    programs: Vec<(Vec<u8>, Vec<u8>)>,
}

impl IdentityMemo {
    fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    fn decode(bytes: &[u8]) -> Option<IdentityMemo> {
        postcard::from_bytes(bytes).ok()
    }

    /// The identity, if every program still has the stat it had when hashed.
    fn current(&self) -> Option<[u8; 32]> {
        self.programs
            .iter()
            .all(|(path, stat)| {
                let now = fs::metadata(OsStr::from_bytes(path)).map(|m| StatId::of(&m));
                now.ok().map(StatId::to_bytes).as_ref().map(|b| &b[..]) == Some(&stat[..])
            })
            .then_some(self.identity)
    }
}

/// A file that went into an identity, with its stat from before it was hashed.
type Hashed = (PathBuf, StatId);

/// The identity from the files' content: the driver's hash, then each program's name and hash.
/// Also returns the files hashed (the driver first) with their stats from before the hashing.
fn compute_identity(
    compiler: &Compiler,
    probe_args: &[String],
    env: &[(OsString, OsString)],
    memo_dir: &Path,
) -> io::Result<([u8; 32], Vec<Hashed>)> {
    let (driver, driver_stat) = content_hash_and_stat(&compiler.canonical, memo_dir)?;
    let mut programs = vec![(compiler.canonical.clone(), driver_stat)];
    let mut k = KeyBuilder::new("zcc-compiler-1");
    k.field("driver", &driver);
    for tool in helper_programs(compiler, &driver, probe_args, env, memo_dir)? {
        if let Ok((hash, stat)) = content_hash_and_stat(&tool, memo_dir) {
            k.field(
                "tool",
                tool.file_name().unwrap_or_default().as_encoded_bytes(),
            );
            k.field("hash", &hash);
            programs.push((tool, stat));
        }
    }
    Ok((k.finish(), programs))
}

/// Key fields for what decides which programs a driver runs: where it is (it searches next
/// to itself), `-B` options, and the variables it searches (`PATH` for the assembler when its
/// own directories lack one).
fn program_lookup_fields(
    k: &mut KeyBuilder,
    compiler: &Compiler,
    probe_args: &[String],
    env: &[(OsString, OsString)],
) {
    k.field("path", compiler.canonical.as_os_str().as_encoded_bytes());
    for a in probe_args {
        k.field("arg", a.as_bytes());
    }
    for (name, value) in env {
        if name == "COMPILER_PATH" || name == "GCC_EXEC_PREFIX" || name == "PATH" {
            k.field("env", name.as_encoded_bytes());
            k.field("value", value.as_encoded_bytes());
        }
    }
}

/// The programs a GCC-style driver runs for a compile, found the way the driver finds them
/// (its `programs:` search directories, then `PATH` for the assembler) with one
/// `-print-search-dirs` call, memoized per driver content, location and probe options.
fn helper_programs(
    compiler: &Compiler,
    driver_hash: &[u8; 32],
    probe_args: &[String],
    env: &[(OsString, OsString)],
    memo_dir: &Path,
) -> io::Result<Vec<PathBuf>> {
    let mut k = KeyBuilder::new("zcc-tools-1");
    k.field("driver", driver_hash);
    program_lookup_fields(&mut k, compiler, probe_args, env);
    let memo = memo_dir.join(format!("tools-{}", crate::store::hex(&k.finish())));
    if let Some(text) = crate::memo::read(&memo) {
        return Ok(String::from_utf8_lossy(&text)
            .lines()
            .map(PathBuf::from)
            .collect());
    }
    let tools = match compiler.family {
        // Clang compiles and assembles in its own binary.
        Family::Clang => Vec::new(),
        Family::Gcc => {
            let out = Command::new(&compiler.path)
                .args(probe_args)
                .arg("-print-search-dirs")
                .env_clear()
                .envs(env.iter().map(|(k, v)| (k, v)))
                .output()?;
            if !out.status.success() {
                return Err(io::Error::other(
                    "the compiler did not print its search dirs",
                ));
            }
            let path_var = env
                .iter()
                .find(|(k, _)| k == "PATH")
                .map(|(_, v)| v.clone());
            gcc_programs(&String::from_utf8_lossy(&out.stdout), path_var)
        }
    };
    let text: String = tools.iter().map(|t| format!("{}\n", t.display())).collect();
    crate::memo::write_once(&memo, text.as_bytes());
    Ok(tools)
}

/// Locate `cc1`, `cc1plus`, `cc1obj` and `as` from `-print-search-dirs` output: the first
/// `programs:` directory holding each; the assembler falls back to `PATH`, as GCC does.
fn gcc_programs(search_dirs: &str, path_var: Option<OsString>) -> Vec<PathBuf> {
    let dirs: Vec<&str> = search_dirs
        .lines()
        .find_map(|l| l.strip_prefix("programs: "))
        .map(|l| l.trim_start_matches('=').split(':').collect())
        .unwrap_or_default();
    let mut tools = Vec::new();
    for prog in ["cc1", "cc1plus", "cc1obj", "as"] {
        let found = dirs
            .iter()
            .map(|d| Path::new(d).join(prog))
            .find(|p| p.is_file())
            .or_else(|| {
                (prog == "as")
                    .then(|| which::which_in("as", path_var.as_ref(), "/").ok())
                    .flatten()
            });
        if let Some(found) = found {
            tools.push(dunce::canonicalize(&found).unwrap_or(found));
        }
    }
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let c = Compiler {
            path: "/home/u/.platformio/packages/toolchain-atmelavr/bin/avr-gcc".into(),
            canonical: "/usr/bin/avr-gcc".into(),
            family: Family::Gcc,
        };
        assert_eq!(
            c.prefixes(),
            vec![
                PathBuf::from("/usr"),
                PathBuf::from("/home/u/.platformio/packages/toolchain-atmelavr")
            ]
        );
        assert_eq!(
            install_prefix(Path::new("/opt/x/gcc")),
            Some("/opt/x".into())
        );
    }

    #[test]
    fn gcc_programs_from_search_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let libexec = dir.path().join("libexec");
        let bin = dir.path().join("bin");
        fs::create_dir_all(&libexec).unwrap();
        fs::create_dir_all(&bin).unwrap();
        for f in [libexec.join("cc1"), libexec.join("cc1plus"), bin.join("as")] {
            fs::write(&f, b"").unwrap();
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&f, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let text = format!(
            "install: /x/\nprograms: =/nonexistent:{}/\nlibraries: =/y\n",
            libexec.display()
        );
        let found = gcc_programs(&text, Some(bin.clone().into_os_string()));
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["cc1", "cc1plus", "as"]);
        assert!(gcc_programs("garbage", None).is_empty());
    }

    #[test]
    fn families() {
        let f = |p: &str, c: &str| family_of(Path::new(p), Path::new(c));
        assert_eq!(
            f("/usr/bin/cc", "/usr/bin/x86_64-linux-gnu-gcc-12"),
            Family::Gcc
        );
        assert_eq!(
            f("/usr/bin/cc", "/usr/lib/llvm-14/bin/clang"),
            Family::Clang
        );
        assert_eq!(f("avr-g++", "avr-g++"), Family::Gcc);
        assert_eq!(f("clang++", "clang-14"), Family::Clang);
    }

    #[test]
    fn resolve_finds_gcc_and_reports_missing() {
        let path = std::env::var_os("PATH");
        let cwd = std::env::current_dir().unwrap();
        let c = resolve(OsStr::new("gcc"), path.as_deref(), &cwd, None).unwrap();
        assert!(c.canonical.is_absolute());
        assert!(
            resolve(
                OsStr::new("no-such-compiler-zcc"),
                path.as_deref(),
                &cwd,
                None
            )
            .is_err()
        );
    }
}
