//! Calls that are not cacheable compiles: the compiler runs untouched (same
//! exit status, stdout, stderr and files as a plain run) and exactly the right
//! `passthrough_<reason>` counter is bumped, once.

mod common;
use common::*;

const MAIN_C: &str = "#include <stdio.h>\n#include \"value.h\"\nint main(void) { printf(\"%d\\n\", VALUE); return 0; }\n";

fn env_with_sources() -> TestEnv {
    let env = TestEnv::new();
    env.write("main.c", MAIN_C);
    env.write("value.h", "#define VALUE 7\n");
    env.write("other.c", "int other(void) { return 1; }\n");
    env
}

/// Plain vs zcc must be identical, and only `passthrough_<reason>` = 1.
fn assert_passthrough(env: &TestEnv, args: &[&str], reason: &str) -> Run {
    let run = env.assert_zcc_matches_plain(args);
    env.assert_counters(&[(&format!("passthrough_{reason}"), 1)]);
    run
}

#[test]
fn link_of_sources_is_passthrough_link_sources() {
    let env = env_with_sources();
    let run = assert_passthrough(&env, &["gcc", "main.c", "-o", "app"], "link_sources");
    run.success().output("app");
}

#[test]
fn link_with_an_unlisted_linker_option_is_passthrough_link_linker_option() {
    let env = env_with_sources();
    env.plain(&["gcc", "-c", "main.c", "-o", "main.o"])
        .keep_outputs()
        .run()
        .success();
    env.plain(&["gcc", "-c", "other.c", "-o", "other.o"])
        .keep_outputs()
        .run()
        .success();
    let args = [
        "gcc",
        "main.o",
        "other.o",
        "-o",
        "app",
        "-Wl,--print-memory-usage",
    ];
    assert_passthrough(&env, &args, "link_linker_option").output("app");
}

#[test]
fn dash_e_is_passthrough_preprocess_only() {
    let env = env_with_sources();
    let run = assert_passthrough(&env, &["gcc", "-E", "main.c"], "preprocess_only");
    assert!(
        run.stdout_text().contains("printf"),
        "expected preprocessed text on stdout"
    );
}

#[test]
fn dash_c_with_dash_e_to_dev_null_is_passthrough_preprocess_only() {
    // arduino-builder's library detection: `-c … -E -CC … -o /dev/null`.
    let env = env_with_sources();
    assert_passthrough(
        &env,
        &[
            "gcc",
            "-c",
            "-x",
            "c",
            "-E",
            "-CC",
            "main.c",
            "-o",
            "/dev/null",
        ],
        "preprocess_only",
    );
}

#[test]
fn dash_m_is_passthrough_deps_only() {
    let env = env_with_sources();
    let run = assert_passthrough(&env, &["gcc", "-M", "main.c"], "deps_only");
    assert!(run.stdout_text().contains("value.h"));
}

#[test]
fn dash_mm_with_mf_is_passthrough_deps_only() {
    let env = env_with_sources();
    assert_passthrough(
        &env,
        &["gcc", "-MM", "-MF", "main.d", "main.c"],
        "deps_only",
    )
    .output("main.d");
}

#[test]
fn several_inputs_is_passthrough_multiple_inputs() {
    let env = env_with_sources();
    let run = assert_passthrough(&env, &["gcc", "-c", "main.c", "other.c"], "multiple_inputs");
    run.output("main.o");
    run.output("other.o");
}

#[test]
fn no_input_is_passthrough_no_input() {
    let env = env_with_sources();
    let run = assert_passthrough(&env, &["gcc", "-c", "-O2"], "no_input");
    assert_ne!(run.code, Some(0));
}

#[test]
fn stdin_dash_is_passthrough_stdin_input() {
    let env = env_with_sources();
    let args = ["gcc", "-x", "c", "-c", "-", "-o", "stdin.o"];
    let plain = env
        .plain(&args)
        .stdin(MAIN_C.replace("#include \"value.h\"", "#define VALUE 1"))
        .run();
    let cached = env
        .zcc(&args)
        .stdin(MAIN_C.replace("#include \"value.h\"", "#define VALUE 1"))
        .run();
    env.assert_same_run(&plain, &cached);
    cached.success().output("stdin.o");
    env.assert_counters(&[("passthrough_stdin_input", 1)]);
}

#[test]
fn unknown_extension_is_passthrough_unknown_language() {
    let env = env_with_sources();
    env.write("data.foo", "not a source file\n");
    assert_passthrough(&env, &["gcc", "-c", "data.foo"], "unknown_language");
}

#[test]
fn save_temps_is_passthrough_save_temps() {
    let env = env_with_sources();
    let run = assert_passthrough(
        &env,
        &["gcc", "-save-temps", "-c", "main.c", "-o", "main.o"],
        "save_temps",
    );
    run.output("main.i");
    run.output("main.s");
}

