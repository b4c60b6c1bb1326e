//! PlatformIO through zcc's hook (`zcc platformio-script`, docs/INTEGRATIONS.md), with the
//! real `pio` (PyPI platformio 6.2.0 and SCons 4.11.1; `bash .ci/run` installs them and sets
//! `ZCC_TEST_PIO`), fully offline.
//!
//! Each test lays out one or more "machines" inside its temporary directory, the way
//! PlatformIO lays out a user's HOME:
//! - `<home>/.platformio` is `PLATFORMIO_CORE_DIR`, seeded with a `tool-scons` package that
//!   runs the venv's SCons (its `.piopm` names owner `platformio`, or PlatformIO would try to
//!   download it);
//! - `<home>/pio-pkgs/toolchain-atmelavr` holds `bin/avr-*` symlinks to Debian's gcc-avr and
//!   `<home>/pio-pkgs/framework-arduino-avr` symlinks Debian's arduino-core-avr; the project
//!   names both with `symlink://`;
//! - `<home>/pio-pkgs/platform-zccavr` is a copy of `fixtures/platformio/platform`, a tiny
//!   development platform that builds the Arduino core with platform-atmelavr's flags.
//!
//! The project is `fixtures/platformio/project` (a sketch using `Wire`, a framework library)
//! plus `lib/Blinker` and `include/` from `fixtures/arduino-sketch`. Telemetry and the upgrade check are off, so
//! `pio` opens no connection.

mod common;
use common::*;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

/// The `pio` to run: `ZCC_TEST_PIO`, else `pio` in `PATH`. Never skips.
fn pio_program() -> PathBuf {
    if let Some(path) = std::env::var_os("ZCC_TEST_PIO").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "ZCC_TEST_PIO={} is not a file; `bash .ci/run` creates the PlatformIO venv",
            path.display()
        );
        return path;
    }
    find_in_path("pio").unwrap_or_else(|| {
        panic!(
            "PlatformIO's `pio` not found: set ZCC_TEST_PIO=/path/to/venv/bin/pio or put pio in \
             PATH; `bash .ci/run` creates the venv (pip install platformio==6.2.0 scons==4.11.1)"
        )
    })
}

/// One machine's PlatformIO setup (see the module comment).
struct Machine {
    home: PathBuf,
    core: PathBuf,
    pkgs: PathBuf,
    /// The hook, written by `zcc platformio-script --output`.
    hook: PathBuf,
}

impl Machine {
    /// Lays out a machine with HOME at `home` and writes the hook with `zcc` (the binary
    /// under test unless given another copy).
    fn new(home: &Path, zcc: &Path) -> Machine {
        require_arduino();
        let core = home.join(".platformio");
        let pkgs = home.join("pio-pkgs");
        let scons = core.join("packages/tool-scons");
        fs::create_dir_all(&scons).unwrap();
        fs::write(
            scons.join("scons.py"),
            "import sys\nfrom SCons.Script.Main import main\nsys.exit(main())\n",
        )
        .unwrap();
        fs::write(
            scons.join("package.json"),
            r#"{"name": "tool-scons", "version": "4.41101.0"}"#,
        )
        .unwrap();
        fs::write(
            scons.join(".piopm"),
            r#"{"type": "tool", "name": "tool-scons", "version": "4.41101.0", "spec": {"owner": "platformio", "id": null, "name": "tool-scons", "requirements": null, "uri": null}}"#,
        )
        .unwrap();

        let toolchain = pkgs.join("toolchain-atmelavr");
        fs::create_dir_all(toolchain.join("bin")).unwrap();
        for entry in fs::read_dir("/usr/bin").unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().starts_with("avr-") {
                std::os::unix::fs::symlink(
                    entry.path(),
                    toolchain.join("bin").join(entry.file_name()),
                )
                .unwrap();
            }
        }
        fs::write(
            toolchain.join("package.json"),
            r#"{"name": "toolchain-atmelavr", "version": "1.50400.0"}"#,
        )
        .unwrap();

        let framework = pkgs.join("framework-arduino-avr");
        fs::create_dir_all(&framework).unwrap();
        let arduino = Path::new(ARDUINO_CORE).parent().unwrap().parent().unwrap();
        for dir in ["cores", "variants", "libraries"] {
            std::os::unix::fs::symlink(arduino.join(dir), framework.join(dir)).unwrap();
        }
        fs::write(
            framework.join("package.json"),
            r#"{"name": "framework-arduino-avr", "version": "1.8.7"}"#,
        )
        .unwrap();

