//! The `zcc` binary: decide the mode (wrap, masquerade, command), call the library, exit with
//! the right status.
//!
//! It starts at a C `main` rather than Rust's `fn main` (see [`main`]).

// The test harness brings its own `main`.
#![cfg_attr(not(test), no_main)]

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use clap::{Parser, Subcommand};
use zcc::{Cache, CompileError, CompileRequest, Config, Counter, Outcome, TrimGoal};

mod fp_cmd;

/// A compiler cache for GCC- and Clang-family compilers.
///
/// Put it in front of a compile: `zcc avr-g++ -c src/main.cpp -o build/main.o`, or set it as
/// `CC="zcc gcc"`, as CMake's `CMAKE_<LANG>_COMPILER_LAUNCHER`, or link it under a compiler's
/// name earlier in PATH. Configuration: `ZCC_*` environment variables (docs/CONFIG.md).
#[derive(Parser, Debug)]
#[command(
    name = "zcc",
    version,
    override_usage = "zcc <COMPILER> [ARGS]...\n       zcc <COMMAND>"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Show hit, miss, passthrough and error counters.
    Stats {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Zero all counters.
        #[arg(long)]
        zero: bool,
    },
    /// Print the store directory (to cache it in CI).
    StorePath,
    /// Remove every cached entry.
    Clear,
    /// Trim the store now: stray temp files, then the least recently used entries.
    Gc {
        /// Trim down to this size (e.g. 500M, 2G; default: ZCC_MAXSIZE).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        max_size: Option<u64>,
        /// Also remove everything not used for this long (e.g. 7d, 12h, 30m).
        #[arg(long, value_name = "AGE", value_parser = parse_age)]
        older_than: Option<std::time::Duration>,
        /// Also remove everything not used since TIME: @<unix seconds> or RFC 3339 (e.g. a CI
        /// job's start, with ZCC_JOB_START set to it during the build: what the job used stays).
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        unused_since: Option<std::time::SystemTime>,
    },
    /// Create masquerade links: DIR/<name> -> this zcc, for each compiler name.
    ///
    /// Put DIR before the real compilers in PATH and every call of those names goes
    /// through zcc. Safe to run again; never replaces a file that is not a symlink.
    InstallLinks {
        /// Directory for the links (created if missing), e.g. ~/.local/lib/zcc.
        dir: std::path::PathBuf,
        /// Compiler names, e.g. avr-gcc avr-g++ gcc g++ cc c++.
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
    /// Print the PlatformIO hook (a `pre:` extra script that routes compiles through zcc).
    PlatformioScript {
        /// Write it to FILE instead (parent directories are created; unchanged if identical).
        #[arg(long, short, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Build fingerprints: should a whole build run? (`zcc fp --cache-file F check --root DIR`)
    Fp(fp_cmd::FpArgs),
}

fn parse_size(text: &str) -> Result<u64, String> {
    zcc::values::parse_size(text).ok_or_else(|| {
        format!("{text} is not a size (use e.g. 500M, 2G, 1.5G or a number of bytes)")
    })
}

fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    zcc::values::parse_age(text)
        .ok_or_else(|| format!("{text} is not an age (use e.g. 7d, 12h, 30m, 45s)"))
}

fn parse_time(text: &str) -> Result<std::time::SystemTime, String> {
    zcc::values::parse_time(text)
        .ok_or_else(|| format!("{text} is not a time (use {})", zcc::values::TIME_FORMS))
}

/// zcc's command names (clap's `help` included).
const COMMANDS: &[&str] = &[
    "stats",
    "store-path",
    "clear",
    "gc",
    "install-links",
    "fp",
    "platformio-script",
    "help",
];

/// A process exit status.
type Status = u8;

