//! Link caching with real avr-gcc and host gcc: a link through zcc gives the bytes a plain
//! link gives, on a miss and on a hit; every kind of input the linker reads, changed, relinks.

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

const AVR: &[&str] = &["-mmcu=atmega328p", "-Os"];

const MAIN_C: &str = "#include <math.h>\nextern int f(int);\n\
    int main(void) { volatile double x = 2.0; return f(3) + (int)sqrt(x); }\n";

/// Compile `source` (written to `<stem>.c`) into `<stem>.o` with `cc` and `flags`.
fn compile(env: &TestEnv, cc: &str, flags: &[&str], stem: &str, source: &str) {
    env.write(&format!("{stem}.c"), source);
    let (c, o) = (format!("{stem}.c"), format!("{stem}.o"));
    let mut args = vec![cc];
    args.extend_from_slice(flags);
    args.extend(["-c", &c, "-o", &o]);
    env.plain(&args).keep_outputs().run().success();
}

/// `dir/lib<name>.a` holding the objects.
fn archive(env: &TestEnv, ar: &str, dir: &str, name: &str, objects: &[&str]) {
    env.mkdir(dir);
    let lib = format!("{dir}/lib{name}.a");
    let _ = fs::remove_file(env.path(&lib));
    let mut args = vec![ar, "rcs", &lib];
    args.extend_from_slice(objects);
    env.plain(&args).keep_outputs().run().success();
}

/// An avr project: `main.o`, `lib/libb.a` (f), linked with `-lm`. LTO objects are archived
/// with `avr-gcc-ar` (the plugin's symbol index).
fn avr_project(env: &TestEnv, flags: &[&str]) {
    require_arduino();
    fs::create_dir_all(env.work.join(".git")).unwrap();
    compile(env, "avr-gcc", flags, "main", MAIN_C);
    compile(
        env,
        "avr-gcc",
        flags,
        "b",
        "int f(int x) { return x * 2; }\n",
    );
    let ar = if flags.contains(&"-flto") {
        "avr-gcc-ar"
    } else {
        "avr-ar"
    };
    archive(env, ar, "lib", "b", &["b.o"]);
}

fn avr_link(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["avr-gcc"];
    args.extend_from_slice(AVR);
    args.extend([
        "-Wl,--gc-sections",
        "-o",
        "fw.elf",
        "main.o",
        "-Lshadow",
        "-Llib",
        "-lb",
        "-lm",
    ]);
    args.extend_from_slice(extra);
    args
}

/// Plain, then through zcc: same status, output, and files; returns the zcc run.
fn linked_like_plain(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.assert_zcc_matches_plain(args);
    run.success();
    run
}

#[test]
fn avr_link_with_archive_libm_and_map_equals_plain_on_miss_and_hit() {
    let env = TestEnv::new();
    avr_project(&env, AVR);
    // `--cref` puts a cross-reference table (symbols and the files defining them) in the map.
    let args = avr_link(&["-Wl,-Map=fw.map", "-Wl,--cref"]);
    let miss = linked_like_plain(&env, &args);
    miss.output("fw.map");
    env.assert_counters(&[("link_miss", 1)]);
    linked_like_plain(&env, &args);
    env.assert_counters(&[("link_miss", 1), ("link_hit", 1)]);
    let human = env.zcc(&["stats"]).run().stdout_text();
    assert!(
        human.contains("links\n  hits           1\n  misses         1\n"),
        "{human}"
    );
}