        copy_tree(
            &repo_root().join("fixtures/platformio/platform"),
            &pkgs.join("platform-zccavr"),
        );

        let hook = home.join("zcc-hook/zcc_pio.py");
        let run = std::process::Command::new(zcc)
            .arg("platformio-script")
            .arg("--output")
            .arg(&hook)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "zcc platformio-script --output failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        Machine {
            home: home.to_path_buf(),
            core,
            pkgs,
            hook,
        }
    }

    /// A copy of the fixture project at `dir`; with `hook`, its platformio.ini names the hook
    /// in `extra_scripts`.
    fn project(&self, dir: &Path, hook: bool) -> PathBuf {
        let scripts: &[&Path] = if hook { &[&self.hook] } else { &[] };
        self.project_with_scripts(dir, scripts)
    }

    /// A copy of the fixture project at `dir` whose platformio.ini has these `pre:` scripts.
    fn project_with_scripts(&self, dir: &Path, scripts: &[&Path]) -> PathBuf {
        copy_tree(&repo_root().join("fixtures/platformio/project"), dir);
        // The library and the config header are the Makefile sketch's.
        let sketch = repo_root().join("fixtures/arduino-sketch");
        for shared in ["include", "lib"] {
            copy_tree(&sketch.join(shared), &dir.join(shared));
        }
        let mut ini = format!(
            "[env:uno]\nplatform = symlink://{pkgs}/platform-zccavr\nboard = uno\n\
             framework = arduino\nplatform_packages =\n    \
             toolchain-atmelavr@symlink://{pkgs}/toolchain-atmelavr\n    \
             framework-arduino-avr@symlink://{pkgs}/framework-arduino-avr\n",
            pkgs = self.pkgs.display()
        );
        if !scripts.is_empty() {
            ini.push_str("extra_scripts =\n");
            for script in scripts {
                ini.push_str(&format!("    pre:{}\n", script.display()));
            }
        }
        fs::write(dir.join("platformio.ini"), ini).unwrap();
        dir.to_path_buf()
    }

    /// `pio <args>` in `project` with this machine's HOME and core dir, telemetry and the
    /// upgrade check off, zcc's store and log from `env`, and no inherited PLATFORMIO_* or
    /// `ZCC` (the hook's override).
    fn pio(&self, env: &TestEnv, project: &Path, args: &[&str]) -> Call {
        let mut call = env.call(&pio_program(), args);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("PLATFORMIO_") || key == "ZCC" {
                call.cmd.env_remove(&key);
            }
        }
        call.cmd
            .current_dir(project)
            .env("HOME", &self.home)
            .env("PLATFORMIO_CORE_DIR", &self.core)
            .env("PLATFORMIO_SETTING_ENABLE_TELEMETRY", "No")
            .env("PLATFORMIO_DISABLE_UPGRADE_CHECK", "true");
        env.zcc_env(&mut call.cmd);
        call
    }

    /// `pio run [-t clean]`, asserting success; returns the run.
    fn run(&self, env: &TestEnv, project: &Path, extra: &[(&str, &OsStr)]) -> Run {
        let mut call = self.pio(env, project, &["run"]);
        for (key, value) in extra {
            call = call.env(key, *value);
        }
        let run = call.spawn().wait();
        assert_pio_ok(&run);
        run
    }

    fn clean(&self, env: &TestEnv, project: &Path) {
        let run = self
            .pio(env, project, &["run", "-t", "clean"])
            .spawn()
            .wait();
        assert_pio_ok(&run);
        assert!(
            !project.join(".pio/build/uno/src/main.cpp.o").exists(),
            "pio run -t clean left the objects"
        );
    }
}

fn assert_pio_ok(run: &Run) {
    assert_eq!(
        run.code,
        Some(0),
        "{} failed\n--- stdout ---\n{}\n--- stderr ---\n{}",
        run.what,
        run.stdout_text(),
        run.stderr_text()
    );
}

/// How many compiles `pio run` reported (`Compiling .pio/build/…` lines).
fn compiles(run: &Run) -> u64 {
    run.stdout_text()
        .lines()
        .filter(|l| l.starts_with("Compiling "))
        .count() as u64
}

