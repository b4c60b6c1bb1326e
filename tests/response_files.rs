//! `@file` response files (and `@file` nested inside them) are expanded and
//! keyed on their content, not their name.

mod common;
use common::*;

fn project() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "src/app.c",
        "#include \"cfg.h\"\nint level(void) { return LEVEL * FACTOR; }\n",
    );
    env.write("inc/cfg.h", "#define FACTOR 3\n");
    env.write("args.rsp", "-O2 -DLEVEL=4\n@nested.rsp\n");
    env.write("nested.rsp", "-Iinc -Wall\n");
    env
}

const ARGS: [&str; 6] = ["gcc", "@args.rsp", "-c", "src/app.c", "-o", "app.o"];

#[test]
fn response_file_with_nested_response_file_hits_on_second_call() {
    let env = project();
    env.assert_zcc_matches_plain(&ARGS).success();
    env.assert_counters(&[("miss", 1)]);
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn changing_the_response_file_content_is_a_miss() {
    let env = project();
    let first = env.assert_zcc_matches_plain(&ARGS);
    env.write("args.rsp", "-O2 -DLEVEL=5\n@nested.rsp\n");
    let second = env.assert_zcc_matches_plain(&ARGS);
    assert_ne!(first.output("app.o"), second.output("app.o"));
    env.assert_counters(&[("miss", 2)]);
}

#[test]
fn changing_the_nested_response_file_content_is_a_miss() {
    let env = project();
    env.write("inc2/cfg.h", "#define FACTOR 11\n");
    let first = env.assert_zcc_matches_plain(&ARGS);
    env.write("nested.rsp", "-Iinc2 -Wall\n");
    let second = env.assert_zcc_matches_plain(&ARGS);
    assert_ne!(first.output("app.o"), second.output("app.o"));
    env.assert_counters(&[("miss", 2)]);
    env.assert_zcc_matches_plain(&ARGS);
    env.assert_counters(&[("miss", 2), ("hit", 1)]);
}

#[test]
fn response_file_holding_the_source_and_output() {
    // Long command lines end up entirely in the @file (PlatformIO on Windows).
    let env = project();
    env.write(
        "all.rsp",
        "-Iinc -DLEVEL=2 -c src/app.c -o \"app from rsp.o\"\n",
    );
    let args = ["gcc", "@all.rsp"];
    env.assert_zcc_matches_plain(&args).output("app from rsp.o");
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}
