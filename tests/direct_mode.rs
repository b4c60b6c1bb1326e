//! Direct mode: a manifest of every file an earlier compile read (with content
//! hashes, plus paths that must stay absent) serves a hit without running the
//! preprocessor. Every hit here is checked byte for byte against a plain compile
//! of the same command, and every change that could make a stored result stale
//! (an edited, removed or newly shadowing header, a local header next to an
//! identical source, time macros, `__FILE__`, a damaged manifest) must give the
//! plain compiler's result.

mod common;
use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const MAIN_C: &str = "#include <stddef.h>\n#include \"defs.h\"\n\
                      size_t value(void) { return ANSWER + sizeof(size_t); }\n";

/// The simple project most tests start from: `src/main.c` includes `defs.h`
/// (found through `-Iinclude`).
fn project(defs: &str) -> TestEnv {
    let env = TestEnv::new();
    env.write("src/main.c", MAIN_C);
    env.write("include/defs.h", defs);
    env
}

const ARGS: [&str; 6] = ["gcc", "-Iinclude", "-c", "src/main.c", "-o", "main.o"];

/// An executable shell script `bin/<name>` outside `work/` (so the harness does
/// not take it for an output); returns its path.
fn script(env: &TestEnv, name: &str, text: &str) -> String {
    let path = env.root.join("bin").join(name);
    write_script(&path, text);
    path.to_str().unwrap().to_string()
}

/// A compiler wrapper that appends its arguments (one call per line) to a log
/// (also outside `work/`) and then `exec`s the real gcc.
fn wrapper(env: &TestEnv) -> (String, PathBuf) {
    let gcc = find_in_path("gcc").expect("gcc in PATH");
    let log = env.root.join("cc-wrap.log");
    let text = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
        log.display(),
        gcc.display()
    );
    (script(env, "cc-wrap", &text), log)
}

/// The wrapper calls logged so far (one line per call), and empties the log.
fn take_calls(log: &Path) -> Vec<String> {
    let text = fs::read_to_string(log).unwrap_or_default();
    let _ = fs::remove_file(log);
    text.lines().map(str::to_string).collect()
}

/// Files under `<store>/v1/manifests/` (panics if there is none: the test would
/// prove nothing).
fn manifest_files(env: &TestEnv) -> Vec<PathBuf> {
    let dir = env.store.join("v1/manifests");
    let files: Vec<PathBuf> = files_under(&dir)
        .into_iter()
        .filter(|rel| !rel.to_string_lossy().contains(".tmp."))
        .map(|rel| dir.join(rel))
        .collect();
    assert!(
        !files.is_empty(),
        "no manifest under {} after a direct-mode miss; store holds {:?}",
        dir.display(),
        env.store_files()
    );
    files
}

/// Runs plain, zcc, plain until both plain runs give the same outputs (they ran
/// within the same second, so `__TIME__` had one value), then asserts that the
/// zcc run gave exactly those. Returns the zcc run.
fn bracketed(env: &TestEnv, args: &[&str]) -> Run {
    for _ in 0..10 {
        let before = env.plain(args).run();
        before.success();
        let cached = env.zcc(args).run();
        let after = env.plain(args).run();
        if before.outputs == after.outputs {
            env.assert_same_run(&before, &cached);
            return cached;
        }
    }
    panic!("ten plain compiles in a row straddled a second boundary; machine too slow?");
}

/// The local date as `__DATE__` sees it changes at midnight; a test that runs
/// across midnight is retried.
fn today() -> String {
    let out = Command::new("date").arg("+%F").output().expect("run date");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn direct_hit_runs_neither_preprocessor_nor_compiler() {
    let env = project("#define ANSWER 42\n");
    let (wrap, log) = wrapper(&env);
    let tail = ["-Iinclude", "-O2", "-c", "src/main.c", "-o", "main.o"];
    let plain_args: Vec<&str> = std::iter::once("gcc").chain(tail).collect();
    let zcc_args: Vec<&str> = std::iter::once(wrap.as_str()).chain(tail).collect();
    let plain = env.plain(&plain_args).run();
    plain.success();

    let miss = env.zcc(&zcc_args).run();
    env.assert_same_run(&plain, &miss);
    env.assert_counters(&[("miss", 1)]);
    let miss_calls = take_calls(&log);
    assert!(
        miss_calls.iter().any(|c| c.contains("src/main.c")),
        "the miss did not compile through the wrapper: {miss_calls:?}"
    );
    eprintln!("wrapper calls during the miss: {miss_calls:#?}");

    let hit = env.zcc(&zcc_args).run();
    env.assert_same_run(&plain, &hit);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    let hit_calls = take_calls(&log);
    let preprocessor_calls: Vec<&String> = hit_calls
        .iter()
        .filter(|c| c.split(' ').any(|a| a == "-E"))
        .collect();
    assert!(
        preprocessor_calls.is_empty(),
        "a direct hit ran the preprocessor: {preprocessor_calls:?}\n{}",
        env.log_tail()
    );
    assert!(
        hit_calls.is_empty(),
        "a direct hit ran the compiler {} time(s): {hit_calls:?}\n{}",
        hit_calls.len(),
        env.log_tail()
    );
}

#[test]
fn header_edit_misses_and_restoring_the_old_content_hits_again() {
    // Same length on purpose: only the content tells the versions apart.
    let (v1, v2) = ("#define ANSWER 41\n", "#define ANSWER 42\n");
    let env = project(v1);
    let one = env.assert_zcc_matches_plain(&ARGS);
    env.write("include/defs.h", v2);
    let two = env.assert_zcc_matches_plain(&ARGS);
    assert_ne!(
        one.output("main.o"),
        two.output("main.o"),
        "the header edit must change the object"
    );
    env.assert_counters(&[("miss", 2)]);

    env.write("include/defs.h", v1);
    let back = env.assert_zcc_matches_plain(&ARGS);
    assert_bytes_eq(
        "main.o (v1 again)",
        one.output("main.o"),
        back.output("main.o"),
    );
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
    env.write("include/defs.h", v2);
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 2), ("direct_hit", 2)]);
}