/// The built firmware: (program.elf, program.hex).
fn firmware(project: &Path) -> (Vec<u8>, Vec<u8>) {
    let build = project.join(".pio/build/uno");
    let read = |name: &str| {
        fs::read(build.join(name)).unwrap_or_else(|e| panic!("read {name} in {build:?}: {e}"))
    };
    (read("program.elf"), read("program.hex"))
}

fn assert_same_firmware(what: &str, expected: &(Vec<u8>, Vec<u8>), actual: &(Vec<u8>, Vec<u8>)) {
    assert!(expected.0 == actual.0, "{what}: program.elf differs");
    assert_bytes_eq(&format!("{what}: program.hex"), &expected.1, &actual.1);
}

fn sorted_lines(text: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = String::from_utf8_lossy(text)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// The number of objects the build wrote (every compile writes one).
fn objects(project: &Path) -> u64 {
    files_under(&project.join(".pio/build/uno"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "o"))
        .count() as u64
}

/// The arduino core, Wire (twi.c, Wire.cpp), lib/Blinker and src/main.cpp: at least this many.
const AT_LEAST_COMPILES: u64 = 25;

/// [`compiles`] of a build of the whole project, asserting it compiled at least the core.
fn whole_build_compiles(run: &Run) -> u64 {
    let n = compiles(run);
    assert!(
        n >= AT_LEAST_COMPILES,
        "only {n} compiles:\n{}",
        run.stdout_text()
    );
    n
}

#[test]
fn clean_rebuild_is_all_hits_and_firmware_matches_a_build_without_zcc() {
    let env = TestEnv::new();
    let m = Machine::new(&env.path("home"), Path::new(ZCC));

    // Reference: the same project without the hook; zcc never runs.
    let plain = m.project(&env.path("plain/proj"), false);
    let run = m.run(&env, &plain, &[]);
    let n = whole_build_compiles(&run);
    let reference = firmware(&plain);
    env.assert_counters(&[]);

    let proj = m.project(&env.path("work/proj"), true);
    let first = m.run(&env, &proj, &[]);
    assert_eq!(compiles(&first), n);
    assert_eq!(objects(&proj), n);
    // Every compile went through zcc and missed, and so did the link.
    env.assert_counters(&[("miss", n), ("link_miss", 1)]);
    assert_same_firmware("first build with zcc", &reference, &firmware(&proj));

    m.clean(&env, &proj);
    let second = m.run(&env, &proj, &[]);
    assert_eq!(compiles(&second), n);
    assert_eq!(objects(&proj), n);
    env.assert_counters(&[("miss", n), ("hit", n), ("link_miss", 1), ("link_hit", 1)]);
    assert_same_firmware("rebuild from hits", &reference, &firmware(&proj));
    // Hits replay the compiler's warnings (Debian's twi.c has some); parallel jobs may
    // interleave them in another order.
    assert!(
        first.stderr_text().contains("warning"),
        "no warnings to compare"
    );
    assert_eq!(sorted_lines(&first.stderr), sorted_lines(&second.stderr));

    // ZCC_DISABLE=1 turns the hook off: zcc is not called at all.
    m.clean(&env, &proj);
    let disabled = m.run(&env, &proj, &[("ZCC_DISABLE", OsStr::new("1"))]);
    assert_eq!(compiles(&disabled), n);
    env.assert_counters(&[("miss", n), ("hit", n), ("link_miss", 1), ("link_hit", 1)]);
    assert_same_firmware("build with ZCC_DISABLE=1", &reference, &firmware(&proj));
}

#[test]
fn extra_scripts_from_the_environment_route_an_unmodified_project_via_an_odd_zcc_path() {
    let env = TestEnv::new();
    // A zcc whose path needs quoting in both Python and the shell SCons runs commands with.
    let odd_dir = env.path("tools/it's a \"zcc\" $HOME `dir`");
    fs::create_dir_all(&odd_dir).unwrap();
    let odd_zcc = odd_dir.join("zcc");
    fs::copy(ZCC, &odd_zcc).unwrap();
    let m = Machine::new(&env.path("home"), &odd_zcc);
    let script = fs::read_to_string(&m.hook).unwrap();
    assert!(
        script.contains(&format!(
            "ZCC_PATH = \"{}\"\n",
            odd_zcc.display().to_string().replace('"', "\\\"")
        )),
        "the hook does not name the zcc that wrote it"
    );

    let proj = m.project(&env.path("work/proj"), false);
    let hook_spec = format!("pre:{}", m.hook.display());
    let extra = [("PLATFORMIO_EXTRA_SCRIPTS", OsStr::new(&hook_spec))];
    let first = m.run(&env, &proj, &extra);
    let n = whole_build_compiles(&first);
    env.assert_counters(&[("miss", n), ("link_miss", 1)]);
    let built = firmware(&proj);

    m.clean(&env, &proj);
    m.run(&env, &proj, &extra);
    env.assert_counters(&[("miss", n), ("hit", n), ("link_miss", 1), ("link_hit", 1)]);
    assert_same_firmware("rebuild from hits", &built, &firmware(&proj));
}

#[test]
fn moved_project_on_another_machine_layout_is_all_hits() {
    let env = TestEnv::new();
    let a = Machine::new(&env.path("a/home"), Path::new(ZCC));
    let proj_a = a.project(&env.path("a/work/proj"), true);
    let first = a.run(&env, &proj_a, &[]);
    let n = whole_build_compiles(&first);
    env.assert_counters(&[("miss", n), ("link_miss", 1)]);

    // Another HOME, core dir and project path (of other lengths), the same store.
    let b = Machine::new(&env.path("b/users/someone-else"), Path::new(ZCC));
    let proj_b = b.project(&env.path("b/ci/builds/job-1234/firmware"), true);
    let second = b.run(&env, &proj_b, &[]);
    assert_eq!(compiles(&second), n);
    // PlatformIO names library build directories after a hash of the library's path
    // (`.pio/build/uno/lib852/libWire.a`): the link's arguments differ, the link misses.
    env.assert_counters(&[("miss", n), ("hit", n), ("link_miss", 2)]);
    assert_same_firmware("moved build", &firmware(&proj_a), &firmware(&proj_b));
    // Warnings name this machine's files.
    let warnings = second.stderr_text();
    assert!(
        warnings.contains(&b.pkgs.display().to_string())
            && !warnings.contains(&a.pkgs.display().to_string()),
        "replayed warnings should name machine b's paths:\n{warnings}"
    );
}

#[test]
fn hook_given_twice_calls_zcc_once_per_compiler_call_and_zcc_env_overrides_the_path() {
    let env = TestEnv::new();
    let m = Machine::new(&env.path("home"), Path::new(ZCC));
    // ZCC names a logging wrapper: it records its argv, then runs the real zcc.
    let calls = env.path("zcc-calls.txt");
    let wrapper = env.path("bin/zcc-logged");
    write_script(
        &wrapper,
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            calls.display(),
            ZCC
        ),
    );

    // The hook both in platformio.ini and in the environment.
    let proj = m.project(&env.path("work/proj"), true);
    let hook_spec = format!("pre:{}", m.hook.display());
    let run = m.run(
        &env,
        &proj,
        &[
            ("PLATFORMIO_EXTRA_SCRIPTS", OsStr::new(&hook_spec)),
            ("ZCC", wrapper.as_os_str()),
        ],
    );
    let n = whole_build_compiles(&run);
    let logged = fs::read_to_string(&calls).expect("the ZCC wrapper was never called");
    let lines: Vec<&str> = logged.lines().collect();
    // Every compile and the link (both run the driver), each exactly once, never `zcc zcc`.
    assert_eq!(lines.len() as u64, n + 1, "calls:\n{logged}");
    for line in &lines {
        assert!(
            line.starts_with("avr-gcc ") || line.starts_with("avr-g++ "),
            "zcc called with {line}"
        );
    }
    assert_eq!(
        lines.iter().filter(|l| l.contains(" -c ")).count() as u64,
        n,
        "calls:\n{logged}"
    );
    env.assert_counters(&[("miss", n), ("link_miss", 1)]);
}

