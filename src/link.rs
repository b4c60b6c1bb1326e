//! Link caching: one link through a GCC- or Clang-family driver, served from the store or run
//! and stored.
//!
//! The flow mirrors direct mode (`call.rs`): a manifest keyed by the toolchain, the arguments
//! and the environment lists, per earlier link, every file the linker read with its content
//! hash and every path it tried that did not exist; when all still hold, the result is served
//! without running anything. On a miss the link runs with `-Wl,--verbose` first, and the
//! linker's own report (`link/report.rs`) says what it read: objects, archives, libraries
//! found through the search path, startup files, default and `-T` scripts and what they
//! `INCLUDE`. Nothing is guessed: a link whose report cannot be accounted for (a file it read
//! that is gone, a `-T` script it does not name, output on stdout that is not the report) is
//! run, never stored.
//!
//! Outputs: the executable (with its executable bits as ld sets them: `0777 & ~umask`) and
//! the map file (`link/mapfile.rs`: stored with root tokens, re-laid out for this machine).

pub mod archive;
pub mod args;
pub mod mapfile;
pub mod report;

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::compiler::{self, Compiler, Family};
use crate::counter::Counter;
use crate::entry::Text;
use crate::filehash;
use crate::key::{self, KeyBuilder};
use crate::manifest::{self, Candidate, Manifest, Target};
use crate::outcome::{Completed, Internal, Outcome, Served};
use crate::passthrough::{LinkRefusal, Passthrough};
use crate::paths::Roots;
use crate::process::{self, capture, written_since};
use crate::replay::write_atomic;
use crate::request::CompileRequest;
use crate::shared::Shared;
use crate::storage::Storage;
use crate::store::{self, Key, Kind, Store};

use self::args::LinkCall;
use self::mapfile::StoredMap;

/// Environment variables that change what a link produces or finds, beyond the compile's.
const LINK_ENV: &[&str] = &["LD_LIBRARY_PATH", "LD_RUN_PATH", "GNUTARGET", "LDEMULATION"];

/// The programs a GCC driver runs for a link, found with `-print-prog-name=` (and the LTO
/// plugin with `-print-file-name=`): their content is part of the key.
const GCC_LINK_PROGRAMS: &[&str] = &[
    "-print-prog-name=collect2",
    "-print-prog-name=ld",
    "-print-prog-name=lto-wrapper",
    "-print-prog-name=lto1",
    "-print-file-name=liblto_plugin.so",
];

/// What a link entry holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct LinkEntry {
    #[serde(with = "serde_bytes")]
    output: Vec<u8>,
    /// ld made the output executable (`0777 & ~umask`) rather than `0666 & ~umask`.
    executable: bool,
    map: Option<StoredMap>,
    /// What the link printed on stderr (linker warnings); a stored link printed nothing on
    /// stdout but ld's report.
    stderr: Text,
}

impl LinkEntry {
    fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }
}

/// The link `args` (the call's arguments as UTF-8) asks for, or why it is not cached.
pub(crate) fn plan(
    compiler: &Compiler,
    req: &CompileRequest,
    args: &[String],
) -> Result<LinkCall, Passthrough> {
    let read = |name: &str| fs::read_to_string(req.cwd.join(name)).ok();
    let link = args::classify(args, &read).map_err(Passthrough::LinkRefused)?;
    if link.lto && compiler.family == Family::Clang {
        // Clang's LTO runs in the linker plugin (LLVMgold), which reports nothing.
        let refusal = LinkRefusal::DriverOption("-flto with clang".into());
        return Err(Passthrough::LinkRefused(refusal));
    }
    Ok(link)
}

/// Serve or run one link on `store`. `Err` means "fall back to a plain run".
pub(crate) fn run(
    ctx: &Shared,
    store: &Store,
    compiler: &Compiler,
    req: &CompileRequest,
    link: LinkCall,
) -> Result<Outcome, Internal> {
    Linking::new(ctx, store, compiler, req, link)?.run()
}

