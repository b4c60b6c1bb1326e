//! What the compiler prints and its exit status pass through unchanged, on a
//! miss and on a hit; a failing compile is never stored.

mod common;
use common::*;

const WARNS: &str = r#"/* -Wall warns twice here, on purpose. */
int compute(int x) {
    int unused = x * 2;
    if (x = 3) {
        return 1;
    }
    return 0;
}
"#;

#[test]
fn failing_compile_passes_status_and_stderr_through_and_is_never_stored() {
    let env = TestEnv::new();
    env.write("broken.c", "int main(void) {\n    return 0\n}\n");
    let args = ["gcc", "-c", "broken.c", "-o", "broken.o"];
    for _ in 0..2 {
        let run = env.assert_zcc_matches_plain(&args);
        assert!(
            matches!(run.code, Some(c) if c != 0),
            "the compile must fail: {:?}",
            run.code
        );
        assert!(
            run.stderr_text().contains("error:"),
            "{}",
            run.stderr_text()
        );
        assert!(run.outputs.is_empty(), "no object for a failed compile");
    }
    env.assert_counters(&[("compile_failed", 2)]);
}

#[test]
fn failing_cxx_compile_exit_status_and_stderr_match_plain() {
    let env = TestEnv::new();
    env.write(
        "broken.cpp",
        "struct S { int x; };\nint f() { S s; return s.y; }\n",
    );
    let args = ["g++", "-c", "broken.cpp", "-o", "broken.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("compile_failed", 2)]);
}

#[test]
fn warning_replayed_on_miss_and_hit_exactly_as_plain() {
    let env = TestEnv::new();
    env.write("src/warns.c", WARNS);
    let args = ["gcc", "-Wall", "-c", "src/warns.c", "-o", "warns.o"];
    let miss = env.assert_zcc_matches_plain(&args);
    assert!(
        miss.stderr_text().contains("warning:"),
        "expected warnings: {}",
        miss.stderr_text()
    );
    let hit = env.assert_zcc_matches_plain(&args);
    assert_bytes_eq("stderr of the hit vs the miss", &miss.stderr, &hit.stderr);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn warning_replayed_for_cxx_with_other_output_name() {
    let env = TestEnv::new();
    env.write("w.cpp", "int g(int x) { int unused; return x; }\n");
    env.mkdir("out/sub");
    env.assert_zcc_matches_plain(&["g++", "-Wall", "-c", "w.cpp", "-o", "w.o"]);
    let hit = env.assert_zcc_matches_plain(&["g++", "-Wall", "-c", "w.cpp", "-o", "out/sub/w2.o"]);
    assert!(
        hit.stderr_text().contains("unused"),
        "{}",
        hit.stderr_text()
    );
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn wrapper_compiler_stdout_and_stderr_replayed_on_hit() {
    // A compiler that prints on stdout too: a shim named like a cross gcc.
    let env = TestEnv::new();
    let shim = env.path("tools/shim-gcc");
    write_script(
        &shim,
        "#!/bin/sh\necho 'shim-gcc: building'\necho 'shim-gcc: note on stderr' >&2\nexec gcc \"$@\"\n",
    );
    env.write("warns.c", WARNS);
    let args = [
        "./tools/shim-gcc",
        "-Wall",
        "-c",
        "warns.c",
        "-o",
        "warns.o",
    ];
    let miss = env.assert_zcc_matches_plain(&args);
    assert!(
        miss.stdout_text().contains("shim-gcc: building"),
        "stdout: {}",
        miss.stdout_text()
    );
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}