#[test]
fn touched_header_with_the_same_content_still_hits() {
    let env = project("#define ANSWER 42\n");
    env.assert_zcc_matches_plain(&ARGS);
    let header = env.path("include/defs.h");
    let old_mtime = fs::metadata(&header).unwrap().modified().unwrap();
    // Rewritten with identical bytes, and dated in the future: every stat field
    // but the size changes.
    fs::write(&header, "#define ANSWER 42\n").unwrap();
    fs::File::options()
        .write(true)
        .open(&header)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(30))
        .unwrap();
    assert_ne!(
        fs::metadata(&header).unwrap().modified().unwrap(),
        old_mtime
    );
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
}

#[test]
fn header_removed_with_its_include_gives_the_new_object_and_dependency_file() {
    let env = TestEnv::new();
    env.write(
        "src/main.c",
        "#include \"outer.h\"\nint value(void) { return OUTER; }\n",
    );
    env.write(
        "include/outer.h",
        "#include \"gone.h\"\n#define OUTER (GONE + 1)\n",
    );
    env.write("include/gone.h", "#define GONE 2\n");
    let args = [
        "gcc",
        "-Iinclude",
        "-MD",
        "-MF",
        "main.d",
        "-c",
        "src/main.c",
        "-o",
        "main.o",
    ];
    let before = env.assert_zcc_matches_plain(&args);
    assert!(String::from_utf8_lossy(before.output("main.d")).contains("include/gone.h"));

    fs::remove_file(env.path("include/gone.h")).unwrap();
    env.write("include/outer.h", "#define OUTER 4\n");
    for _ in 0..2 {
        let after = env.assert_zcc_matches_plain(&args);
        let d = String::from_utf8_lossy(after.output("main.d")).into_owned();
        assert!(!d.contains("gone.h"), "stale entry in the .d file:\n{d}");
        assert_ne!(before.output("main.o"), after.output("main.o"));
    }
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

/// `src/s.c` includes `<x.h>`, found in `b/` through `-Ia -Ib`; `a/` is empty, so a
/// header created there shadows it. Returns the project and the compile command.
fn bracket_search_path() -> (TestEnv, [&'static str; 7]) {
    let env = TestEnv::new();
    env.write("src/s.c", "#include <x.h>\nint value(void) { return X; }\n");
    env.write("b/x.h", "#define X 2\n");
    env.mkdir("a");
    (env, ["gcc", "-Ia", "-Ib", "-c", "src/s.c", "-o", "s.o"])
}

#[test]
fn header_created_earlier_in_the_bracket_search_path_misses() {
    let (env, args) = bracket_search_path();
    let old = env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);

    env.write("a/x.h", "#define X 1\n");
    let new = env.assert_zcc_matches_plain(&args);
    assert_ne!(old.output("s.o"), new.output("s.o"));
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);

    // Gone again: the first candidate (b/x.h, a/x.h absent) matches again.
    fs::remove_file(env.path("a/x.h")).unwrap();
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2), ("direct_hit", 2)]);
}

#[test]
fn header_created_next_to_the_source_shadows_the_include_path() {
    let env = TestEnv::new();
    env.write(
        "src/m.c",
        "#include \"cfg.h\"\nint value(void) { return CFG; }\n",
    );
    env.write("include/cfg.h", "#define CFG 1\n");
    let args = ["gcc", "-Iinclude", "-c", "src/m.c", "-o", "m.o"];
    let old = env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);

    env.write("src/cfg.h", "#define CFG 2\n");
    let new = env.assert_zcc_matches_plain(&args);
    assert_ne!(old.output("m.o"), new.output("m.o"));
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

#[test]
fn header_created_next_to_the_including_header_shadows_the_include_path() {
    // `#include "inner.h"` inside hdr/outer.h searches hdr/ first (the including
    // file's directory), then -Iinc2, then -Ihdr. inner.h is first found in
    // inc2/; creating hdr/inner.h changes what the compiler reads.
    let env = TestEnv::new();
    env.write(
        "src/m.c",
        "#include \"outer.h\"\nint value(void) { return INNER; }\n",
    );
    env.write("hdr/outer.h", "#include \"inner.h\"\n");
    env.write("inc2/inner.h", "#define INNER 1\n");
    let args = ["gcc", "-Iinc2", "-Ihdr", "-c", "src/m.c", "-o", "m.o"];
    let old = env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);

    env.write("hdr/inner.h", "#define INNER 2\n");
    assert_edit_reaches_the_object(&env, &args, &old, "gcc now reads hdr/inner.h");
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

/// After an edit: plain gcc now makes another `m.o` than `old` (else the test would prove
/// nothing; `what` says why it should), and zcc gives exactly plain gcc's run.
fn assert_edit_reaches_the_object(env: &TestEnv, args: &[&str], old: &Run, what: &str) {
    let plain = env.plain(args).run();
    assert_ne!(
        old.output("m.o"),
        plain.output("m.o"),
        "precondition: {what}"
    );
    let cached = env.zcc(args).run();
    env.assert_same_run(&plain, &cached);
}