/// One cacheable link.
struct Linking<'a> {
    ctx: Shared<'a>,
    compiler: &'a Compiler,
    req: &'a CompileRequest,
    link: LinkCall,
    roots: Roots,
    memo: PathBuf,
    manifest_key: Key,
    /// For LTO links, the manifest key with the working directory: where results whose output
    /// names the directory are recorded.
    directory_key: Option<Key>,
    /// The local store and the remote tiers during this link.
    storage: Storage<'a>,
}

impl<'a> Linking<'a> {
    fn new(
        ctx: &Shared<'a>,
        store: &'a Store,
        compiler: &'a Compiler,
        req: &'a CompileRequest,
        link: LinkCall,
    ) -> Result<Linking<'a>, Internal> {
        // The output's directory is a root too: a build directory outside every other root
        // (`$RUNNER_TEMP/build`, arduino-cli's `/tmp/arduino/sketches/<hash>`) holds the
        // objects the link reads, and their paths reach only the map file and diagnostics,
        // which are rewritten through the roots.
        let mut dirs = crate::call::root_dirs(ctx.config, compiler, req);
        let output = req.cwd.join(&link.output);
        if let Some(out_dir) = output.parent().and_then(|d| d.to_str()) {
            let out_dir = crate::paths::normalize_lexically(out_dir);
            if out_dir != "/" {
                dirs.push(("OUT".into(), PathBuf::from(out_dir)));
            }
        }
        let memo = store.aux_dir();
        // Package roots: libraries and objects under a framework installed anywhere.
        let dirs = crate::call::with_packages(dirs, &link.key_args, None, &memo);
        let roots = Roots::new(dirs);
        let identity = toolchain_identity(compiler, req, &memo)
            .map_err(|e| Internal::new(Counter::ErrorInternal, format!("linker identity: {e}")))?;
        let specs = crate::call::spec_hashes(compiler, &link.specs, req, &memo)?;
        let manifest_key = manifest_key(&link, &identity, &specs, &roots, req);
        let directory_key = link
            .lto
            .then(|| directory_key(&manifest_key, &link.output, req));
        let storage = Storage::new(ctx, store, &memo);
        Ok(Linking {
            ctx: *ctx,
            compiler,
            req,
            link,
            roots,
            memo,
            manifest_key,
            directory_key,
            storage,
        })
    }

    fn path(&self, p: &str) -> PathBuf {
        self.req.cwd.join(p)
    }

    fn run(self) -> Result<Outcome, Internal> {
        let why = match self.lookup(&self.manifest_key) {
            Ok(key) => match self.serve(&key) {
                Some(done) => return Ok(Outcome::Completed(done)),
                None => "no usable entry".to_string(),
            },
            Err(why) => why,
        };
        Ok(Outcome::Completed(self.miss(&why)))
    }

    /// The result a manifest leads to for the files here, or why there is none.
    /// [`Target::Exact`] sends the lookup on to the manifest keyed with the directory.
    fn lookup(&self, manifest_key: &Key) -> Result<Key, String> {
        if self.ctx.config.recache {
            return Err("ZCC_RECACHE".into());
        }
        let manifest = self
            .read_manifest(manifest_key)
            .ok_or("first link with this toolchain, these arguments and this environment")?;
        let target = manifest::find_with(
            &manifest,
            &self.roots,
            &self.req.cwd,
            &self.memo,
            archive::input_hash,
        );
        match (target, &self.directory_key) {
            (Ok(Target::Result(key)), _) => Ok(*key),
            (Ok(Target::Exact), Some(directory_key)) if directory_key != manifest_key => self
                .lookup(directory_key)
                .map_err(|why| format!("in this directory: {why}")),
            (Ok(_), _) => Err("no result for this directory".into()),
            (Err(Some(manifest::Mismatch::Appeared(path))), _) => {
                Err(format!("{path} appeared (the linker looked for it)"))
            }
            (Err(Some(mismatch)), _) => Err(mismatch.to_string()),
            (Err(None), _) => Err("empty manifest".into()),
        }
    }

    fn read_manifest(&self, manifest_key: &Key) -> Option<Manifest> {
        let bytes = self.get(Kind::Manifest, manifest_key)?;
        let manifest = Manifest::decode(&bytes).ok();
        if manifest.is_none() {
            self.ctx.rec.count(&[Counter::ErrorStoreRead]);
        }
        manifest
    }

    /// A manifest or entry: the local store, else the remote tiers.
    fn get(&self, kind: Kind, key: &Key) -> Option<Vec<u8>> {
        self.storage.get(kind, key)
    }

    /// Into the local store and the writable remote tiers.
    fn put(&self, kind: Kind, key: &Key, bytes: &[u8]) -> Result<(), Counter> {
        self.storage.put(kind, key, bytes)
    }

    /// Serve a hit: write the map and the executable, return what the link printed.
    fn serve(&self, key: &Key) -> Option<Completed> {
        let bytes = self.get(Kind::Result, key)?;
        let Ok(entry) = postcard::from_bytes::<LinkEntry>(&bytes) else {
            self.ctx.rec.count(&[Counter::ErrorStoreRead]);
            return None;
        };
        let map = match (&self.link.map, &entry.map) {
            (None, None) => None,
            (Some(path), Some(stored)) => Some((path, mapfile::render(stored, &self.roots)?)),
            _ => return None,
        };
        let written = map
            .as_ref()
            .map_or(Ok(()), |(path, text)| write_atomic(&self.path(path), text))
            .and_then(|()| write_output(&self.path(&self.link.output), &entry));
        if let Err(e) = written {
            self.ctx.rec.count(&[Counter::ErrorReplay]);
            self.ctx
                .rec
                .log(&format!("cannot write outputs of a link hit: {e}; linking"));
            return None;
        }
        if self.storage.fetched() {
            self.ctx.rec.count(&[Counter::LinkHit, Counter::RemoteHit]);
        } else {
            self.ctx.rec.count(&[Counter::LinkHit]);
        }
        self.ctx.rec.log(&format!(
            "link_hit {} {}",
            store::hex(key),
            self.link.output
        ));
        // A link has no compile input whose directory diagnostics could name.
        Some(Completed::new(
            0,
            Vec::new(),
            entry.stderr.expand(&self.roots, ""),
            Served::DirectHit,
        ))
    }

    /// Run the link with the linker's report on, store what it produced, return what a plain
    /// link would have printed.
    fn miss(&self, why: &str) -> Completed {
        let start = process::fs_now(&self.memo)
            .or_else(|_| {
                fs::create_dir_all(&self.memo)?;
                process::fs_now(&self.memo)
            })
            .unwrap_or_else(|_| SystemTime::now());
        // First, so that it covers the `-T` scripts read while ld parses its arguments.
        let mut args: Vec<OsString> = vec!["-Wl,--verbose".into()];
        args.extend(self.req.args.iter().cloned());
        let done = match capture(&self.compiler.path, &args, &self.req.cwd, &self.req.env) {
            Ok(c) => c,
            Err(e) => return Completed::not_started(&self.compiler.path, &e, Served::Failed),
        };
        let report = report::parse(&done.stdout);
        if !report.other.is_empty() {
            // The link printed something of its own: what a plain link prints is not known
            // for certain. Run it plainly.
            self.ctx
                .rec
                .count(&[Counter::LinkMiss, Counter::NotStoredLinkStdout]);
            self.ctx.rec.log(&format!(
                "link {}: output on stdout besides the linker's report; linking again",
                self.link.output
            ));
            return Completed::uncached(&self.compiler.path, self.req);
        }
        if done.status != 0 {
            // Under --verbose ld 2.40 says more about a failure ("link errors found, deleting
            // executable"): the user gets the diagnostics of a plain link.
            self.ctx.rec.count(&[Counter::LinkFailed]);
            self.ctx
                .rec
                .log(&format!("link_failed {}; linking again", self.link.output));
            let plain = Completed::uncached(&self.compiler.path, self.req);
            return Completed {
                served: Served::Failed,
                ..plain
            };
        }
        let stored = self.store_result(&report, &done.stderr, start);
        let mut counters = vec![Counter::LinkMiss];
        if let Err(reason) = stored {
            counters.push(reason);
        }
        if self.storage.asked() {
            counters.push(Counter::RemoteMiss);
        }
        self.ctx.rec.count(&counters);
        let what = match &stored {
            Ok(key) => format!("stored {}", store::hex(key)),
            Err(reason) => reason.name().into_owned(),
        };
        self.ctx
            .rec
            .log(&format!("link_miss {}: {why}; {what}", self.link.output));
        Completed::new(0, Vec::new(), done.stderr, Served::Miss)
    }

    /// Record what the link read and store its outputs; `Err(counter)` says why not.
    fn store_result(
        &self,
        report: &report::Report,
        stderr: &[u8],
        start: SystemTime,
    ) -> Result<Key, Counter> {
        for script in &self.link.scripts {
            let named = |s: &String| s == script || s.ends_with(&format!("/{script}"));
            if !report.scripts.iter().any(named) {
                self.ctx.rec.log(&format!(
                    "the linker did not report reading {script}; not stored"
                ));
                return Err(Counter::NotStoredLinkUnreported);
            }
        }
        let mut files = Vec::with_capacity(report.opened.len());
        for opened in &report.opened {
            let full = self.path(opened);
            if !full.exists() && is_lto_temporary(opened) {
                // Made from the inputs during the link, and gone with it.
                continue;
            }
            if written_since(&full, start) {
                self.ctx
                    .rec
                    .log(&format!("{opened} changed during the link; not stored"));
                return Err(Counter::NotStoredModifiedInput);
            }
            if archive::is_thin(&full) {
                self.ctx.rec.log(&format!(
                    "{opened} is a thin archive (its members are not reported); not stored"
                ));
                return Err(Counter::NotStoredLinkInput);
            }
            let (hash, _) = archive::input_hash(&full, &self.memo).map_err(|e| {
                self.ctx.rec.log(&format!("cannot hash {opened}: {e}"));
                Counter::NotStoredLinkInput
            })?;
            files.push((crate::call::manifest_path(&self.roots, opened), hash));
        }
        let mut absent = Vec::with_capacity(report.absent.len());
        for path in &report.absent {
            if self.path(path).exists() {
                self.ctx
                    .rec
                    .log(&format!("{path} appeared during the link; not stored"));
                return Err(Counter::NotStoredModifiedInput);
            }
            absent.push(crate::call::manifest_path(&self.roots, path));
        }
        let output = self.path(&self.link.output);
        let meta = fs::metadata(&output).map_err(|_| Counter::NotStoredNoOutput)?;
        let data = fs::read(&output).map_err(|_| Counter::NotStoredNoOutput)?;
        if data.is_empty() {
            return Err(Counter::NotStoredEmptyOutput);
        }
        let map = match &self.link.map {
            None => None,
            Some(path) => {
                let text = fs::read(self.path(path)).map_err(|_| Counter::NotStoredNoOutput)?;
                Some(mapfile::store(&text, &self.roots))
            }
        };
        let entry = LinkEntry {
            output: data,
            executable: meta.permissions().mode() & 0o111 != 0,
            map,
            stderr: Text::tokenize(&self.roots, stderr.to_vec()),
        };
        // An LTO link's output names the directory when it has debug info: then the result
        // holds for this directory only.
        let directory_key = self
            .directory_key
            .filter(|_| names_directory(&entry.output, self.req));
        let recorded_under = directory_key.as_ref().unwrap_or(&self.manifest_key);
        let key = manifest::result_key(recorded_under, &files);
        self.put(Kind::Result, &key, &entry.encode())?;
        let mut candidate = Candidate {
            files,
            absent,
            present: Vec::new(),
            target: Target::Result(key),
        };
        if let Some(directory_key) = &directory_key {
            let manifest = self.read_manifest(directory_key).unwrap_or_default();
            self.put(
                Kind::Manifest,
                directory_key,
                &manifest.with(candidate.clone()).encode(),
            )?;
            candidate.target = Target::Exact;
        }
        let manifest = self.read_manifest(&self.manifest_key).unwrap_or_default();
        self.put(
            Kind::Manifest,
            &self.manifest_key,
            &manifest.with(candidate).encode(),
        )?;
        Ok(key)
    }
}