/// The process entry point, in place of Rust's runtime start-up: that start-up reads
/// `/proc/self/maps` to find the main thread's stack guard and installs a stack-overflow
/// handler on an alternate signal stack (21 system calls and about 100,000 instructions,
/// 0.08 ms, measured on a hello world), paid by every cache hit. What of it zcc needs is done
/// here: standard descriptors that are closed get `/dev/null` (so no file zcc opens becomes
/// "stdout"), `SIGPIPE` is ignored (a closed pipe is an error to handle, not a death; child
/// processes get the default back from `std::process`), and stdout is flushed at the end.
/// A stack overflow is then a plain SIGSEGV, without Rust's message.
#[cfg(not(test))]
#[unsafe(no_mangle)]
pub extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    // SAFETY: plain libc calls on the three standard descriptors and one signal, made before
    // any other thread exists.
    unsafe {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        if libc::poll(fds.as_mut_ptr(), 3, 0) >= 0 {
            for fd in fds.iter().filter(|p| p.revents & libc::POLLNVAL != 0) {
                // open() takes the lowest free descriptor: the closed one.
                let opened = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
                if opened != fd.fd && opened >= 0 {
                    libc::close(opened);
                }
            }
        }
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    // A panic must not unwind out of an extern "C" function (that aborts): 101 as Rust's own
    // start-up would give. The library already turns its panics into a plain compile.
    let status = std::panic::catch_unwind(run).unwrap_or(101);
    let _ = std::io::stdout().flush();
    std::ffi::c_int::from(status)
}

// Reached from the C `main`, which test builds leave out.
#[cfg_attr(test, allow(dead_code))]
fn run() -> Status {
    // The library turns panics into a fallback compile; keep the default hook from printing
    // into the compiler's stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let argv: Vec<OsString> = std::env::args_os().collect();
    let invoked_as = argv
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "zcc".into());
    if invoked_as != "zcc" {
        // Masquerade: a link named like the compiler.
        return compile(OsString::from(invoked_as), argv[1..].to_vec());
    }
    let mut rest = &argv[1..];
    // `zcc zcc gcc …` is the same as `zcc gcc …`.
    while rest.first().is_some_and(|a| a == "zcc") {
        rest = &rest[1..];
    }
    match rest.first() {
        None => command(Cli::try_parse_from(&argv[..1])),
        Some(first) if first.to_string_lossy().starts_with('-') => {
            command(Cli::try_parse_from(rest_with_name(rest)))
        }
        Some(first) => {
            let name = first.to_string_lossy();
            if name.contains('/') || !COMMANDS.contains(&name.as_ref()) {
                return compile(first.clone(), rest[1..].to_vec());
            }
            // A command name: it is the command when its arguments parse as that command's
            // (`zcc clear`, although /usr/bin/clear exists); otherwise a compiler of that
            // name in PATH wins, so a call whose first argument is a compiler is never refused.
            let parsed = Cli::try_parse_from(rest_with_name(rest));
            if parsed.is_err() && which::which(first).is_ok() {
                return compile(first.clone(), rest[1..].to_vec());
            }
            command(parsed)
        }
    }
}

/// The arguments as clap expects them, with the program name first.
fn rest_with_name(rest: &[OsString]) -> Vec<OsString> {
    std::iter::once(OsString::from("zcc"))
        .chain(rest.iter().cloned())
        .collect()
}

fn fail(message: impl std::fmt::Display) -> Status {
    eprintln!("zcc: error: {message}");
    2
}

/// A clap error as one line: its first paragraph (the message and, for missing arguments,
/// their names), without the usage text that follows.
fn one_line(text: &str) -> String {
    let paragraph: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let joined = paragraph.join(" ");
    let joined = joined.trim_start_matches("error: ");
    if joined.is_empty() {
        "bad arguments (see zcc --help)".to_string()
    } else {
        joined.to_string()
    }
}

fn config() -> Result<Config, Status> {
    Config::from_process_env().map_err(fail)
}

fn compile(compiler: OsString, args: Vec<OsString>) -> Status {
    let config = match config() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let req = match CompileRequest::from_process(compiler, args) {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot read the working directory: {e}")),
    };
    let cache = Cache::open(config);
    match cache.compile(&req) {
        Ok(Outcome::Completed(done)) => {
            // Print what the compiler printed; a closed pipe must not turn into a panic.
            let _ = std::io::stdout().write_all(&done.stdout);
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().write_all(&done.stderr);
            u8::try_from(done.status.clamp(0, 255)).unwrap_or(1)
        }
        Ok(Outcome::Passthrough { compiler, .. }) => {
            let err = Command::new(&compiler).args(&req.args).exec();
            fail(format!("cannot run {}: {err}", compiler.display()))
        }
        // Outcome is non-exhaustive; this zcc knows every variant of its own library.
        Ok(other) => fail(format!("unexpected outcome {other:?}")),
        // A compile whose compiler is missing exits as a shell would (127); a lone word that
        // is neither a command nor a compiler is a mistyped command (2).
        Err(CompileError::CompilerNotFound(m)) if req.args.is_empty() => fail(format!(
            "unknown command, and no such compiler: {m} (see zcc --help)"
        )),
        Err(CompileError::CompilerNotFound(m)) => {
            fail(format!("no such compiler: {m}"));
            127
        }
        Err(other) => fail(other),
    }
}