#[test]
fn long_command_lines_in_response_files_are_cached() {
    let env = TestEnv::new();
    let m = Machine::new(&env.path("home"), Path::new(ZCC));
    let long = repo_root().join("fixtures/platformio/long_commands.py");
    let proj = m.project_with_scripts(&env.path("work/proj"), &[&m.hook, &long]);
    let verbose = m.pio(&env, &proj, &["run", "-v"]).spawn().wait();
    assert_pio_ok(&verbose);
    // `pio run -v` prints each command line, then the response-file form SCons runs.
    let n = objects(&proj);
    assert!(n >= AT_LEAST_COMPILES, "only {n} objects");
    let response_file_calls = verbose
        .stdout_text()
        .lines()
        .filter(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.len() == 2
                && (words[0] == "avr-gcc" || words[0] == "avr-g++")
                && words[1].starts_with('@')
                && words[1].ends_with(".tmp")
        })
        .count() as u64;
    assert_eq!(
        response_file_calls,
        n + 1,
        "every compile and the link should run as `driver @file`:\n{}",
        verbose.stdout_text()
    );
    env.assert_counters(&[("miss", n), ("link_miss", 1)]);
    let built = firmware(&proj);

    m.clean(&env, &proj);
    m.run(&env, &proj, &[]);
    env.assert_counters(&[("miss", n), ("hit", n), ("link_miss", 1), ("link_hit", 1)]);
    assert_same_firmware("rebuild from hits", &built, &firmware(&proj));
}

