//! Whole builds of the fixtures through their Makefiles, the way users run
//! them: `make CC="zcc avr-gcc" CXX="zcc avr-g++"`.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

/// Copies `fixtures/<name>` into the env's work dir.
fn fixture(env: &TestEnv, name: &str) {
    copy_tree(&repo_root().join("fixtures").join(name), &env.work);
    let _ = std::fs::remove_dir_all(env.work.join("build"));
}

/// A test env holding the Arduino sketch fixture (the toolchain and make required).
fn sketch_env() -> TestEnv {
    require_arduino();
    require_tool("make");
    let env = TestEnv::new();
    fixture(&env, "arduino-sketch");
    env
}

/// `CC=zcc avr-gcc` and `CXX=zcc avr-g++` for make's command line.
fn zcc_make_vars() -> [String; 2] {
    [format!("CC={ZCC} avr-gcc"), format!("CXX={ZCC} avr-g++")]
}

fn make(env: &TestEnv, args: &[&str]) -> Run {
    let mut all = vec!["-j2"];
    all.extend_from_slice(args);
    let mut call = env
        .call(Path::new("make"), &all)
        .keep_outputs()
        .timeout(Duration::from_secs(600));
    env.zcc_env(&mut call.cmd);
    let run = call.run();
    run.success();
    run
}

/// Files under `work/build` with the given suffix → content.
fn build_files(env: &TestEnv, suffix: &str) -> BTreeMap<String, Vec<u8>> {
    files_under(&env.work.join("build"))
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p.ends_with(suffix))
        .map(|p| {
            let bytes = env.read(&format!("build/{p}"));
            (p, bytes)
        })
        .collect()
}

fn assert_same_files(
    what: &str,
    expected: &BTreeMap<String, Vec<u8>>,
    actual: &BTreeMap<String, Vec<u8>>,
) {
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "{what}: file lists"
    );
    for (name, bytes) in expected {
        assert_bytes_eq(&format!("{what}: {name}"), bytes, &actual[name]);
    }
}

#[test]
fn arduino_sketch_clean_build_misses_rebuild_hits_hex_identical() {
    let env = sketch_env();
    let [cc, cxx] = zcc_make_vars();

    // Reference: a plain build.
    make(&env, &[]);
    let hex = env.read("build/firmware.hex");
    let deps = build_files(&env, ".d");
    let compiles = build_files(&env, ".o").len() as u64;
    assert!(
        compiles >= 20,
        "expected the whole core to be compiled, got {compiles} objects"
    );
    make(&env, &["clean"]);

    // Through zcc: every compile a miss, and the link (via $(CC)).
    make(&env, &[&cc, &cxx]);
    env.assert_counters(&[("miss", compiles), ("link_miss", 1)]);
    assert_bytes_eq(
        "firmware.hex (zcc misses vs plain)",
        &hex,
        &env.read("build/firmware.hex"),
    );
    assert_same_files(
        ".d files (zcc misses vs plain)",
        &deps,
        &build_files(&env, ".d"),
    );

    // Clean, rebuild: every compile a hit, same firmware and dependency files.
    make(&env, &["clean"]);
    make(&env, &[&cc, &cxx]);
    env.assert_counters(&[
        ("miss", compiles),
        ("hit", compiles),
        ("link_miss", 1),
        ("link_hit", 1),
    ]);
    assert_bytes_eq(
        "firmware.hex (zcc hits vs plain)",
        &hex,
        &env.read("build/firmware.hex"),
    );
    assert_same_files(
        ".d files (zcc hits vs plain)",
        &deps,
        &build_files(&env, ".d"),
    );
}

#[test]
fn arduino_sketch_other_build_dir_hits() {
    let env = sketch_env();
    let [cc, cxx] = zcc_make_vars();
    make(&env, &[&cc, &cxx]);
    let compiles = env.counter("miss");
    let hex = env.read("build/firmware.hex");
    make(&env, &[&cc, &cxx, "BUILD=build/elsewhere/deeper"]);
    // The objects have other names there: a link miss.
    env.assert_counters(&[("miss", compiles), ("hit", compiles), ("link_miss", 2)]);
    assert_bytes_eq(
        "firmware.hex",
        &hex,
        &env.read("build/elsewhere/deeper/firmware.hex"),
    );
}