#[test]
fn fdump_tree_all_is_passthrough_dump_option() {
    let env = env_with_sources();
    let run = assert_passthrough(
        &env,
        &["gcc", "-fdump-tree-all", "-c", "main.c", "-o", "main.o"],
        "dump_option",
    );
    assert!(
        run.outputs.len() > 5,
        "expected dump files: {:?}",
        run.outputs.keys()
    );
}

#[test]
fn output_dash_is_passthrough_output_to_stdout() {
    let env = env_with_sources();
    let run = assert_passthrough(
        &env,
        &["gcc", "-S", "main.c", "-o", "-"],
        "output_to_stdout",
    );
    assert!(
        run.stdout_text().contains("main"),
        "expected assembly on stdout"
    );
}

#[test]
fn dependencies_output_env_is_passthrough_dependency_env() {
    let env = env_with_sources();
    let args = ["gcc", "-c", "main.c", "-o", "main.o"];
    let plain = env
        .plain(&args)
        .env("DEPENDENCIES_OUTPUT", "env-deps.d")
        .run();
    let cached = env
        .zcc(&args)
        .env("DEPENDENCIES_OUTPUT", "env-deps.d")
        .run();
    env.assert_same_run(&plain, &cached);
    cached.output("env-deps.d");
    env.assert_counters(&[("passthrough_dependency_env", 1)]);
}

#[test]
fn sunpro_dependencies_env_is_passthrough_dependency_env() {
    let env = env_with_sources();
    let args = ["gcc", "-c", "main.c", "-o", "main.o"];
    let plain = env
        .plain(&args)
        .env("SUNPRO_DEPENDENCIES", "sunpro.d main.o")
        .run();
    let cached = env
        .zcc(&args)
        .env("SUNPRO_DEPENDENCIES", "sunpro.d main.o")
        .run();
    env.assert_same_run(&plain, &cached);
    cached.output("sunpro.d");
    env.assert_counters(&[("passthrough_dependency_env", 1)]);
}

#[test]
fn include_option_missing_its_value_is_passthrough_bad_arguments() {
    let env = env_with_sources();
    let run = assert_passthrough(&env, &["gcc", "-c", "main.c", "-I"], "bad_arguments");
    assert_ne!(run.code, Some(0));
}

#[test]
fn output_option_missing_its_value_is_passthrough_bad_arguments() {
    let env = env_with_sources();
    assert_passthrough(&env, &["gcc", "-c", "main.c", "-o"], "bad_arguments");
}

#[test]
fn unreadable_response_file_is_passthrough_bad_arguments() {
    let env = env_with_sources();
    let run = assert_passthrough(
        &env,
        &["gcc", "-c", "main.c", "@does-not-exist.rsp"],
        "bad_arguments",
    );
    assert_ne!(run.code, Some(0));
}

#[test]
fn wrapper_option_is_passthrough_unsupported_option() {
    let env = env_with_sources();
    assert_passthrough(
        &env,
        &["gcc", "-wrapper", "env", "-c", "main.c", "-o", "main.o"],
        "unsupported_option",
    )
    .output("main.o");
}

#[test]
fn frepo_is_passthrough_unsupported_option() {
    let env = env_with_sources();
    env.write("t.cpp", "int t() { return 0; }\n");
    assert_passthrough(
        &env,
        &["g++", "-frepo", "-c", "t.cpp", "-o", "t.o"],
        "unsupported_option",
    );
}

#[test]
fn incbin_in_assembler_is_passthrough_unsupported_directive() {
    let env = env_with_sources();
    env.write("blob.bin", "first blob");
    env.write(
        "blob.S",
        "    .section .rodata\n    .globl blob\nblob:\n    .incbin \"blob.bin\"\n",
    );
    assert_passthrough(
        &env,
        &["gcc", "-c", "blob.S", "-o", "blob.o"],
        "unsupported_directive",
    );
}

#[test]
fn incbin_in_c_inline_asm_follows_the_blob_content() {
    // The object embeds blob.bin: after it changes, the object must too.
    let env = env_with_sources();
    env.write("blob.bin", "first blob");
    env.write("blob.c", "__asm__(\".section .rodata\\n.globl blob\\nblob:\\n.incbin \\\"blob.bin\\\"\\n.text\\n\");\n");
    let args = ["gcc", "-c", "blob.c", "-o", "blob.o"];
    let first = env.assert_zcc_matches_plain(&args);
    env.write("blob.bin", "second blob, longer");
    let second = env.assert_zcc_matches_plain(&args);
    assert_ne!(first.output("blob.o"), second.output("blob.o"));
    env.assert_counters(&[("passthrough_unsupported_directive", 2)]);
}
