//! Host gcc/g++: C, C++, assembler-with-cpp (`.S`) and plain assembly (`.s`)
//! are cached: a miss, then a hit whose outputs are byte-identical to a plain
//! compile of the same command, also when only `-o` changed.

mod common;
use common::*;

const C_SOURCE: &str = r#"#include <stdio.h>
#include "defs.h"

static int square(int x) { return x * x; }

int main(void) {
    printf("%s %d\n", GREETING, square(ANSWER));
    return 0;
}
"#;

const C_HEADER: &str = "#define GREETING \"hello\"\n#define ANSWER 6\n";

const CXX_SOURCE: &str = r#"#include <string>
#include <vector>

struct Counter {
    std::vector<std::string> names;
    void add(const std::string &n) { names.push_back(n); }
    std::size_t size() const { return names.size(); }
};

std::size_t count_three() {
    Counter c;
    c.add("a");
    c.add("b");
    c.add("c");
    return c.size();
}
"#;

const ASM_CPP_SOURCE: &str = r#"#define RETURN_VALUE 42
    .text
    .globl answer
    .type answer, @function
answer:
    movl $RETURN_VALUE, %eax
    ret
    .section .note.GNU-stack,"",@progbits
"#;

const ASM_SOURCE: &str = r#"    .text
    .globl seven
    .type seven, @function
seven:
    movl $7, %eax
    ret
    .section .note.GNU-stack,"",@progbits
"#;

fn c_project() -> TestEnv {
    let env = TestEnv::new();
    env.write("src/hello.c", C_SOURCE);
    env.write("include/defs.h", C_HEADER);
    env
}

#[test]
fn gcc_c_miss_then_hit_object_identical_to_plain() {
    let env = c_project();
    let args = [
        "gcc",
        "-Iinclude",
        "-O2",
        "-c",
        "src/hello.c",
        "-o",
        "hello.o",
    ];
    let miss = env.assert_zcc_matches_plain(&args);
    assert!(!miss.output("hello.o").is_empty());
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn gcc_c_hit_with_other_output_name_in_deeper_dir_object_identical() {
    let env = c_project();
    env.mkdir("build/one");
    env.mkdir("build/two/deeper/still");
    env.assert_zcc_matches_plain(&[
        "gcc",
        "-Iinclude",
        "-c",
        "src/hello.c",
        "-o",
        "build/one/hello.o",
    ]);
    env.assert_counters(&[("miss", 1)]);
    let hit = env.assert_zcc_matches_plain(&[
        "gcc",
        "-Iinclude",
        "-c",
        "src/hello.c",
        "-o",
        "build/two/deeper/still/renamed.o",
    ]);
    hit.output("build/two/deeper/still/renamed.o");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn gcc_c_without_o_writes_object_in_cwd_on_miss_and_hit() {
    let env = c_project();
    let args = ["gcc", "-Iinclude", "-c", "src/hello.c"];
    env.assert_zcc_matches_plain(&args).output("hello.o");
    env.assert_zcc_matches_plain(&args).output("hello.o");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn gcc_c_header_change_is_a_miss_with_the_new_object() {
    let env = c_project();
    let args = ["gcc", "-Iinclude", "-c", "src/hello.c", "-o", "hello.o"];
    let first = env.assert_zcc_matches_plain(&args);
    env.write(
        "include/defs.h",
        "#define GREETING \"bonjour\"\n#define ANSWER 7\n",
    );
    let second = env.assert_zcc_matches_plain(&args);
    assert_ne!(
        first.output("hello.o"),
        second.output("hello.o"),
        "the header change must change the object"
    );
    env.assert_counters(&[("miss", 2)]);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2), ("hit", 1)]);
}