/// Write the executable with the mode ld gives it under this process's umask.
fn write_output(path: &Path, entry: &LinkEntry) -> io::Result<()> {
    write_atomic(path, &entry.output)?;
    let base = if entry.executable { 0o777 } else { 0o666 };
    let meta = fs::metadata(path)?;
    if meta.is_file() {
        fs::set_permissions(path, fs::Permissions::from_mode(base & !umask()))?;
    }
    Ok(())
}

/// This process's umask, from `/proc/self/status` (reading it with `umask(2)` would change it
/// for a moment, for every thread); 022 where that is not available.
fn umask() -> u32 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// An object lto-wrapper wrote for this link in the temporary directory
/// (`/tmp/ccXXXXXX.ltrans0.ltrans.o`; libiberty's `make_temp_file` names start with `cc`).
fn is_lto_temporary(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.starts_with('/')
        && name.starts_with("cc")
        && name.contains(".ltrans")
        && name.ends_with(".o")
}

/// The manifest key: toolchain, `--specs` contents, arguments (paths through the roots), what
/// a map file names, the environment.
fn manifest_key(
    link: &LinkCall,
    identity: &Key,
    specs: &[Key],
    roots: &Roots,
    req: &CompileRequest,
) -> Key {
    let mut k = KeyBuilder::new("zcc-link-1");
    k.field("toolchain", identity);
    for spec in specs {
        k.field("specs", spec);
    }
    for arg in &link.key_args {
        k.field("arg", arg.text.as_bytes());
        if let Some(path) = &arg.path {
            k.field("path", roots.portable(path).as_bytes());
        }
    }
    if link.map.is_some() {
        // The map ends with `OUTPUT(<output> <format>)`.
        k.field("map_output", roots.portable(&link.output).as_bytes());
    }
    let names = key::KEYED_ENV.iter().map(|(name, _)| *name);
    for name in names.chain(LINK_ENV.iter().copied()) {
        if let Some(value) = req.var(name) {
            k.field(name, value.as_encoded_bytes());
        }
    }
    k.finish()
}