// ---------------------------------------------------------------------------
// The hook's logic against a stand-in for SCons, and the command itself (no `pio` run)
// ---------------------------------------------------------------------------

/// The Python next to `pio` (the venv's), else `python3` in PATH.
fn python() -> PathBuf {
    let venv_python = pio_program().with_file_name("python3");
    if venv_python.is_file() {
        return venv_python;
    }
    find_in_path("python3").expect("python3 not in PATH")
}

/// Writes the hook with zcc (`zcc platformio-script --output`) and runs
/// fixtures/platformio/fake_scons.py on it; returns its stdout lines.
fn fake_scons(env: &TestEnv, vars: &[(&str, &str)], args: &[&str]) -> Vec<String> {
    let hook = env.path("hook/zcc_pio.py");
    env.zcc(&["platformio-script", "--output", hook.to_str().unwrap()])
        .keep_outputs()
        .run()
        .success();
    let fake = repo_root().join("fixtures/platformio/fake_scons.py");
    let mut all = vec![fake.to_str().unwrap(), hook.to_str().unwrap()];
    all.extend_from_slice(args);
    // `ZCC` (the hook's override) is not a ZCC_* variable the harness scrubs.
    let mut call = env.call(&python(), &all).env_remove("ZCC");
    for (key, value) in vars {
        call = call.env(key, *value);
    }
    let run = call.run();
    run.success();
    run.stdout_text().lines().map(str::to_string).collect()
}

#[test]
fn hook_routes_gcc_and_clang_drivers_and_nothing_else() {
    let env = TestEnv::new();
    let routed = [
        "avr-gcc",
        "avr-g++",
        "avr-gcc-5.4.0",
        "gcc",
        "g++",
        "cc",
        "c++",
        "gcc-12",
        "clang",
        "clang++",
        "clang-17",
        "/opt/tc/bin/arm-none-eabi-g++",
        "\"/opt/my tc/bin/xtensa-esp32-elf-gcc\"",
        "avr-gcc.exe",
    ];
    let untouched = [
        "avr-gcc-ar",
        "avr-gcc-ranlib",
        "gcc-nm",
        "avr-objcopy",
        "avr-size",
        "avr-as",
        "avr-c++filt",
        "ar",
        "zcc",
        "/usr/local/bin/zcc",
        "ccache",
        "sh",
    ];
    let names: Vec<&str> = routed.iter().chain(&untouched).copied().collect();
    let lines = fake_scons(&env, &[], &names);
    assert_eq!(lines[0], "installed");
    // zcc's path needs no shell quoting here, so shlex.quote leaves it bare.
    for (name, line) in names.iter().zip(&lines[1..]) {
        let expected = if routed.contains(name) {
            format!("{name} -> {ZCC} {name} -c x.c")
        } else {
            format!("{name} -> {name} -c x.c")
        };
        assert_eq!(line, &expected);
    }
}

#[test]
fn hook_loaded_twice_wraps_once() {
    let env = TestEnv::new();
    let lines = fake_scons(&env, &[], &["--twice", "avr-g++"]);
    assert_eq!(
        lines,
        [
            "installed".to_string(),
            format!("avr-g++ -> {ZCC} avr-g++ -c x.c")
        ]
    );
}

