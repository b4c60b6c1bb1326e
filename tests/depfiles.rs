//! Dependency files: for every way of asking for one, the `.d` written on the
//! miss and on a hit with a *different* `-o` (in a deeper directory) is byte for
//! byte what the plain compiler writes for that same command. Paths are long
//! enough that GCC wraps the lines.

mod common;
use common::*;

const HEADER_DIR: &str = "include/a_rather_long_directory_name_for_the_project_headers";
const SOURCE: &str = "src/module_with_a_fairly_long_file_name.c";

const OUT1: &str = "build/objects/of/the/first/call/module_with_a_fairly_long_file_name.o";
const OUT1_D: &str = "build/objects/of/the/first/call/module_with_a_fairly_long_file_name.d";
const OUT2: &str = "build/objects/of/the/second/call/which/sits/deeper/module_renamed.c.obj";
const OUT2_D: &str = "build/objects/of/the/second/call/which/sits/deeper/module_renamed.c.d";

fn project() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        SOURCE,
        "#include <stddef.h>\n#include \"first_header_with_a_long_name.h\"\n\
         #include \"second_header_with_a_long_name.h\"\n\
         size_t module_value(void) { return FIRST + SECOND; }\n",
    );
    env.write(
        &format!("{HEADER_DIR}/first_header_with_a_long_name.h"),
        "#define FIRST 1\n",
    );
    env.write(
        &format!("{HEADER_DIR}/second_header_with_a_long_name.h"),
        "#define SECOND 2\n",
    );
    env.mkdir("build/objects/of/the/first/call");
    env.mkdir("build/objects/of/the/second/call/which/sits/deeper");
    env.mkdir("deps");
    env
}

