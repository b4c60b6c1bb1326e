//! zcc's own commands and configuration errors (docs/CLI.md, "Commands" and
//! "Environment").

mod common;
use common::*;
use std::path::Path;

const ARGS: [&str; 5] = ["gcc", "-c", "x.c", "-o", "x.o"];

fn env_with_source() -> TestEnv {
    let env = TestEnv::new();
    env.write("x.c", "int x(void) { return 42; }\n");
    env
}

#[test]
fn version_prints_zcc_and_the_crate_version() {
    let env = TestEnv::new();
    for flag in ["--version", "-V"] {
        let run = env.zcc(&[flag]).run();
        run.success();
        assert_eq!(
            run.stdout_text().trim_end(),
            format!("zcc {}", env!("CARGO_PKG_VERSION")),
            "zcc {flag}"
        );
    }
}

#[test]
fn help_prints_usage_naming_the_commands() {
    let env = TestEnv::new();
    for flag in ["--help", "-h"] {
        let run = env.zcc(&[flag]).run();
        run.success();
        let text = run.stdout_text();
        for word in ["stats", "store-path", "clear"] {
            assert!(
                text.contains(word),
                "zcc {flag} should mention `{word}`:\n{text}"
            );
        }
    }
}

#[test]
fn store_path_prints_zcc_dir() {
    let env = TestEnv::new();
    let run = env.zcc(&["store-path"]).run();
    run.success();
    assert_eq!(run.stdout_text(), format!("{}\n", env.store.display()));
}

#[test]
fn store_path_defaults_to_xdg_cache_home_then_home() {
    let env = TestEnv::new();
    let xdg = env.root.join("xdg");
    let run = env
        .zcc(&["store-path"])
        .env_remove("ZCC_DIR")
        .env("XDG_CACHE_HOME", &xdg)
        .run();
    run.success();
    assert_eq!(
        run.stdout_text(),
        format!("{}\n", xdg.join("zcc").display())
    );
    let home = env.root.join("home");
    let run = env
        .zcc(&["store-path"])
        .env_remove("ZCC_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", &home)
        .run();
    run.success();
    assert_eq!(
        run.stdout_text(),
        format!("{}\n", home.join(".cache/zcc").display())
    );
}

#[test]
fn stats_json_parses_with_store_and_counters() {
    let env = env_with_source();
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_zcc_matches_plain(&ARGS);
    let json = env.stats_json();
    assert_eq!(
        json["store"].as_str(),
        Some(env.store.to_str().unwrap()),
        "{json}"
    );
    assert!(json["counters"].is_object(), "{json}");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn stats_json_on_a_fresh_store_has_no_counters_set() {
    let env = TestEnv::new();
    env.assert_counters(&[]);
    assert!(env.stats().values().all(|&n| n == 0), "{:?}", env.stats());
}

#[test]
fn stats_human_readable_succeeds() {
    let env = env_with_source();
    env.assert_zcc_matches_plain(&ARGS);
    let run = env.zcc(&["stats"]).run();
    run.success();
    assert!(!run.stdout.is_empty());
}

#[test]
fn stats_zero_resets_counters_but_keeps_entries() {
    let env = env_with_source();
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 1)]);
    env.zcc(&["stats", "--zero"]).run().success();
    assert!(
        env.stats().values().all(|&n| n == 0),
        "after --zero: {:?}",
        env.stats()
    );
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("hit", 1)]);
}

#[test]
fn clear_removes_entries_keeps_counters_next_compile_is_a_miss() {
    let env = env_with_source();
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    // `/usr/bin/clear` exists on Debian: `zcc clear` must still be zcc's command.
    let run = env.zcc(&["clear"]).run();
    run.success();
    assert!(
        run.stdout_text().starts_with("cleared "),
        "zcc clear ran something else: {:?}",
        run.stdout_text()
    );
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 2), ("hit", 1)]);
}

#[test]
fn unknown_command_exits_2_with_one_error_line() {
    let env = TestEnv::new();
    let run = env.zcc(&["frobnicate-xyz"]).run();
    assert_eq!(run.code, Some(2), "exit status");
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout_text());
    assert_one_error_line(&run);
}

