//! Harness shared by the integration tests.
//!
//! Every test builds a [`TestEnv`]: a fresh temporary directory holding
//! `work/` (the current directory of every command, where sources and outputs
//! live), `store/` (`ZCC_DIR`) and `zcc.log` (`ZCC_LOGFILE`). Commands are built
//! with [`TestEnv::zcc`] (the real binary) or [`TestEnv::plain`] (the same
//! compiler without zcc), and [`Call::run`] reports the exit status, stdout,
//! stderr and every file the command created under `work/`, then deletes those
//! files so that the next command starts from the same tree. Comparing a zcc run
//! with a plain run is then one assertion: [`assert_same_run`].
//!
//! Counters come from `zcc stats --json` ([`TestEnv::stats`]);
//! [`TestEnv::assert_counters`] checks them exactly.
//!
//! A missing tool is a failure, never a skip: [`require_tool`] panics.

#![allow(dead_code)] // each test file uses its own subset

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The zcc binary under test.
pub const ZCC: &str = env!("CARGO_BIN_EXE_zcc");

/// Where Debian's arduino-core-avr puts the Arduino AVR core and the Uno variant.
/// How long after its last change zcc trusts a file's stat (its memos and snapshots are
/// used), with room for filesystems with two-second timestamps.
pub const SETTLED_AFTER: std::time::Duration = std::time::Duration::from_millis(2_100);

pub const ARDUINO_CORE: &str = "/usr/share/arduino/hardware/arduino/avr/cores/arduino";
pub const ARDUINO_VARIANT: &str = "/usr/share/arduino/hardware/arduino/avr/variants/standard";

/// The flags PlatformIO passes for `board = uno`, `framework = arduino` (plus the
/// define Debian's core needs with gcc-avr 5.4), common to C, C++ and assembler.
pub const UNO_FLAGS: &[&str] = &[
    "-Os",
    "-Wall",
    "-ffunction-sections",
    "-fdata-sections",
    "-flto",
    "-mmcu=atmega328p",
    "-DF_CPU=16000000L",
    "-DARDUINO=10808",
    "-DARDUINO_AVR_UNO",
    "-DARDUINO_ARCH_AVR",
    "-DDECIMAL_DIG=__DECIMAL_DIG__",
];
pub const UNO_CXX_FLAGS: &[&str] = &[
    "-std=gnu++11",
    "-fno-exceptions",
    "-fno-threadsafe-statics",
    "-fpermissive",
];
pub const UNO_C_FLAGS: &[&str] = &["-std=gnu11", "-fno-fat-lto-objects"];
pub const UNO_ASM_FLAGS: &[&str] = &["-x", "assembler-with-cpp"];

/// Counter families defined by docs/CLI.md; [`TestEnv::assert_counters`]
/// checks every counter of these families and ignores any others.
/// Environment variables a test command must not inherit: zcc's own, the ones that change
/// what the compiler writes, and make's (a test may run under `make`).
pub fn is_scrubbed_var(name: &str) -> bool {
    name.starts_with("ZCC_")
        || matches!(
            name,
            "DEPENDENCIES_OUTPUT"
                | "SUNPRO_DEPENDENCIES"
                | "MAKEFLAGS"
                | "MFLAGS"
                | "MAKELEVEL"
                | "GCC_COLORS"
        )
}

pub const COUNTER_FAMILIES: &[&str] = &[
    "direct_hit",
    "preprocessed_hit",
    "miss",
    "compile_failed",
    "passthrough_",
    "not_stored_",
    "error_",
    "remote_",
    "link_",
];

/// Longest a single command may run before the test fails (and its process group
/// is killed). Generous: a hang, e.g. zcc calling itself in a loop, is the target.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(180);

/// Panics unless `tool` is an executable in `PATH`. Tests never skip: CI
/// installs every tool (`bash .ci/run`).
pub fn require_tool(tool: &str) {
    if find_in_path(tool).is_none() {
        panic!(
            "required tool `{tool}` is not in PATH; `bash .ci/run` installs it \
             (apt-get install gcc-avr avr-libc binutils-avr arduino-core-avr ...)"
        );
    }
}

