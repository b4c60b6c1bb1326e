//! CMake + Ninja with zcc as the compiler launcher (`CMAKE_<LANG>_COMPILER_LAUNCHER`) and an
//! avr-gcc toolchain file, building `fixtures/arduino-sketch` (Arduino core + sketch + library).

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

const TOOLCHAIN: &str = "-DCMAKE_TOOLCHAIN_FILE=cmake/avr-gcc.cmake";

fn require_cmake() {
    require_arduino();
    require_tool("cmake");
    require_tool("ninja");
}

/// Runs `program args` in `work/sketch` with the env's store and log.
fn run_in_sketch(env: &TestEnv, program: &str, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut call = env
        .call(Path::new(program), args)
        .cwd("sketch")
        .keep_outputs()
        .timeout(Duration::from_secs(600));
    env.zcc_env(&mut call.cmd);
    for (k, v) in vars {
        call.cmd.env(k, v);
    }
    let run = call.run();
    run.success();
    run
}

fn configure(env: &TestEnv, build: &str, extra: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut args = vec!["-G", "Ninja", "-S", ".", "-B", build, TOOLCHAIN];
    args.extend_from_slice(extra);
    run_in_sketch(env, "cmake", &args, vars)
}

/// `ninja -v` in a build dir; returns the objects it compiled.
fn ninja(env: &TestEnv, build: &str) -> BTreeSet<String> {
    let run = run_in_sketch(env, "ninja", &["-C", build, "-v", "-j2"], &[]);
    compiled_objects(&run.stdout_text())
}

fn setup() -> TestEnv {
    let env = TestEnv::new();
    copy_tree(
        &repo_root().join("fixtures/arduino-sketch"),
        &env.work.join("sketch"),
    );
    env
}

fn launcher_args() -> Vec<String> {
    ["C", "CXX"]
        .iter()
        .map(|lang| format!("-DCMAKE_{lang}_COMPILER_LAUNCHER={ZCC}"))
        .collect()
}

/// The objects of C and C++ sources: CMake's launcher variables exist for C and C++, not
/// for ASM, so the core's one `.S` file is compiled without zcc.
fn launched(objects: &BTreeSet<String>) -> u64 {
    objects.iter().filter(|o| !o.ends_with(".S.obj")).count() as u64
}

#[test]
fn launcher_clean_rebuild_hits_and_header_edits_recompile_exactly_the_dependents() {
    require_cmake();
    let env = setup();

    // Reference: the same project without zcc.
    configure(&env, "plain", &[], &[]);
    let all = ninja(&env, "plain");
    assert_eq!(all.len(), 27, "25 core files + main + Blinker: {all:?}");
    let hex = env.read("sketch/plain/firmware.hex");

    let launchers = launcher_args();
    let launchers: Vec<&str> = launchers.iter().map(String::as_str).collect();
    configure(&env, "build", &launchers, &[]);
    env.assert_counters(&[]);
    let compiled = ninja(&env, "build");
    assert_eq!(compiled, all);
    let through_zcc = launched(&compiled);
    env.assert_counters(&[("miss", through_zcc)]);
    assert_bytes_eq(
        "firmware.hex (misses)",
        &hex,
        &env.read("sketch/build/firmware.hex"),
    );

    // Clean and rebuild: all hits. Ninja reads the dependency files the hits wrote into its
    // deps log, which the header edits below rely on.
    run_in_sketch(&env, "ninja", &["-C", "build", "-t", "clean"], &[]);
    assert_eq!(ninja(&env, "build"), all);
    env.assert_counters(&[("miss", through_zcc), ("hit", through_zcc)]);
    assert_bytes_eq(
        "firmware.hex (hits)",
        &hex,
        &env.read("sketch/build/firmware.hex"),
    );
    assert!(ninja(&env, "build").is_empty(), "nothing left to do");

    // include/config.h is included by src/main.cpp only; Blinker.h by main.cpp and Blinker.cpp.
    let main_obj = "CMakeFiles/firmware.elf.dir/src/main.cpp.obj";
    let blinker_obj = "CMakeFiles/firmware.elf.dir/lib/Blinker/src/Blinker.cpp.obj";
    let config = env.read("sketch/include/config.h");
    env.write(
        "sketch/include/config.h",
        [config.as_slice(), b"#define ZCC_EDITED 1\n"].concat(),
    );
    assert_eq!(ninja(&env, "build"), BTreeSet::from([main_obj.to_string()]));
    env.assert_counters(&[("miss", through_zcc + 1), ("hit", through_zcc)]);

    let header = env.read("sketch/lib/Blinker/src/Blinker.h");
    env.write(
        "sketch/lib/Blinker/src/Blinker.h",
        [header.as_slice(), b"\n// edited\n"].concat(),
    );
    assert_eq!(
        ninja(&env, "build"),
        BTreeSet::from([main_obj.to_string(), blinker_obj.to_string()])
    );
    // Ninja runs both; main.cpp's text after the comment is what its compile after the
    // config.h edit stored under its preprocessor key, so zcc serves it (one preprocessor
    // run). Blinker.cpp had no such compile yet.
    env.assert_counters(&[("miss", through_zcc + 2), ("hit", through_zcc + 1)]);
}

