//! Masquerade: a symlink named like the compiler pointing at zcc, first in
//! `PATH`, caches the compile; zcc finds the real compiler further down `PATH`
//! and never calls itself.

mod common;
use common::*;
use std::os::unix::fs::symlink;

#[test]
fn gcc_symlink_first_in_path_caches_without_recursion() {
    let env = TestEnv::new();
    env.write("src/m.c", "int masq(int x) { return x + 40; }\n");
    // Two masquerade dirs, both before the real gcc: one links to zcc directly,
    // the other through a chain of symlinks.
    let first = env.root.join("masq1");
    let second = env.root.join("masq2");
    std::fs::create_dir(&first).unwrap();
    std::fs::create_dir(&second).unwrap();
    symlink(ZCC, first.join("gcc")).unwrap();
    symlink(ZCC, first.join("zcc-link")).unwrap();
    symlink(first.join("zcc-link"), second.join("gcc")).unwrap();
    let path = format!(
        "{}:{}:{}",
        second.display(),
        first.display(),
        std::env::var("PATH").unwrap()
    );
    let args = ["-c", "src/m.c", "-o", "m.o"];
    let masquerading = |env: &TestEnv| {
        let mut call = env.call(std::path::Path::new("gcc"), &args);
        env.zcc_env(call.cmd.env("PATH", &path));
        call.timeout(std::time::Duration::from_secs(30)).run()
    };
    let plain = env.plain(&["gcc", "-c", "src/m.c", "-o", "m.o"]).run();
    let miss = masquerading(&env);
    env.assert_same_run(&plain, &miss);
    env.assert_counters(&[("miss", 1)]);
    let hit = masquerading(&env);
    env.assert_same_run(&plain, &hit);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn gxx_symlink_by_absolute_path_caches() {
    let env = TestEnv::new();
    env.write("m.cpp", "int masq() { return 2; }\n");
    let dir = env.root.join("masq");
    std::fs::create_dir(&dir).unwrap();
    symlink(ZCC, dir.join("g++")).unwrap();
    let masq = dir.join("g++");
    let run = |env: &TestEnv| {
        let mut call = env.call(&masq, &["-c", "m.cpp", "-o", "m.o"]);
        env.zcc_env(&mut call.cmd);
        call.timeout(std::time::Duration::from_secs(30)).run()
    };
    let plain = env.plain(&["g++", "-c", "m.cpp", "-o", "m.o"]).run();
    env.assert_same_run(&plain, &run(&env));
    env.assert_same_run(&plain, &run(&env));
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}