/// Panics unless `path` exists (for the Arduino core sources).
pub fn require_path(path: &str) {
    if !Path::new(path).exists() {
        panic!("required path {path} is missing; `bash .ci/run` installs arduino-core-avr");
    }
}

/// The Arduino toolchain and core, all required.
pub fn require_arduino() {
    require_tool("avr-gcc");
    require_tool("avr-g++");
    require_tool("avr-objcopy");
    require_path(ARDUINO_CORE);
    require_path(ARDUINO_VARIANT);
}

pub fn find_in_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Root of the repository (for the fixtures).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary directory with a work tree, a store and a log file.
pub struct TestEnv {
    _dir: tempfile::TempDir,
    /// The directory holding `work/`, `store/` and `zcc.log`.
    pub root: PathBuf,
    /// The current directory of every command.
    pub work: PathBuf,
    /// `ZCC_DIR`.
    pub store: PathBuf,
    /// `ZCC_LOGFILE`.
    pub log: PathBuf,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::Builder::new()
            .prefix("zcc-test-")
            .tempdir()
            .expect("create temp dir");
        // Resolve symlinks (e.g. a symlinked TMPDIR) so paths compare as zcc sees them.
        let root = dir.path().canonicalize().expect("canonicalize temp dir");
        let work = root.join("work");
        fs::create_dir(&work).expect("create work dir");
        TestEnv {
            store: root.join("store"),
            log: root.join("zcc.log"),
            work,
            root,
            _dir: dir,
        }
    }

    /// `work/<rel>`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.work.join(rel)
    }

    /// Writes `work/<rel>`, creating its parent directories.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    pub fn read(&self, rel: &str) -> Vec<u8> {
        let path = self.path(rel);
        fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let path = self.path(rel);
        fs::create_dir_all(&path).unwrap();
        path
    }

    /// `zcc <args…>` with zcc's environment: no inherited `ZCC_*`,
    /// `ZCC_DIR` = [`TestEnv::store`], `ZCC_LOGFILE` = [`TestEnv::log`], `LC_ALL=C`,
    /// `XDG_STATE_HOME` under [`TestEnv::root`].
    pub fn zcc(&self, args: &[&str]) -> Call {
        let mut call = self.call(Path::new(ZCC), args);
        self.zcc_env(&mut call.cmd);
        call
    }

    /// Gives `cmd` zcc's environment of [`TestEnv::zcc`], for a command that runs zcc in
    /// another way (through `make`, a masquerade link, a wrapper).
    pub fn zcc_env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env("ZCC_DIR", &self.store)
            .env("ZCC_LOGFILE", &self.log)
            // Where zcc keeps the markers of notices said once: never the tester's own.
            .env("XDG_STATE_HOME", self.root.join("state"))
    }

    /// The same command without zcc: `args[0]` is the compiler.
    pub fn plain(&self, args: &[&str]) -> Call {
        self.call(Path::new(args[0]), &args[1..])
    }

    /// Any program, with the same clean environment as [`TestEnv::plain`].
    pub fn call(&self, program: &Path, args: &[&str]) -> Call {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(&self.work);
        for (key, _) in std::env::vars_os() {
            if is_scrubbed_var(&key.to_string_lossy()) {
                cmd.env_remove(&key);
            }
        }
        cmd.env("LC_ALL", "C");
        Call {
            cmd,
            work: self.work.clone(),
            stdin: None,
            keep_outputs: false,
            timeout: DEFAULT_TIMEOUT,
            what: describe(program, args),
        }
    }

    /// Runs `args` plainly, then through zcc, and asserts that both give the same
    /// exit status, stdout, stderr and created files (byte for byte).
    /// Returns the zcc run.
    pub fn assert_zcc_matches_plain(&self, args: &[&str]) -> Run {
        let plain = self.plain(args).run();
        let cached = self.zcc(args).run();
        self.assert_same_run(&plain, &cached);
        cached
    }

    /// [`assert_same_run`], with the zcc log appended to a failure message.
    pub fn assert_same_run(&self, plain: &Run, cached: &Run) {
        if let Err(msg) = compare_runs(plain, cached) {
            panic!("{msg}\n{}", self.log_tail());
        }
    }

    /// The counters from `zcc stats --json` (never-bumped counters are absent).
    pub fn stats(&self) -> BTreeMap<String, u64> {
        let json = self.stats_json();
        let counters = json
            .get("counters")
            .and_then(|c| c.as_object())
            .unwrap_or_else(|| panic!("`zcc stats --json` has no \"counters\" object: {json}"));
        counters
            .iter()
            .map(|(name, value)| {
                let n = value.as_u64().unwrap_or_else(|| {
                    panic!("counter {name} is not a non-negative integer: {value}")
                });
                (name.clone(), n)
            })
            .collect()
    }

    /// The whole `zcc stats --json` document.
    pub fn stats_json(&self) -> serde_json::Value {
        let run = self.zcc(&["stats", "--json"]).run();
        assert_eq!(
            run.code,
            Some(0),
            "`zcc stats --json` failed: {}",
            run.stderr_text()
        );
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "`zcc stats --json` is not JSON ({e}): {}",
                String::from_utf8_lossy(&run.stdout)
            )
        })
    }

    /// One counter (0 when absent).
    pub fn counter(&self, name: &str) -> u64 {
        self.stats().get(name).copied().unwrap_or(0)
    }

    /// `direct_hit + preprocessed_hit`.
    pub fn hits(&self) -> u64 {
        let stats = self.stats();
        stats.get("direct_hit").unwrap_or(&0) + stats.get("preprocessed_hit").unwrap_or(&0)
    }

    /// Asserts the counters of docs/CLI.md's families exactly: those named in
    /// `expected` have the given values, every other one is 0. The name `hit`
    /// stands for `direct_hit + preprocessed_hit` (either kind of hit is fine).
    /// Counters outside those families are ignored.
    pub fn assert_counters(&self, expected: &[(&str, u64)]) {
        let all = self.stats();
        let merge_hits = expected.iter().any(|(name, _)| *name == "hit")
            || !expected
                .iter()
                .any(|(name, _)| *name == "direct_hit" || *name == "preprocessed_hit");
        let mut actual: BTreeMap<String, u64> = BTreeMap::new();
        for (name, &n) in &all {
            if n == 0 || !COUNTER_FAMILIES.iter().any(|f| name.starts_with(f)) {
                continue;
            }
            let key = if merge_hits && (name == "direct_hit" || name == "preprocessed_hit") {
                "hit".to_string()
            } else {
                name.clone()
            };
            *actual.entry(key).or_default() += n;
        }
        let wanted: BTreeMap<String, u64> = expected
            .iter()
            .filter(|(_, n)| *n != 0)
            .map(|(name, n)| (name.to_string(), *n))
            .collect();
        if actual != wanted {
            panic!(
                "stats counters differ (\"hit\" = direct_hit + preprocessed_hit)\n  \
                 expected: {wanted:?}\n  actual:   {actual:?}\n  all counters: {all:?}\n{}",
                self.log_tail()
            );
        }
    }

    /// The last lines of `ZCC_LOGFILE`, for failure messages.
    pub fn log_tail(&self) -> String {
        match fs::read_to_string(&self.log) {
            Ok(text) => {
                let lines: Vec<&str> = text.lines().collect();
                let start = lines.len().saturating_sub(30);
                format!(
                    "--- last lines of {} ---\n{}",
                    self.log.display(),
                    lines[start..].join("\n")
                )
            }
            Err(_) => format!("--- no log at {} ---", self.log.display()),
        }
    }

    /// Every regular file under the store, relative to it.
    pub fn store_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        if self.store.exists() {
            walk(&self.store, &self.store, &mut files);
        }
        files
    }
}

