//! A damaged or unusable store never breaks a build: corrupt entries are
//! recompiled (and counted), an unwritable store still gives correct objects,
//! and `ZCC_DISABLE=1` leaves the compiler alone.

mod common;
use common::*;
use std::fs;
use std::path::PathBuf;

const SOURCE: &str =
    "#include <string.h>\nsize_t length_of(const char *s) { return strlen(s) + 1; }\n";
const ARGS: [&str; 6] = ["gcc", "-O2", "-c", "len.c", "-o", "len.o"];

/// The files inside the store's subdirectories (entries, manifests), skipping
/// anything named like stats. Panics if there is none: the test would prove nothing.
fn entry_files(env: &TestEnv) -> Vec<PathBuf> {
    let all = env.store_files();
    let entries: Vec<PathBuf> = all
        .iter()
        .filter(|rel| rel.components().count() > 1)
        .filter(|rel| !rel.to_string_lossy().to_lowercase().contains("stats"))
        .cloned()
        .collect();
    assert!(
        !entries.is_empty(),
        "no entry files in the store after a miss; store holds {all:?}"
    );
    entries
}

fn damage_entries_then_recompile(damage: impl Fn(&[u8]) -> Vec<u8>) {
    let env = TestEnv::new();
    env.write("len.c", SOURCE);
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 1)]);
    for rel in entry_files(&env) {
        let path = env.store.join(rel);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, damage(&bytes)).unwrap();
    }
    // The damaged entry is not served: the compile runs, the object is right.
    let run = env.assert_zcc_matches_plain(&ARGS);
    run.success();
    let stats = env.stats();
    assert!(
        stats.get("error_store_read").copied().unwrap_or(0) >= 1,
        "error_store_read not counted: {stats:?}\n{}",
        env.log_tail()
    );
    assert_eq!(
        env.hits(),
        0,
        "a damaged entry must not count as a hit: {stats:?}"
    );
    // The recompile stored a good entry again.
    let hits_before = env.hits();
    env.assert_zcc_matches_plain(&ARGS);
    assert_eq!(
        env.hits(),
        hits_before + 1,
        "the call after the repair is a hit\n{}",
        env.log_tail()
    );
}

#[test]
fn garbage_in_every_entry_file_recompiles_counts_error_store_read_then_hits() {
    damage_entries_then_recompile(|bytes| {
        // Same length, every byte changed.
        bytes
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ 0x5a ^ (i as u8))
            .collect()
    });
}

#[test]
fn truncated_entry_files_recompile_count_error_store_read_then_hit() {
    damage_entries_then_recompile(|bytes| bytes[..bytes.len() / 2].to_vec());
}

#[test]
fn emptied_entry_files_recompile_count_error_store_read_then_hit() {
    damage_entries_then_recompile(|_| Vec::new());
}

#[test]
fn unwritable_store_compiles_correctly_and_logs_the_error() {
    let env = TestEnv::new();
    env.write("len.c", SOURCE);
    // Root ignores permission bits: a store path under a regular file can't be created.
    fs::write(env.root.join("file.txt"), "a file, not a directory\n").unwrap();
    let store = env.root.join("file.txt/store");
    for _ in 0..2 {
        let plain = env.plain(&ARGS).run();
        let cached = env.zcc(&ARGS).env("ZCC_DIR", &store).run();
        env.assert_same_run(&plain, &cached);
        cached.success();
        assert!(
            !cached.stderr_text().contains("panicked"),
            "{}",
            cached.stderr_text()
        );
    }
    let log = fs::read_to_string(&env.log).unwrap_or_default();
    assert!(
        log.to_lowercase().contains("error"),
        "ZCC_LOGFILE should record the store error; it holds:\n{log}"
    );
}

#[test]
fn zcc_disable_runs_the_compiler_untouched_and_stores_nothing() {
    let env = TestEnv::new();
    env.write("len.c", SOURCE);
    for _ in 0..2 {
        let plain = env.plain(&ARGS).run();
        let cached = env.zcc(&ARGS).env("ZCC_DISABLE", "1").run();
        env.assert_same_run(&plain, &cached);
    }
    assert_eq!(
        env.store_files(),
        Vec::<PathBuf>::new(),
        "ZCC_DISABLE=1 must store nothing"
    );
}

#[test]
fn zcc_readonly_serves_hits_and_stores_nothing_new() {
    let env = TestEnv::new();
    env.write("len.c", SOURCE);
    // Nothing stored yet: a read-only call compiles and stores nothing.
    let plain = env.plain(&ARGS).run();
    env.assert_same_run(&plain, &env.zcc(&ARGS).env("ZCC_READONLY", "1").run());
    assert_eq!(env.counter("not_stored_readonly"), 1, "{:?}", env.stats());
    env.assert_zcc_matches_plain(&ARGS);
    assert_eq!(
        env.hits(),
        0,
        "the read-only call stored nothing, so this was a miss"
    );
    env.assert_same_run(&plain, &env.zcc(&ARGS).env("ZCC_READONLY", "1").run());
    assert_eq!(
        env.hits(),
        1,
        "read-only mode serves the stored entry\n{}",
        env.log_tail()
    );
}

#[test]
fn zcc_recache_compiles_again_and_overwrites() {
    let env = TestEnv::new();
    env.write("len.c", SOURCE);
    env.assert_zcc_matches_plain(&ARGS);
    let plain = env.plain(&ARGS).run();
    env.assert_same_run(&plain, &env.zcc(&ARGS).env("ZCC_RECACHE", "1").run());
    assert_eq!(env.hits(), 0, "ZCC_RECACHE never serves a hit");
    env.assert_zcc_matches_plain(&ARGS);
    assert_eq!(env.hits(), 1);
}

#[test]
fn closed_standard_descriptors_still_give_correct_results() {
    // zcc starts without Rust's runtime start-up (see main.rs), which reopened closed
    // standard descriptors; a build that runs it with them closed must still get the
    // plain compiler's object, stored and then served.
    let env = TestEnv::new();
    env.write("len.c", SOURCE);
    let plain = env.plain(&ARGS).run();
    let closed = |n: u64| {
        let mut args = vec!["-c", "exec \"$0\" \"$@\" <&- >&- 2>&-", ZCC];
        args.extend(ARGS);
        let mut call = env.call(std::path::Path::new("/bin/sh"), &args);
        env.zcc_env(&mut call.cmd);
        let run = call.run();
        run.success();
        assert_bytes_eq(
            &format!("len.o (call {n})"),
            plain.success().output("len.o"),
            run.output("len.o"),
        );
    };
    closed(1);
    closed(2);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}