fn command(parsed: Result<Cli, clap::Error>) -> Status {
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return 0;
            }
            if e.kind() == ErrorKind::MissingSubcommand
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                return fail("no compiler or command given (see zcc --help)");
            }
            return fail(one_line(&e.to_string()));
        }
    };
    match cli.command {
        // Commands that install zcc or fingerprint files never read the ZCC_* configuration.
        Cmd::Fp(args) => fp_cmd::run(args),
        Cmd::PlatformioScript { output } => platformio_script(output.as_deref()),
        Cmd::InstallLinks { dir, names } => install_links(&dir, &names),
        Cmd::StorePath => with_config(|config| {
            println!("{}", config.dir.display());
            0
        }),
        Cmd::Clear => with_config(clear),
        Cmd::Stats { json, zero } => with_config(|config| stats(config, json, zero)),
        Cmd::Gc {
            max_size,
            older_than,
            unused_since,
        } => with_config(|config| {
            let goal = TrimGoal {
                max_bytes: Some(max_size.unwrap_or(config.max_size)),
                older_than,
                unused_since,
            };
            gc(config, goal)
        }),
    }
}

/// Runs a command that needs the configuration, or reports a bad `ZCC_*` value.
fn with_config(run: impl FnOnce(Config) -> Status) -> Status {
    match config() {
        Ok(config) => run(config),
        Err(code) => code,
    }
}

fn clear(config: Config) -> Status {
    let cache = Cache::open(config);
    match cache.clear() {
        Ok(()) => {
            println!("cleared {}", cache.config().dir.display());
            0
        }
        Err(e) => fail(e),
    }
}

/// `zcc platformio-script [--output FILE]`: the hook calls this zcc by its absolute path.
fn platformio_script(output: Option<&Path>) -> Status {
    let zcc = match std::env::current_exe() {
        Ok(path) => path,
        Err(e) => return fail(format!("cannot find zcc's own path: {e}")),
    };
    let script = zcc::platformio::render_script(&zcc);
    match output {
        None => {
            let _ = std::io::stdout().write_all(script.as_bytes());
            0
        }
        Some(dest) => match zcc::platformio::install_script(dest, &script) {
            Ok(_) => 0,
            Err(e) => fail(format!("cannot write {}: {e}", dest.display())),
        },
    }
}

fn gc(config: Config, goal: TrimGoal) -> Status {
    let limit = goal.max_bytes.unwrap_or(config.max_size);
    let cache = Cache::open(config);
    match cache.gc(goal) {
        Ok(r) => {
            println!(
                "removed {} entries ({}), {} aux files ({}), {} stray temp files",
                r.removed_entries,
                human_bytes(r.removed_entry_bytes),
                r.removed_aux,
                human_bytes(r.removed_aux_bytes),
                r.removed_stray
            );
            println!(
                "store {}: {} in {} entries (limit {})",
                cache.config().dir.display(),
                human_bytes(r.remaining.bytes()),
                r.remaining.entries,
                human_bytes(limit)
            );
            0
        }
        Err(e) => fail(e),
    }
}