#[test]
fn header_probed_with_has_include_then_created_misses() {
    // A common configuration pattern (`#if __has_include("user_config.h")`): the
    // probed file is absent at first, so no dependency list names it.
    let env = TestEnv::new();
    env.write(
        "src/m.c",
        "#if __has_include(\"opt.h\")\n#include \"opt.h\"\n#else\n#define OPT 0\n#endif\n\
         int value(void) { return OPT; }\n",
    );
    let args = ["gcc", "-c", "src/m.c", "-o", "m.o"];
    let old = env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    // No dependency list names the probed file: zcc records where `__has_include` looked.
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);

    env.write("src/opt.h", "#define OPT 7\n");
    assert_edit_reaches_the_object(&env, &args, &old, "gcc now reads src/opt.h");
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

#[test]
fn has_include_of_a_present_file_that_disappears_misses() {
    let env = TestEnv::new();
    env.write("src/opt.h", "#define OPT 7\n");
    env.write(
        "src/m.c",
        "#if __has_include(\"opt.h\")\n#define OPT 7\n#else\n#define OPT 0\n#endif\n\
         int value(void) { return OPT; }\n",
    );
    let args = ["gcc", "-c", "src/m.c", "-o", "m.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    // opt.h was never read (only probed), so no dependency list names it.
    std::fs::remove_file(env.path("src/opt.h")).unwrap();
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

#[test]
fn identical_sources_with_different_local_headers_do_not_share_a_result() {
    let env = TestEnv::new();
    // A workspace marker, so that paths are rewritten through root tokens.
    env.mkdir(".git");
    let source = "#include \"r.h\"\nint value(void) { return R; }\n";
    env.write("a/x.c", source);
    env.write("b/x.c", source);
    env.write("a/r.h", "#define R 1\n");
    env.write("b/r.h", "#define R 2\n");
    let args = ["gcc", "-c", "x.c", "-o", "x.o"];
    let compile = |dir: &str| {
        let plain = env.plain(&args).cwd(dir).run();
        plain.success();
        let cached = env.zcc(&args).cwd(dir).run();
        env.assert_same_run(&plain, &cached);
        cached
    };
    let a = compile("a");
    env.assert_counters(&[("miss", 1)]);
    let b = compile("b");
    env.assert_counters(&[("miss", 2)]);
    assert_ne!(a.output("a/x.o"), b.output("b/x.o"));
    // From the top directory (other arguments, same files).
    env.assert_zcc_matches_plain(&["gcc", "-c", "a/x.c", "-o", "a.o"]);
    env.assert_zcc_matches_plain(&["gcc", "-c", "b/x.c", "-o", "b.o"]);
    let misses = env.counter("miss");
    // Each again: hits with each one's own object.
    compile("a");
    compile("b");
    env.assert_zcc_matches_plain(&["gcc", "-c", "b/x.c", "-o", "b.o"]);
    let stats = env.stats();
    assert_eq!(
        (env.counter("miss"), stats.get("direct_hit").copied()),
        (misses, Some(3)),
        "all stats: {stats:?}\n{}",
        env.log_tail()
    );
}

#[test]
fn date_macro_in_a_header_is_not_stored_in_direct_mode_and_never_stale() {
    for attempt in 0..2 {
        let day = today();
        let env = TestEnv::new();
        env.write(
            "src/main.c",
            "#include \"stamp.h\"\nconst char *built(void) { return build_date; }\n",
        );
        env.write(
            "include/stamp.h",
            "static const char build_date[] = __DATE__;\n",
        );
        env.assert_zcc_matches_plain(&ARGS);
        env.assert_counters(&[("miss", 1), ("not_stored_time_macro", 1)]);
        env.assert_zcc_matches_plain(&ARGS);
        let after_two = env.stats();
        env.assert_zcc_matches_plain(&ARGS);
        if today() != day && attempt == 0 {
            continue; // midnight passed: __DATE__ changed under the test
        }
        eprintln!("counters after the second call: {after_two:?}");
        env.assert_counters(&[
            ("miss", 2),
            ("not_stored_time_macro", 1),
            ("preprocessed_hit", 1),
        ]);
        return;
    }
}

#[test]
fn time_macro_in_a_header_never_serves_an_object_from_another_second() {
    let env = TestEnv::new();
    env.write(
        "src/main.c",
        "#include \"stamp.h\"\nconst char *built(void) { return build_time; }\n",
    );
    env.write(
        "include/stamp.h",
        "static const char build_time[] = __TIME__;\n",
    );
    let first = bracketed(&env, &ARGS);
    assert_eq!(env.counter("not_stored_time_macro"), 1, "{:?}", env.stats());
    // Past the next second boundary, __TIME__ expands to something else.
    std::thread::sleep(Duration::from_millis(1100));
    let second = bracketed(&env, &ARGS);
    assert_ne!(
        first.output("main.o"),
        second.output("main.o"),
        "an object compiled a second earlier was served\n{}",
        env.log_tail()
    );
    assert_eq!(env.counter("direct_hit"), 0, "{:?}", env.stats());
}

#[test]
fn source_date_epoch_selects_the_time_macro_result() {
    let env = TestEnv::new();
    env.write(
        "src/main.c",
        "#include \"stamp.h\"\nconst char *built(void) { return stamp; }\n",
    );
    env.write(
        "include/stamp.h",
        "static const char stamp[] = __DATE__ \" \" __TIME__;\n",
    );
    let run = |epoch: &str| {
        let plain = env.plain(&ARGS).env("SOURCE_DATE_EPOCH", epoch).run();
        plain.success();
        let cached = env.zcc(&ARGS).env("SOURCE_DATE_EPOCH", epoch).run();
        env.assert_same_run(&plain, &cached);
        cached
    };
    let one = run("1000000000");
    run("1000000000");
    run("1000000000");
    let two = run("2000000000");
    assert_ne!(one.output("main.o"), two.output("main.o"));
    // The first call is a direct-mode miss (not stored: time macros), the next ones use the
    // preprocessed text, which holds the expansions: the old value was a miss then a hit, the
    // new value a miss. SOURCE_DATE_EPOCH itself is in no key.
    env.assert_counters(&[
        ("miss", 3),
        ("not_stored_time_macro", 1),
        ("preprocessed_hit", 1),
    ]);
}

const ASSERT_SOURCE: &str = "#include <assert.h>\n\
                             int checked(int x) { assert(x > 0); return x * 2; }\n";

#[test]
fn file_macro_from_assert_h_hits_directly_on_the_same_layout() {
    // assert() expands __FILE__: the result is keyed on the preprocessed text (portable)
    // and found again through a manifest keyed on exact paths (this layout).
    let env = TestEnv::new();
    env.write("src/check.c", ASSERT_SOURCE);
    let args = ["gcc", "-O1", "-c", "src/check.c", "-o", "check.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    // With direct mode off, the same entry is found through the preprocessed text.
    let run = env.zcc(&args).env("ZCC_NODIRECT", "1").run();
    run.success();
    env.assert_counters(&[("miss", 1), ("direct_hit", 1), ("preprocessed_hit", 1)]);
}

#[test]
fn file_macro_with_absolute_paths_in_two_workspaces_does_not_share_a_result() {
    // Both calls read the same as `zcc gcc -c @WS0/check.c`, but assert() embeds
    // the absolute path the compiler used.
    let env = TestEnv::new();
    for ws in ["ws1", "ws2"] {
        env.mkdir(&format!("{ws}/.git"));
        env.write(&format!("{ws}/check.c"), ASSERT_SOURCE);
    }
    let compile = |ws: &str| {
        let src = env.path(&format!("{ws}/check.c"));
        let args = ["gcc", "-c", src.to_str().unwrap(), "-o", "check.o"];
        let plain = env.plain(&args).cwd(ws).run();
        plain.success();
        let cached = env.zcc(&args).cwd(ws).run();
        env.assert_same_run(&plain, &cached);
        cached
    };
    let one = compile("ws1");
    let two = compile("ws2");
    assert_ne!(
        one.output("ws1/check.o"),
        two.output("ws2/check.o"),
        "precondition: __FILE__ differs"
    );
    env.assert_counters(&[("miss", 2)]);
    compile("ws1");
    compile("ws2");
    // Each workspace finds its own result through its exact-path manifest.
    env.assert_counters(&[("miss", 2), ("direct_hit", 2)]);
}

#[test]
fn md_mf_dependency_file_on_a_direct_hit_with_another_output() {
    let env = project("#define ANSWER 42\n");
    env.mkdir("o1");
    env.mkdir("o2/deeper");
    let call = |out: &str| {
        let o = format!("{out}/main.o");
        let d = format!("{out}/main.d");
        let args = [
            "gcc",
            "-Iinclude",
            "-c",
            "src/main.c",
            "-o",
            &o,
            "-MD",
            "-MF",
            &d,
        ];
        let run = env.assert_zcc_matches_plain(&args);
        let text = String::from_utf8_lossy(run.output(&d)).into_owned();
        assert!(text.starts_with(&format!("{o}:")), "{text}");
        assert!(
            text.contains("stddef.h"),
            "-MD lists system headers: {text}"
        );
    };
    call("o1");
    env.assert_counters(&[("miss", 1)]);
    call("o2/deeper");
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
}

#[test]
fn mmd_leaves_system_headers_out_of_the_d_file_but_zcc_still_tracks_them() {
    let env = TestEnv::new();
    env.write(
        "src/main.c",
        "#include <stdio.h>\n#include <vendor.h>\n#include \"user.h\"\n\
         int value(void) { return VENDOR + USER + EOF; }\n",
    );
    env.write("sysinc/vendor.h", "#define VENDOR 10\n");
    env.write("include/user.h", "#define USER 1\n");
    let args = [
        "gcc",
        "-isystem",
        "sysinc",
        "-Iinclude",
        "-MMD",
        "-c",
        "src/main.c",
        "-o",
        "main.o",
    ];
    let first = env.assert_zcc_matches_plain(&args);
    let d = String::from_utf8_lossy(first.output("main.d")).into_owned();
    assert!(
        d.contains("include/user.h") && !d.contains("vendor.h") && !d.contains("stdio.h"),
        "-MMD lists user headers only: {d}"
    );
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);

    // A system header (one the user's .d leaves out) changes: a miss.
    env.write("sysinc/vendor.h", "#define VENDOR 20\n");
    let changed = env.assert_zcc_matches_plain(&args);
    assert_ne!(first.output("main.o"), changed.output("main.o"));
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

#[test]
fn cxx_including_vector_hits_on_the_second_call() {
    let env = TestEnv::new();
    env.write(
        "v.cpp",
        "#include <vector>\nint total(int n) {\n  std::vector<int> v;\n  \
         for (int i = 0; i < n; ++i) v.push_back(i);\n  int s = 0;\n  \
         for (int x : v) s += x;\n  return s;\n}\n",
    );
    let args = ["g++", "-O1", "-c", "v.cpp", "-o", "v.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    let stats = env.stats();
    eprintln!(
        "<vector> second call: direct_hit={:?} preprocessed_hit={:?}",
        stats.get("direct_hit"),
        stats.get("preprocessed_hit")
    );
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn nodirect_uses_preprocessor_keys_only() {
    let env = project("#define ANSWER 42\n");
    // A manifest exists (direct-mode miss) ...
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 1)]);
    // ... but ZCC_NODIRECT=1 never consults it.
    let nodirect = |env: &TestEnv| {
        let plain = env.plain(&ARGS).run();
        let cached = env.zcc(&ARGS).env("ZCC_NODIRECT", "1").run();
        env.assert_same_run(&plain, &cached);
    };
    nodirect(&env);
    env.assert_counters(&[("miss", 2)]);
    nodirect(&env);
    nodirect(&env);
    env.assert_counters(&[("miss", 2), ("preprocessed_hit", 2)]);
}

#[test]
fn garbage_manifest_gives_a_correct_result_and_a_later_hit() {
    let env = project("#define ANSWER 42\n");
    env.assert_zcc_matches_plain(&ARGS);
    for path in manifest_files(&env) {
        let len = fs::metadata(&path).unwrap().len() as usize;
        fs::write(&path, vec![0xa5; len]).unwrap();
    }
    env.assert_zcc_matches_plain(&ARGS);
    let stats = env.stats();
    eprintln!("after the damaged manifest: {stats:?}");
    assert!(
        stats.get("error_store_read").copied().unwrap_or(0) >= 1,
        "error_store_read not counted: {stats:?}\n{}",
        env.log_tail()
    );
    assert_eq!(env.hits(), 0, "{stats:?}");
    env.assert_zcc_matches_plain(&ARGS);
    assert_eq!(env.counter("direct_hit"), 1, "{:?}", env.stats());
}

#[test]
fn manifest_overwritten_by_another_sources_manifest_gives_a_correct_result() {
    let env = TestEnv::new();
    env.write(
        "one.c",
        "#include \"one.h\"\nint one(void) { return ONE; }\n",
    );
    env.write("one.h", "#define ONE 1\n");
    env.write(
        "two.c",
        "#include \"two.h\"\nint two(void) { return TWO; }\n",
    );
    env.write("two.h", "#define TWO 2\n");
    let one = ["gcc", "-c", "one.c", "-o", "out.o"];
    let two = ["gcc", "-c", "two.c", "-o", "out.o"];
    env.assert_zcc_matches_plain(&one);
    let one_manifests = manifest_files(&env);
    env.assert_zcc_matches_plain(&two);
    let two_manifests: Vec<PathBuf> = manifest_files(&env)
        .into_iter()
        .filter(|p| !one_manifests.contains(p))
        .collect();
    assert_eq!((one_manifests.len(), two_manifests.len()), (1, 1));
    fs::copy(&two_manifests[0], &one_manifests[0]).unwrap();
    // one.c must still give one.c's object, never two.c's.
    env.assert_zcc_matches_plain(&one);
    env.assert_zcc_matches_plain(&one);
}

#[test]
fn source_using_file_macro_itself_hits_directly_after_the_first_compile() {
    let env = TestEnv::new();
    env.write(
        "src/log.c",
        "const char *where(void) { return __FILE__; }\n",
    );
    let args = ["gcc", "-c", "src/log.c", "-o", "log.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    // The same source named by another path embeds another __FILE__: no false hit.
    let abs = env.path("src/log.c");
    let args = ["gcc", "-c", abs.to_str().unwrap(), "-o", "log.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

/// A compiler that, once, rewrites `work/<file>` with `text` after the real gcc has compiled
/// (`-c`; not zcc's own queries): another build step or an editor writing while zcc runs. It
/// does so when `work/rewrite-once` exists, and removes that file.
fn rewriting_compiler(env: &TestEnv, file: &str, text: &str) -> String {
    let gcc = find_in_path("gcc").expect("gcc in PATH");
    let text = format!(
        "#!/bin/sh\n'{}' \"$@\" || exit\ncase \" $* \" in *\" -c \"*)\n\
         if [ -e rewrite-once ]; then rm rewrite-once; printf '{text}' > '{file}'; fi;;\nesac\n",
        gcc.display()
    );
    script(env, "cc-rewrite", &text)
}

#[test]
fn an_input_changed_during_the_compile_is_not_stored() {
    // Hashing the inputs after the compile would record the new text beside an object made
    // from the old one; the next call, reading the new text, would then get that object.
    for (file, old, new) in [
        ("include/defs.h", "#define ANSWER 1\n", "#define ANSWER 2\n"),
        (
            "src/main.c",
            MAIN_C,
            "#include \"defs.h\"\nint value(void) { return ANSWER * 3; }\n",
        ),
    ] {
        let env = project("#define ANSWER 1\n");
        env.write(file, old);
        let cc = rewriting_compiler(&env, file, new);
        let args = [cc.as_str(), "-Iinclude", "-c", "src/main.c", "-o", "main.o"];
        env.write("rewrite-once", "");
        let during = env.zcc(&args).run();
        during.success();
        assert_eq!(env.read(file), new.as_bytes(), "{file} was rewritten");
        env.assert_counters(&[("miss", 1), ("not_stored_modified_input", 1)]);
        // The next call compiles the new text, and is stored.
        let after = env.assert_zcc_matches_plain(&args);
        assert_ne!(during.output("main.o"), after.output("main.o"), "{file}");
        env.assert_counters(&[("miss", 2), ("not_stored_modified_input", 1)]);
        env.assert_zcc_matches_plain(&args);
        env.assert_counters(&[
            ("miss", 2),
            ("direct_hit", 1),
            ("not_stored_modified_input", 1),
        ]);
    }
}

#[test]
fn files_written_just_before_the_call_are_stored() {
    // A build step that (re)generates a source or header right before compiling it
    // (PlatformIO rewrites its generated sources on every build) must not be taken for
    // a change during the compile: the call is stored and the next one hits. No other
    // command runs between the write and the call, so both fall in the same clock tick
    // of the filesystem's timestamps.
    let env = project("#define ANSWER 1\n");
    for round in 0..5 {
        let defs = format!("#define ANSWER {round}\n");
        env.write("include/defs.h", &defs);
        env.write("src/main.c", format!("{MAIN_C}/* {round} */\n"));
        env.zcc(&ARGS).run().success();
        env.zcc(&ARGS).run().success();
    }
    env.assert_counters(&[("miss", 5), ("direct_hit", 5)]);
}

#[test]
fn header_created_earlier_in_the_search_path_misses_after_snapshot_hits() {
    // Once everything is settled, hits check absent paths through their directories' stats
    // (manifest.rs); a header created in an earlier directory must still be seen.
    let (env, args) = bracket_search_path();
    let old = env.assert_zcc_matches_plain(&args);
    std::thread::sleep(SETTLED_AFTER);
    env.assert_zcc_matches_plain(&args); // verified: records the snapshot
    env.assert_zcc_matches_plain(&args); // from the snapshot
    env.assert_counters(&[("miss", 1), ("direct_hit", 2)]);

    env.write("a/x.h", "#define X 1\n");
    let new = env.assert_zcc_matches_plain(&args);
    assert_ne!(old.output("s.o"), new.output("s.o"));
    env.assert_counters(&[("miss", 2), ("direct_hit", 2)]);
}

#[test]
fn a_source_that_does_not_compile_is_compiled_once() {
    // zcc adds `-MD -MF <file>` to learn the headers; a failure that is the source's own must
    // not run the compiler a second time without them.
    let env = project("#define LIMIT 1\n");
    env.write("src/main.c", "int main(void) {\n    return 0\n}\n");
    let (cc, log) = wrapper(&env);
    let args = [cc.as_str(), "-Iinclude", "-c", "src/main.c", "-o", "main.o"];
    let run = env.zcc(&args).run();
    assert_ne!(run.code, Some(0));
    assert!(
        run.stderr_text().contains("error:"),
        "{}",
        run.stderr_text()
    );
    let compiles: Vec<String> = take_calls(&log)
        .into_iter()
        .filter(|call| call.contains("src/main.c") && !call.contains("-E"))
        .collect();
    assert_eq!(compiles.len(), 1, "{compiles:?}");
    env.assert_counters(&[("compile_failed", 1)]);
}

/// After a header edit that leaves the preprocessed text as it was (a comment, an unused
/// macro), the direct-mode miss looks the preprocessor key up: a hit, recorded in the
/// manifest, so the next call is a direct hit. `compiler` is the command before `-c`.
fn no_op_header_edits_hit(compiler: &[&str]) {
    let env = project("#define ANSWER 41\n");
    let args: Vec<&str> = compiler
        .iter()
        .copied()
        .chain(["-Iinclude", "-c", "src/main.c", "-o", "main.o", "-MMD"])
        .collect();
    env.assert_zcc_matches_plain(&args);
    // A real edit: compiled, and stored under its preprocessed text.
    env.write("include/defs.h", "#define ANSWER 42\n");
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2)]);
    let edits = [
        "/* a comment */\n#define ANSWER 42\n",
        "#define ANSWER 42\n#define NOT_USED_ANYWHERE 1\n",
    ];
    for (n, text) in (1..).zip(edits) {
        env.write("include/defs.h", text);
        env.assert_zcc_matches_plain(&args);
        env.assert_counters(&[("miss", 2), ("preprocessed_hit", n), ("direct_hit", n - 1)]);
        env.assert_zcc_matches_plain(&args);
        env.assert_counters(&[("miss", 2), ("preprocessed_hit", n), ("direct_hit", n)]);
    }
}

#[test]
fn no_op_header_edits_hit_after_one_preprocessor_run_gcc() {
    no_op_header_edits_hit(&["gcc"]);
}

#[test]
fn no_op_header_edits_hit_after_one_preprocessor_run_avr_gcc() {
    require_tool("avr-gcc");
    no_op_header_edits_hit(&["avr-gcc", "-mmcu=atmega328p", "-Os"]);
}

/// By default the first compile of a source runs no preprocessor, so the first header edit
/// that leaves the preprocessed text as it was recompiles once (and stores the preprocessor
/// key for the next one). With `ZCC_PREPROCESS_MISSES=1` the first compile runs it alongside
/// and that edit is a hit.
#[test]
fn preprocess_misses_makes_the_first_no_op_header_edit_a_hit() {
    for (setting, counters) in [
        ("0", [("miss", 2), ("preprocessed_hit", 0)]),
        ("1", [("miss", 1), ("preprocessed_hit", 1)]),
    ] {
        let env = project("#define ANSWER 42\n");
        let args = [
            "gcc",
            "-Iinclude",
            "-c",
            "src/main.c",
            "-o",
            "main.o",
            "-MMD",
        ];
        let zcc_matches_plain = || {
            let plain = env.plain(&args).run();
            let cached = env.zcc(&args).env("ZCC_PREPROCESS_MISSES", setting).run();
            env.assert_same_run(&plain, &cached);
        };
        zcc_matches_plain();
        env.write(
            "include/defs.h",
            "#define ANSWER 42\n#define NOT_USED_ANYWHERE 1\n",
        );
        zcc_matches_plain();
        env.assert_counters(&counters);
        // Either way the next call is a direct hit.
        zcc_matches_plain();
        env.assert_counters(&[counters[0], counters[1], ("direct_hit", 1)]);
    }
}

/// A library in FastLED's style: `lib/compiler.h` wraps `__has_include` in a macro that the
/// other headers use with literal names. `compiler` is the command before `-c`.
fn has_include_wrapper_library(compiler: &[&str]) {
    let env = TestEnv::new();
    env.write(
        "lib/compiler.h",
        "#pragma once\n#ifdef __has_include\n#define LIB_HAS_INCLUDE(x) __has_include(x)\n\
         #else\n#define LIB_HAS_INCLUDE(x) 0\n#endif\n",
    );
    env.write(
        "lib/platform.h",
        "#pragma once\n#include \"compiler.h\"\n\
         #if LIB_HAS_INCLUDE(<board_config.h>)\n#include <board_config.h>\n#else\n\
         #define BOARD_LEDS 1\n#endif\n",
    );
    env.write(
        "src/m.c",
        "#include \"platform.h\"\nint leds(void) { return BOARD_LEDS; }\n",
    );
    env.mkdir("config");
    let args: Vec<&str> = compiler
        .iter()
        .copied()
        .chain(["-Ilib", "-Iconfig", "-c", "src/m.c", "-o", "m.o"])
        .collect();
    // The probed name appears on the search path: the wrapper's answer changes.
    assert_a_probed_header_appears(
        &env,
        &args,
        ("config/board_config.h", "#define BOARD_LEDS 60\n"),
        "the probe now finds board_config.h",
    );
}

/// A miss then a direct hit; then `header` appears under a name the source probes: the next
/// call misses with the object the new header gives, and the one after is a direct hit
/// (the header recorded as present).
fn assert_a_probed_header_appears(env: &TestEnv, args: &[&str], header: (&str, &str), why: &str) {
    let old = env.assert_zcc_matches_plain(args);
    env.assert_zcc_matches_plain(args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    env.write(header.0, header.1);
    assert_edit_reaches_the_object(env, args, &old, why);
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
    env.assert_zcc_matches_plain(args);
    env.assert_counters(&[("miss", 2), ("direct_hit", 2)]);
}

#[test]
fn has_include_wrapper_macro_gets_direct_hits_gcc() {
    has_include_wrapper_library(&["gcc"]);
}

#[test]
fn has_include_wrapper_macro_gets_direct_hits_with_mmd() {
    // The -MMD file's derivation reads the files first; the wrapper's uses are found in what
    // it read.
    has_include_wrapper_library(&["gcc", "-MMD"]);
}

#[test]
fn has_include_wrapper_macro_gets_direct_hits_avr_gcc() {
    require_tool("avr-gcc");
    has_include_wrapper_library(&["avr-gcc", "-mmcu=atmega328p", "-Os"]);
}

/// Dozens of probed names in one directory (a unity build of a FastLED-style library): zcc
/// lists a directory it is asked about often instead of looking each name up; a probed header
/// that appears there later misses, and is then found there (a direct hit).
#[test]
fn a_header_appearing_under_one_of_many_probed_names_misses() {
    let env = TestEnv::new();
    let probes: String = (0..24)
        .map(|i| {
            format!(
                "#if __has_include(<board_{i}.h>)\n#include <board_{i}.h>\n#else\n\
                 #define BOARD_{i} {i}\n#endif\nint board_{i}(void) {{ return BOARD_{i}; }}\n"
            )
        })
        .collect();
    env.write("src/m.c", &probes);
    env.write("config/other.h", "");
    let args = ["gcc", "-Iconfig", "-c", "src/m.c", "-o", "m.o"];
    // Found in the listed directory: recorded as present, so the call after is a direct hit.
    assert_a_probed_header_appears(
        &env,
        &args,
        ("config/board_21.h", "#define BOARD_21 99\n"),
        "the probe now finds board_21.h",
    );
}

#[test]
fn has_include_wrapper_used_with_a_macro_goes_to_preprocessor_mode() {
    let env = TestEnv::new();
    env.write(
        "src/m.c",
        "#define HAS(x) __has_include(x)\n#define CFG \"opt.h\"\n\
         #if HAS(CFG)\n#include CFG\n#else\n#define OPT 0\n#endif\n\
         int value(void) { return OPT; }\n",
    );
    let args = ["gcc", "-c", "src/m.c", "-o", "m.o"];
    let old = env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("preprocessed_hit", 1)]);
    env.write("src/opt.h", "#define OPT 7\n");
    assert_edit_reaches_the_object(&env, &args, &old, "gcc now reads src/opt.h");
}

/// `__TIME__` mentioned in a comment and inside a string literal is not expanded: the
/// result is stored and the next call is a direct hit; a real use in the same header is
/// never served from another second.
fn time_macro_only_in_code_counts(compiler: &[&str]) {
    let env = TestEnv::new();
    env.write(
        "src/main.c",
        "#include \"stamp.h\"\nconst char *text(void) { return note; }\n",
    );
    let header = "/* Callers may print __TIME__ themselves. */\n\
                  static const char note[] = \"__TIME__ and __DATE__\"; // __TIMESTAMP__\n";
    env.write("include/stamp.h", header);
    let args: Vec<&str> = compiler
        .iter()
        .copied()
        .chain(["-Iinclude", "-c", "src/main.c", "-o", "main.o"])
        .collect();
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);

    env.write(
        "include/stamp.h",
        format!("{header}static const char when[] = __TIME__;\n"),
    );
    env.write(
        "src/main.c",
        "#include \"stamp.h\"\nconst char *text(void) { return when; }\n",
    );
    let first = bracketed(&env, &args);
    std::thread::sleep(Duration::from_millis(1100));
    let second = bracketed(&env, &args);
    assert_ne!(
        first.output("main.o"),
        second.output("main.o"),
        "an object compiled a second earlier was served\n{}",
        env.log_tail()
    );
}

