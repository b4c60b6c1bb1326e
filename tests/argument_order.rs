//! Argument order is meaning: the same flags in another order must not share
//! an entry, and each result must be what the compiler gives for that order.

mod common;
use common::*;

const PRINTS_X: &str = r#"#include <stdio.h>
int main(void) {
    printf("X=%d\n", X);
    return 0;
}
"#;

#[test]
fn define_order_x1_x2_vs_x2_x1_two_misses_each_matching_plain() {
    let env = TestEnv::new();
    env.write("x.c", PRINTS_X);
    // GCC warns "X redefined" and keeps the last definition.
    let a = env.assert_zcc_matches_plain(&["gcc", "-DX=1", "-DX=2", "-c", "x.c", "-o", "x.o"]);
    let b = env.assert_zcc_matches_plain(&["gcc", "-DX=2", "-DX=1", "-c", "x.c", "-o", "x.o"]);
    assert_ne!(
        a.output("x.o"),
        b.output("x.o"),
        "the two orders give different objects"
    );
    assert!(
        a.stderr_text().contains("redefined"),
        "expected the redefinition warning"
    );
    env.assert_counters(&[("miss", 2)]);
    // Both are stored under their own key: each order hits its own object.
    env.assert_zcc_matches_plain(&["gcc", "-DX=1", "-DX=2", "-c", "x.c", "-o", "x.o"]);
    env.assert_zcc_matches_plain(&["gcc", "-DX=2", "-DX=1", "-c", "x.c", "-o", "x.o"]);
    env.assert_counters(&[("miss", 2), ("hit", 2)]);
}

#[test]
fn werror_wall_vs_wall_werror_are_distinct_entries() {
    let env = TestEnv::new();
    env.write("clean.c", "int twice(int x) { return 2 * x; }\n");
    env.assert_zcc_matches_plain(&["gcc", "-Werror", "-Wall", "-c", "clean.c", "-o", "clean.o"]);
    env.assert_zcc_matches_plain(&["gcc", "-Wall", "-Werror", "-c", "clean.c", "-o", "clean.o"]);
    env.assert_counters(&[("miss", 2)]);
}

#[test]
fn werror_then_wno_error_vs_reverse_follow_the_last_flag() {
    // `-Werror -Wno-error` warns and succeeds; `-Wno-error -Werror` fails.
    // Sorting or deduplicating arguments would turn the second into a false hit.
    let env = TestEnv::new();
    env.write("unused.c", "int f(void) { int unused = 1; return 0; }\n");
    let ok = env.assert_zcc_matches_plain(&[
        "gcc",
        "-Wall",
        "-Werror",
        "-Wno-error",
        "-c",
        "unused.c",
        "-o",
        "unused.o",
    ]);
    ok.success();
    assert!(
        ok.stderr_text().contains("warning: unused variable"),
        "{}",
        ok.stderr_text()
    );
    let failed = env.assert_zcc_matches_plain(&[
        "gcc",
        "-Wall",
        "-Wno-error",
        "-Werror",
        "-c",
        "unused.c",
        "-o",
        "unused.o",
    ]);
    assert_ne!(failed.code, Some(0));
    assert!(
        failed.outputs.is_empty(),
        "a failed compile leaves no object"
    );
    env.assert_counters(&[("miss", 1), ("compile_failed", 1)]);
}

#[test]
fn include_dir_order_picks_the_first_match() {
    let env = TestEnv::new();
    env.write("a/value.h", "#define VALUE 1\n");
    env.write("b/value.h", "#define VALUE 2\n");
    env.write(
        "v.c",
        "#include \"value.h\"\nint value(void) { return VALUE; }\n",
    );
    let ab = env.assert_zcc_matches_plain(&["gcc", "-Ia", "-Ib", "-c", "v.c", "-o", "v.o"]);
    let ba = env.assert_zcc_matches_plain(&["gcc", "-Ib", "-Ia", "-c", "v.c", "-o", "v.o"]);
    assert_ne!(ab.output("v.o"), ba.output("v.o"));
    env.assert_counters(&[("miss", 2)]);
}
