//! A build tool embedding zcc: compile every `.c` and `.cpp` file of a directory through one
//! shared [`zcc::Cache`], from a pool of worker threads (one per core), without spawning `zcc`.
//!
//! Run it twice; the second run is served from the cache:
//!
//! ```text
//! cargo run --release --example embed -- fixtures/host-project/src /tmp/embed-out
//! cargo run --release --example embed -- fixtures/host-project/src /tmp/embed-out
//! ```
//!
//! Arguments: the source directory (default `fixtures/host-project/src`) and the output
//! directory (default `embed-out` under the system temp directory). `.c` files are compiled
//! with `gcc -std=c11`, `.cpp` files with `g++ -std=c++17`, both with
//! `-O2 -Wall -I<dir> [-I<dir>/../include]`. The cache is configured like the `zcc` command
//! (`ZCC_DIR`, `ZCC_LOGFILE`, …), so the two share one store.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use zcc::{Cache, CompileRequest, Config, Outcome, Passthrough, Served};

/// How one file was handled.
#[derive(Debug)]
pub enum How {
    /// Through the cache: a hit, a miss, a failed compile, or a fallback after an internal error.
    Cached(Served),
    /// Not cacheable (the reason zcc gave): the compiler ran untouched.
    Uncached(Passthrough),
    /// No compile happened (e.g. the compiler does not exist).
    Error(String),
}

/// The result for one source file.
#[derive(Debug)]
pub struct FileResult {
    pub source: PathBuf,
    pub object: PathBuf,
    pub how: How,
    /// The compiler's exit status.
    pub status: i32,
    /// What the compiler printed on stderr (warnings); a hit replays it.
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

/// The `.c` and `.cpp` files directly in `dir`, sorted.
pub fn sources(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str());
        if matches!(ext, Some("c" | "cpp")) && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The compiler and arguments for one file: `<out>/<file name>.o`.
pub fn command(dir: &Path, out: &Path, source: &Path) -> (&'static str, Vec<OsString>) {
    let cxx = source.extension().is_some_and(|e| e == "cpp");
    let (compiler, std) = if cxx {
        ("g++", "-std=c++17")
    } else {
        ("gcc", "-std=c11")
    };
    let mut args: Vec<OsString> = vec![std.into(), "-O2".into(), "-Wall".into()];
    args.push(format!("-I{}", dir.display()).into());
    let include = dir.join("../include");
    if include.is_dir() {
        args.push(format!("-I{}", include.display()).into());
    }
    let mut object = source.file_name().unwrap_or_default().to_os_string();
    object.push(".o");
    args.extend(["-c".into(), source.into(), "-o".into()]);
    args.push(out.join(object).into());
    (compiler, args)
}

/// Compile one file through the cache (or, when it is not cacheable, without it).
fn compile_one(cache: &Cache, dir: &Path, out: &Path, source: &Path) -> FileResult {
    let start = Instant::now();
    let (compiler, args) = command(dir, out, source);
    let object = PathBuf::from(args.last().unwrap());
    let request = CompileRequest {
        compiler: compiler.into(),
        args,
        cwd: std::env::current_dir().unwrap_or_else(|_| dir.to_path_buf()),
        env: std::env::vars_os().collect(),
        stderr_is_terminal: false,
    };
    let (how, status, stderr) = match cache.compile(&request) {
        Ok(Outcome::Completed(done)) => (How::Cached(done.served), done.status, done.stderr),
        Ok(Outcome::Passthrough {
            compiler, reason, ..
        }) => {
            let done = cache.run_uncached(&compiler, &request);
            (How::Uncached(reason), done.status, done.stderr)
        }
        Ok(other) => (How::Error(format!("{other:?}")), 127, Vec::new()),
        Err(e) => (How::Error(e.to_string()), 127, Vec::new()),
    };
    FileResult {
        source: source.to_path_buf(),
        object,
        how,
        status,
        stderr,
        elapsed: start.elapsed(),
    }
}

/// Compile every source of `dir` into `out` from `threads` workers sharing `cache`.
/// Results come back in the order of [`sources`].
pub fn compile_all(
    cache: &Cache,
    dir: &Path,
    out: &Path,
    threads: usize,
) -> io::Result<Vec<FileResult>> {
    let files = sources(dir)?;
    std::fs::create_dir_all(out)?;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileResult>>> = Mutex::new(files.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, files.len().max(1)) {
            // Each worker holds its own handle; clones share the store and counters.
            let cache = cache.clone();
            let (files, next, results) = (&files, &next, &results);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = files.get(i) else { break };
                    let result = compile_one(&cache, dir, out, source);
                    results.lock().unwrap()[i] = Some(result);
                }
            });
        }
    });
    Ok(results
        .into_inner()
        .unwrap()
        .into_iter()
        .flatten()
        .collect())
}

fn label(how: &How) -> String {
    match how {
        How::Cached(Served::DirectHit) => "hit (direct)".into(),
        How::Cached(Served::PreprocessedHit) => "hit (preprocessed)".into(),
        How::Cached(Served::Miss) => "miss".into(),
        How::Cached(Served::Failed) => "FAILED".into(),
        How::Cached(Served::Fallback) => "uncached (internal error)".into(),
        How::Cached(other) => format!("{other:?}"),
        How::Uncached(reason) => format!("uncached ({reason})"),
        How::Error(e) => format!("ERROR ({e})"),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut argv = std::env::args_os().skip(1);
    let dir = PathBuf::from(
        argv.next()
            .unwrap_or_else(|| "fixtures/host-project/src".into()),
    );
    let out = argv
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("embed-out"));
    let dir = std::path::absolute(&dir)?;
    let out = std::path::absolute(&out)?;

    let cache = Cache::open(Config::from_process_env()?);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    let results = compile_all(&cache, &dir, &out, threads)?;
    let wall = start.elapsed();

    let (mut hits, mut misses, mut failed) = (0, 0, 0);
    for r in &results {
        let name = r.source.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "{:<26} {:<24} {:>8.1} ms",
            label(&r.how),
            name,
            r.elapsed.as_secs_f64() * 1e3
        );
        eprint!("{}", String::from_utf8_lossy(&r.stderr));
        match (&r.how, r.status) {
            (_, s) if s != 0 => failed += 1,
            (How::Cached(Served::DirectHit | Served::PreprocessedHit), _) => hits += 1,
            _ => misses += 1,
        }
    }
    println!(
        "{} files on {threads} threads in {:.1} ms: {hits} hits, {misses} misses, {failed} failed; objects in {}",
        results.len(),
        wall.as_secs_f64() * 1e3,
        out.display()
    );
    if failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}