#[test]
fn each_changed_input_relinks_and_equals_plain() {
    let env = TestEnv::new();
    avr_project(&env, AVR);
    let args = avr_link(&[]);
    let mut misses = 0;
    let mut relinks = |what: &str, args: &[&str]| {
        linked_like_plain(&env, args);
        misses += 1;
        assert_eq!(env.counter("link_miss"), misses, "{what}: expected a miss");
        linked_like_plain(&env, args);
        assert_eq!(
            env.counter("link_hit"),
            misses,
            "{what}: expected a hit after it"
        );
    };
    relinks("first link", &args);
    // An object.
    compile(
        &env,
        "avr-gcc",
        AVR,
        "main",
        &MAIN_C.replace("f(3)", "f(4)"),
    );
    relinks("changed object", &args);
    // An archive member.
    compile(
        &env,
        "avr-gcc",
        AVR,
        "b",
        "int f(int x) { return x * 3; }\n",
    );
    archive(&env, "avr-ar", "lib", "b", &["b.o"]);
    relinks("changed archive member", &args);
    // A library appearing earlier in the search path.
    compile(
        &env,
        "avr-gcc",
        AVR,
        "b2",
        "int f(int x) { return x + 100; }\n",
    );
    archive(&env, "avr-ar", "shadow", "b", &["b2.o"]);
    relinks("library earlier in the search path", &args);
    // A driver flag.
    relinks("a driver flag", &avr_link(&["-Wl,--relax"]));
    assert_eq!(env.counter("link_hit"), 5);
}

/// `-T` with a copy of avr-ld's own script that `INCLUDE`s another one.
#[test]
fn linker_script_and_included_script_changes_relink() {
    let env = TestEnv::new();
    avr_project(&env, AVR);
    let default = fs::read_to_string("/usr/lib/avr/lib/ldscripts/avr5.xn").unwrap();
    env.write("ld/fw.ld", format!("INCLUDE extra.ld\n{default}"));
    env.write("ld/extra.ld", "PROVIDE(answer = 1);\n");
    compile(
        &env,
        "avr-gcc",
        AVR,
        "main",
        "extern char answer; int main(void) { return (int)&answer; }\n",
    );
    let args: Vec<&str> = [
        "avr-gcc",
        "-mmcu=atmega328p",
        "-o",
        "fw.elf",
        "main.o",
        "-T",
        "ld/fw.ld",
        "-Lld",
    ]
    .to_vec();
    let mut misses = 0;
    let mut relinks = |what: &str| {
        let run = linked_like_plain(&env, &args);
        misses += 1;
        assert_eq!(env.counter("link_miss"), misses, "{what}: expected a miss");
        let hit = linked_like_plain(&env, &args);
        assert_eq!(env.counter("link_hit"), misses, "{what}: expected a hit");
        assert_eq!(run.output("fw.elf"), hit.output("fw.elf"));
    };
    relinks("first link");
    env.write("ld/extra.ld", "PROVIDE(answer = 2);\n");
    relinks("changed INCLUDEd script");
    env.write(
        "ld/fw.ld",
        format!("INCLUDE extra.ld\n/* edited */\n{default}"),
    );
    relinks("changed -T script");
    // The script INCLUDE finds first: the working directory comes before -L.
    env.write("extra.ld", "PROVIDE(answer = 3);\n");
    relinks("INCLUDEd script appearing earlier");
}

