//! `zcc fp` (docs/CLI.md, "Build fingerprints"): `check` exits 0 when the files under the
//! root changed since the last `mark-success` (build) and 1 when nothing did (skip); bad
//! arguments are one `zcc: error:` line and exit 2.

mod common;
use common::*;
use std::fs;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

const CHANGED: i32 = 0;
const UNCHANGED: i32 = 1;

/// A project tree `work/proj` and a cache file outside `work/`.
struct Project {
    env: TestEnv,
    state: PathBuf,
}

impl Project {
    fn new() -> Project {
        let env = TestEnv::new();
        env.write("proj/src/main.cpp", "int main() { return 0; }\n");
        env.write("proj/src/util.h", "#pragma once\nint util();\n");
        env.write("proj/lib/led/led.cpp", "void led() {}\n");
        env.write("proj/README.md", "docs\n");
        env.write("proj/.pio/build/uno/main.o", "object\n");
        let state = env.root.join("state/fp.bin");
        Project { env, state }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.env.path(&format!("proj/{rel}"))
    }

    fn write(&self, rel: &str, content: &str) {
        self.env.write(&format!("proj/{rel}"), content);
    }

    /// `zcc fp --cache-file STATE <args>`; returns the exit code.
    fn fp(&self, args: &[&str]) -> Run {
        let state = self.state.to_str().unwrap();
        let mut all = vec!["fp", "--cache-file", state];
        all.extend_from_slice(args);
        self.env.zcc(&all).keep_outputs().run()
    }

    /// `check --root work/proj <extra>`; asserts a clean stderr and returns the exit code.
    fn check_with(&self, extra: &[&str]) -> i32 {
        let root = self.env.path("proj");
        let mut args = vec!["check", "--root", root.to_str().unwrap()];
        args.extend_from_slice(extra);
        let run = self.fp(&args);
        let code = run
            .code
            .unwrap_or_else(|| panic!("killed: {}", run.stderr_text()));
        assert!(
            code == CHANGED || code == UNCHANGED,
            "check exited {code}: {}",
            run.stderr_text()
        );
        code
    }

    fn check(&self) -> i32 {
        self.check_with(&["--ext", "cpp,h"])
    }

    fn mark_success(&self) {
        self.fp(&["mark-success"]).success();
    }

    /// check → build → mark-success, then the tree is "built".
    fn build(&self) {
        assert_eq!(self.check(), CHANGED, "a first check must say changed");
        self.mark_success();
        assert_eq!(self.check(), UNCHANGED, "right after mark-success");
    }
}

#[test]
fn first_check_changed_then_unchanged_after_mark_success() {
    let p = Project::new();
    assert_eq!(p.check(), CHANGED);
    assert!(p.state.is_file(), "check records its fingerprint");
    assert_eq!(p.check(), CHANGED, "no success marked yet");
    p.mark_success();
    assert_eq!(p.check(), UNCHANGED);
    assert_eq!(p.check(), UNCHANGED);
}

#[test]
fn touching_without_changing_content_is_unchanged() {
    let p = Project::new();
    p.build();
    let file = p.path("src/main.cpp");
    set_mtime(&file, SystemTime::now() + Duration::from_secs(5));
    assert_eq!(p.check(), UNCHANGED, "new mtime, same content");
    // Rewritten with the same bytes: new mtime, ctime and (after rename) inode.
    let tmp = p.path("src/main.cpp.tmp");
    fs::write(&tmp, fs::read(&file).unwrap()).unwrap();
    fs::rename(&tmp, &file).unwrap();
    assert_eq!(p.check(), UNCHANGED, "rewritten with the same content");
}

#[test]
fn editing_adding_or_removing_a_file_is_changed() {
    let p = Project::new();
    p.build();
    p.write("src/util.h", "#pragma once\nint util(int);\n");
    assert_eq!(p.check(), CHANGED, "edited");
    p.mark_success();
    assert_eq!(p.check(), UNCHANGED);

    p.write("src/new.cpp", "int n;\n");
    assert_eq!(p.check(), CHANGED, "added");
    p.mark_success();
    assert_eq!(p.check(), UNCHANGED);

    fs::remove_file(p.path("lib/led/led.cpp")).unwrap();
    assert_eq!(p.check(), CHANGED, "removed");
    p.mark_success();

    fs::rename(p.path("src/new.cpp"), p.path("src/renamed.cpp")).unwrap();
    assert_eq!(p.check(), CHANGED, "renamed");
}

#[test]
fn files_outside_the_set_do_not_count() {
    let p = Project::new();
    let opts = [
        "--ext",
        ".cpp",
        "--ext",
        "h",
        "--exclude",
        ".pio",
        "--exclude",
        "lib/*/examples",
    ];
    p.write("lib/led/examples/demo.cpp", "void demo() {}\n");
    assert_eq!(p.check_with(&opts), CHANGED);
    p.mark_success();
    assert_eq!(p.check_with(&opts), UNCHANGED);
    p.write("README.md", "other docs\n");
    assert_eq!(p.check_with(&opts), UNCHANGED, "not a wanted extension");
    p.write(".pio/build/uno/firmware.cpp", "generated\n");
    assert_eq!(
        p.check_with(&opts),
        UNCHANGED,
        "under an excluded directory"
    );
    p.write("lib/led/examples/demo.cpp", "void demo2() {}\n");
    assert_eq!(
        p.check_with(&opts),
        UNCHANGED,
        "matched by an anchored glob"
    );
    p.write("lib/led/led.cpp", "void led(int) {}\n");
    assert_eq!(p.check_with(&opts), CHANGED, "a file in the set");
}