#[test]
fn hook_is_off_with_zcc_disable_and_without_a_zcc() {
    let env = TestEnv::new();
    let off = ["not installed", "avr-gcc -> avr-gcc -c x.c"];
    assert_eq!(fake_scons(&env, &[("ZCC_DISABLE", "1")], &["avr-gcc"]), off);
    assert_eq!(
        fake_scons(&env, &[("ZCC_DISABLE", "Yes")], &["avr-gcc"]),
        off
    );
    let missing = env.path("no/such/zcc");
    assert_eq!(
        fake_scons(&env, &[("ZCC", missing.to_str().unwrap())], &["avr-gcc"]),
        off
    );
    // ZCC_DISABLE=0 is not "disabled".
    assert_eq!(
        fake_scons(&env, &[("ZCC_DISABLE", "0")], &["avr-gcc"]),
        [
            "installed".to_string(),
            format!("avr-gcc -> {ZCC} avr-gcc -c x.c")
        ]
    );
}

#[test]
fn platformio_script_prints_the_hook_naming_this_zcc() {
    let env = TestEnv::new();
    let run = env.zcc(&["platformio-script"]).run();
    run.success();
    let script = run.stdout_text();
    assert!(script.contains("env.Replace(SPAWN=zcc_spawn)"), "{script}");
    assert!(
        script.contains(&format!("\nZCC_PATH = \"{ZCC}\"\n")),
        "{script}"
    );
    assert!(run.stderr.is_empty());
    // It does not need a valid configuration.
    let run = env
        .zcc(&["platformio-script"])
        .env("ZCC_DISABLE", "maybe")
        .run();
    assert_eq!(run.stdout_text(), script);
}

#[test]
fn platformio_script_output_creates_directories_and_is_idempotent() {
    let env = TestEnv::new();
    let printed = env.zcc(&["platformio-script"]).run().stdout;
    let dest = env.path("a/b/zcc_pio.py");
    let run = env
        .zcc(&["platformio-script", "--output", dest.to_str().unwrap()])
        .keep_outputs()
        .run();
    run.success();
    assert!(run.stdout.is_empty() && run.stderr.is_empty());
    assert_bytes_eq("written script", &printed, &fs::read(&dest).unwrap());
    let mtime = fs::metadata(&dest).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.zcc(&["platformio-script", "-o", dest.to_str().unwrap()])
        .keep_outputs()
        .run()
        .success();
    assert_eq!(fs::metadata(&dest).unwrap().modified().unwrap(), mtime);
    // A different text is replaced.
    fs::write(&dest, "old\n").unwrap();
    env.zcc(&["platformio-script", "-o", dest.to_str().unwrap()])
        .keep_outputs()
        .run()
        .success();
    assert_bytes_eq("rewritten script", &printed, &fs::read(&dest).unwrap());
}

#[test]
fn platformio_script_unwritable_output_is_one_error_line() {
    let env = TestEnv::new();
    env.write("file", "x");
    let run = env
        .zcc(&["platformio-script", "--output", "file/zcc_pio.py"])
        .run();
    assert_eq!(run.code, Some(2));
    assert_one_error_line(&run);
    let run = env.zcc(&["platformio-script", "--bogus"]).run();
    assert_eq!(run.code, Some(2));
    assert_one_error_line(&run);
}

/// Several environments compiling the same framework with the same flags (a common
/// platformio.ini: `uno` and a variant that only changes upload settings) share entries: the
/// second environment's compiles are all hits, its firmware the same.
#[test]
fn a_second_environment_with_the_same_flags_is_all_hits() {
    let env = TestEnv::new();
    let m = Machine::new(&env.path("home"), Path::new(ZCC));
    let proj = m.project(&env.path("proj"), true);
    let mut ini = fs::read_to_string(proj.join("platformio.ini")).unwrap();
    ini.push_str("\n[env:uno_upload]\nextends = env:uno\nupload_speed = 57600\n");
    fs::write(proj.join("platformio.ini"), ini).unwrap();
    let run = m.run(&env, &proj, &[]);
    let both = compiles(&run);
    assert!(
        both >= 2 * AT_LEAST_COMPILES && both.is_multiple_of(2),
        "expected the same compiles for both environments, got {both}:\n{}",
        run.stdout_text()
    );
    let n = both / 2;
    // The objects have other paths in the other environment: the link misses.
    env.assert_counters(&[("miss", n), ("hit", n), ("link_miss", 2)]);
    let hex = |name: &str| fs::read(proj.join(".pio/build").join(name).join("program.hex"));
    assert_bytes_eq(
        "program.hex of the two environments",
        &hex("uno").unwrap(),
        &hex("uno_upload").unwrap(),
    );
}
