//! `install.sh`: a real `cargo install` into a prefix, masquerade links, running it again, and
//! its messages when it cannot work.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// Runs `bash install.sh args` with the given environment changes; returns the run.
fn install_sh(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let script = repo_root().join("install.sh");
    let mut all = vec![script.to_str().unwrap()];
    all.extend_from_slice(args);
    let mut call = env
        .call(Path::new("bash"), &all)
        .timeout(std::time::Duration::from_secs(900));
    for (k, v) in vars {
        call.cmd.env(k, v);
    }
    call.run()
}

#[test]
fn installs_zcc_and_links_then_running_again_changes_nothing() {
    require_tool("cargo");
    let env = TestEnv::new();
    let prefix = env.root.join("prefix");
    let links = env.root.join("links");
    let target = install_target_dir();
    let args = [
        "--prefix",
        prefix.to_str().unwrap(),
        "--links",
        links.to_str().unwrap(),
        "gcc",
        "g++",
    ];
    let first = install_sh(&env, &args, &[("CARGO_TARGET_DIR", &target)]);
    first.success();
    let zcc = prefix.join("bin/zcc");
    let out = first.stdout_text();
    assert!(
        out.contains(&format!("installed zcc {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    let version = Command::new(&zcc).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("zcc {}", env!("CARGO_PKG_VERSION"))
    );
    for name in ["gcc", "g++"] {
        assert_eq!(
            std::fs::read_link(links.join(name)).unwrap(),
            std::fs::canonicalize(&zcc).unwrap(),
            "{name}"
        );
    }
    assert!(out.matches("created").count() == 2, "{out}");

    // The installed masquerade link caches a compile.
    env.write("m.c", "int m(void) { return 7; }\n");
    let masq = |env: &TestEnv| {
        let mut call = env.call(&links.join("gcc"), &["-c", "m.c", "-o", "m.o"]);
        call.cmd
            .env("ZCC_DIR", &env.store)
            .env("ZCC_LOGFILE", &env.log);
        call.run()
    };
    masq(&env).success();
    masq(&env).success();
    env.assert_counters(&[("miss", 1), ("hit", 1)]);

    // Again: same binary, links left as they are.
    let second = install_sh(&env, &args, &[("CARGO_TARGET_DIR", &target)]);
    second.success();
    let out = second.stdout_text();
    assert_eq!(out.matches("already there").count(), 2, "{out}");
    assert!(
        Command::new(&zcc)
            .arg("--version")
            .output()
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn without_cargo_it_says_so_in_one_line() {
    let env = TestEnv::new();
    // A PATH with bash and coreutils but no cargo, and a HOME without ~/.cargo/bin/cargo.
    let home = env.root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let run = install_sh(
        &env,
        &["--prefix", env.root.join("p").to_str().unwrap()],
        &[("PATH", "/usr/bin:/bin"), ("HOME", home.to_str().unwrap())],
    );
    assert_ne!(run.code, Some(0));
    let err = run.stderr_text();
    assert!(
        err.starts_with("install.sh: error: cargo not found") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!env.root.join("p/bin/zcc").exists());
}

#[test]
fn bad_arguments_are_one_line_errors() {
    let env = TestEnv::new();
    for args in [
        &["--frobnicate"][..],
        &["--prefix"][..],
        &["--links", "/tmp/x"][..],
    ] {
        let run = install_sh(&env, args, &[]);
        assert_ne!(run.code, Some(0), "{args:?}");
        let err = run.stderr_text();
        assert!(
            err.starts_with("install.sh: error: ") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
}