/// The manifest key of an LTO link in this working directory: debug info from an LTO link
/// records the directory (GCC's `getpwd`: `$PWD` when it names the working directory) as the
/// compilation directory. Measured: `-g -flto` firmware linked in two directories differs.
/// The output name too: lto-wrapper names the units it compiles after it.
fn directory_key(manifest_key: &Key, output: &str, req: &CompileRequest) -> Key {
    let mut k = KeyBuilder::new("zcc-link-directory-1");
    k.field("manifest", manifest_key);
    k.field("output", output.as_bytes());
    k.field("cwd", req.cwd.as_os_str().as_encoded_bytes());
    if let Some(pwd) = req.var("PWD") {
        k.field("pwd", pwd.as_encoded_bytes());
    }
    k.finish()
}

/// Whether an LTO link's output may name its working directory: it holds the last component
/// of the directory (physical or `$PWD`), or the directory is `/`. A compilation directory
/// rewritten by a prefix map either no longer depends on the directory (the whole of it was
/// mapped) or still ends with that component; so an output without it is the same in every
/// directory (measured: `-flto` firmware without `-g` linked in two directories is identical).
fn names_directory(output: &[u8], req: &CompileRequest) -> bool {
    // GCC takes `$PWD` only when it names the working directory (a stale `$PWD`, as a
    // process that changed directory without a shell passes on, is ignored).
    let pwd = req.compiler_pwd();
    [req.cwd.as_path(), pwd.as_path()]
        .into_iter()
        .any(|dir| match dir.file_name() {
            Some(name) => memchr::memmem::find(output, name.as_encoded_bytes()).is_some(),
            None => true,
        })
}