/// `gcc -I<dir> -c <source> -o <out> <dep args>`
fn command(out: Option<&str>, dep_args: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["gcc", &format!("-I{HEADER_DIR}"), "-c", SOURCE]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(out) = out {
        args.extend(["-o".to_string(), out.to_string()]);
    }
    args.extend(dep_args.iter().cloned());
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Miss with `-o OUT1`, then a hit with `-o OUT2`; `dep_args(out)` gives the
/// dependency options for a call writing `out`; `dep_files` the `.d` each call
/// must create (None: no file).
fn miss_then_hit_elsewhere(dep_args: impl Fn(&str) -> Vec<String>, dep_files: [Option<&str>; 2]) {
    let env = project();
    for (i, (out, dep_file)) in [OUT1, OUT2].into_iter().zip(dep_files).enumerate() {
        let deps = dep_args(out);
        let run = env.assert_zcc_matches_plain(&strs(&command(Some(out), &deps)));
        run.success();
        run.output(out);
        if let Some(dep_file) = dep_file {
            let text = String::from_utf8_lossy(run.output(dep_file)).into_owned();
            assert!(
                text.contains("\\\n"),
                "expected a wrapped dependency line:\n{text}"
            );
            assert!(text.contains("second_header_with_a_long_name.h"), "{text}");
        }
        let expected_files = 1 + usize::from(dep_file.is_some());
        assert_eq!(
            run.outputs.len(),
            expected_files,
            "created: {:?}",
            run.outputs.keys()
        );
        if i == 0 {
            env.assert_counters(&[("miss", 1)]);
        } else {
            env.assert_counters(&[("miss", 1), ("hit", 1)]);
        }
    }
}

#[test]
fn md_default_d_next_to_output() {
    miss_then_hit_elsewhere(|_| sv(&["-MD"]), [Some(OUT1_D), Some(OUT2_D)]);
}

#[test]
fn mmd_default_d_next_to_output() {
    miss_then_hit_elsewhere(|_| sv(&["-MMD"]), [Some(OUT1_D), Some(OUT2_D)]);
}

#[test]
fn md_with_mf_separate_argument() {
    miss_then_hit_elsewhere(
        |_| sv(&["-MD", "-MF", "deps/module.d"]),
        [Some("deps/module.d"); 2],
    );
}

#[test]
fn mmd_with_mf_joined_argument() {
    miss_then_hit_elsewhere(
        |_| sv(&["-MMD", "-MFdeps/module.d"]),
        [Some("deps/module.d"); 2],
    );
}

#[test]
fn md_with_mt_target() {
    miss_then_hit_elsewhere(
        |_| sv(&["-MD", "-MT", "some/custom/target/with/a/long/name.o"]),
        [Some(OUT1_D), Some(OUT2_D)],
    );
}

#[test]
fn md_with_mq_dollar_target_is_quoted() {
    miss_then_hit_elsewhere(|_| sv(&["-MD", "-MQ", "$t"]), [Some(OUT1_D), Some(OUT2_D)]);
}

#[test]
fn md_with_several_mt_and_mq_targets() {
    miss_then_hit_elsewhere(
        |_| {
            sv(&[
                "-MD",
                "-MT",
                "first_target.o",
                "-MT",
                "second target.o",
                "-MQ",
                "$(OBJ)/third.o",
            ])
        },
        [Some(OUT1_D), Some(OUT2_D)],
    );
}

#[test]
fn mmd_mp_phony_header_targets() {
    miss_then_hit_elsewhere(|_| sv(&["-MMD", "-MP"]), [Some(OUT1_D), Some(OUT2_D)]);
}

#[test]
fn md_mp_mf_and_mq() {
    miss_then_hit_elsewhere(
        |_| {
            sv(&[
                "-MD",
                "-MP",
                "-MF",
                "deps/module.d",
                "-MQ",
                "$(BUILD)/module.o",
            ])
        },
        [Some("deps/module.d"); 2],
    );
}

#[test]
fn cmake_style_md_mt_output_mf_output_d() {
    // CMake: -MD -MT <obj> -MF <obj>.d -o <obj>
    let (d1, d2) = (format!("{OUT1}.d"), format!("{OUT2}.d"));
    miss_then_hit_elsewhere(
        |out| sv(&["-MD", "-MT", out, "-MF", &format!("{out}.d")]),
        [Some(&d1), Some(&d2)],
    );
}

#[test]
fn wp_md_comma_file() {
    miss_then_hit_elsewhere(|_| sv(&["-Wp,-MD,deps/wp.d"]), [Some("deps/wp.d"); 2]);
}

#[test]
fn wp_mmd_comma_file() {
    miss_then_hit_elsewhere(|_| sv(&["-Wp,-MMD,deps/wp.d"]), [Some("deps/wp.d"); 2]);
}

#[test]
fn md_mf_dev_null_creates_no_file() {
    miss_then_hit_elsewhere(|_| sv(&["-MD", "-MF", "/dev/null"]), [None, None]);
}

#[test]
fn no_dependency_options_creates_no_d_file() {
    miss_then_hit_elsewhere(|_| sv(&[]), [None, None]);
}

#[test]
fn md_without_o_writes_object_and_d_in_cwd() {
    let env = project();
    let args = command(None, &["-MD".to_string()]);
    for _ in 0..2 {
        let run = env.assert_zcc_matches_plain(&strs(&args));
        run.output("module_with_a_fairly_long_file_name.o");
        run.output("module_with_a_fairly_long_file_name.d");
    }
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn mmd_mf_mt_without_o() {
    let env = project();
    let deps: Vec<String> = ["-MMD", "-MF", "deps/m.d", "-MT", "my/target.o"]
        .map(String::from)
        .to_vec();
    let args = command(None, &deps);
    for _ in 0..2 {
        env.assert_zcc_matches_plain(&strs(&args))
            .output("deps/m.d");
    }
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn md_on_assembly_input_writes_what_plain_writes() {
    // GCC writes no .d for a `.s` (no preprocessor): neither may zcc.
    let env = TestEnv::new();
    env.write("a.s", "    .text\n    .globl f\nf:\n    ret\n");
    env.mkdir("out/deeper");
    env.assert_zcc_matches_plain(&["gcc", "-c", "a.s", "-MD", "-o", "out/a.o"]);
    env.assert_zcc_matches_plain(&["gcc", "-c", "a.s", "-MD", "-o", "out/deeper/b.o"]);
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn md_on_assembler_with_cpp_input_hit_elsewhere() {
    let env = TestEnv::new();
    env.write(
        "inc/asm_constants_with_a_long_header_name.h",
        "#define VALUE 5\n",
    );
    env.write("a.S", "#include \"asm_constants_with_a_long_header_name.h\"\n    .text\n    .globl f\nf:\n    movl $VALUE, %eax\n    ret\n");
    env.mkdir("out/deeper/still/deeper");
    env.assert_zcc_matches_plain(&["gcc", "-Iinc", "-c", "a.S", "-MMD", "-MP", "-o", "out/a.o"]);
    let hit = env.assert_zcc_matches_plain(&[
        "gcc",
        "-Iinc",
        "-c",
        "a.S",
        "-MMD",
        "-MP",
        "-o",
        "out/deeper/still/deeper/b.o",
    ]);
    hit.output("out/deeper/still/deeper/b.d");
    env.assert_counters(&[("miss", 1), ("hit", 1)]);
}

#[test]
fn header_edit_changes_the_d_file_content_on_the_next_miss() {
    // A header that gains an include: the new `.d` must list the new header.
    let env = project();
    env.write(&format!("{HEADER_DIR}/third_header.h"), "#define THIRD 3\n");
    let deps = ["-MMD".to_string()];
    let args = command(Some(OUT1), &deps);
    env.assert_zcc_matches_plain(&strs(&args));
    env.write(
        &format!("{HEADER_DIR}/second_header_with_a_long_name.h"),
        "#include \"third_header.h\"\n#define SECOND THIRD\n",
    );
    let run = env.assert_zcc_matches_plain(&strs(&args));
    assert!(String::from_utf8_lossy(run.output(OUT1_D)).contains("third_header.h"));
    env.assert_counters(&[("miss", 2)]);
}

fn sv(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// A project where `-MMD` has something to leave out: system headers found through `-isystem`
/// and the built-in directories, a user header that marks itself a system header, and what
/// that header includes after the pragma (a user-directory file the compiler counts as system).
fn mmd_project(env: &TestEnv, pragma: bool) {
    env.write(
        SOURCE,
        "#include <stddef.h>\n#include <vendor_system_header_with_a_long_name.h>\n\
         #include \"first_header_with_a_long_name.h\"\n#include \"marked_system.h\"\n\
         size_t module_value(void) { return FIRST + VENDOR + MARKED; }\n",
    );
    env.write(
        "vendor/include/vendor_system_header_with_a_long_name.h",
        "#include <stdint.h>\n#define VENDOR 1\n",
    );
    env.write(
        &format!("{HEADER_DIR}/first_header_with_a_long_name.h"),
        "#define FIRST 1\n",
    );
    let marked = if pragma {
        "#pragma GCC system_header\n#include \"after_the_pragma.h\"\n"
    } else {
        "#include \"after_the_pragma.h\"\n"
    };
    env.write(&format!("{HEADER_DIR}/marked_system.h"), marked);
    env.write(
        &format!("{HEADER_DIR}/after_the_pragma.h"),
        "#define MARKED 3\n",
    );
    env.mkdir("build/objects/of/the/first/call");
    env.mkdir("build/objects/of/the/second/call/which/sits/deeper");
    env.mkdir("deps");
}

/// The compilers to check `-MMD` files against: host gcc, avr-gcc and clang (`.ci/run`
/// installs each).
fn mmd_compilers() -> Vec<&'static str> {
    let compilers = ["gcc", "avr-gcc", "clang"];
    for compiler in compilers {
        require_tool(compiler);
    }
    compilers.to_vec()
}

#[test]
fn mmd_files_written_from_the_md_compile_match_the_compiler() {
    let dep_sets: [&[&str]; 5] = [
        &["-MMD"],
        &["-MMD", "-MP"],
        &["-MMD", "-MP", "-MF", "deps/module.d"],
        &["-MMD", "-MT", "first target.o", "-MQ", "$(OBJ)/x.o"],
        &["-MMD", "-MQ", "$(BUILD)/module.o", "-MP"],
    ];
    for compiler in mmd_compilers() {
        for pragma in [false, true] {
            for deps in dep_sets {
                let env = TestEnv::new();
                mmd_project(&env, pragma);
                for out in [OUT1, OUT2] {
                    let mut args = vec![
                        compiler,
                        "-isystem",
                        "vendor/include",
                        "-I",
                        HEADER_DIR,
                        "-c",
                        SOURCE,
                        "-o",
                        out,
                    ];
                    args.extend(deps);
                    env.assert_zcc_matches_plain(&args).success();
                }
                env.assert_counters(&[("miss", 1), ("hit", 1)]);
                // Written from the `-MD` file, unless the pragma's includes make it unknowable.
                let again = env.log_tail().contains("compiling again");
                assert_eq!(again, pragma, "{compiler} {deps:?}\n{}", env.log_tail());
            }
        }
    }
}

#[test]
fn an_mmd_miss_compiles_once() {
    // A compiler wrapper logs every run that reads the source: with `-MMD` the miss is one
    // compile, no second preprocessing for the include list.
    let env = TestEnv::new();
    mmd_project(&env, false);
    let runs = env.root.join("runs.log");
    let wrapper = env.root.join("bin/gcc");
    write_script(
        &wrapper,
        &format!(
            "#!/bin/sh\ncase \"$*\" in *{SOURCE}*) echo \"$*\" >> {} ;; esac\nexec /usr/bin/gcc \"$@\"\n",
            runs.display()
        ),
    );
    let gcc = wrapper.to_string_lossy().into_owned();
    let args = [
        gcc.as_str(),
        "-isystem",
        "vendor/include",
        "-I",
        HEADER_DIR,
        "-c",
        SOURCE,
        "-o",
        OUT1,
        "-MMD",
        "-MP",
    ];
    let run = env.zcc(&args).run();
    run.success();
    let log = std::fs::read_to_string(&runs).unwrap();
    assert_eq!(log.lines().count(), 1, "compiler runs:\n{log}");
    let d = String::from_utf8_lossy(run.output(OUT1_D)).into_owned();
    assert!(
        !d.contains("stddef.h") && !d.contains("vendor_system"),
        "{d}"
    );
    assert!(d.contains("after_the_pragma.h"), "{d}");
    // The manifest still knows the system headers: editing one misses.
    env.write(
        "vendor/include/vendor_system_header_with_a_long_name.h",
        "#include <stdint.h>\n#define VENDOR 2\n",
    );
    env.zcc(&args).run().success();
    env.assert_counters(&[("miss", 2)]);
}

#[test]
fn mmd_to_dev_null_still_tracks_system_headers() {
    // `-MMD -MF /dev/null` asks for no file, but the compile's own list must still name the
    // system headers: editing one is a miss, never the old object.
    let env = TestEnv::new();
    mmd_project(&env, false);
    let args = [
        "gcc",
        "-isystem",
        "vendor/include",
        "-I",
        HEADER_DIR,
        "-c",
        SOURCE,
        "-o",
        OUT1,
        "-MMD",
        "-MF",
        "/dev/null",
    ];
    env.assert_zcc_matches_plain(&args);
    env.write(
        "vendor/include/vendor_system_header_with_a_long_name.h",
        "#include <stdint.h>\n#define VENDOR 2\n",
    );
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2)]);
}