#[test]
fn host_project_warning_replayed_through_make_and_rebuild_hits() {
    require_tool("make");
    let env = TestEnv::new();
    fixture(&env, "host-project");
    let plain = make(&env, &["-j1"]);
    assert!(
        plain.stderr_text().contains("unused_on_purpose"),
        "{}",
        plain.stderr_text()
    );
    let demo_output = env.call(&env.path("build/demo"), &[]).run();
    demo_output.success();
    let objects = build_files(&env, ".o");
    let deps = build_files(&env, ".d");
    make(&env, &["clean"]);

    let cc = format!("CC={ZCC} gcc");
    let cxx = format!("CXX={ZCC} g++");
    let miss = make(&env, &["-j1", &cc, &cxx]);
    assert_bytes_eq("make stderr (misses)", &plain.stderr, &miss.stderr);
    env.assert_counters(&[("miss", 4), ("link_miss", 1)]);
    assert_same_files("objects (misses)", &objects, &build_files(&env, ".o"));
    assert_same_files(".d (misses)", &deps, &build_files(&env, ".d"));

    make(&env, &["clean"]);
    let hit = make(&env, &["-j1", &cc, &cxx]);
    assert_bytes_eq("make stderr (hits)", &plain.stderr, &hit.stderr);
    env.assert_counters(&[("miss", 4), ("hit", 4), ("link_miss", 1), ("link_hit", 1)]);
    assert_same_files("objects (hits)", &objects, &build_files(&env, ".o"));
    assert_same_files(".d (hits)", &deps, &build_files(&env, ".d"));
    let rerun = env.call(&env.path("build/demo"), &[]).run();
    assert_bytes_eq("demo output", &demo_output.stdout, &rerun.stdout);
}

/// Appends a line to a fixture file, as an edit in an editor would.
fn append(env: &TestEnv, rel: &str, line: &str) {
    let old = env.read(rel);
    env.write(rel, [old.as_slice(), line.as_bytes()].concat());
}

/// After a clean rebuild served from the cache, header edits make `make` recompile exactly the
/// files that include them: the dependency files the hits wrote are right. `vars` routes the
/// compiles through zcc; `path` is the PATH make runs with.
fn header_edits_recompile_exactly_the_dependents(env: &TestEnv, vars: &[&str], path: &str) {
    let build = |env: &TestEnv| {
        let mut args = vec!["-j2"];
        args.extend_from_slice(vars);
        let mut call = env
            .call(Path::new("make"), &args)
            .keep_outputs()
            .timeout(Duration::from_secs(600));
        env.zcc_env(call.cmd.env("PATH", path));
        let run = call.run();
        run.success();
        compiled_objects(&run.stdout_text())
    };
    let all = build(env);
    let compiles = all.len() as u64;
    assert_eq!(compiles, 27, "25 core files + main + Blinker: {all:?}");
    env.assert_counters(&[("miss", compiles), ("link_miss", 1)]);
    let hex = env.read("build/firmware.hex");
    make(env, &["clean"]);
    assert_eq!(build(env), all);
    env.assert_counters(&[
        ("miss", compiles),
        ("hit", compiles),
        ("link_miss", 1),
        ("link_hit", 1),
    ]);
    assert_bytes_eq("firmware.hex (hits)", &hex, &env.read("build/firmware.hex"));
    assert!(
        build(env).is_empty(),
        "an up-to-date build compiles nothing"
    );

    append(env, "include/config.h", "#define ZCC_EDITED 1\n");
    assert_eq!(
        build(env),
        BTreeSet::from(["build/src/main.cpp.o".to_string()])
    );
    append(env, "lib/Blinker/src/Blinker.h", "\n// edited\n");
    assert_eq!(
        build(env),
        BTreeSet::from([
            "build/src/main.cpp.o".to_string(),
            "build/lib/Blinker/Blinker.cpp.o".to_string()
        ])
    );
    // main.cpp's text after the comment is what its compile after the config.h edit stored
    // under its preprocessor key: a hit after one preprocessor run. Blinker.cpp had no such
    // compile yet; its new LTO object differs (GCC writes a random seed into each): the link
    // misses.
    env.assert_counters(&[
        ("miss", compiles + 2),
        ("hit", compiles + 1),
        ("link_miss", 3),
        ("link_hit", 1),
    ]);
}

#[test]
fn cc_variables_header_edit_recompiles_exactly_the_dependents() {
    let env = sketch_env();
    let [cc, cxx] = zcc_make_vars();
    header_edits_recompile_exactly_the_dependents(
        &env,
        &[&cc, &cxx],
        &std::env::var("PATH").unwrap(),
    );
}

#[test]
fn install_links_masquerade_routes_an_unchanged_makefile() {
    let env = sketch_env();
    let links = env.root.join("links");
    let install = || {
        let run = env
            .zcc(&[
                "install-links",
                links.to_str().unwrap(),
                "avr-gcc",
                "avr-g++",
            ])
            .run();
        run.success();
        run
    };
    let run = install();
    let out = run.stdout_text();
    assert!(
        out.contains("avr-gcc") && out.contains("created") && out.contains("runs /"),
        "{out}"
    );
    // Run again: idempotent.
    let again = install();
    assert_eq!(again.stdout_text().matches("already there").count(), 2);
    let path = format!("{}:{}", links.display(), std::env::var("PATH").unwrap());
    // The Makefile's own `CC = avr-gcc`: the links are found first in PATH.
    header_edits_recompile_exactly_the_dependents(&env, &[], &path);
}
