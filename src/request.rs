//! What a caller asks of the cache: one compiler call, with the directory and environment it
//! runs in. Everything zcc knows about the caller's process comes through here.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::PathBuf;

/// One compile as a build tool asks for it.
#[derive(Clone, Debug)]
pub struct CompileRequest {
    /// The compiler as the caller named it: a name looked up in `PATH`, or a path.
    pub compiler: OsString,
    /// The arguments after the compiler name, exactly as the compiler will receive them.
    pub args: Vec<OsString>,
    /// The working directory of the compile.
    pub cwd: PathBuf,
    /// The compile's whole environment.
    pub env: Vec<(OsString, OsString)>,
    /// Whether the caller shows the compiler's stderr on a terminal: with no colour option,
    /// diagnostics are then coloured, as the compiler colours them on a terminal.
    pub stderr_is_terminal: bool,
}

impl CompileRequest {
    /// A request for this process's working directory, environment and stderr.
    pub fn from_process(compiler: OsString, args: Vec<OsString>) -> io::Result<CompileRequest> {
        Ok(CompileRequest {
            compiler,
            args,
            cwd: std::env::current_dir()?,
            env: std::env::vars_os().collect(),
            // SAFETY: isatty only reads the descriptor's state.
            stderr_is_terminal: unsafe { libc::isatty(2) } == 1,
        })
    }

    /// The value of one environment variable of the request (empty counts as unset).
    pub fn var(&self, name: &str) -> Option<&OsStr> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_os_str())
            .filter(|v| !v.is_empty())
    }

    /// The working directory as the compiler reports it (GCC's `getpwd`, LLVM's
    /// `current_path`): `$PWD` when it is absolute and names the same directory (device and
    /// inode) as the physical one, else the physical one. Debug info (`DW_AT_comp_dir`), the
    /// `.gcno` and the `.gcda` path hold this spelling, so a directory reached through a
    /// symlink is recorded as the link's path, which a `-fdebug-prefix-map=$PWD=.` matches.
    pub fn compiler_pwd(&self) -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let same =
                |a: &fs::Metadata, b: &fs::Metadata| a.dev() == b.dev() && a.ino() == b.ino();
            if let Some(pwd) = self.var("PWD").map(PathBuf::from)
                && pwd.is_absolute()
                && let (Ok(a), Ok(b)) = (fs::metadata(&pwd), fs::metadata(&self.cwd))
                && same(&a, &b)
            {
                return pwd;
            }
        }
        self.cwd.clone()
    }
}