/// Content identity of the driver, the programs it runs for a compile (LTO links compile) and
/// those it runs for a link. The link programs' paths are memoized per driver identity; their
/// hashes through the stat cache.
fn toolchain_identity(compiler: &Compiler, req: &CompileRequest, memo: &Path) -> io::Result<Key> {
    let driver = compiler::identity(compiler, &[], &req.env, memo)?;
    let mut k = KeyBuilder::new("zcc-link-toolchain-1");
    k.field("driver", &driver);
    for program in link_programs(compiler, &driver, req, memo)? {
        let hash = filehash::content_hash(&program, memo)?;
        k.field(
            "program",
            program.file_name().unwrap_or_default().as_encoded_bytes(),
        );
        k.field("hash", &hash);
    }
    Ok(k.finish())
}

/// Where the driver finds its link programs (memoized per driver identity and `PATH`).
fn link_programs(
    compiler: &Compiler,
    driver: &Key,
    req: &CompileRequest,
    memo: &Path,
) -> io::Result<Vec<PathBuf>> {
    let mut k = KeyBuilder::new("zcc-link-programs-1");
    k.field("driver", driver);
    k.field("path", compiler.canonical.as_os_str().as_encoded_bytes());
    if let Some(path) = req.var("PATH") {
        k.field("PATH", path.as_encoded_bytes());
    }
    let memo_path = memo.join(format!("link-programs-{}", store::hex(&k.finish())));
    if let Some(text) = crate::memo::read(&memo_path) {
        return Ok(String::from_utf8_lossy(&text)
            .lines()
            .map(PathBuf::from)
            .collect());
    }
    let probes: &[&str] = match compiler.family {
        Family::Gcc => GCC_LINK_PROGRAMS,
        Family::Clang => &["-print-prog-name=ld"],
    };
    let mut programs = Vec::new();
    for probe in probes {
        let out = process::command_in(&compiler.path, &req.cwd, &req.env)
            .arg(probe)
            .output()?;
        let found = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let path = if found.contains('/') {
            PathBuf::from(found)
        } else {
            // A bare name is run from PATH (collect2 looks there for `ld` last).
            match which::which_in(&found, req.var("PATH"), &req.cwd) {
                Ok(p) => p,
                Err(_) => continue,
            }
        };
        if let Ok(canonical) = dunce::canonicalize(&path)
            && canonical.is_file()
        {
            programs.push(canonical);
        }
    }
    let text: String = programs
        .iter()
        .map(|p| format!("{}\n", p.display()))
        .collect();
    crate::memo::write_once(&memo_path, text.as_bytes());
    Ok(programs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lto_temporaries() {
        assert!(is_lto_temporary("/tmp/ccINUCTC.ltrans0.ltrans.o"));
        assert!(is_lto_temporary("/tmp/x/ccAB.ltrans12.ltrans.o"));
        assert!(!is_lto_temporary("build/ltrans.a"));
        assert!(!is_lto_temporary("a.o"));
        assert!(
            !is_lto_temporary("ccX.ltrans0.ltrans.o"),
            "relative: not a temporary file"
        );
        assert!(!is_lto_temporary("/w/fw.ltrans0.ltrans.o"));
    }

    #[test]
    fn directory_names_in_outputs() {
        let req = |cwd: &str, pwd: Option<&str>| CompileRequest {
            compiler: "gcc".into(),
            args: Vec::new(),
            cwd: cwd.into(),
            env: pwd.map(|p| ("PWD".into(), p.into())).into_iter().collect(),
            stderr_is_terminal: false,
        };
        let elf = b"\x7fELF...DW_AT_comp_dir /home/u/proj-7\0...";
        assert!(names_directory(elf, &req("/home/u/proj-7", None)));
        assert!(!names_directory(elf, &req("/ci/firmware", None)));
        // GCC takes $PWD when it names the directory: its last component counts too; a $PWD
        // naming another directory does not.
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real-7");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, tmp.path().join("proj-7")).unwrap();
        let linked = tmp.path().join("proj-7");
        let (real, linked) = (real.to_str().unwrap(), linked.to_str().unwrap());
        assert!(names_directory(elf, &req(real, Some(linked))));
        assert!(!names_directory(elf, &req(real, Some("/elsewhere/proj-7"))));
        // A prefix map that rewrote the parent keeps the last component.
        assert!(names_directory(
            b"/src/proj-7",
            &req("/home/u/proj-7", None)
        ));
        assert!(names_directory(b"anything", &req("/", None)));
    }

    #[test]
    fn umask_is_read() {
        assert_eq!(umask() & !0o777, 0);
    }
}