/// A wrapper `avr-gcc` first in PATH that counts its runs: a hit runs no program at all, and
/// a changed toolchain relinks.
#[test]
fn a_hit_runs_no_linker_and_a_changed_toolchain_relinks() {
    let env = TestEnv::new();
    avr_project(&env, AVR);
    let real = find_in_path("avr-gcc").unwrap();
    let wrapper = env.path("bin/avr-gcc");
    let runs = env.path("runs.txt");
    let write_wrapper = |comment: &str| {
        fs::create_dir_all(wrapper.parent().unwrap()).unwrap();
        write_script(
            &wrapper,
            &format!(
                "#!/bin/sh\n# {comment}\necho run >> {}\nexec {} \"$@\"\n",
                runs.display(),
                real.display()
            ),
        );
        // Old enough for zcc to memoize its identity.
        set_mtime(&wrapper, SystemTime::now() - Duration::from_secs(3600));
    };
    write_wrapper("one");
    let path = format!(
        "{}:{}",
        wrapper.parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let link = |env: &TestEnv| {
        env.zcc(&avr_link(&[]))
            .env("PATH", path.clone())
            .run()
            .success()
            .output("fw.elf")
            .to_vec()
    };
    let plain = env.plain(&avr_link(&[])).run();
    let miss = link(&env);
    assert_bytes_eq("miss", plain.output("fw.elf"), &miss);
    let count = || {
        fs::read_to_string(&runs)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let before = count();
    let hit = link(&env);
    assert_eq!(count(), before, "a hit ran the driver");
    assert_bytes_eq("hit", plain.output("fw.elf"), &hit);
    assert_eq!(env.counter("link_hit"), 1);
    write_wrapper("two");
    link(&env);
    assert_eq!(env.counter("link_miss"), 2, "a changed driver must relink");
}

/// The store moved to another checkout: the link hits, and the map names this checkout's
/// paths (`-L` with an absolute path, laid out as ld lays it out for that length).
#[test]
fn a_moved_layout_hits_and_its_map_names_this_machines_paths() {
    let first = TestEnv::new();
    avr_project(&first, AVR);
    let lib = |env: &TestEnv| format!("-L{}/lib", env.work.display());
    let args = |lib: &str| -> Vec<String> {
        let mut a: Vec<String> = vec!["avr-gcc".into()];
        a.extend(AVR.iter().map(|s| s.to_string()));
        for s in [
            "-o",
            "fw.elf",
            "main.o",
            lib,
            "-lb",
            "-lm",
            "-Wl,-Map=fw.map,--cref",
        ] {
            a.push(s.to_string());
        }
        a
    };
    let first_args = args(&lib(&first));
    let first_args: Vec<&str> = first_args.iter().map(String::as_str).collect();
    linked_like_plain(&first, &first_args);

    let second = TestEnv::new();
    let deeper = second.work.join("a/much/longer/checkout/directory/name");
    copy_tree(&first.work, &deeper);
    let second_lib = format!("-L{}/lib", deeper.display());
    let second_args = args(&second_lib);
    let second_args: Vec<&str> = second_args.iter().map(String::as_str).collect();
    let plain = second
        .plain(&second_args)
        .cwd("a/much/longer/checkout/directory/name")
        .run();
    let cached = second
        .zcc(&second_args)
        .env("ZCC_DIR", &first.store)
        .cwd("a/much/longer/checkout/directory/name")
        .run();
    second.assert_same_run(&plain, &cached);
    let map =
        String::from_utf8_lossy(cached.output("a/much/longer/checkout/directory/name/fw.map"))
            .into_owned();
    assert!(
        map.contains(&format!("{}/lib/libb.a(b.o)", deeper.display())),
        "{map}"
    );
    assert_eq!(first.counter("link_hit"), 1, "{}", first.log_tail());
}

#[test]
fn avr_lto_link_equals_plain_on_miss_and_hit() {
    let env = TestEnv::new();
    let lto = ["-mmcu=atmega328p", "-Os", "-flto"];
    avr_project(&env, &lto);
    for jobs in ["-flto", "-flto=2"] {
        let args = [
            "avr-gcc",
            "-mmcu=atmega328p",
            "-Os",
            jobs,
            "-fuse-linker-plugin",
            "-o",
            "fw.elf",
            "main.o",
            "-Llib",
            "-lb",
            "-lm",
        ];
        linked_like_plain(&env, &args);
        linked_like_plain(&env, &args);
    }
    env.assert_counters(&[("link_miss", 2), ("link_hit", 2)]);
    // make's jobserver decides what lto-wrapper prints: not cached.
    let args = [
        "avr-gcc",
        "-Os",
        "-mmcu=atmega328p",
        "-flto=jobserver",
        "-o",
        "fw.elf",
        "main.o",
        "-Llib",
        "-lb",
    ];
    linked_like_plain(&env, &args);
    assert_eq!(env.counter("passthrough_link_driver_option"), 1);
}

#[test]
fn host_link_equals_plain_runs_and_is_executable() {
    let env = TestEnv::new();
    compile(&env, "gcc", &["-O2"], "main", MAIN_C);
    compile(
        &env,
        "gcc",
        &["-O2"],
        "b",
        "int f(int x) { return x * 2; }\n",
    );
    archive(&env, "ar", "lib", "b", &["b.o"]);
    let args = ["gcc", "-o", "app", "main.o", "-Llib", "-lb", "-lm"];
    linked_like_plain(&env, &args);
    let hit = env.zcc(&args).keep_outputs().run();
    hit.success();
    assert_eq!(env.counter("link_hit"), 1, "{}", env.log_tail());
    let mode = fs::metadata(env.path("app")).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o111,
        0o111,
        "the executable lost its x bits: {mode:o}"
    );
    let ran = env.call(&env.path("app"), &[]).run();
    assert_eq!(ran.code, Some(7));
}

#[test]
fn a_failing_link_is_reported_as_is_and_not_stored() {
    let env = TestEnv::new();
    compile(&env, "gcc", &[], "main", MAIN_C);
    let args = ["gcc", "-o", "app", "main.o", "-lm"];
    for _ in 0..2 {
        let run = env.assert_zcc_matches_plain(&args);
        assert_eq!(run.code, Some(1));
    }
    env.assert_counters(&[("link_failed", 2)]);
}

#[test]
fn nolink_passes_links_through() {
    let env = TestEnv::new();
    compile(&env, "gcc", &[], "b", "int main(void) { return 0; }\n");
    let plain = env.plain(&["gcc", "-o", "app", "b.o"]).run();
    let cached = env
        .zcc(&["gcc", "-o", "app", "b.o"])
        .env("ZCC_NOLINK", "1")
        .run();
    env.assert_same_run(&plain, &cached);
    env.assert_counters(&[("passthrough_link", 1)]);
}

/// PlatformIO rebuilds its library archives every build; member timestamps then differ
/// (`ar U`), while the objects, served from the store, do not: the link still hits.
#[test]
fn an_archive_rebuilt_from_the_same_objects_still_hits() {
    let env = TestEnv::new();
    avr_project(&env, AVR);
    let args = avr_link(&[]);
    let rebuild = |minutes: u64| {
        let later = SystemTime::now() + Duration::from_secs(60 * minutes);
        fs::File::options()
            .write(true)
            .open(env.path("b.o"))
            .unwrap()
            .set_modified(later)
            .unwrap();
        let before = env.read("lib/libb.a");
        let _ = fs::remove_file(env.path("lib/libb.a"));
        env.plain(&["avr-ar", "rcU", "lib/libb.a", "b.o"])
            .keep_outputs()
            .run()
            .success();
        assert!(
            before != env.read("lib/libb.a"),
            "the archive should differ"
        );
    };
    rebuild(2);
    linked_like_plain(&env, &args);
    rebuild(4);
    linked_like_plain(&env, &args);
    env.assert_counters(&[("link_miss", 1), ("link_hit", 1)]);
}

/// Host ld 2.40 reports a `-T` script (and what it `INCLUDE`s) only when `--verbose` comes
/// before it on its command line: zcc puts it first.
#[test]
fn host_linker_script_and_included_script_changes_relink() {
    let env = TestEnv::new();
    compile(
        &env,
        "gcc",
        &[],
        "main",
        "extern char answer; int main(void) { return (int)(long)&answer & 0x7f; }\n",
    );
    // gcc's default script for this link, as ld prints it.
    let verbose = env
        .plain(&[
            "gcc",
            "-Wl,--verbose",
            "-o",
            "probe",
            "main.o",
            "-Wl,--defsym=answer=0",
        ])
        .run();
    let text = verbose.stdout_text();
    let script: Vec<&str> = text
        .split("==================================================\n")
        .collect();
    assert!(script.len() >= 3, "no default script in:\n{text}");
    env.write("ld/main.ld", format!("INCLUDE extra.ld\n{}", script[1]));
    env.write("ld/extra.ld", "PROVIDE(answer = 1);\n");
    let args = ["gcc", "-o", "app", "main.o", "-Wl,-T,ld/main.ld", "-Lld"];
    let mut misses = 0;
    let mut relinks = |what: &str| {
        linked_like_plain(&env, &args);
        misses += 1;
        assert_eq!(env.counter("link_miss"), misses, "{what}: expected a miss");
        linked_like_plain(&env, &args);
        assert_eq!(env.counter("link_hit"), misses, "{what}: expected a hit");
    };
    relinks("first link");
    env.write("ld/extra.ld", "PROVIDE(answer = 2);\n");
    relinks("changed INCLUDEd script");
    env.write(
        "ld/main.ld",
        format!("INCLUDE extra.ld\n/* edited */\n{}", script[1]),
    );
    relinks("changed -T script");
}

/// An LTO link hits from another checkout when its firmware does not name the directory;
/// with debug info (`-g`), the firmware records it as the compilation directory, and the
/// link in the other checkout relinks. (A `-g -flto` link is not reproducible even plainly:
/// its debug info names the random `/tmp/cc*.ltrans0.o` too; so that firmware is checked for
/// the directory it names, not compared with a plain link's.)
#[test]
fn lto_links_hit_across_layouts_unless_debug_info_names_the_directory() {
    for (flags, hits) in [(["-Os", "-flto"], 1), (["-g", "-flto"], 0)] {
        let first = TestEnv::new();
        let mut compile_flags = vec!["-mmcu=atmega328p"];
        compile_flags.extend(flags);
        avr_project(&first, &compile_flags);
        let mut args = vec!["avr-gcc", "-mmcu=atmega328p", "-fuse-linker-plugin"];
        args.extend(flags);
        args.extend(["-o", "fw.elf", "main.o", "-Llib", "-lb", "-lm"]);
        let reproducible = hits == 1;
        for _ in 0..2 {
            if reproducible {
                linked_like_plain(&first, &args);
            } else {
                first.zcc(&args).run().success();
            }
        }
        assert_eq!(
            first.counter("link_hit"),
            1,
            "{flags:?}: a hit in the same place"
        );

        let second = TestEnv::new();
        let dir = "another/checkout/of-the/firmware";
        copy_tree(&first.work, &second.work.join(dir));
        let plain = reproducible.then(|| second.plain(&args).cwd(dir).run());
        let cached = second
            .zcc(&args)
            .env("ZCC_DIR", &first.store)
            .env_remove("PWD")
            .cwd(dir)
            .run();
        if let Some(plain) = &plain {
            second.assert_same_run(plain, &cached);
        } else {
            cached.success();
            let elf = cached.output(&format!("{dir}/fw.elf"));
            let here = second.work.join(dir);
            let here = here.to_str().unwrap().as_bytes();
            assert!(
                elf.windows(here.len()).any(|w| w == here),
                "the firmware should name {dir}"
            );
        }
        assert_eq!(
            first.counter("link_hit"),
            1 + hits,
            "{flags:?}: {}\n{}",
            first.log_tail(),
            second.log_tail()
        );
    }
}

/// Linker warnings (glibc's `gets` warning names the object by its absolute path) are
/// replayed on a hit as a plain link prints them.
#[test]
fn linker_warnings_are_replayed_on_a_hit() {
    let env = TestEnv::new();
    fs::create_dir_all(env.work.join(".git")).unwrap();
    compile(
        &env,
        "gcc",
        &[],
        "main",
        "char *gets(char *); int main(void) { char b[8]; return gets(b) != 0; }\n",
    );
    let object = env.path("main.o");
    let args = ["gcc", "-o", "app", object.to_str().unwrap()];
    let miss = linked_like_plain(&env, &args);
    assert!(
        miss.stderr_text().contains("gets"),
        "no warning: {}",
        miss.stderr_text()
    );
    linked_like_plain(&env, &args);
    env.assert_counters(&[("link_miss", 1), ("link_hit", 1)]);
}

/// The driver reads `--specs` files (arm-none-eabi's `nano.specs`); ld does not report them,
/// so their content is part of the key: a changed specs file relinks.
#[test]
fn a_changed_specs_file_relinks() {
    let env = TestEnv::new();
    compile(
        &env,
        "gcc",
        &[],
        "main",
        "extern char answer; int main(void) { return (int)(long)&answer & 0x7f; }\n",
    );
    env.write("my.specs", "*link:\n+ --defsym=answer=1\n\n");
    let args = ["gcc", "-specs=my.specs", "-o", "app", "main.o"];
    linked_like_plain(&env, &args);
    linked_like_plain(&env, &args);
    env.write("my.specs", "*link:\n+ --defsym=answer=2\n\n");
    linked_like_plain(&env, &args);
    env.assert_counters(&[("link_miss", 2), ("link_hit", 1)]);
}

/// A build directory outside every root (`$RUNNER_TEMP/build` in CI, arduino-cli's temporary
/// sketch directory): the objects and the map are named by absolute paths there, which differ
/// on the next runner. The output's directory is a root of the link, so the link hits, and
/// the map names this runner's paths.
#[test]
fn a_build_directory_outside_every_root_links_portably() {
    let env = TestEnv::new();
    avr_project(&env, AVR);
    let builds = tempfile::tempdir().unwrap();
    for runner in ["runner-a", "runner-b"] {
        let dir = builds.path().join(runner).join("build");
        fs::create_dir_all(&dir).unwrap();
        for file in ["main.o", "lib/libb.a"] {
            let to = dir.join(file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(env.path(file), to).unwrap();
        }
        let d = dir.to_str().unwrap();
        let (elf, map, main, lib) = (
            format!("{d}/fw.elf"),
            format!("-Wl,-Map={d}/fw.map"),
            format!("{d}/main.o"),
            format!("-L{d}/lib"),
        );
        let mut args = vec!["avr-gcc"];
        args.extend_from_slice(AVR);
        args.extend(["-o", &elf, &map, &main, &lib, "-lb", "-lm"]);
        let plain = env.plain(&args).run();
        plain.success();
        let plain_files = (
            fs::read(&elf).unwrap(),
            fs::read(format!("{d}/fw.map")).unwrap(),
        );
        env.zcc(&args).run().success();
        let cached_files = (
            fs::read(&elf).unwrap(),
            fs::read(format!("{d}/fw.map")).unwrap(),
        );
        assert_bytes_eq("fw.elf", &plain_files.0, &cached_files.0);
        assert_bytes_eq("fw.map", &plain_files.1, &cached_files.1);
    }
    env.assert_counters(&[("link_miss", 1), ("link_hit", 1)]);
}

/// A library inside a package (`package.json`) installed at different places, outside every
/// other root: the package is a root of the link too, so the second layout hits, with the
/// map file naming its own library.
#[test]
fn a_library_in_a_package_links_portably_wherever_the_package_lives() {
    let env = TestEnv::new();
    avr_project(&env, AVR);
    let places = tempfile::tempdir().unwrap();
    for packages in ["runner-a/.platformio/packages", "elsewhere/opt/pio"] {
        let package = places.path().join(packages).join("framework-x");
        fs::create_dir_all(package.join("lib")).unwrap();
        fs::write(
            package.join("package.json"),
            "{\"name\": \"framework-x\"}\n",
        )
        .unwrap();
        fs::copy(env.path("lib/libb.a"), package.join("lib/libb.a")).unwrap();
        let lib = format!("-L{}", package.join("lib").to_str().unwrap());
        let mut args = vec!["avr-gcc"];
        args.extend_from_slice(AVR);
        args.extend([
            "-o",
            "fw.elf",
            "-Wl,-Map=fw.map",
            "main.o",
            &lib,
            "-lb",
            "-lm",
        ]);
        let plain = env.plain(&args).run();
        plain.success();
        let cached = env.zcc(&args).run();
        cached.success();
        for file in ["fw.elf", "fw.map"] {
            assert_bytes_eq(file, plain.output(file), cached.output(file));
        }
        let map = String::from_utf8_lossy(cached.output("fw.map")).into_owned();
        assert!(map.contains(package.to_str().unwrap()), "{map}");
    }
    env.assert_counters(&[("link_miss", 1), ("link_hit", 1)]);
}