#[test]
fn gxx_cpp_miss_then_hit_and_other_output_name_identical_to_plain() {
    let env = TestEnv::new();
    env.write("src/counter.cpp", CXX_SOURCE);
    env.mkdir("obj/a");
    env.mkdir("obj/b/c");
    env.assert_zcc_matches_plain(&[
        "g++",
        "-std=c++17",
        "-O2",
        "-Wall",
        "-c",
        "src/counter.cpp",
        "-o",
        "obj/a/counter.o",
    ]);
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&[
        "g++",
        "-std=c++17",
        "-O2",
        "-Wall",
        "-c",
        "src/counter.cpp",
        "-o",
        "obj/a/counter.o",
    ]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    env.assert_zcc_matches_plain(&[
        "g++",
        "-std=c++17",
        "-O2",
        "-Wall",
        "-c",
        "src/counter.cpp",
        "-o",
        "obj/b/c/other.o",
    ]);
    env.assert_counters(&[("miss", 1), ("hit", 2)]);
}

#[test]
fn gcc_assembler_with_cpp_dot_upper_s_miss_then_hit() {
    let env = TestEnv::new();
    env.write("answer.S", ASM_CPP_SOURCE);
    env.mkdir("out/deep");
    env.assert_zcc_matches_plain(&["gcc", "-c", "answer.S", "-o", "answer.o"]);
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&["gcc", "-c", "answer.S", "-o", "answer.o"]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    env.assert_zcc_matches_plain(&["gcc", "-c", "answer.S", "-o", "out/deep/answer2.o"]);
    env.assert_counters(&[("miss", 1), ("hit", 2)]);
}

#[test]
fn gcc_x_assembler_with_cpp_on_dot_s_name_miss_then_hit() {
    // PlatformIO's shape: `-x assembler-with-cpp` given explicitly.
    let env = TestEnv::new();
    env.write("answer.S", ASM_CPP_SOURCE);
    let args = [
        "gcc",
        "-x",
        "assembler-with-cpp",
        "-c",
        "answer.S",
        "-o",
        "answer.o",
    ];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn gcc_plain_assembly_dot_s_miss_then_hit() {
    let env = TestEnv::new();
    env.write("seven.s", ASM_SOURCE);
    env.mkdir("out/deep");
    env.assert_zcc_matches_plain(&["gcc", "-c", "seven.s", "-o", "seven.o"]);
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&["gcc", "-c", "seven.s", "-o", "seven.o"]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    env.assert_zcc_matches_plain(&["gcc", "-c", "seven.s", "-o", "out/deep/seven2.o"]);
    env.assert_counters(&[("miss", 1), ("hit", 2)]);
}

#[test]
fn gcc_dash_upper_s_assembly_output_is_cached() {
    let env = c_project();
    let args = [
        "gcc",
        "-Iinclude",
        "-O1",
        "-S",
        "src/hello.c",
        "-o",
        "hello.s",
    ];
    let miss = env.assert_zcc_matches_plain(&args);
    assert!(
        miss.output("hello.s").starts_with(b"\t.file"),
        "expected assembly text"
    );
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
    // Without -o the assembly goes to hello.s in the current directory; the
    // first such call may reuse the entry above (the output name is not part of
    // the key) or miss, the second is a hit.
    let no_o = ["gcc", "-Iinclude", "-O1", "-S", "src/hello.c"];
    env.assert_zcc_matches_plain(&no_o).output("hello.s");
    let (hits, misses) = (env.hits(), env.counter("miss"));
    env.assert_zcc_matches_plain(&no_o).output("hello.s");
    assert_eq!(
        (env.hits(), env.counter("miss")),
        (hits + 1, misses),
        "(hits, misses)"
    );
}

#[test]
fn gcc_dash_s_and_dash_c_do_not_share_an_entry() {
    let env = c_project();
    env.assert_zcc_matches_plain(&["gcc", "-Iinclude", "-S", "src/hello.c", "-o", "out.x"]);
    env.assert_zcc_matches_plain(&["gcc", "-Iinclude", "-c", "src/hello.c", "-o", "out.x"]);
    env.assert_counters(&[("miss", 2)]);
}
