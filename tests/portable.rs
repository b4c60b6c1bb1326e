//! Portable keys: a store filled on one machine serves another machine where the
//! workspace, HOME, the toolchain and every mtime differ (issue "Portable keys").
//!
//! The avr toolchains here are *copies* of Debian's drivers (`avr-gcc`, `avr-g++`)
//! under `<prefix>/bin`, the way PlatformIO keeps `toolchain-atmelavr` under HOME. A
//! copied driver looks for cc1, as, the device specs and the system headers relative
//! to its own location (`<prefix>/bin/../lib/gcc/avr/5.4.0/…`,
//! `<prefix>/bin/../lib/avr/…`), so each copy gets `lib/gcc` and `lib/avr` symlinks
//! to Debian's trees: the drivers move, cc1 and the headers are the same files
//! everywhere, seen through each copy's own prefix.
//!
//! Every compile runs with `PWD` = its working directory, as a shell sets it.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn s(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The counters of the store `store` (`zcc stats --json` with `ZCC_DIR=store`).
fn counters(env: &TestEnv, store: &Path) -> BTreeMap<String, u64> {
    let run = env
        .zcc(&["stats", "--json"])
        .env("ZCC_DIR", store.as_os_str())
        .run();
    assert_eq!(run.code, Some(0), "zcc stats --json: {}", run.stderr_text());
    let json: serde_json::Value = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("zcc stats --json is not JSON ({e}): {}", run.stdout_text()));
    json["counters"]
        .as_object()
        .unwrap_or_else(|| panic!("no counters object: {json}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("counter value")))
        .collect()
}

/// What changed between two counter snapshots, restricted to the documented
/// families, with `direct_hit` + `preprocessed_hit` merged into `hit`.
fn delta(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    let mut out: BTreeMap<String, u64> = BTreeMap::new();
    for (name, &n) in after {
        let d = n - before.get(name).copied().unwrap_or(0);
        if d == 0 || !COUNTER_FAMILIES.iter().any(|f| name.starts_with(f)) {
            continue;
        }
        let key = if name == "direct_hit" || name == "preprocessed_hit" {
            "hit".to_string()
        } else {
            name.clone()
        };
        *out.entry(key).or_default() += d;
    }
    out
}

fn expect(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(k, n)| (k.to_string(), *n))
        .collect()
}

/// The lines appended to the log since it was `from` bytes long.
fn log_since(env: &TestEnv, from: usize) -> String {
    let text = fs::read_to_string(&env.log).unwrap_or_default();
    text.get(from..).unwrap_or("").to_string()
}

fn log_len(env: &TestEnv) -> usize {
    fs::metadata(&env.log)
        .map(|m| m.len() as usize)
        .unwrap_or(0)
}

/// Sets the mtime of every regular file under `dir` to now (like `touch`).
fn touch_tree(dir: &Path) {
    let now = SystemTime::now();
    for rel in files_under(dir) {
        let f = fs::File::options()
            .write(true)
            .open(dir.join(&rel))
            .unwrap_or_else(|e| panic!("open {}: {e}", dir.join(&rel).display()));
        f.set_modified(now).unwrap();
    }
}

/// The real (symlink-resolved) location of a driver in PATH.
fn real_tool(name: &str) -> PathBuf {
    require_tool(name);
    find_in_path(name).unwrap().canonicalize().unwrap()
}

/// Installs copies of Debian's `avr-gcc` and `avr-g++` as `<prefix>/bin/…`, with
/// `<prefix>/lib/{gcc,avr}` symlinks to the trees the drivers look for (see the
/// module comment). Returns `<prefix>/bin`.
fn install_avr_toolchain(prefix: &Path) -> PathBuf {
    let gcc = real_tool("avr-gcc");
    let gxx = real_tool("avr-g++");
    let lib = gcc.parent().unwrap().parent().unwrap().join("lib");
    for sub in ["gcc/avr", "avr/include"] {
        assert!(
            lib.join(sub).is_dir(),
            "{} is missing",
            lib.join(sub).display()
        );
    }
    let bin = prefix.join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::create_dir_all(prefix.join("lib")).unwrap();
    fs::copy(&gcc, bin.join("avr-gcc")).unwrap();
    fs::copy(&gxx, bin.join("avr-g++")).unwrap();
    std::os::unix::fs::symlink(lib.join("gcc"), prefix.join("lib/gcc")).unwrap();
    std::os::unix::fs::symlink(lib.join("avr"), prefix.join("lib/avr")).unwrap();
    bin
}

