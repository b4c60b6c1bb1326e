//! The `zcc` binary: decide the mode (wrap, masquerade, command), call the library, exit with
//! the right status.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitCode};

use clap::{Parser, Subcommand};
use zcc::{Cache, CompileError, CompileRequest, Config, Outcome};

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
}

/// zcc's command names (clap's `help` included).
const COMMANDS: &[&str] = &["stats", "store-path", "clear", "help"];

fn main() -> ExitCode {
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

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("zcc: error: {message}");
    ExitCode::from(2)
}

fn config() -> Result<Config, ExitCode> {
    Config::from_process_env().map_err(fail)
}

fn compile(compiler: OsString, args: Vec<OsString>) -> ExitCode {
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
            ExitCode::from(u8::try_from(done.status.clamp(0, 255)).unwrap_or(1))
        }
        Ok(Outcome::Passthrough { compiler, .. }) => {
            let err = Command::new(&compiler).args(&req.args).exec();
            fail(format!("cannot run {}: {err}", compiler.display()))
        }
        Err(CompileError::CompilerNotFound(m)) => fail(format!(
            "unknown command, and no such compiler: {m} (see zcc --help)"
        )),
    }
}

fn command(parsed: Result<Cli, clap::Error>) -> ExitCode {
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            if e.kind() == ErrorKind::MissingSubcommand
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                return fail("no compiler or command given (see zcc --help)");
            }
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("bad arguments");
            return fail(first.trim_start_matches("error: "));
        }
    };
    let config = match config() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match cli.command {
        Cmd::StorePath => {
            println!("{}", config.dir.display());
            ExitCode::SUCCESS
        }
        Cmd::Clear => {
            let cache = Cache::open(config);
            match cache.store() {
                Ok(store) => match store.clear() {
                    Ok(()) => {
                        println!("cleared {}", store.root().display());
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(format!("cannot clear {}: {e}", store.root().display())),
                },
                Err(e) => fail(format!("cannot open the store {e}")),
            }
        }
        Cmd::Stats { json, zero } => stats(config, json, zero),
    }
}

fn stats(config: Config, json: bool, zero: bool) -> ExitCode {
    let cache = Cache::open(config);
    if zero {
        if let Err(e) = cache.stats().zero() {
            return fail(format!("cannot zero the counters: {e}"));
        }
        if !json {
            println!("counters zeroed");
            return ExitCode::SUCCESS;
        }
    }
    let counters = match cache.stats().totals() {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot read the counters: {e}")),
    };
    let store = cache.config().dir.display().to_string();
    if json {
        let value = serde_json::json!({ "store": store, "counters": counters });
        println!("{value}");
        return ExitCode::SUCCESS;
    }
    let get = |name: &str| counters.get(name).copied().unwrap_or(0);
    let hits = get("direct_hit") + get("preprocessed_hit");
    let lookups = hits + get("miss");
    println!("store            {store}");
    if let Ok(s) = cache.store()
        && let Ok((entries, bytes)) = s.usage()
    {
        println!("entries          {entries} ({:.1} MB)", bytes as f64 / 1e6);
    }
    println!("hits             {hits}");
    println!("  direct         {}", get("direct_hit"));
    println!("  preprocessed   {}", get("preprocessed_hit"));
    println!("misses           {}", get("miss"));
    if lookups > 0 {
        println!(
            "hit rate         {:.1} %",
            100.0 * hits as f64 / lookups as f64
        );
    }
    let others: Vec<_> = counters
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "direct_hit" | "preprocessed_hit" | "miss"))
        .collect();
    if !others.is_empty() {
        println!("other");
        for (name, n) in others {
            println!("  {name:<30} {n}");
        }
    }
    ExitCode::SUCCESS
}