#[test]
fn different_options_are_changed() {
    let p = Project::new();
    p.build();
    assert_eq!(p.check_with(&["--ext", "cpp"]), CHANGED, "another --ext");
    p.mark_success();
    assert_eq!(p.check_with(&["--ext", "cpp"]), UNCHANGED);
    assert_eq!(
        p.check_with(&["--ext", "cpp", "--exclude", "nothing-matches"]),
        CHANGED,
        "another --exclude"
    );
    p.mark_success();
    // The same options spelled differently are the same options.
    assert_eq!(
        p.check_with(&["--ext", ".CPP", "--exclude", "nothing-matches/"]),
        UNCHANGED
    );
}

#[test]
fn mark_failure_makes_the_next_check_changed() {
    let p = Project::new();
    p.build();
    p.fp(&["mark-failure"]).success();
    assert_eq!(p.check(), CHANGED);
    p.mark_success();
    assert_eq!(p.check(), UNCHANGED);
}

#[test]
fn a_failed_build_is_not_a_success_even_without_mark_failure() {
    let p = Project::new();
    p.build();
    p.write("src/main.cpp", "broken(\n");
    assert_eq!(p.check(), CHANGED);
    // The build fails and the script stops before any mark-*; the edit is reverted.
    p.write("src/main.cpp", "int main() { return 0; }\n");
    assert_eq!(p.check(), CHANGED, "the outputs are the failed build's");
}

#[test]
fn an_edit_during_the_build_is_seen_by_the_next_check() {
    let p = Project::new();
    p.build();
    p.write("src/main.cpp", "int main() { return 1; }\n");
    assert_eq!(p.check(), CHANGED);
    // The build is running; the user saves another edit before it ends.
    p.write("src/main.cpp", "int main() { return 2; }\n");
    p.mark_success();
    assert_eq!(p.check(), CHANGED, "the build saw the earlier content");
    p.mark_success();
    assert_eq!(p.check(), UNCHANGED);
}

#[test]
fn a_tree_and_cache_file_moved_elsewhere_is_unchanged() {
    let p = Project::new();
    p.build();
    // "Another machine": another root path, another cache-file path, new inodes and mtimes.
    let other = p.env.root.join("elsewhere/checkout");
    copy_tree(&p.env.path("proj"), &other);
    let state = p.env.root.join("restored/fp.bin");
    fs::create_dir_all(state.parent().unwrap()).unwrap();
    fs::copy(&p.state, &state).unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "fp",
            "--cache-file",
            state.to_str().unwrap(),
            "check",
            "--root",
            other.to_str().unwrap(),
            "--ext",
            "cpp,h",
        ];
        args.extend_from_slice(extra);
        p.env.zcc(&args).keep_outputs().run().code
    };
    assert_eq!(check(&[]), Some(UNCHANGED));
    fs::write(other.join("src/util.h"), "changed on the other machine\n").unwrap();
    assert_eq!(check(&[]), Some(CHANGED));
}

#[test]
fn a_damaged_cache_file_is_changed_never_an_error() {
    let p = Project::new();
    p.build();
    let mut bytes = fs::read(&p.state).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    fs::write(&p.state, &bytes).unwrap();
    let root = p.env.path("proj");
    let run = p.fp(&["check", "--root", root.to_str().unwrap(), "--ext", "cpp,h"]);
    assert_eq!(run.code, Some(CHANGED), "{}", run.stderr_text());
    assert!(
        run.stderr_text().starts_with("zcc: warning:"),
        "says why: {}",
        run.stderr_text()
    );
    p.mark_success();
    assert_eq!(p.check(), UNCHANGED, "the rewritten file works again");

    for junk in [&b""[..], b"junk", b"ZCCFP\0\0\x01"] {
        fs::write(&p.state, junk).unwrap();
        assert_eq!(p.check(), CHANGED, "{junk:?}");
    }
}

#[test]
fn a_cache_file_inside_the_root_does_not_change_the_fingerprint() {
    let p = Project::new();
    let root = p.env.path("proj");
    let state = root.join("fp.bin");
    let run = |args: &[&str]| {
        let mut all = vec!["fp", "--cache-file", state.to_str().unwrap()];
        all.extend_from_slice(args);
        p.env.zcc(&all).keep_outputs().run().code
    };
    let check = ["check", "--root", root.to_str().unwrap()];
    assert_eq!(run(&check), Some(CHANGED));
    assert_eq!(run(&["mark-success"]), Some(0));
    assert_eq!(
        run(&check),
        Some(UNCHANGED),
        "no --ext: every file, but not fp.bin"
    );
}

