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

    // On Linux with glibc and a static libc to link with, the shipped binary is static
    // (scripts/static-link.sh): no program interpreter, so no dynamic loader at each start.
    if cfg!(all(target_os = "linux", target_env = "gnu")) && static_libc_available() {
        assert!(out.contains("building zcc (statically linked)"), "{out}");
        let image = std::fs::read(&zcc).unwrap();
        assert_eq!(
            elf_has_interpreter(&image),
            Some(false),
            "{}",
            zcc.display()
        );
    }

    // The installed masquerade link caches a compile.
    env.write("m.c", "int m(void) { return 7; }\n");
    let masq = |env: &TestEnv| {
        let mut call = env.call(&links.join("gcc"), &["-c", "m.c", "-o", "m.o"]);
        env.zcc_env(&mut call.cmd);
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

/// Whether the C toolchain can link a static glibc program (Debian: libc6-dev has libc.a).
fn static_libc_available() -> bool {
    Command::new("cc")
        .arg("-print-file-name=libc.a")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() != "libc.a")
}

/// Whether a 64-bit little-endian ELF image names a program interpreter (a `PT_INTERP`
/// program header, i.e. it is dynamically linked); `None` if it is not such an image.
fn elf_has_interpreter(image: &[u8]) -> Option<bool> {
    const PT_INTERP: u32 = 3;
    if image.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(image.get(at..at + 2)?.try_into().ok()?));
    let phoff = u64::from_le_bytes(image.get(0x20..0x28)?.try_into().ok()?) as usize;
    let (entsize, count) = (usize::from(u16_at(0x36)?), usize::from(u16_at(0x38)?));
    let mut found = false;
    for n in 0..count {
        let at = phoff + n * entsize;
        found |= u32::from_le_bytes(image.get(at..at + 4)?.try_into().ok()?) == PT_INTERP;
    }
    Some(found)
}

#[test]
fn elf_interpreter_is_read_from_the_program_headers() {
    // This test binary: dynamically linked unless the tests were built crt-static.
    let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert_eq!(
        elf_has_interpreter(&me),
        Some(!cfg!(target_feature = "crt-static"))
    );
    assert_eq!(elf_has_interpreter(b"#!/bin/sh\n"), None);
    assert_eq!(elf_has_interpreter(b"\x7fELF\x02\x01"), None);
}
