//! Outputs beyond the object: `.su` (-fstack-usage), `.gcno` (--coverage) and
//! `.dwo` (-gsplit-dwarf) are restored on a hit, identical to a plain compile.

mod common;
use common::*;

const SOURCE: &str = r#"int table_sum(int n) {
    int values[16];
    for (int i = 0; i < 16; i++) {
        values[i] = n * i;
    }
    int sum = 0;
    for (int i = 0; i < 16; i++) {
        sum += values[i];
    }
    return sum;
}
"#;

fn env_with_source() -> TestEnv {
    let env = TestEnv::new();
    env.write("src/calc.c", SOURCE);
    env.mkdir("build/a");
    env.mkdir("build/b/deeper");
    env
}

#[test]
fn stack_usage_su_restored_on_hit() {
    let env = env_with_source();
    let args = [
        "gcc",
        "-O1",
        "-fstack-usage",
        "-c",
        "src/calc.c",
        "-o",
        "build/a/calc.o",
    ];
    let miss = env.assert_zcc_matches_plain(&args);
    assert!(String::from_utf8_lossy(miss.output("build/a/calc.su")).contains("table_sum"));
    env.assert_counters(&[("miss", 1)]);
    let hit = env.assert_zcc_matches_plain(&args);
    hit.output("build/a/calc.su");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    // Another -o: the .su goes next to the new object, as the compiler puts it.
    env.assert_zcc_matches_plain(&[
        "gcc",
        "-O1",
        "-fstack-usage",
        "-c",
        "src/calc.c",
        "-o",
        "build/b/deeper/calc2.o",
    ])
    .output("build/b/deeper/calc2.su");
}

#[test]
fn stack_usage_without_o_restored_on_hit() {
    let env = env_with_source();
    let args = ["gcc", "-O1", "-fstack-usage", "-c", "src/calc.c"];
    env.assert_zcc_matches_plain(&args).output("calc.su");
    env.assert_zcc_matches_plain(&args).output("calc.su");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn avr_stack_usage_su_restored_on_hit() {
    require_tool("avr-gcc");
    let env = env_with_source();
    let args = [
        "avr-gcc",
        "-Os",
        "-mmcu=atmega328p",
        "-fstack-usage",
        "-c",
        "src/calc.c",
        "-o",
        "build/a/calc.o",
    ];
    env.assert_zcc_matches_plain(&args)
        .output("build/a/calc.su");
    env.assert_zcc_matches_plain(&args)
        .output("build/a/calc.su");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

// GCC stamps each .gcno (and its object) with a value derived from the random
// seed, so two plain compiles differ; the coverage tests pin it.

#[test]
fn coverage_gcno_restored_on_hit() {
    let env = env_with_source();
    let args = [
        "gcc",
        "--coverage",
        "-frandom-seed=zcc",
        "-c",
        "src/calc.c",
        "-o",
        "build/a/calc.o",
    ];
    let miss = env.assert_zcc_matches_plain(&args);
    assert!(!miss.output("build/a/calc.gcno").is_empty());
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&args)
        .output("build/a/calc.gcno");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn coverage_other_output_dir_gives_the_plain_result() {
    // The object names its .gcda by absolute path: another -o must not reuse
    // the first object (miss or not, the result must be what gcc writes).
    let env = env_with_source();
    env.assert_zcc_matches_plain(&[
        "gcc",
        "--coverage",
        "-frandom-seed=zcc",
        "-c",
        "src/calc.c",
        "-o",
        "build/a/calc.o",
    ]);
    env.assert_zcc_matches_plain(&[
        "gcc",
        "--coverage",
        "-frandom-seed=zcc",
        "-c",
        "src/calc.c",
        "-o",
        "build/b/deeper/calc.o",
    ])
    .output("build/b/deeper/calc.gcno");
}

#[test]
fn split_dwarf_dwo_restored_on_hit() {
    let env = env_with_source();
    let args = [
        "gcc",
        "-g",
        "-gsplit-dwarf",
        "-c",
        "src/calc.c",
        "-o",
        "build/a/calc.o",
    ];
    let miss = env.assert_zcc_matches_plain(&args);
    assert!(miss.output("build/a/calc.dwo").starts_with(b"\x7fELF"));
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&args)
        .output("build/a/calc.dwo");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn split_dwarf_other_output_name_gives_the_plain_result() {
    // The object holds the .dwo's name: another -o needs its own object.
    let env = env_with_source();
    env.assert_zcc_matches_plain(&[
        "gcc",
        "-g",
        "-gsplit-dwarf",
        "-c",
        "src/calc.c",
        "-o",
        "build/a/calc.o",
    ]);
    env.assert_zcc_matches_plain(&[
        "gcc",
        "-g",
        "-gsplit-dwarf",
        "-c",
        "src/calc.c",
        "-o",
        "build/b/deeper/other.o",
    ])
    .output("build/b/deeper/other.dwo");
}

#[test]
fn stack_usage_and_dependency_file_together() {
    let env = env_with_source();
    let args = [
        "gcc",
        "-fstack-usage",
        "-MMD",
        "-c",
        "src/calc.c",
        "-o",
        "build/a/calc.o",
    ];
    let miss = env.assert_zcc_matches_plain(&args);
    assert_eq!(miss.outputs.len(), 3, "{:?}", miss.outputs.keys());
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}