#[test]
fn cache_file_option_may_follow_the_command() {
    let p = Project::new();
    let root = p.env.path("proj");
    let state = p.state.to_str().unwrap();
    let root = root.to_str().unwrap();
    let run = |args: &[&str]| p.env.zcc(args).keep_outputs().run().code;
    assert_eq!(
        run(&["fp", "check", "--root", root, "--cache-file", state]),
        Some(CHANGED)
    );
    assert_eq!(run(&["fp", "mark-success", "--cache-file", state]), Some(0));
    assert_eq!(
        run(&["fp", "check", "--cache-file", state, "--root", root]),
        Some(UNCHANGED)
    );
}

#[test]
fn verbose_check_says_what_and_why() {
    let p = Project::new();
    let root = p.env.path("proj");
    let run = p.fp(&["check", "--root", root.to_str().unwrap(), "-v"]);
    assert_eq!(run.code, Some(CHANGED));
    assert!(
        run.stderr_text().starts_with("zcc fp: changed"),
        "{}",
        run.stderr_text()
    );
    assert!(run.stdout.is_empty(), "stdout stays clean for scripts");
    p.mark_success();
    let run = p.fp(&["check", "--root", root.to_str().unwrap(), "--verbose"]);
    assert_eq!(run.code, Some(UNCHANGED));
    assert!(
        run.stderr_text().starts_with("zcc fp: unchanged"),
        "{}",
        run.stderr_text()
    );
}

#[test]
fn fp_needs_no_store_configuration() {
    let p = Project::new();
    let root = p.env.path("proj");
    let state = p.state.to_str().unwrap();
    let run = p
        .env
        .zcc(&[
            "fp",
            "--cache-file",
            state,
            "check",
            "--root",
            root.to_str().unwrap(),
        ])
        .env("ZCC_MAXSIZE", "not-a-size")
        .keep_outputs()
        .run();
    assert_eq!(run.code, Some(CHANGED), "{}", run.stderr_text());
}

/// Asserts exit 2 and exactly one stderr line starting `zcc: error:` that contains `needle`.
fn assert_bad_arguments(env: &TestEnv, args: &[&str], needle: &str) {
    let run = env.zcc(args).keep_outputs().run();
    let stderr = run.stderr_text();
    assert_eq!(run.code, Some(2), "zcc {args:?}: {stderr}");
    assert!(stderr.starts_with("zcc: error: "), "zcc {args:?}: {stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line for zcc {args:?}: {stderr}"
    );
    assert!(
        stderr.contains(needle),
        "zcc {args:?}: {stderr:?} lacks {needle:?}"
    );
    assert!(run.stdout.is_empty(), "zcc {args:?}");
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    let p = Project::new();
    let env = &p.env;
    let root = env.path("proj");
    let root = root.to_str().unwrap();
    let file = env.path("proj/README.md");
    let file = file.to_str().unwrap();
    let state = p.state.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["fp"], "check, mark-success or mark-failure"),
        (&["fp", "check", "--root", root], "--cache-file"),
        (&["fp", "--cache-file", state, "check"], "--root"),
        (
            &[
                "fp",
                "--cache-file",
                state,
                "check",
                "--root",
                "/nonexistent/zcc-fp",
            ],
            "/nonexistent/zcc-fp",
        ),
        (
            &["fp", "--cache-file", state, "check", "--root", file],
            "not a directory",
        ),
        (
            &[
                "fp",
                "--cache-file",
                state,
                "check",
                "--root",
                root,
                "--ext",
                "",
            ],
            "--ext",
        ),
        (
            &[
                "fp",
                "--cache-file",
                state,
                "check",
                "--root",
                root,
                "--ext",
                "cpp,,h",
            ],
            "--ext",
        ),
        (
            &[
                "fp",
                "--cache-file",
                state,
                "check",
                "--root",
                root,
                "--exclude",
                "[ab",
            ],
            "--exclude",
        ),
        (
            &[
                "fp",
                "--cache-file",
                state,
                "check",
                "--root",
                root,
                "--exclude",
                "",
            ],
            "--exclude",
        ),
        (
            &[
                "fp",
                "--cache-file",
                state,
                "check",
                "--root",
                root,
                "--bogus",
            ],
            "--bogus",
        ),
        (&["fp", "--cache-file", state, "check", "--root"], "--root"),
        (&["fp", "--cache-file", state, "frobnicate"], "frobnicate"),
        (&["fp", "--cache-file", "", "mark-failure"], "--cache-file"),
        (&["fp", "--cache-file", state, "mark-success"], "check"),
        (
            &["fp", "--cache-file", state, "mark-success", "--root", root],
            "--root",
        ),
    ];
    for (args, needle) in cases {
        assert_bad_arguments(env, args, needle);
    }
    assert!(!p.state.exists(), "no bad call wrote the cache file");
}

#[test]
fn mark_failure_without_a_cache_file_is_fine() {
    let p = Project::new();
    let run = p.fp(&["mark-failure"]);
    run.success();
    assert!(!p.state.exists());
}