/// Parses a make rule file: (targets, prerequisites) of every rule.
fn parse_depfile(text: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let joined = text.replace("\\\n", " ");
    joined
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (targets, prereqs) = line
                .split_once(": ")
                .or_else(|| line.strip_suffix(':').map(|t| (t, "")))
                .unwrap_or_else(|| panic!("not a make rule: {line:?}\n--- file ---\n{text}"));
            (
                targets.split_whitespace().map(String::from).collect(),
                prereqs.split_whitespace().map(String::from).collect(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The Arduino project on a "machine"
// ---------------------------------------------------------------------------

/// One machine's layout: HOME, the toolchain and the framework (PlatformIO packages, under
/// HOME unless placed elsewhere), the project (cwd of every compile) and the store.
struct Machine {
    home: PathBuf,
    proj: PathBuf,
    store: PathBuf,
    toolchain: PathBuf,
    framework: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    C,
    Cxx,
    Asm,
}

/// One compile of the build, the way PlatformIO runs it.
struct Compile {
    /// The source as named on the command line, or `FrameworkArduino/<file>` for core files.
    id: String,
    args: Vec<String>,
    /// Relative to the project.
    obj: String,
    dep: String,
}

impl Machine {
    /// Lays out a machine under `root`: HOME at `root/<home>` with the toolchain and
    /// the framework copied in, a fresh copy of the sketch at `root/<proj>`, all
    /// mtimes set to now, and an empty store directory.
    fn create(root: &Path, home: &str, proj: &str) -> Machine {
        let packages = format!("{home}/.platformio/packages");
        Machine::create_with_packages(root, home, proj, &packages, &packages)
    }

    /// [`Machine::create`] with the toolchain and the framework in the package directories
    /// `toolchains` and `frameworks` (relative to `root`), each package with PlatformIO's
    /// `package.json`.
    fn create_with_packages(
        root: &Path,
        home: &str,
        proj: &str,
        toolchains: &str,
        frameworks: &str,
    ) -> Machine {
        let m = Machine {
            home: root.join(home),
            proj: root.join(proj),
            store: root.join("zcc-store"),
            toolchain: root.join(toolchains).join("toolchain-atmelavr"),
            framework: root.join(frameworks).join("framework-arduino-avr"),
        };
        install_avr_toolchain(&m.toolchain());
        copy_tree(
            Path::new(ARDUINO_CORE),
            &m.framework().join("cores/arduino"),
        );
        copy_tree(
            Path::new(ARDUINO_VARIANT),
            &m.framework().join("variants/standard"),
        );
        copy_tree(&repo_root().join("fixtures/arduino-sketch"), &m.proj);
        let _ = fs::remove_dir_all(m.proj.join("build"));
        // A diagnostic naming a header under HOME in every compile, so that
        // replayed diagnostics must be rewritten for the machine.
        let pins = m.framework().join("variants/standard/pins_arduino.h");
        let mut text = fs::read_to_string(&pins).unwrap();
        text.push_str("\n#warning \"zcc portable test: a diagnostic in a framework header\"\n");
        fs::write(&pins, text).unwrap();
        for (dir, name) in [
            (m.toolchain(), "toolchain-atmelavr"),
            (m.framework(), "framework-arduino-avr"),
        ] {
            let manifest = format!("{{\"name\": \"{name}\", \"version\": \"1.0.0\"}}\n");
            fs::write(dir.join("package.json"), manifest).unwrap();
        }
        fs::create_dir_all(&m.home).unwrap();
        let _ = fs::remove_file(m.proj.join("Makefile"));
        assert!(m.proj.join("platformio.ini").is_file());
        fs::create_dir_all(&m.store).unwrap();
        touch_tree(&m.home);
        touch_tree(&m.proj);
        m
    }

    fn toolchain(&self) -> PathBuf {
        self.toolchain.clone()
    }

    fn framework(&self) -> PathBuf {
        self.framework.clone()
    }

    fn tool(&self, name: &str) -> String {
        s(&self.toolchain().join("bin").join(name))
    }

    /// Every compile of the build: the sketch, the library and the whole core.
    fn compiles(&self) -> Vec<Compile> {
        let core = self.framework().join("cores/arduino");
        let mut list = vec![
            (
                "src/main.cpp".to_string(),
                "src/main.cpp".to_string(),
                ".pio/build/uno/src/main.cpp.o".to_string(),
                Lang::Cxx,
            ),
            (
                "lib/Blinker/src/Blinker.cpp".to_string(),
                "lib/Blinker/src/Blinker.cpp".to_string(),
                ".pio/build/uno/lib/Blinker/Blinker.cpp.o".to_string(),
                Lang::Cxx,
            ),
        ];
        let mut names: Vec<String> = fs::read_dir(&core)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let lang = if name.ends_with(".cpp") {
                Lang::Cxx
            } else if name.ends_with(".c") {
                Lang::C
            } else if name.ends_with(".S") {
                Lang::Asm
            } else {
                continue;
            };
            list.push((
                format!("FrameworkArduino/{name}"),
                s(&core.join(&name)),
                format!(".pio/build/uno/FrameworkArduino/{name}.o"),
                lang,
            ));
        }
        list.into_iter()
            .map(|(id, source, obj, lang)| {
                let (driver, lang_flags) = match lang {
                    Lang::Cxx => ("avr-g++", UNO_CXX_FLAGS),
                    Lang::C => ("avr-gcc", UNO_C_FLAGS),
                    Lang::Asm => ("avr-gcc", UNO_ASM_FLAGS),
                };
                let mut args = vec![self.tool(driver), "-o".into(), obj.clone()];
                args.extend(lang_flags.iter().map(|f| f.to_string()));
                args.extend(UNO_FLAGS.iter().map(|f| f.to_string()));
                args.push("-MMD".into());
                args.extend(["-Iinclude", "-Isrc", "-Ilib/Blinker/src"].map(String::from));
                args.push(format!("-I{}", s(&core)));
                args.push(format!(
                    "-I{}",
                    s(&self.framework().join("variants/standard"))
                ));
                args.extend(["-c".to_string(), source]);
                let dep = format!("{}.d", obj.strip_suffix(".o").unwrap());
                Compile { id, args, obj, dep }
            })
            .collect()
    }

    /// The call for one compile, plain or through zcc with this machine's store.
    fn call(&self, env: &TestEnv, args: &[String], zcc: bool) -> Call {
        let args = strs(args);
        let call = if zcc {
            env.zcc(&args).env("ZCC_DIR", self.store.as_os_str())
        } else {
            env.plain(&args)
        };
        call.cwd(&s(&self.proj))
            .env("PWD", self.proj.as_os_str())
            .env("HOME", self.home.as_os_str())
            .timeout(Duration::from_secs(300))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The compilers without zcc, two compiles at a time.
    Plain,
    /// Through zcc, two compiles at a time.
    Zcc,
    /// Through zcc, one at a time, recording each compile's counter changes.
    ZccOneByOne,
}

/// What a build produced.
struct Build {
    /// id → (stdout, stderr) of its compile.
    output: BTreeMap<String, (Vec<u8>, Vec<u8>)>,
    /// id → dependency file content.
    deps: BTreeMap<String, String>,
    /// id → (counter changes, log lines) of its compile ([`Mode::ZccOneByOne`] only).
    outcome: BTreeMap<String, (BTreeMap<String, u64>, String)>,
    hex: Vec<u8>,
}

/// A clean build in `.pio/build/uno`: every compile, then `firmware.elf` linked
/// with the toolchain's avr-gcc and `firmware.hex` made by avr-objcopy.
fn build(env: &TestEnv, m: &Machine, mode: Mode) -> Build {
    let compiles = m.compiles();
    let _ = fs::remove_dir_all(m.proj.join(".pio"));
    for c in &compiles {
        fs::create_dir_all(m.proj.join(&c.obj).parent().unwrap()).unwrap();
    }
    let zcc = mode != Mode::Plain;
    let width = if mode == Mode::ZccOneByOne { 1 } else { 2 };
    let mut output = BTreeMap::new();
    let mut outcome = BTreeMap::new();
    let mut snapshot = if mode == Mode::ZccOneByOne {
        counters(env, &m.store)
    } else {
        BTreeMap::new()
    };
    for group in compiles.chunks(width) {
        let log_from = log_len(env);
        let running: Vec<_> = group
            .iter()
            .map(|c| (c, m.call(env, &c.args, zcc).spawn()))
            .collect();
        for (c, r) in running {
            let run = r.wait();
            if run.code != Some(0) {
                panic!(
                    "{} failed ({:?})\n--- stderr ---\n{}\n{}",
                    run.what,
                    run.code,
                    run.stderr_text(),
                    env.log_tail()
                );
            }
            output.insert(c.id.clone(), (run.stdout, run.stderr));
        }
        if mode == Mode::ZccOneByOne {
            let now = counters(env, &m.store);
            outcome.insert(
                group[0].id.clone(),
                (delta(&snapshot, &now), log_since(env, log_from)),
            );
            snapshot = now;
        }
    }
    let mut deps = BTreeMap::new();
    for c in &compiles {
        let path = m.proj.join(&c.dep);
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} ({}): no dependency file: {e}", c.id, path.display()));
        deps.insert(c.id.clone(), text);
    }
    let mut link: Vec<String> = [
        m.tool("avr-gcc").as_str(),
        "-flto",
        "-Os",
        "-mmcu=atmega328p",
        "-Wl,--gc-sections",
        "-o",
        ".pio/build/uno/firmware.elf",
    ]
    .map(String::from)
    .to_vec();
    link.extend(compiles.iter().map(|c| c.obj.clone()));
    m.call(env, &link, false).run().success();
    let objcopy: Vec<String> = [
        "avr-objcopy",
        "-O",
        "ihex",
        "-R",
        ".eeprom",
        ".pio/build/uno/firmware.elf",
        ".pio/build/uno/firmware.hex",
    ]
    .map(String::from)
    .to_vec();
    m.call(env, &objcopy, false).run().success();
    let hex = fs::read(m.proj.join(".pio/build/uno/firmware.hex")).unwrap();
    Build {
        output,
        deps,
        outcome,
        hex,
    }
}

/// Asserts that a zcc build printed and wrote what the plain build at the same
/// place did: stdout, stderr and dependency file of every compile, byte for byte.
fn assert_same_build_outputs(env: &TestEnv, what: &str, plain: &Build, cached: &Build) {
    assert_eq!(
        plain.output.keys().collect::<Vec<_>>(),
        cached.output.keys().collect::<Vec<_>>(),
        "{what}: compiles"
    );
    let mut problems = Vec::new();
    for (id, (out, err)) in &plain.output {
        let (zout, zerr) = &cached.output[id];
        if out != zout {
            problems.push(format!(
                "stdout of {id}:\n--- plain ---\n{}\n--- zcc ---\n{}",
                String::from_utf8_lossy(out),
                String::from_utf8_lossy(zout)
            ));
        }
        if err != zerr {
            problems.push(format!(
                "stderr of {id}:\n--- plain ---\n{}\n--- zcc ---\n{}",
                String::from_utf8_lossy(err),
                String::from_utf8_lossy(zerr)
            ));
        }
    }
    for (id, text) in &plain.deps {
        if *text != cached.deps[id] {
            problems.push(format!(
                "dependency file of {id}:\n--- plain ---\n{text}\n--- zcc ---\n{}",
                cached.deps[id]
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{what}: zcc differs from the plain build:\n{}\n{}",
        problems.join("\n"),
        env.log_tail()
    );
}

/// The acceptance test of the issue: a store filled on machine A, tarred and
/// restored on machine B (other workspace, other HOME, toolchain under that HOME,
/// every mtime new), hits every compile there and gives the firmware, diagnostics
/// and dependency files of an uncached build at B; after a header edit at B,
/// exactly the units that include it miss.
#[test]
fn arduino_project_store_restored_on_another_machine_hits_everything() {
    require_arduino();
    require_tool("tar");
    let env = TestEnv::new();

    // Machine A fills the store.
    let a = Machine::create(&env.root.join("A"), "home", "ws/proj");
    let n = a.compiles().len() as u64;
    assert!(n >= 20, "expected the whole core, got {n} compiles");
    let before = counters(&env, &a.store);
    build(&env, &a, Mode::Zcc);
    assert_eq!(
        delta(&before, &counters(&env, &a.store)),
        expect(&[("miss", n)]),
        "machine A: every compile should be a stored miss\n{}",
        env.log_tail()
    );

    // The CI cache: tar the store on A, untar it on B.
    let tarball = env.root.join("store.tar");
    let tar = |args: &[&str]| {
        let status = Command::new("tar").args(args).status().unwrap();
        assert!(status.success(), "tar {args:?}: {status}");
    };
    tar(&["-C", &s(&a.store), "-cf", &s(&tarball), "."]);
    let b = Machine::create(
        &env.root.join("B"),
        "users/bob",
        "some/longer/workspace/proj",
    );
    assert_ne!(s(&a.proj).len(), s(&b.proj).len());
    assert_ne!(s(&a.home).len(), s(&b.home).len());
    tar(&["-C", &s(&b.store), "-xf", &s(&tarball)]);

    // Machine B: the uncached reference, then the build from the restored store.
    let plain = build(&env, &b, Mode::Plain);
    let before = counters(&env, &b.store);
    let cached = build(&env, &b, Mode::Zcc);
    assert_eq!(
        delta(&before, &counters(&env, &b.store)),
        expect(&[("hit", n)]),
        "machine B: every compile should hit\n{}",
        env.log_tail()
    );
    assert_bytes_eq(
        "firmware.hex at B (zcc hits vs plain)",
        &plain.hex,
        &cached.hex,
    );
    assert_same_build_outputs(&env, "machine B, restored store", &plain, &cached);
    let b_framework = s(&b.framework());
    assert!(
        cached.deps.values().any(|t| t.contains(&b_framework))
            && cached
                .output
                .values()
                .any(|(_, e)| String::from_utf8_lossy(e).contains(&b_framework)),
        "the build should name headers under B's HOME in dependency files and diagnostics"
    );
    let a_root = s(&env.root.join("A"));
    for (id, text) in &cached.deps {
        assert!(
            !text.contains(&a_root),
            "dependency file of {id} at B mentions machine A ({a_root}):\n{text}"
        );
        let rules = parse_depfile(text);
        assert!(!rules.is_empty(), "empty dependency file for {id}");
        for (targets, prereqs) in rules {
            for p in targets.iter().chain(&prereqs) {
                assert!(
                    b.proj.join(p).exists(),
                    "dependency file of {id} at B names {p}, which does not exist at B:\n{text}"
                );
            }
        }
    }

    // Edit a header at B (a change that alters the code).
    let header = b.proj.join("lib/Blinker/src/Blinker.h");
    let (plain2, _) = edit_recompiles_exactly_its_includers(&env, &b, &cached, &header, &|old| {
        old.replace(
            "unsigned long toggles() const { return toggles_; }",
            "unsigned long toggles() const { return toggles_ / 2; }\n    void extra();",
        )
    });
    assert_ne!(
        plain.hex, plain2.hex,
        "the header edit should change the firmware"
    );
}

/// Edits `header` on `m` with `edit`, then builds plainly and through zcc one compile at a
/// time: exactly the units whose dependency files (in `cached`) name the header miss, the
/// others hit, and firmware, diagnostics and dependency files equal the plain build's.
/// Returns (plain, zcc) builds.
fn edit_recompiles_exactly_its_includers(
    env: &TestEnv,
    m: &Machine,
    cached: &Build,
    header: &Path,
    edit: &dyn Fn(&str) -> String,
) -> (Build, Build) {
    let n = cached.output.len();
    let old = fs::read_to_string(header).unwrap();
    let new = edit(&old);
    assert_ne!(old, new, "the header edit did not apply");
    fs::write(header, new).unwrap();
    let header_real = header.canonicalize().unwrap();
    let includers: BTreeSet<String> = cached
        .deps
        .iter()
        .filter(|(_, text)| {
            parse_depfile(text).iter().any(|(_, prereqs)| {
                prereqs
                    .iter()
                    .any(|p| m.proj.join(p).canonicalize().ok().as_ref() == Some(&header_real))
            })
        })
        .map(|(id, _)| id.clone())
        .collect();
    assert!(
        !includers.is_empty() && includers.len() < n,
        "units including {} per the dependency files: {includers:?}",
        header.display()
    );
    let plain2 = build(env, m, Mode::Plain);
    let cached2 = build(env, m, Mode::ZccOneByOne);
    let mut wrong = Vec::new();
    for (id, (d, log)) in &cached2.outcome {
        let want = if includers.contains(id) {
            expect(&[("miss", 1)])
        } else {
            expect(&[("hit", 1)])
        };
        if *d != want {
            wrong.push(format!(
                "{id}: expected {want:?}, counters changed by {d:?}; log:\n{log}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "after editing {} exactly {includers:?} should miss:\n{}",
        header.display(),
        wrong.join("\n")
    );
    assert_bytes_eq(
        "firmware.hex after the header edit (zcc vs plain)",
        &plain2.hex,
        &cached2.hex,
    );
    assert_same_build_outputs(env, "after the header edit", &plain2, &cached2);
    (plain2, cached2)
}

/// The packages sit elsewhere relative to HOME on the serving machine (another build tool's
/// package directory, a container image with toolchains in `/opt`): the framework and the
/// toolchain are found as package roots by their manifests, so a store filled with them in
/// `~/.platformio/packages` hits every compile wherever they moved, separately or together,
/// with the firmware, diagnostics and dependency files of a plain build there.
#[test]
fn arduino_store_hits_wherever_the_packages_live() {
    require_arduino();
    let env = TestEnv::new();
    let a = Machine::create(&env.root.join("A"), "home", "ws/proj");
    let n = a.compiles().len() as u64;
    build(&env, &a, Mode::Zcc);
    assert_eq!(
        delta(&BTreeMap::new(), &counters(&env, &a.store)),
        expect(&[("miss", n)]),
        "{}",
        env.log_tail()
    );
    let layouts = [
        (
            "framework",
            "home/.platformio/packages",
            "home/.cache/fbuild/packages",
        ),
        ("toolchain", "opt/toolchains", "home/.platformio/packages"),
        ("both", "opt/pio/packages", "srv/frameworks"),
    ];
    for (what, toolchains, frameworks) in layouts {
        let b = Machine::create_with_packages(
            &env.root.join(format!("B-{what}")),
            "home",
            "some/other/proj",
            toolchains,
            frameworks,
        );
        copy_tree(&a.store, &b.store);
        let plain = build(&env, &b, Mode::Plain);
        let before = counters(&env, &b.store);
        let cached = build(&env, &b, Mode::Zcc);
        assert_eq!(
            delta(&before, &counters(&env, &b.store)),
            expect(&[("hit", n)]),
            "{what} moved: every compile should hit\n{}",
            env.log_tail()
        );
        assert_bytes_eq(
            &format!("firmware.hex, {what} moved"),
            &plain.hex,
            &cached.hex,
        );
        assert_same_build_outputs(&env, &format!("{what} moved"), &plain, &cached);
        let framework = s(&b.framework());
        assert!(
            cached.deps.values().any(|t| t.contains(&framework)),
            "{what} moved: the dependency files name the framework at {framework}"
        );
        if what == "both" {
            // A framework header the C++ units include: a declaration added changes their
            // preprocessed text.
            let header = b.framework().join("cores/arduino/WString.h");
            edit_recompiles_exactly_its_includers(&env, &b, &cached, &header, &|old| {
                format!("{old}\nextern int zcc_test_edit_marker;\n")
            });
        }
    }
}

// ---------------------------------------------------------------------------
// Small projects compiled with host gcc (or avr-gcc copies)
// ---------------------------------------------------------------------------

const X_H: &str = "#pragma once\n#warning \"x.h: a diagnostic naming this header\"\n\
                   static inline int twice(int v) { return 2 * v; }\n";
const X_C: &str = "#include \"x.h\"\nint f(int v) { return twice(v) + 1; }\n";

/// `dir/src/x.c` including `x.h` from `dir/inc`, plus `dir/.git` when `marker`.
fn c_project(dir: &Path, marker: bool) {
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::create_dir_all(dir.join("inc")).unwrap();
    fs::write(dir.join("src/x.c"), X_C).unwrap();
    fs::write(dir.join("inc/x.h"), X_H).unwrap();
    if marker {
        fs::create_dir_all(dir.join(".git")).unwrap();
    }
}

/// A call in `dir` (absolute, inside `env.work`), with `PWD=dir` and `HOME` an
/// empty directory outside the work tree; zcc or plain.
fn at(env: &TestEnv, dir: &Path, args: &[String], zcc: bool) -> Call {
    let home = env.root.join("home");
    fs::create_dir_all(&home).unwrap();
    let args = strs(args);
    let call = if zcc {
        env.zcc(&args)
    } else {
        env.plain(&args)
    };
    call.cwd(&s(dir))
        .env("PWD", dir.as_os_str())
        .env("HOME", home.as_os_str())
}

/// Runs `args` plainly, then through zcc (with `zcc_env` added), in `dir`;
/// asserts identical results. Returns (plain, zcc).
fn same_as_plain_at(
    env: &TestEnv,
    dir: &Path,
    args: &[String],
    zcc_env: &[(&str, &str)],
) -> (Run, Run) {
    let plain = at(env, dir, args, false).run();
    plain.success();
    let mut call = at(env, dir, args, true);
    for (k, v) in zcc_env {
        call = call.env(k, *v);
    }
    let cached = call.run();
    env.assert_same_run(&plain, &cached);
    (plain, cached)
}

fn rel_to_work(env: &TestEnv, path: &Path) -> String {
    s(path.strip_prefix(&env.work).unwrap())
}

#[test]
fn debug_info_keys_the_working_directory_unless_a_prefix_map_covers_it() {
    require_tool("gcc");
    let env = TestEnv::new();
    let ws1 = env.work.join("one/ws");
    let ws2 = env.work.join("two/a/much/longer/ws");
    c_project(&ws1, true);
    c_project(&ws2, true);
    let obj1 = format!("{}/x.o", rel_to_work(&env, &ws1));
    let obj2 = format!("{}/x.o", rel_to_work(&env, &ws2));
    // gcc <flags(ws)> -Iinc -c src/x.c -o x.o, at ws1 then at ws2; each
    // identical to the plain compile there. Returns the two plain objects.
    let both = |flags: &dyn Fn(&Path) -> Vec<String>| -> (Vec<u8>, Vec<u8>) {
        let mut objects = Vec::new();
        for (ws, obj) in [(&ws1, &obj1), (&ws2, &obj2)] {
            let mut args = vec!["gcc".to_string()];
            args.extend(flags(ws));
            args.extend(["-Iinc", "-c", "src/x.c", "-o", "x.o"].map(String::from));
            let (plain, _) = same_as_plain_at(&env, ws, &args, &[]);
            objects.push(plain.output(obj).to_vec());
        }
        (objects.remove(0), objects.remove(0))
    };

    // Without -g the working directory is not in the object: a hit.
    both(&|_| vec!["-O1".into()]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);

    // With -g it is (DW_AT_comp_dir): the second place must miss.
    let (o1, o2) = both(&|_| vec!["-g".into(), "-O1".into()]);
    assert_ne!(o1, o2, "premise: -g objects differ between the two places");
    env.assert_counters(&[("miss", 3), ("hit", 1)]);

    // Each place maps its own workspace away: the objects are equal, so a hit.
    let (o1, o2) = both(&|ws| {
        vec![
            "-g".into(),
            "-O1".into(),
            format!("-ffile-prefix-map={}=.", s(ws)),
        ]
    });
    assert_bytes_eq("premise: -ffile-prefix-map objects", &o1, &o2);
    env.assert_counters(&[("miss", 4), ("hit", 2)]);

    let (o1, o2) = both(&|ws| {
        vec![
            "-g".into(),
            "-O1".into(),
            format!("-fdebug-prefix-map={}=.", s(ws)),
        ]
    });
    assert_bytes_eq("premise: -fdebug-prefix-map objects", &o1, &o2);
    env.assert_counters(&[("miss", 5), ("hit", 3)]);

    // A map of a directory below the working directory does not cover it.
    let (o1, o2) = both(&|ws| {
        vec![
            "-g".into(),
            "-O1".into(),
            format!("-ffile-prefix-map={}/src=src", s(ws)),
        ]
    });
    assert_ne!(o1, o2, "premise: the cwd is still in these objects");
    env.assert_counters(&[("miss", 7), ("hit", 3)]);
}

#[test]
fn compiler_identity_is_its_content_not_its_path() {
    require_arduino();
    let env = TestEnv::new();
    let ws = env.work.join("ws");
    c_project(&ws, true);
    fs::write(
        ws.join("src/x.c"),
        format!("#include <avr/io.h>\n{X_C}int g(int v) {{ PORTB = v; return PINB; }}\n"),
    )
    .unwrap();
    let tc1 = install_avr_toolchain(&env.root.join("tc1"));
    let tc2 = install_avr_toolchain(&env.root.join("elsewhere/deeper/tc2"));
    // -MD: the dependency file names the system headers, under each toolchain's prefix.
    let args = |bin: &Path| -> Vec<String> {
        let mut a = vec![s(&bin.join("avr-gcc"))];
        a.extend(
            [
                "-mmcu=atmega328p",
                "-Os",
                "-Iinc",
                "-MD",
                "-c",
                "src/x.c",
                "-o",
                "x.o",
            ]
            .map(String::from),
        );
        a
    };

    same_as_plain_at(&env, &ws, &args(&tc1), &[]);
    env.assert_counters(&[("miss", 1)]);

    // (a) The same driver, copied to another directory: a hit.
    same_as_plain_at(&env, &ws, &args(&tc2), &[]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);

    // (b) Another program at the same path (a wrapper script): a miss.
    let driver2 = tc2.join("avr-gcc");
    fs::remove_file(&driver2).unwrap();
    write_script(
        &driver2,
        &format!("#!/bin/sh\nexec {} \"$@\"\n", s(&real_tool("avr-gcc"))),
    );
    let log_from = log_len(&env);
    same_as_plain_at(&env, &ws, &args(&tc2), &[]);
    env.assert_counters(&[("miss", 2), ("hit", 1)]);
    let log = log_since(&env, log_from);
    assert!(
        log.lines()
            .any(|l| l.contains("miss src/x.c:") && l.contains("compiler")),
        "the miss should be explained by the compiler; log:\n{log}"
    );

    // (c) The first driver overwritten in place (same inode) by avr-g++, its mtime
    // put back: avr-g++ compiles x.c as C++, so serving the stored object is wrong.
    let driver1 = tc1.join("avr-gcc");
    let mtime = fs::metadata(&driver1).unwrap().modified().unwrap();
    fs::write(&driver1, fs::read(real_tool("avr-g++")).unwrap()).unwrap();
    fs::File::options()
        .write(true)
        .open(&driver1)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    same_as_plain_at(&env, &ws, &args(&tc1), &[]);
    env.assert_counters(&[("miss", 3), ("hit", 1)]);
}

/// The project at `real/proj`, reached through `link -> real/proj`. Returns
/// (link path, physical path) and the args for each (absolute `-I` through it).
fn symlinked_project(env: &TestEnv) -> [(PathBuf, Vec<String>); 2] {
    let real = env.work.join("real/proj");
    c_project(&real, true);
    let link = env.work.join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    [link, real].map(|dir| {
        let args = [
            "gcc".to_string(),
            "-Wall".into(),
            "-O1".into(),
            format!("-I{}", s(&dir.join("inc"))),
            "-MMD".into(),
            "-c".into(),
            "src/x.c".into(),
            "-o".into(),
            "x.o".into(),
        ]
        .to_vec();
        (dir, args)
    })
}

#[test]
fn symlinked_workspace_through_the_link_then_physical_hits() {
    require_tool("gcc");
    let env = TestEnv::new();
    let [(link, link_args), (real, real_args)] = symlinked_project(&env);
    same_as_plain_at(&env, &link, &link_args, &[]);
    env.assert_counters(&[("miss", 1)]);
    same_as_plain_at(&env, &real, &real_args, &[]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn symlinked_workspace_physical_then_through_the_link_hits() {
    require_tool("gcc");
    let env = TestEnv::new();
    let [(link, link_args), (real, real_args)] = symlinked_project(&env);
    same_as_plain_at(&env, &real, &real_args, &[]);
    env.assert_counters(&[("miss", 1)]);
    same_as_plain_at(&env, &link, &link_args, &[]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn log_explains_a_miss_by_arguments_or_by_the_changed_header() {
    require_tool("gcc");
    let env = TestEnv::new();
    let ws = env.work.join("ws");
    c_project(&ws, true);
    let args = |opt: &str| -> Vec<String> {
        ["gcc", opt, "-Iinc", "-c", "src/x.c", "-o", "x.o"]
            .map(String::from)
            .to_vec()
    };
    let misses_since = |from: usize| -> Vec<String> {
        log_since(&env, from)
            .lines()
            .filter(|l| l.contains("miss src/x.c:"))
            .map(String::from)
            .collect()
    };

    same_as_plain_at(&env, &ws, &args("-O1"), &[]);
    env.assert_counters(&[("miss", 1)]);

    let from = log_len(&env);
    same_as_plain_at(&env, &ws, &args("-O2"), &[]);
    env.assert_counters(&[("miss", 2)]);
    let misses = misses_since(from);
    assert!(
        misses.len() == 1 && misses[0].contains("arguments changed"),
        "one miss line saying `arguments changed` expected, got {misses:?}\n{}",
        env.log_tail()
    );

    fs::write(ws.join("inc/x.h"), X_H.replace("2 * v", "3 * v")).unwrap();
    let from = log_len(&env);
    same_as_plain_at(&env, &ws, &args("-O2"), &[]);
    env.assert_counters(&[("miss", 3)]);
    let misses = misses_since(from);
    assert!(
        misses.len() == 1 && misses[0].contains("inc/x.h") && misses[0].contains("changed"),
        "one miss line naming inc/x.h as changed expected, got {misses:?}\n{}",
        env.log_tail()
    );
}

#[test]
fn basedir_makes_unmarked_workspaces_portable() {
    require_tool("gcc");
    let env = TestEnv::new();
    let ws1 = env.work.join("first/ws");
    let ws2 = env.work.join("second/much/deeper/ws");
    c_project(&ws1, false);
    c_project(&ws2, false);
    let args = |ws: &Path| -> Vec<String> {
        [
            "gcc".to_string(),
            "-O1".into(),
            format!("-I{}", s(&ws.join("inc"))),
            "-MMD".into(),
            "-c".into(),
            "src/x.c".into(),
            "-o".into(),
            "x.o".into(),
        ]
        .to_vec()
    };

    // No marker, no ZCC_BASEDIR: the absolute -I differs, so a miss.
    same_as_plain_at(&env, &ws1, &args(&ws1), &[]);
    same_as_plain_at(&env, &ws2, &args(&ws2), &[]);
    env.assert_counters(&[("miss", 2)]);

    // Each side names its own workspace: a hit (fresh store).
    let store2 = env.root.join("store2");
    let with = |ws: &Path, basedir: &str| {
        same_as_plain_at(
            &env,
            ws,
            &args(ws),
            &[("ZCC_DIR", &s(&store2)), ("ZCC_BASEDIR", basedir)],
        );
    };
    with(&ws1, &s(&ws1));
    assert_eq!(
        delta(&BTreeMap::new(), &counters(&env, &store2)),
        expect(&[("miss", 1)]),
        "{}",
        env.log_tail()
    );
    with(&ws2, &s(&ws2));
    assert_eq!(
        delta(&BTreeMap::new(), &counters(&env, &store2)),
        expect(&[("miss", 1), ("hit", 1)]),
        "{}",
        env.log_tail()
    );
    // A `:`-separated list, each side's own workspace second: the base dir holding the
    // working directory is `@WS0` whatever its position (docs/CONFIG.md), so both calls hit
    // the entry of the first compile.
    let lists: Vec<String> = [("libs-a", &ws1), ("libs-b", &ws2)]
        .iter()
        .map(|(libs, ws)| {
            let libs = env.root.join(libs);
            fs::create_dir_all(&libs).unwrap();
            format!("{}:{}", s(&libs), s(ws))
        })
        .collect();
    with(&ws1, &lists[0]);
    with(&ws2, &lists[1]);
    assert_eq!(
        delta(&BTreeMap::new(), &counters(&env, &store2)),
        expect(&[("miss", 1), ("hit", 3)]),
        "{}",
        env.log_tail()
    );
}

#[test]
fn checkouts_under_different_base_dirs_share_entries() {
    require_tool("gcc");
    let env = TestEnv::new();
    let (base_a, base_b) = (env.work.join("base-a"), env.work.join("base-b"));
    // Each base dir holds a library; each checkout uses the library of the other base dir, at
    // another depth below its own.
    let co_a = base_a.join("co");
    let co_b = base_b.join("deeper/co");
    for dir in [&co_a, &co_b, &base_a.join("lib"), &base_b.join("lib")] {
        c_project(dir, false);
    }
    let basedir = format!("{}:{}", s(&base_a), s(&base_b));
    let compile = |co: &Path, other_base: &Path| {
        let args: Vec<String> = [
            "gcc".to_string(),
            "-O1".into(),
            format!("-I{}", s(&other_base.join("lib/inc"))),
            "-MMD".into(),
            "-c".into(),
            "src/x.c".into(),
            "-o".into(),
            "x.o".into(),
        ]
        .to_vec();
        // Objects, `.d` (naming the other base dir's header) and the warning naming it are
        // compared with the plain compile.
        same_as_plain_at(&env, co, &args, &[("ZCC_BASEDIR", &basedir)]).1
    };
    compile(&co_a, &base_b);
    env.assert_counters(&[("miss", 1)]);
    // The same ZCC_BASEDIR on both sides: the base dir holding the working directory is `@WS0`
    // in either checkout, the other one `@WS1`.
    let hit = compile(&co_b, &base_a);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    let d = String::from_utf8_lossy(hit.output(&format!("{}/x.d", rel_to_work(&env, &co_b))))
        .into_owned();
    assert!(d.contains(&s(&base_a.join("lib/inc/x.h"))), "{d}");
}

/// A working directory reached through a symlink (macOS `/var` → `/private/var`, CI
/// workspaces behind links): the compiler records `$PWD` as the compilation directory, so
/// `-fdebug-prefix-map=$PWD=.` maps it away and two such machines make identical objects.
#[test]
fn debug_build_in_a_symlinked_working_directory_with_a_pwd_map_hits() {
    require_tool("gcc");
    let env = TestEnv::new();
    let mut objects = Vec::new();
    for (real, link) in [("one/real/ws", "one/ws"), ("two/deeper/real/ws", "two/ws")] {
        let (real, link) = (env.work.join(real), env.work.join(link));
        c_project(&real, true);
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let args: Vec<String> = [
            "gcc".to_string(),
            "-g".into(),
            format!("-fdebug-prefix-map={}=.", s(&link)),
            "-O1".into(),
            "-Iinc".into(),
            "-c".into(),
            "src/x.c".into(),
            "-o".into(),
            "x.o".into(),
        ]
        .to_vec();
        // `at` runs the call in `link` with PWD=link; the process's own directory is `real`.
        let (plain, _) = same_as_plain_at(&env, &link, &args, &[]);
        objects.push(
            plain
                .output(&format!("{}/x.o", rel_to_work(&env, &real)))
                .to_vec(),
        );
    }
    assert_bytes_eq("the objects of both machines", &objects[0], &objects[1]);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
}

/// The same directory as `$PWD` through a link and as its physical path: with `-g` the
/// objects record different compilation directories, so the second call must not be served
/// the first one's object.
#[test]
fn debug_build_keys_the_working_directory_as_the_compiler_spells_it() {
    require_tool("gcc");
    let env = TestEnv::new();
    let [(link, _), (real, _)] = symlinked_project(&env);
    let args: Vec<String> = ["gcc", "-g", "-O1", "-Iinc", "-c", "src/x.c", "-o", "x.o"]
        .map(String::from)
        .to_vec();
    let object = |dir: &Path| {
        let (plain, _) = same_as_plain_at(&env, dir, &args, &[]);
        plain
            .output(&format!("{}/x.o", rel_to_work(&env, &real)))
            .to_vec()
    };
    let (through_link, physical) = (object(&link), object(&real));
    assert_ne!(
        through_link, physical,
        "gcc records $PWD as the compilation directory"
    );
    env.assert_counters(&[("miss", 2)]);
}

/// Compiles `source` (including `header` through an absolute `-I`) with `flags` in a
/// workspace, then in one at another depth, in direct and in preprocessor mode: `output`
/// names the workspace, so each compile must miss and match the plain compile byte for byte.
fn moved_workspace_misses(env: &TestEnv, header: &str, source: &str, flags: &[&str], output: &str) {
    for (mode, zcc_env) in [
        ("direct", &[][..]),
        ("preprocessor", &[("ZCC_NODIRECT", "1")][..]),
    ] {
        for ws in ["one/ws", "two/deeper/ws"] {
            let ws = env.work.join(mode).join(ws);
            c_project(&ws, true);
            fs::write(ws.join("inc/x.h"), header).unwrap();
            fs::write(ws.join("src/x.c"), source).unwrap();
            let mut args = vec!["gcc".to_string(), "-O1".into()];
            args.extend(flags.iter().map(|f| f.to_string()));
            args.extend([
                format!("-I{}", s(&ws.join("inc"))),
                "-c".into(),
                s(&ws.join("src/x.c")),
                "-o".into(),
                "x.o".into(),
            ]);
            let (plain, _) = same_as_plain_at(env, &ws, &args, zcc_env);
            let written = plain.output(&format!("{}/{output}", rel_to_work(env, &ws)));
            let path = s(&ws);
            assert!(
                written.windows(path.len()).any(|w| w == path.as_bytes()),
                "{mode}: {output} names {path}"
            );
        }
    }
    env.assert_counters(&[("miss", 4)]);
}

/// `__builtin_FILE()` is no macro: it survives preprocessing and takes its path from the line
/// markers.
#[test]
fn builtin_file_in_a_header_keeps_its_path_exact() {
    require_tool("gcc");
    let env = TestEnv::new();
    let header = "static inline const char *where(void) { return __builtin_FILE(); }\n";
    let source = "#include \"x.h\"\nconst char *f(void) { return where(); }\n";
    moved_workspace_misses(&env, header, source, &[], "x.o");
}

/// `-fsanitize=undefined` puts the source locations of its checks in the object, with the
/// paths of the source and the headers as the compiler spelled them.
#[test]
fn sanitizer_source_locations_keep_their_paths_exact() {
    require_tool("gcc");
    let env = TestEnv::new();
    let header = "static inline int shift(int a, int b) { return a << b; }\n";
    let source = "#include \"x.h\"\nint f(int a, int b) { return shift(a, b); }\n";
    moved_workspace_misses(&env, header, source, &["-fsanitize=undefined"], "x.o");
}

/// The `.su` of `-fstack-usage` names each function's file as the compiler spelled it.
#[test]
fn stack_usage_files_keep_their_paths_exact() {
    require_tool("gcc");
    let env = TestEnv::new();
    let source = "int f(int a) { volatile int x[4]; x[0] = a; return x[0]; }\n";
    moved_workspace_misses(&env, "", source, &["-fstack-usage"], "x.su");
}

/// An Arduino library (`library.properties`) installed at different places, and in the same
/// call another library of the same name: each library is its own root, found by its
/// manifest, so the compile hits wherever the libraries live, and the dependency file and
/// the warnings name each library's own files.
#[test]
fn arduino_libraries_are_roots_wherever_installed_and_never_share_a_label() {
    require_tool("gcc");
    let env = TestEnv::new();
    // Different contents: GCC's `#pragma once` takes files with equal contents for one.
    let library = |dir: &Path, header: &str| {
        fs::create_dir_all(dir.join("src")).unwrap();
        let manifest = "name=Blink Lib\nversion=1.0.0\n";
        fs::write(dir.join("library.properties"), manifest).unwrap();
        let text = X_H.replace("twice", &header.replace(".h", "_twice"));
        fs::write(dir.join("src").join(header), text).unwrap();
    };
    for (proj, first, second) in [
        (
            "A/proj",
            "A/sketchbook/libraries/BlinkLib",
            "A/vendor/BlinkLib",
        ),
        (
            "B/deeper/proj",
            "B/opt/arduino/libs/BlinkLib",
            "B/other/place/BlinkLib",
        ),
    ] {
        let proj = env.work.join(proj);
        fs::create_dir_all(proj.join("src")).unwrap();
        fs::write(proj.join("platformio.ini"), "").unwrap();
        fs::write(
            proj.join("src/x.c"),
            "#include \"x.h\"\n#include \"y.h\"\nint f(int v) { return x_twice(v) + y_twice(v); }\n",
        )
        .unwrap();
        let (first, second) = (env.work.join(first), env.work.join(second));
        library(&first, "x.h");
        library(&second, "y.h");
        let args: Vec<String> = [
            "gcc".to_string(),
            "-O1".into(),
            format!("-I{}", s(&first.join("src"))),
            format!("-I{}", s(&second.join("src"))),
            "-MMD".into(),
            "-c".into(),
            "src/x.c".into(),
            "-o".into(),
            "x.o".into(),
        ]
        .to_vec();
        // Objects, `.d` and warnings (naming both libraries' headers) equal the plain compile's.
        let (_, cached) = same_as_plain_at(&env, &proj, &args, &[]);
        let d =
            String::from_utf8_lossy(cached.output(&format!("{}/x.d", rel_to_work(&env, &proj))))
                .into_owned();
        for header in [first.join("src/x.h"), second.join("src/y.h")] {
            assert!(d.contains(&s(&header)), "{d}");
        }
    }
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
}

/// `ZCC_PORTABLE_DEBUG=1`: zcc adds `-fdebug-prefix-map=<root>=@<NAME>` for each root, so a
/// debug build's object names `@WS0`, `@HOME`, `@TC0` instead of this machine's directories
/// and hits in a workspace elsewhere; it equals a plain compile given the same maps. Off, the
/// same builds key the exact paths and miss.
#[test]
fn portable_debug_builds_hit_across_layouts_with_root_relative_paths() {
    for cc in ["gcc", "avr-gcc"] {
        require_tool(cc);
        portable_debug_builds_with(cc);
    }
}

/// [`portable_debug_builds_hit_across_layouts_with_root_relative_paths`] with compiler `cc`.
fn portable_debug_builds_with(cc: &str) {
    let env = TestEnv::new();
    let home = env.root.join("home");
    let args = |ws: &Path| -> Vec<String> {
        [cc, "-g", "-O1"]
            .map(String::from)
            .into_iter()
            .chain([format!("-I{}", s(&ws.join("inc")))])
            .chain(["-c", "src/x.c", "-o", "x.o"].map(String::from))
            .collect()
    };
    let mut objects = Vec::new();
    for (i, ws) in ["one/ws", "two/much/deeper/ws"].into_iter().enumerate() {
        let ws = env.work.join(ws);
        c_project(&ws, true);
        // Off: exact paths, so the second workspace misses.
        same_as_plain_at(&env, &ws, &args(&ws), &[]);
        env.assert_counters(&[("miss", 2 * i as u64 + 1)]);
        // On: the plain compile with the maps zcc adds (the compilers' prefix is /usr).
        let mut mapped = vec![cc.to_string()];
        for (dir, token) in [
            (&ws, "@WS0"),
            (&home, "@HOME"),
            (&PathBuf::from("/usr"), "@TC0"),
        ] {
            mapped.push(format!("-fdebug-prefix-map={}={token}", s(dir)));
        }
        mapped.extend(args(&ws).into_iter().skip(1));
        let plain = at(&env, &ws, &mapped, false).run();
        plain.success();
        let cached = at(&env, &ws, &args(&ws), true)
            .env("ZCC_PORTABLE_DEBUG", "1")
            .run();
        env.assert_same_run(&plain, &cached);
        let object = cached
            .output(&format!("{}/x.o", rel_to_work(&env, &ws)))
            .to_vec();
        let contains = |needle: &str| object.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(
            contains("@WS0") && !contains(&s(&ws)),
            "{cc}: the object names @WS0, not {}",
            s(&ws)
        );
        objects.push(object);
    }
    assert_bytes_eq("the portable debug objects", &objects[0], &objects[1]);
    // Off: two misses; on: a miss, then a hit in the other workspace.
    env.assert_counters(&[("miss", 3), ("direct_hit", 1)]);
}

// ---------------------------------------------------------------------------
// One input named several ways
// ---------------------------------------------------------------------------

/// `ws/` (a git checkout) with `src/t.c` including `x.h` next to it and `a.h` from `inc/`,
/// `source` as `src/t.c`; each file has a warning in it. `sub/` is an empty directory, for
/// `sub/../src/t.c`.
fn spelled_project(env: &TestEnv, source: &str) -> PathBuf {
    let ws = env.mkdir("ws");
    env.mkdir("ws/.git");
    env.mkdir("ws/sub");
    env.write("ws/src/t.c", source);
    env.write(
        "ws/src/x.h",
        "static int g(void) { int unused_in_header; return 1; }\n",
    );
    env.write("ws/inc/a.h", "#define A 2\n");
    ws
}

const SPELLED_SOURCE: &str =
    "#include \"x.h\"\n#include <a.h>\nint f(int y) { int unused; return y + A + g(); }\n";

/// The ways one call may name `ws/src/t.c`: relative, absolute, `./`, through `sub/..`.
fn spellings(ws: &Path) -> Vec<String> {
    vec![
        "src/t.c".into(),
        format!("{}/src/t.c", s(ws)),
        "./src/t.c".into(),
        "sub/../src/t.c".into(),
    ]
}

/// Compiles `ws/src/t.c` under each spelling, plainly and through zcc, in `ws/`; asserts
/// identical results (object, dependency file, stdout, stderr) and returns the counters'
/// change of each zcc run.
fn compile_each_spelling(
    env: &TestEnv,
    ws: &Path,
    cc: &str,
    flags: &[&str],
    zcc_env: &[(&str, &str)],
) -> Vec<BTreeMap<String, u64>> {
    spellings(ws)
        .iter()
        .map(|input| {
            let mut args: Vec<String> = vec![cc.into()];
            args.extend(flags.iter().map(|f| f.to_string()));
            args.extend(["-Iinc", "-c", input, "-o", "build/t.o"].map(String::from));
            fs::create_dir_all(ws.join("build")).unwrap();
            let before = counters(env, &env.store);
            same_as_plain_at(env, ws, &args, zcc_env);
            delta(&before, &counters(env, &env.store))
        })
        .collect()
}

/// The hits (direct or preprocessed) of each run of [`compile_each_spelling`].
fn hits_of(runs: &[BTreeMap<String, u64>]) -> Vec<u64> {
    runs.iter().map(|r| *r.get("hit").unwrap_or(&0)).collect()
}

/// The compilers to try: gcc, avr-gcc, and clang where installed.
fn spelling_compilers() -> Vec<&'static str> {
    require_tool("gcc");
    ["gcc", "avr-gcc", "clang"]
        .into_iter()
        .filter(|cc| find_in_path(cc).is_some())
        .collect()
}

#[test]
fn one_input_named_several_ways_shares_one_entry() {
    for cc in spelling_compilers() {
        for flags in [
            &["-Wall"][..],
            &["-Wall", "-MD"],
            &["-Wall", "-MMD", "-MP"],
            &[
                "-Wall",
                "-MD",
                "-MF",
                "build/deps.d",
                "-fdiagnostics-color=always",
            ],
            // Include directories that could name files like `src/`: nothing found there.
            &["-Wall", "-I.", "-MD"],
            &["-Wall", "-Isrc", "-MMD"],
        ] {
            let env = TestEnv::new();
            let ws = spelled_project(&env, SPELLED_SOURCE);
            let runs = compile_each_spelling(&env, &ws, cc, flags, &[]);
            let what = format!("{cc} {flags:?}");
            let hits = hits_of(&runs);
            // Clang may name `x.h`, found next to `src/t.c`, through `-Isrc`: the relative
            // spelling's entry is kept for it, the absolute one's serves the others.
            let want = if cc == "clang" && flags.contains(&"-Isrc") {
                [0, 0, 1, 1]
            } else {
                [0, 1, 1, 1]
            };
            assert_eq!(hits, want, "{what}: {runs:?}");
            assert_eq!(runs.iter().map(|r| r.values().sum::<u64>()).max(), Some(1));
        }
    }
}

#[test]
fn the_file_macro_keeps_each_spelling_apart_and_right() {
    for cc in spelling_compilers() {
        for source in [
            // In the source itself.
            "const char *where = __FILE__;\nint f(void) { return 1; }\n",
            // From a header: `assert` expands `__FILE__` where it is used (avr-libc's only
            // with `__ASSERT_USE_STDERR`; without it the objects are the same and share).
            "#include <assert.h>\nint f(int y) { assert(y); return y; }\n",
        ] {
            let env = TestEnv::new();
            let ws = spelled_project(&env, source);
            let runs = compile_each_spelling(&env, &ws, cc, &["-MD", "-D__ASSERT_USE_STDERR"], &[]);
            for (run, input) in runs.iter().zip(&spellings(&ws)) {
                assert_eq!(run.get("miss"), Some(&1), "{cc} {input}: {run:?}");
            }
        }
    }
}

#[test]
fn the_file_macro_outside_the_input_directory_shares() {
    for cc in spelling_compilers() {
        let env = TestEnv::new();
        let ws = spelled_project(&env, SPELLED_SOURCE);
        // `inc/a.h` is found through `-Iinc`: its `__FILE__` is `inc/a.h` for every spelling.
        env.write(
            "ws/inc/a.h",
            "#define A 2\nstatic const char *where_a = __FILE__;\n\
             static inline const char *a_file(void) { return where_a; }\n",
        );
        let runs = compile_each_spelling(&env, &ws, cc, &["-Wall", "-MD"], &[]);
        assert_eq!(runs[0], expect(&[("miss", 1)]), "{cc}");
        for (run, input) in runs[1..].iter().zip(&spellings(&ws)[1..]) {
            assert_eq!(run, &expect(&[("hit", 1)]), "{cc}: {input}");
        }
    }
}

#[test]
fn debug_info_keeps_each_spelling_apart_and_right() {
    for cc in spelling_compilers() {
        for portable in [false, true] {
            let env = TestEnv::new();
            let ws = spelled_project(&env, SPELLED_SOURCE);
            let flags: &[&str] = &["-g", "-MD"];
            let runs: Vec<BTreeMap<String, u64>> = spellings(&ws)
                .iter()
                .map(|input| {
                    let mut args: Vec<String> = vec![cc.into()];
                    args.extend(flags.iter().map(|f| f.to_string()));
                    args.extend(["-Iinc", "-c", input, "-o", "build/t.o"].map(String::from));
                    fs::create_dir_all(ws.join("build")).unwrap();
                    let before = counters(&env, &env.store);
                    let zcc_env: &[(&str, &str)] = if portable {
                        &[("ZCC_PORTABLE_DEBUG", "1")]
                    } else {
                        &[]
                    };
                    let plain = at(&env, &ws, &args, false).run();
                    let mut call = at(&env, &ws, &args, true);
                    for (k, v) in zcc_env {
                        call = call.env(k, *v);
                    }
                    let cached = call.run();
                    if !portable {
                        env.assert_same_run(&plain, &cached);
                    }
                    delta(&before, &counters(&env, &env.store))
                })
                .collect();
            for (run, input) in runs.iter().zip(&spellings(&ws)) {
                assert_eq!(
                    run.get("miss"),
                    Some(&1),
                    "{cc} {input} {portable}: {run:?}"
                );
            }
        }
    }
}

#[test]
fn a_diagnostic_quoting_the_name_keeps_its_entry_for_its_spelling() {
    for cc in spelling_compilers() {
        let env = TestEnv::new();
        let source = "#warning \"src/t.c is named here\"\nint f(void) { return 1; }\n";
        let ws = spelled_project(&env, source);
        let runs = compile_each_spelling(&env, &ws, cc, &["-MD"], &[]);
        // The message names `src/`: stored for `src/t.c` only. The absolute spelling's
        // message does not show its directory (`/…/ws/src/`): its entry serves every spelling.
        let hits = hits_of(&runs);
        assert_eq!(hits, [0, 0, 1, 1], "{cc}: {runs:?}");
    }
}

#[test]
fn a_header_an_include_directory_finds_next_to_the_input_keeps_the_spelling() {
    for cc in spelling_compilers() {
        for source in [
            // `<x.h>` through `-Isrc`: for `src/t.c` the name `src/x.h` reads like one found
            // next to the input, which it is not (`/…/src/t.c` also writes `src/x.h`).
            "#include <x.h>\nint f(void) { return g(); }\n",
            // `y.h` next to the input, and again from `inc/z.h` through `-Isrc`: GCC lists
            // `src/y.h` twice for `src/t.c`, `/…/src/y.h` and `src/y.h` for `/…/src/t.c`.
            "#include \"y.h\"\n#include <z.h>\nint f(void) { return Y + Z; }\n",
        ] {
            let env = TestEnv::new();
            let ws = spelled_project(&env, source);
            env.write(
                "ws/src/y.h",
                "#ifndef Y_H\n#define Y_H\n#define Y 1\n#endif\n",
            );
            env.write("ws/inc/z.h", "#include \"y.h\"\n#define Z 2\n");
            let runs = compile_each_spelling(&env, &ws, cc, &["-Wall", "-Isrc", "-MD"], &[]);
            // Kept for `src/t.c`; the absolute spelling's entry serves the others.
            let hits = hits_of(&runs);
            assert_eq!(hits, [0, 0, 1, 1], "{cc}: {source}: {runs:?}");
        }
    }
}

#[test]
fn preprocessor_mode_keeps_entries_for_their_spelling() {
    for cc in spelling_compilers() {
        let env = TestEnv::new();
        let ws = spelled_project(&env, SPELLED_SOURCE);
        // The key holds the line markers spelled like the input; with no include facts to
        // trace names with, each entry stays with the spelling that stored it.
        let nodirect = [("ZCC_NODIRECT", "1")];
        let runs = compile_each_spelling(&env, &ws, cc, &["-Wall", "-MD"], &nodirect);
        for (run, input) in runs.iter().zip(&spellings(&ws)) {
            assert_eq!(run, &expect(&[("miss", 1)]), "{cc}: {input}");
        }
        // The last spelling again: the entry it stored.
        let args: Vec<String> = [
            "-Wall",
            "-MD",
            "-Iinc",
            "-c",
            "sub/../src/t.c",
            "-o",
            "build/t.o",
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        let args = [vec![cc.to_string()], args].concat();
        let before = counters(&env, &env.store);
        same_as_plain_at(&env, &ws, &args, &nodirect);
        assert_eq!(
            delta(&before, &counters(&env, &env.store)),
            expect(&[("hit", 1)]),
            "{cc}"
        );
    }
}

#[test]
fn a_dotdot_after_a_symlink_is_another_file() {
    require_tool("gcc");
    let env = TestEnv::new();
    let ws = spelled_project(&env, SPELLED_SOURCE);
    // `link/..` is `deep/`, whose `src/` has the same `t.c` and another `x.h`.
    env.write("ws/deep/src/t.c", SPELLED_SOURCE);
    env.write("ws/deep/src/x.h", "static int g(void) { return 7; }\n");
    env.mkdir("ws/deep/inner");
    std::os::unix::fs::symlink(ws.join("deep/inner"), ws.join("link")).unwrap();
    fs::create_dir_all(ws.join("build")).unwrap();
    for (input, want) in [
        ("src/t.c", expect(&[("miss", 1)])),
        ("link/../src/t.c", expect(&[("miss", 1)])),
        ("sub/../src/t.c", expect(&[("hit", 1)])),
    ] {
        let args: Vec<String> = ["gcc", "-MD", "-Iinc", "-c", input, "-o", "build/t.o"]
            .map(String::from)
            .to_vec();
        let before = counters(&env, &env.store);
        same_as_plain_at(&env, &ws, &args, &[]);
        assert_eq!(delta(&before, &counters(&env, &env.store)), want, "{input}");
    }
}

#[test]
fn spellings_share_across_workspaces_and_the_headers_still_decide() {
    require_tool("gcc");
    let env = TestEnv::new();
    let ws = spelled_project(&env, SPELLED_SOURCE);
    // A second checkout in `deeper/other`, its workspace root `deeper/` (which has a
    // `src/` of its own, as the first had): the names of the first compile's candidates
    // must lead to `deeper/other/src/x.h`, which is edited later.
    let other = env.work.join("deeper/other");
    copy_tree(&ws, &other);
    fs::remove_dir_all(other.join(".git")).unwrap();
    env.mkdir("deeper/.git");
    env.write("deeper/src/x.h", env.read("ws/src/x.h"));
    env.write("deeper/src/t.c", SPELLED_SOURCE);
    let compile = |dir: &Path, input: &str| {
        fs::create_dir_all(dir.join("build")).unwrap();
        let args: Vec<String> = [
            "gcc",
            "-Wall",
            "-MD",
            "-Iinc",
            "-c",
            input,
            "-o",
            "build/t.o",
        ]
        .map(String::from)
        .to_vec();
        let before = counters(&env, &env.store);
        same_as_plain_at(&env, dir, &args, &[]);
        delta(&before, &counters(&env, &env.store))
    };
    let absolute = format!("{}/src/t.c", s(&ws));
    assert_eq!(compile(&ws, &absolute), expect(&[("miss", 1)]));
    // The relative spelling in the other checkout: the absolute one's entry, rendered.
    assert_eq!(compile(&other, "./src/t.c"), expect(&[("hit", 1)]));
    // `src/x.h` there changes: the candidate names it through the input's directory, so the
    // other checkout's own header decides, whatever the spelling.
    fs::write(
        other.join("src/x.h"),
        "static int g(void) { int unused_in_header; return 5; }\n",
    )
    .unwrap();
    let absolute_other = format!("{}/src/t.c", s(&other));
    assert_eq!(compile(&other, &absolute_other)["miss"], 1);
    assert_eq!(compile(&ws, "src/t.c"), expect(&[("hit", 1)]));
}