/// A command about to run.
pub struct Call {
    pub cmd: Command,
    work: PathBuf,
    stdin: Option<Vec<u8>>,
    keep_outputs: bool,
    timeout: Duration,
    what: String,
}

impl Call {
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Call {
        self.cmd.env(key, value.into());
        self
    }

    pub fn env_remove(mut self, key: &str) -> Call {
        self.cmd.env_remove(key);
        self
    }

    /// Runs in `work/<rel>` instead of `work/`.
    pub fn cwd(mut self, rel: &str) -> Call {
        self.cmd.current_dir(self.work.join(rel));
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Call {
        self.stdin = Some(data.into());
        self
    }

    /// Leaves the created files in place (by default [`Call::run`] deletes them).
    pub fn keep_outputs(mut self) -> Call {
        self.keep_outputs = true;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Call {
        self.timeout = timeout;
        self
    }

    /// Runs to completion; reports the files created under `work/`, then deletes
    /// them unless [`Call::keep_outputs`].
    pub fn run(self) -> Run {
        let before = files_under(&self.work);
        let keep = self.keep_outputs;
        let work = self.work.clone();
        let mut run = self.spawn().wait();
        let after = files_under(&work);
        for rel in after.difference(&before) {
            let path = work.join(rel);
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            run.outputs
                .insert(rel.to_string_lossy().into_owned(), bytes);
            if !keep {
                fs::remove_file(&path).unwrap();
            }
        }
        run
    }

    /// Starts the command (in its own process group, so that a hang can be
    /// killed with all its children). [`Running::wait`] collects it; created files
    /// are not tracked.
    pub fn spawn(mut self) -> Running {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.what));
        if let Some(data) = self.stdin.take() {
            let mut pipe = child.stdin.take().unwrap();
            thread::spawn(move || {
                let _ = pipe.write_all(&data);
            });
        }
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stdout = thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.read_to_end(&mut buf);
            buf
        });
        let stderr = thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = err.read_to_end(&mut buf);
            buf
        });
        Running {
            child,
            stdout,
            stderr,
            timeout: self.timeout,
            what: self.what,
        }
    }
}