fn install_links(dir: &Path, names: &[String]) -> Status {
    let zcc = match std::env::current_exe().and_then(dunce::canonicalize) {
        Ok(exe) => exe,
        Err(e) => return fail(format!("cannot find the zcc executable: {e}")),
    };
    let dir = match std::path::absolute(dir) {
        Ok(d) => d,
        Err(e) => return fail(format!("{}: {e}", dir.display())),
    };
    let done = match zcc::links::install(&dir, &zcc, names) {
        Ok(done) => done,
        Err(e) => return fail(e),
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_else(|_| dir.clone());
    let mut not_first = Vec::new();
    for (name, action) in &done {
        let link = dir.join(name);
        let what = match action {
            zcc::links::LinkAction::Created => "created".to_string(),
            zcc::links::LinkAction::Unchanged => "already there".to_string(),
            zcc::links::LinkAction::Replaced { old_target } => {
                format!("replaced (was -> {})", old_target.display())
            }
        };
        // The compiler a masquerading call will run: the first non-zcc one in PATH.
        let real = match zcc::links::runs(name, &path, &cwd, &zcc) {
            Ok(compiler) => format!("runs {}", compiler.display()),
            Err(_) => "no real compiler of that name in PATH yet".to_string(),
        };
        println!("{} -> {}: {what}; {real}", link.display(), zcc.display());
        if which::which_in(name, Some(&path), &cwd).ok().as_deref() != Some(link.as_path()) {
            not_first.push(name.as_str());
        }
    }
    if !not_first.is_empty() {
        println!(
            "note: {} not first in PATH for {}; to route them through zcc: export PATH=\"{}:$PATH\"",
            dir.display(),
            not_first.join(", "),
            dir.display()
        );
    }
    0
}

/// `1.5 GiB`, `300.0 KiB`, `12 B`: powers of 1024, as ZCC_MAXSIZE counts.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn stats(config: Config, json: bool, zero: bool) -> Status {
    let cache = Cache::open(config);
    if zero {
        // Nothing is written into a store that is refused, counters included.
        if let Err(e) = cache.zero_counters() {
            return fail(format!("cannot zero the counters: {e}"));
        }
        if !json {
            println!("counters zeroed");
            return 0;
        }
    }
    let counters = match cache.counters() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let store = cache.config().dir.display().to_string();
    let refused = cache.refusal();
    let max_size = cache.config().max_size;
    // A store that cannot be opened (or is refused) holds nothing zcc would use.
    let usage = cache.usage().unwrap_or_default();
    if json {
        let value = serde_json::json!({
            "store": store,
            "refused": refused,
            "size_bytes": usage.bytes(),
            "entries": usage.entries,
            "max_size_bytes": max_size,
            "counters": counters,
        });
        println!("{value}");
        return 0;
    }
    let get = |c: Counter| counters.get(c);
    let hits = get(Counter::DirectHit) + get(Counter::PreprocessedHit);
    let lookups = hits + get(Counter::Miss);
    println!("store            {store}");
    if let Some(why) = refused {
        println!("REFUSED          {why}; compiles run without the cache");
    }
    println!(
        "size             {} of {} ({:.0} %)",
        human_bytes(usage.bytes()),
        human_bytes(max_size),
        100.0 * usage.bytes() as f64 / max_size as f64
    );
    println!("entries          {}", usage.entries);
    println!("hits             {hits}");
    println!("  direct         {}", get(Counter::DirectHit));
    println!("  preprocessed   {}", get(Counter::PreprocessedHit));
    println!("misses           {}", get(Counter::Miss));
    if lookups > 0 {
        println!(
            "hit rate         {:.1} %",
            100.0 * hits as f64 / lookups as f64
        );
    }
    const LINKS: [(Counter, &str); 3] = [
        (Counter::LinkHit, "hits"),
        (Counter::LinkMiss, "misses"),
        (Counter::LinkFailed, "failed"),
    ];
    if LINKS.iter().any(|(c, _)| get(*c) > 0) {
        println!("links");
        for (c, label) in LINKS {
            println!("  {label:<14} {}", get(c));
        }
    }
    const REMOTE: [(Counter, &str); 4] = [
        (Counter::RemoteHit, "hits"),
        (Counter::RemoteMiss, "misses"),
        (Counter::RemoteError, "errors"),
        (Counter::RemoteTimeout, "timeouts"),
    ];
    if REMOTE.iter().any(|(c, _)| get(*c) > 0) {
        println!("remote");
        for (c, label) in REMOTE {
            println!("  {label:<14} {}", get(c));
        }
    }
    let shown = [Counter::DirectHit, Counter::PreprocessedHit, Counter::Miss];
    let others: Vec<_> = counters
        .iter()
        .filter(|(k, _)| {
            !shown
                .iter()
                .chain(REMOTE.iter().chain(&LINKS).map(|(c, _)| c))
                .any(|c| c.name() == *k)
        })
        .collect();
    if !others.is_empty() {
        println!("other");
        for (name, n) in others {
            let meaning = Counter::meaning_of(name).unwrap_or_default();
            println!("  {name:<30} {n:>6}  {meaning}");
        }
    }
    0
}