#[test]
fn time_macro_in_a_comment_or_string_is_cached_gcc() {
    time_macro_only_in_code_counts(&["gcc"]);
}

#[test]
fn time_macro_in_a_comment_or_string_is_cached_avr_gcc() {
    require_tool("avr-gcc");
    time_macro_only_in_code_counts(&["avr-gcc", "-mmcu=atmega328p", "-Os"]);
}

#[test]
fn only_a_changed_header_makes_a_direct_miss_preprocess() {
    // A changed header may leave the preprocessed text as it was: one `-E` run to look that
    // key up. A header that appears earlier in the search path changes what is included: no
    // `-E` run, straight to the compile.
    let env = TestEnv::new();
    let (wrap, log) = wrapper(&env);
    env.write("src/s.c", "#include <x.h>\nint value(void) { return X; }\n");
    env.write("b/x.h", "#define X 2\n");
    env.mkdir("a");
    let args = [wrap.as_str(), "-Ia", "-Ib", "-c", "src/s.c", "-o", "s.o"];
    let preprocessor_runs = |log: &Path| {
        take_calls(log)
            .iter()
            .filter(|c| c.split(' ').any(|a| a == "-E") && c.contains("src/s.c"))
            .count()
    };
    env.zcc(&args).run().success();
    take_calls(&log);
    env.write("b/x.h", "#define X 3\n");
    env.zcc(&args).run().success();
    assert_eq!(preprocessor_runs(&log), 1, "{}", env.log_tail());
    env.write("a/x.h", "#define X 1\n");
    env.zcc(&args).run().success();
    assert_eq!(preprocessor_runs(&log), 0, "{}", env.log_tail());
    env.assert_counters(&[("miss", 3)]);
}