#[test]
fn missing_compiler_path_exits_nonzero_without_panic() {
    let env = TestEnv::new();
    let run = env.zcc(&["./no-such-compiler", "-c", "x.c"]).run();
    assert_ne!(run.code, Some(0));
    assert!(
        !run.stderr_text().contains("panicked"),
        "{}",
        run.stderr_text()
    );
}

#[test]
fn bad_boolean_value_exits_2_with_one_error_line() {
    let env = env_with_source();
    for var in [
        "ZCC_DISABLE",
        "ZCC_READONLY",
        "ZCC_RECACHE",
        "ZCC_NODIRECT",
        "ZCC_PREPROCESS_MISSES",
    ] {
        let run = env.zcc(&ARGS).env(var, "maybe").run();
        assert_eq!(
            run.code,
            Some(2),
            "{var}=maybe: exit status; stderr: {}",
            run.stderr_text()
        );
        assert_one_error_line(&run);
    }
}

#[test]
fn boolean_values_accepted_in_any_case() {
    for value in ["1", "true", "TRUE", "Yes", "on", "ON"] {
        let env = env_with_source();
        let plain = env.plain(&ARGS).run();
        env.assert_same_run(&plain, &env.zcc(&ARGS).env("ZCC_DISABLE", value).run());
        assert!(
            env.store_files().is_empty(),
            "ZCC_DISABLE={value} must disable: {:?}",
            env.store_files()
        );
    }
    for value in ["0", "false", "No", "OFF", ""] {
        let env = env_with_source();
        let plain = env.plain(&ARGS).run();
        env.assert_same_run(&plain, &env.zcc(&ARGS).env("ZCC_DISABLE", value).run());
        assert_eq!(
            env.counter("miss"),
            1,
            "ZCC_DISABLE={value:?} must not disable"
        );
    }
}

#[test]
fn executable_named_like_a_command_in_path_is_a_compiler_when_the_arguments_are_not_the_commands() {
    // docs/CLI.md: a command name is a command when its arguments are that command's;
    // otherwise an executable of that name in PATH is a compiler.
    let env = TestEnv::new();
    let bin = env.root.join("bin");
    write_script(
        &bin.join("stats"),
        "#!/bin/sh\necho \"fake stats tool: $*\"\n",
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = env.zcc(&["stats", "--json"]).env("PATH", &path).run();
    run.success();
    assert!(
        run.stdout_text().starts_with("{\"counters\""),
        "zcc stats --json must be the command: {:?}",
        run.stdout_text()
    );
    let run = env.zcc(&["stats", "-c", "x.c"]).env("PATH", &path).run();
    run.success();
    assert_eq!(run.stdout_text(), "fake stats tool: -c x.c\n");
}

#[test]
fn a_path_is_always_a_compiler_never_a_command() {
    let env = env_with_source();
    let gcc = find_in_path("gcc").expect("gcc");
    let gcc = gcc.to_str().unwrap();
    let args = [gcc, "-c", "x.c", "-o", "x.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    assert!(Path::new(gcc).is_absolute());
}

#[test]
fn install_links_refuses_bad_names_and_real_files_in_one_line() {
    let env = TestEnv::new();
    let dir = env.root.join("links");
    let dir_arg = dir.to_str().unwrap();
    for args in [
        vec!["install-links", dir_arg],
        vec!["install-links", dir_arg, "zcc"],
        vec!["install-links", dir_arg, "bin/gcc"],
    ] {
        let run = env.zcc(&args).run();
        assert_eq!(run.code, Some(2), "{args:?}");
        assert_one_error_line(&run);
    }
    assert!(!dir.exists(), "a refused call creates nothing");
    // A real program of that name is never replaced.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("gcc"), "#!/bin/sh\n").unwrap();
    let run = env.zcc(&["install-links", dir_arg, "gcc"]).run();
    assert_eq!(run.code, Some(2));
    assert_one_error_line(&run);
    assert!(
        run.stderr_text().contains("not a symlink"),
        "{}",
        run.stderr_text()
    );
    assert_eq!(std::fs::read(dir.join("gcc")).unwrap(), b"#!/bin/sh\n");
}