/// A started command.
pub struct Running {
    child: Child,
    stdout: thread::JoinHandle<Vec<u8>>,
    stderr: thread::JoinHandle<Vec<u8>>,
    timeout: Duration,
    what: String,
}

impl Running {
    /// SIGKILLs the command's whole process group (zcc and the compiler it runs) and reaps it.
    pub fn kill_group(mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }

    pub fn wait(mut self) -> Run {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > self.timeout {
                let group = format!("-{}", self.child.id());
                let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
                let _ = self.child.wait();
                panic!(
                    "{} did not finish within {:?} (killed; a loop, e.g. zcc calling itself?)",
                    self.what, self.timeout
                );
            }
            thread::sleep(Duration::from_millis(5));
        };
        Run {
            what: self.what,
            code: status.code(),
            stdout: self.stdout.join().unwrap(),
            stderr: self.stderr.join().unwrap(),
            outputs: BTreeMap::new(),
        }
    }
}

/// What a finished command did.
#[derive(Debug)]
pub struct Run {
    /// The command line, for messages.
    pub what: String,
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Files created under `work/` (relative path → content), for [`Call::run`].
    pub outputs: BTreeMap<String, Vec<u8>>,
}

impl Run {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Asserts exit status 0.
    pub fn success(&self) -> &Run {
        assert_eq!(
            self.code,
            Some(0),
            "{} failed\n--- stderr ---\n{}",
            self.what,
            self.stderr_text()
        );
        self
    }

    /// The content of a created file; panics (listing what was created) if absent.
    pub fn output(&self, rel: &str) -> &[u8] {
        self.outputs.get(rel).unwrap_or_else(|| {
            panic!(
                "{} did not create {rel}; it created {:?}",
                self.what,
                self.outputs.keys().collect::<Vec<_>>()
            )
        })
    }
}

/// Asserts that two runs have the same exit status, stdout, stderr and created
/// files, byte for byte.
pub fn assert_same_run(plain: &Run, cached: &Run) {
    if let Err(msg) = compare_runs(plain, cached) {
        panic!("{msg}");
    }
}