#[test]
fn has_include_of_a_macro_parameter_in_brackets_is_never_stale() {
    // The parameter inside `<x>` is replaced (GCC 5 and 12 both do): which file is probed
    // is unknown to zcc, so a header appearing under that name must reach the object.
    let env = TestEnv::new();
    env.write(
        "src/m.c",
        "#define HAS(x) __has_include(<x>)\n#if HAS(cfg.h)\n#include <cfg.h>\n#else\n\
         #define V 0\n#endif\nint value(void) { return V; }\n",
    );
    env.mkdir("inc");
    let args = ["gcc", "-Iinc", "-c", "src/m.c", "-o", "m.o"];
    let old = env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.write("inc/cfg.h", "#define V 5\n");
    assert_edit_reaches_the_object(&env, &args, &old, "gcc now reads inc/cfg.h");
}

#[test]
fn a_compiler_installed_a_moment_ago_is_memoized() {
    // A toolchain restored just before the build (CI): its identity is memoized once its files
    // are a timestamp tick old, not seconds later, so the next calls stop re-hashing it.
    let env = project("#define ANSWER 42\n");
    let (wrap, _log) = wrapper(&env);
    std::thread::sleep(Duration::from_millis(100));
    let args = [
        wrap.as_str(),
        "-Iinclude",
        "-c",
        "src/main.c",
        "-o",
        "main.o",
    ];
    env.zcc(&args).run().success();
    let aux = env.store.join("v1/aux");
    let memos: Vec<String> = fs::read_dir(&aux)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("compiler-"))
        .collect();
    assert_eq!(memos.len(), 1, "{:?}\n{}", memos, env.log_tail());
}

/// The record of what the last compile of a source read (`aux/recent-…`) is kept when only the
/// source changed, the everyday miss, even when the compile takes long enough for the edited
/// source to count as settled: rewriting it cost every such miss an encode and a write.
#[test]
fn an_edited_source_leaves_the_record_of_its_headers_alone() {
    let env = project("#define ANSWER 42\n");
    let gcc = find_in_path("gcc").expect("gcc in PATH");
    let slow = format!("#!/bin/sh\nsleep 0.1\nexec '{}' \"$@\"\n", gcc.display());
    let cc = script(&env, "slow-cc", &slow);
    let args = [cc.as_str(), "-Iinclude", "-c", "src/main.c", "-o", "main.o"];
    env.assert_zcc_matches_plain(&args);
    let records: Vec<PathBuf> = env
        .store_files()
        .into_iter()
        .filter(|f| f.to_string_lossy().contains("recent-"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    let record = env.store.join(&records[0]);
    let written = fs::metadata(&record).unwrap().modified().unwrap();
    env.write("src/main.c", format!("{MAIN_C}// edited\n"));
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2)]);
    assert_eq!(
        fs::metadata(&record).unwrap().modified().unwrap(),
        written,
        "the record was rewritten"
    );
}