#[test]
fn configure_time_probes_through_the_launcher_pass_through_untouched() {
    require_cmake();
    let env = setup();
    configure(&env, "plain", &[], &[]);
    // As environment variables (CMake >= 3.17) the launchers also wrap the compiles CMake runs
    // while configuring: the ABI checks, which compile with `-v` and parse the search paths
    // the compiler prints.
    let vars = [
        ("CMAKE_C_COMPILER_LAUNCHER", ZCC),
        ("CMAKE_CXX_COMPILER_LAUNCHER", ZCC),
    ];
    configure(&env, "build", &[], &vars);
    env.assert_counters(&[("passthrough_verbose", 2)]);
    let version = std::fs::read_dir(env.path("sketch/build/CMakeFiles"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        .expect("CMakeFiles/<cmake version>/");
    for file in ["CMakeCCompiler.cmake", "CMakeCXXCompiler.cmake"] {
        let rel = format!("CMakeFiles/{version}/{file}");
        assert_bytes_eq(
            &rel,
            &env.read(&format!("sketch/plain/{rel}")),
            &env.read(&format!("sketch/build/{rel}")),
        );
    }
    // The build itself goes through zcc too.
    let compiled = ninja(&env, "build");
    env.assert_counters(&[("passthrough_verbose", 2), ("miss", launched(&compiled))]);
}

#[test]
fn rule_launch_compile_from_a_project_include_also_routes_assembly() {
    require_cmake();
    let env = setup();
    // docs/INTEGRATIONS.md: for projects with .S files, without editing them.
    let include = env.write(
        "zcc-launch.cmake",
        format!("set_property(GLOBAL PROPERTY RULE_LAUNCH_COMPILE \"{ZCC}\")\n"),
    );
    let arg = format!("-DCMAKE_PROJECT_INCLUDE={}", include.display());
    configure(&env, "build", &[&arg], &[]);
    let compiled = ninja(&env, "build");
    assert!(
        compiled.iter().any(|o| o.ends_with(".S.obj")),
        "{compiled:?}"
    );
    env.assert_counters(&[("miss", compiled.len() as u64)]);
    run_in_sketch(&env, "ninja", &["-C", "build", "-t", "clean"], &[]);
    ninja(&env, "build");
    env.assert_counters(&[
        ("miss", compiled.len() as u64),
        ("hit", compiled.len() as u64),
    ]);
}

/// `CMAKE_<LANG>_LINKER_LAUNCHER` routes the link through zcc as well: a clean rebuild is
/// all hits, the link included, and the firmware is the plain build's.
#[test]
fn linker_launcher_clean_rebuild_hits_the_link_too() {
    require_cmake();
    let env = setup();
    configure(&env, "plain", &[], &[]);
    ninja(&env, "plain");
    let hex = env.read("sketch/plain/firmware.hex");

    let mut launchers = launcher_args();
    launchers.extend(
        ["C", "CXX"]
            .iter()
            .map(|lang| format!("-DCMAKE_{lang}_LINKER_LAUNCHER={ZCC}")),
    );
    let launchers: Vec<&str> = launchers.iter().map(String::as_str).collect();
    configure(&env, "build", &launchers, &[]);
    let through_zcc = launched(&ninja(&env, "build"));
    env.assert_counters(&[("miss", through_zcc), ("link_miss", 1)]);
    assert_bytes_eq(
        "firmware.hex (miss)",
        &hex,
        &env.read("sketch/build/firmware.hex"),
    );

    run_in_sketch(&env, "ninja", &["-C", "build", "-t", "clean"], &[]);
    ninja(&env, "build");
    env.assert_counters(&[
        ("miss", through_zcc),
        ("hit", through_zcc),
        ("link_miss", 1),
        ("link_hit", 1),
    ]);
    assert_bytes_eq(
        "firmware.hex (hit)",
        &hex,
        &env.read("sketch/build/firmware.hex"),
    );
}