fn compare_runs(plain: &Run, cached: &Run) -> Result<(), String> {
    let header = format!("plain: {}\n  zcc: {}", plain.what, cached.what);
    if plain.code != cached.code {
        return Err(format!(
            "{header}\nexit status differs: plain {:?}, zcc {:?}\n--- zcc stderr ---\n{}",
            plain.code,
            cached.code,
            cached.stderr_text()
        ));
    }
    bytes_diff("stdout", &plain.stdout, &cached.stdout).map_err(|e| format!("{header}\n{e}"))?;
    bytes_diff("stderr", &plain.stderr, &cached.stderr).map_err(|e| format!("{header}\n{e}"))?;
    let plain_files: Vec<&String> = plain.outputs.keys().collect();
    let cached_files: Vec<&String> = cached.outputs.keys().collect();
    if plain_files != cached_files {
        return Err(format!(
            "{header}\ncreated files differ:\n  plain: {plain_files:?}\n  zcc:   {cached_files:?}"
        ));
    }
    for (name, bytes) in &plain.outputs {
        bytes_diff(name, bytes, &cached.outputs[name]).map_err(|e| format!("{header}\n{e}"))?;
    }
    Ok(())
}

/// Asserts `actual == expected`; the message shows where they first differ and,
/// for text, both versions.
pub fn assert_bytes_eq(what: &str, expected: &[u8], actual: &[u8]) {
    if let Err(msg) = bytes_diff(what, expected, actual) {
        panic!("{msg}");
    }
}

fn bytes_diff(what: &str, expected: &[u8], actual: &[u8]) -> Result<(), String> {
    if expected == actual {
        return Ok(());
    }
    let first = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let mut msg = format!(
        "{what} differs: expected {} bytes, got {} bytes, first difference at byte {first}",
        expected.len(),
        actual.len()
    );
    if let (Ok(e), Ok(a)) = (std::str::from_utf8(expected), std::str::from_utf8(actual)) {
        msg.push_str(&format!(
            "\n--- expected ---\n{e}\n--- actual ---\n{a}\n--- end ---"
        ));
    }
    Err(msg)
}

/// Asserts `stderr` is exactly one line starting with `zcc: error:` (and no panic).
pub fn assert_one_error_line(run: &Run) {
    let text = run.stderr_text();
    assert!(
        text.starts_with("zcc: error:") && text.ends_with('\n') && text.matches('\n').count() == 1,
        "{}: stderr should be one line starting `zcc: error:`, got:\n{text}",
        run.what
    );
    assert!(!text.contains("panicked"), "{}: panic: {text}", run.what);
}

/// Copies a directory tree (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Relative paths of the regular files under `dir`.
pub fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.into_iter().collect()
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(base, &path, out);
        } else if kind.is_file() {
            out.push(path.strip_prefix(base).unwrap().to_path_buf());
        }
    }
}

fn describe(program: &Path, args: &[&str]) -> String {
    let name = if program == Path::new(ZCC) {
        "zcc".to_string()
    } else {
        program.display().to_string()
    };
    std::iter::once(name.as_str())
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The object files a verbose build log shows being compiled: the `-o` value of every
/// command line with `-c` (make's echo, `ninja -v`), whatever launcher precedes it.
pub fn compiled_objects(build_log: &str) -> BTreeSet<String> {
    build_log
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            if !words.contains(&"-c") {
                return None;
            }
            let at = words.iter().position(|w| *w == "-o")?;
            words.get(at + 1).map(|o| o.to_string())
        })
        .collect()
}

/// `CARGO_TARGET_DIR` for tests that run a real `cargo install` (install.sh, the GitHub
/// action's setup script): one persistent directory, so later runs reuse the release build.
pub fn install_target_dir() -> String {
    let base = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_root().join("target"));
    base.join("install-sh").to_string_lossy().into_owned()
}

/// Sets a file's modification time (opening it for writing, as `touch` does).
/// Writes an executable shell script (mode 755) at `path`, creating its directory.
pub fn write_script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

pub fn set_mtime(path: &Path, when: std::time::SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
        .set_modified(when)
        .unwrap_or_else(|e| panic!("set the mtime of {}: {e}", path.display()));
}
