//! The store is input from strangers (a CI cache that pull requests wrote, a shared remote):
//! crafted entries with valid checksums and files planted in the store never make zcc touch a
//! file outside the store and the outputs the call asked for, break a build, run anything or
//! exhaust memory. Each test plants what an attacker could and checks the victim file, the
//! build's result against a plain compile, or both.

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const SOURCE: &str = "int answer(void) { return 42; }\n";

/// A file outside the store that an attacker wants destroyed.
fn victim(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.root.join("outside");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, b"precious").unwrap();
    path
}

fn assert_intact(path: &Path) {
    assert_eq!(
        fs::read(path).unwrap_or_default(),
        b"precious",
        "{} was changed through the store",
        path.display()
    );
}

/// Replace `link` (a file or directory in the store) with a symlink to `target`.
fn plant_link(link: &Path, target: &Path) {
    if fs::symlink_metadata(link).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir_all(link).unwrap();
    } else {
        let _ = fs::remove_file(link);
    }
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    symlink(target, link).unwrap();
}

/// Files under `dir` whose name starts with `prefix` (not following links).
fn named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

const COMPILE: [&str; 6] = ["gcc", "-O2", "-c", "a.c", "-o", "a.o"];

/// A store holding the result of [`COMPILE`].
fn filled_store() -> TestEnv {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    env.assert_zcc_matches_plain(&COMPILE);
    env
}

// ---------------------------------------------------------------- 1: planted symlinks

#[test]
fn gc_never_deletes_through_a_symlinked_aux_directory() {
    let env = filled_store();
    let outside = victim(&env, "old-file");
    set_mtime(
        &outside,
        SystemTime::now() - Duration::from_secs(30 * 86_400),
    );
    plant_link(&env.store.join("v1/aux"), outside.parent().unwrap());
    let run = env.zcc(&["gc", "--older-than", "1d"]).run();
    run.success();
    assert_intact(&outside);
}

#[test]
fn gc_never_walks_a_symlinked_fanout_directory() {
    let env = filled_store();
    let outside = victim(
        &env,
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    set_mtime(
        &outside,
        SystemTime::now() - Duration::from_secs(30 * 86_400),
    );
    plant_link(&env.store.join("v1/results/zz"), outside.parent().unwrap());
    env.zcc(&["gc", "--older-than", "1d"]).run().success();
    assert_intact(&outside);
}

#[test]
fn a_symlinked_size_marker_is_not_written_through() {
    let env = filled_store();
    let outside = victim(&env, "counted");
    plant_link(&env.store.join("v1/size/counted"), &outside);
    env.write("b.c", "int b(void) { return 2; }\n");
    env.zcc(&["gcc", "-c", "b.c", "-o", "b.o"])
        .env("ZCC_MAXSIZE", "1k")
        .run()
        .success();
    assert_intact(&outside);
}

#[test]
fn symlinked_explain_records_and_stats_shards_are_not_written_through() {
    let env = filled_store();
    let mut victims = Vec::new();
    for (i, record) in named(&env.store.join("v1/aux"), "explain-")
        .into_iter()
        .chain(named(&env.store.join("stats"), "shard-"))
        .enumerate()
    {
        let outside = victim(&env, &format!("v{i}"));
        plant_link(&record, &outside);
        victims.push(outside);
    }
    assert!(victims.len() >= 2, "no explain record or stats shard");
    // Every shard, whichever this call picks.
    for i in 0..16 {
        let shard = env.store.join(format!("stats/shard-{i:02}"));
        if fs::symlink_metadata(&shard).is_err() {
            let outside = victim(&env, &format!("shard{i}"));
            plant_link(&shard, &outside);
            victims.push(outside);
        }
    }
    env.write("a.c", "int answer(void) { return 43; }\n");
    env.assert_zcc_matches_plain(&COMPILE);
    for v in &victims {
        assert_intact(v);
    }
}

#[test]
fn a_symlinked_remote_marker_is_not_written_through() {
    let env = filled_store();
    // Nothing listens on port 9: the tier fails and the call leaves a marker.
    let remote = "redis://127.0.0.1:9";
    env.write("b.c", "int b(void) { return 2; }\n");
    env.zcc(&["gcc", "-c", "b.c", "-o", "b.o"])
        .env("ZCC_REMOTE", remote)
        .run()
        .success();
    let markers = named(&env.store.join("v1/aux"), "remote-down.");
    assert_eq!(markers.len(), 1, "{markers:?}\n{}", env.log_tail());
    let outside = victim(&env, "marker");
    // Old, so the tier is asked again and fails again.
    set_mtime(&outside, SystemTime::now() - Duration::from_secs(3600));
    plant_link(&markers[0], &outside);
    env.write("c.c", "int c(void) { return 3; }\n");
    env.zcc(&["gcc", "-c", "c.c", "-o", "c.o"])
        .env("ZCC_REMOTE", remote)
        .run()
        .success();
    assert_intact(&outside);
}

#[test]
fn a_refused_store_gets_nothing_written_not_even_counters() {
    let env = TestEnv::new();
    env.write("a.c", SOURCE);
    fs::create_dir(&env.store).unwrap();
    fs::set_permissions(&env.store, fs::Permissions::from_mode(0o777)).unwrap();
    // A compile, and a call that passes through (preprocess only).
    env.assert_zcc_matches_plain(&COMPILE);
    env.assert_zcc_matches_plain(&["gcc", "-E", "a.c", "-o", "a.i"]);
    let inside: Vec<_> = fs::read_dir(&env.store).unwrap().flatten().collect();
    assert!(
        inside.is_empty(),
        "the refused store was written: {:?}",
        inside.iter().map(|e| e.file_name()).collect::<Vec<_>>()
    );
}
