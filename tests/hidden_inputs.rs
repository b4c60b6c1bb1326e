//! Inputs and outputs no dependency list names: precompiled headers, assembler `.include` and
//! `.incbin`, include directories that appear, profiles and coverage notes, files that options
//! ask for, line markers turned off, diagnostics colour. Each case compares zcc with a plain
//! compile (status, stdout, stderr, every file written) before and after the change that must
//! miss or hit.

mod common;

use std::fs;
use std::time::Duration;

use common::{TestEnv, require_tool};

/// A warning on line 2 of the source, whose line number moves when a line is added above.
const WARNS_ON_LINE_2: &str = "int f(void) {\n  int unused;\n  return 0;\n}\n";

#[test]
fn without_line_markers_a_moved_warning_misses_in_preprocessor_mode() {
    for p_option in ["-P", "-Wp,-P"] {
        let env = TestEnv::new();
        env.write("t.c", WARNS_ON_LINE_2);
        let args = ["gcc", "-Wall", "-g", p_option, "-c", "t.c", "-o", "t.o"];
        let zcc = |env: &TestEnv| {
            let plain = env.plain(&args).run();
            let cached = env.zcc(&args).env("ZCC_NODIRECT", "1").run();
            env.assert_same_run(&plain, &cached);
            assert!(cached.stderr_text().contains("unused"), "{p_option}");
        };
        zcc(&env);
        zcc(&env);
        env.assert_counters(&[("miss", 1), ("preprocessed_hit", 1)]);
        // Only the lines move: the warning and the debug line table name line 3 now.
        env.write("t.c", format!("\n{WARNS_ON_LINE_2}"));
        zcc(&env);
        env.assert_counters(&[("miss", 2), ("preprocessed_hit", 1)]);
    }
}

#[test]
fn assembler_include_and_incbin_are_never_served_stale() {
    let env = TestEnv::new();
    env.write("sub/consts.inc", ".byte 1\n");
    env.write("blob.bin", "AAAA");
    env.write(
        "m.s",
        ".data\n.include \"consts.inc\"\n.INCBIN \"blob.bin\"\n",
    );
    env.write(
        "m.S",
        "#define N 2\n.data\n.byte N\n.include \"consts.inc\"\n",
    );
    let s_args = ["gcc", "-Wa,-Isub", "-c", "m.s", "-o", "m.o"];
    let big_s_args = ["gcc", "-Wa,-Isub", "-c", "m.S", "-o", "m2.o"];
    for _ in 0..2 {
        env.assert_zcc_matches_plain(&s_args);
        env.assert_zcc_matches_plain(&big_s_args);
        let run = env.zcc(&big_s_args).env("ZCC_NODIRECT", "1").run();
        run.success();
        env.write("sub/consts.inc", ".byte 7\n");
        env.write("blob.bin", "BBBB");
    }
    env.assert_zcc_matches_plain(&s_args);
    env.assert_zcc_matches_plain(&big_s_args);
    assert_eq!(env.hits(), 0, "{:?}", env.stats());
    assert!(
        env.counter("passthrough_unsupported_directive") >= 5,
        "{:?}",
        env.stats()
    );
}

#[test]
fn incbin_in_inline_asm_of_a_header_is_never_served_stale() {
    let env = TestEnv::new();
    env.write(
        "blob.h",
        "__asm__(\".section .rodata\\nblob: .incbin \\\"blob.bin\\\"\\n.previous\");\n",
    );
    env.write("main.c", "#include \"blob.h\"\nint x;\n");
    env.write("blob.bin", "AAAA");
    let args = ["gcc", "-c", "main.c", "-o", "main.o"];
    env.assert_zcc_matches_plain(&args);
    env.write("blob.bin", "BBBBBBBB");
    env.assert_zcc_matches_plain(&args);
    assert_eq!(env.hits(), 0, "{:?}", env.stats());
}

#[test]
fn a_header_in_an_include_directory_that_appears_misses() {
    let env = TestEnv::new();
    env.write("a/x.h", "#define VALUE 1\n");
    env.write("t.c", "#include <x.h>\nint value = VALUE;\n");
    // `b` does not exist yet: the compiler leaves it out of its search path.
    let args = ["gcc", "-Ib", "-Ia", "-c", "t.c", "-o", "t.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    // Past the racy window, so the hit used the snapshot of the directories.
    std::thread::sleep(Duration::from_millis(3100));
    env.assert_zcc_matches_plain(&args);
    env.write("b/x.h", "#define VALUE 2\n");
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2), ("direct_hit", 2)]);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2), ("direct_hit", 3)]);
}

#[test]
fn a_has_include_probe_in_an_appearing_directory_misses() {
    let env = TestEnv::new();
    env.write(
        "t.c",
        "#if __has_include(<opt.h>)\nint have = 1;\n#else\nint have = 0;\n#endif\n",
    );
    let args = ["gcc", "-Inew", "-c", "t.c", "-o", "t.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.write("new/opt.h", "\n");
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 2), ("direct_hit", 1)]);
}

/// Builds `dir/pch.h.gch` from `dir/pch.h` holding `int value = <value>;`.
fn write_pch(env: &TestEnv, dir: &str, value: u32) {
    let header = format!("{dir}/pch.h");
    env.write(&header, format!("int pch_value = {value};\n"));
    let gch = format!("{header}.gch");
    env.plain(&["gcc", "-x", "c-header", &header, "-o", &gch])
        .keep_outputs()
        .run()
        .success();
}

#[test]
fn a_precompiled_header_next_to_an_included_header_is_never_served_stale() {
    let env = TestEnv::new();
    env.write(
        "t.c",
        "#include \"pch.h\"\nint get(void) { return pch_value; }\n",
    );
    write_pch(&env, "inc", 1);
    let args = ["gcc", "-Iinc", "-c", "t.c", "-o", "t.o"];
    env.assert_zcc_matches_plain(&args);
    // Header and .gch rebuilt together: the compile uses the new .gch.
    write_pch(&env, "inc", 2);
    env.assert_zcc_matches_plain(&args);
    // A stale .gch (the header changed, the .gch did not) is what the compiler uses too.
    env.write("inc/pch.h", "int pch_value = 3;\n");
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    assert_eq!(env.hits(), 0, "{:?}", env.stats());
    assert!(env.counter("not_stored_pch") >= 1, "{:?}", env.stats());
    // Preprocessor mode reads the header, the compile the .gch: passed through.
    let run = env.zcc(&args).env("ZCC_NODIRECT", "1").run();
    run.success();
    assert_eq!(env.counter("passthrough_pch"), 1, "{:?}", env.stats());
}

#[test]
fn a_forced_include_with_a_precompiled_header_is_never_served_stale() {
    let env = TestEnv::new();
    env.write("t.c", "int get(void) { return pch_value; }\n");
    write_pch(&env, "pch", 1);
    let args = ["gcc", "-include", "pch/pch.h", "-c", "t.c", "-o", "t.o"];
    env.assert_zcc_matches_plain(&args);
    write_pch(&env, "pch", 2);
    env.assert_zcc_matches_plain(&args);
    assert_eq!(env.hits(), 0, "{:?}", env.stats());
    let pre = [
        "gcc",
        "-include",
        "pch/pch.h",
        "-fpch-preprocess",
        "-c",
        "t.c",
    ];
    env.assert_zcc_matches_plain(&pre);
    assert_eq!(env.counter("passthrough_pch"), 1, "{:?}", env.stats());
}

#[test]
fn a_precompiled_header_that_appears_after_the_entry_misses() {
    let env = TestEnv::new();
    env.write(
        "t.c",
        "#include \"pch.h\"\nint get(void) { return pch_value; }\n",
    );
    env.write("pch.h", "int pch_value = 1;\n");
    let args = ["gcc", "-c", "t.c", "-o", "t.o"];
    env.assert_zcc_matches_plain(&args);
    env.assert_zcc_matches_plain(&args);
    env.assert_counters(&[("miss", 1), ("direct_hit", 1)]);
    // A .gch built from other content, next to the header: the compiler takes it.
    env.write("pch.h", "int pch_value = 2;\n");
    env.plain(&["gcc", "-x", "c-header", "pch.h", "-o", "pch.h.gch"])
        .keep_outputs()
        .run()
        .success();
    env.write("pch.h", "int pch_value = 1;\n");
    env.assert_zcc_matches_plain(&args);
    assert_eq!(env.counter("direct_hit"), 1, "{:?}", env.stats());
}

#[test]
fn compiling_a_precompiled_header_is_passed_through() {
    let env = TestEnv::new();
    env.write("pch.h", "int pch_value = 1;\n");
    for args in [
        &["gcc", "-x", "c-header", "pch.h", "-o", "pch.h.gch"][..],
        &["gcc", "-c", "pch.h"][..],
    ] {
        let run = env.zcc(args).run();
        run.success();
        assert!(!run.output("pch.h.gch").is_empty());
    }
    // Without -c a header compile is a link call with -x; either way the compiler ran as is.
    env.assert_counters(&[
        ("passthrough_link_driver_option", 1),
        ("passthrough_unknown_language", 1),
    ]);
}

#[test]
fn options_that_write_files_of_their_own_write_them_every_time() {
    let env = TestEnv::new();
    env.write("t.c", WARNS_ON_LINE_2);
    let cases: &[(&[&str], &str)] = &[
        (&["gcc", "-c", "t.c", "-Wa,-adhln=t.lst,-al=u.lst"], "u.lst"),
        (&["gcc", "-c", "t.c", "-Wa,--MD,t.dep"], "t.dep"),
        (
            &["gcc", "-O2", "-c", "t.c", "-fopt-info-all=t.opt"],
            "t.opt",
        ),
        (
            &["gcc", "-O2", "-c", "t.c", "-fsave-optimization-record"],
            "t.c.opt-record.json.gz",
        ),
    ];
    for (args, file) in cases {
        for _ in 0..2 {
            let run = env.zcc(args).run();
            run.success();
            run.output(file);
            run.output("t.o");
        }
    }
    assert_eq!(env.counter("passthrough_side_file"), 8, "{:?}", env.stats());
}

/// The listing without the lines that name the compiler's temporary assembler file (a new
/// random name on every compile, plain or not): page headers and the symbol table.
fn listing_without_temp_names(listing: &[u8]) -> String {
    let text = String::from_utf8_lossy(listing);
    let body = text.split("DEFINED SYMBOLS").next().unwrap();
    body.lines()
        .filter(|line| !line.contains("GAS LISTING"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_assembler_listing_is_written_on_a_hit_as_on_a_miss() {
    require_tool("avr-gcc");
    let env = TestEnv::new();
    env.write("t.c", "int twice(int x) { return 2 * x; }\n");
    let avr = [
        "avr-gcc",
        "-mmcu=atmega328p",
        "-Os",
        "-c",
        "t.c",
        "-o",
        "t.o",
    ];
    let with = |base: &[&'static str], extra: &[&'static str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        args
    };
    let host = ["gcc", "-g", "-c", "t.c", "-o", "t.o"];
    let cases = [
        (with(&avr, &["-Wa,-adhlns=t.lst"]), "t.lst"),
        (with(&avr, &["-Wa,-adhlns=lst/other.lst"]), "lst/other.lst"),
        (with(&host, &["-Xassembler", "-al=t.lst"]), "t.lst"),
    ];
    env.mkdir("lst");
    for (args, listing) in &cases {
        for _ in 0..2 {
            let plain = env.plain(args).run();
            let cached = env.zcc(args).run();
            cached.success();
            assert_eq!(plain.output("t.o"), cached.output("t.o"));
            assert_eq!(
                listing_without_temp_names(plain.output(listing)),
                listing_without_temp_names(cached.output(listing)),
                "{args:?}"
            );
            assert!(cached.output(listing).len() > 100);
        }
    }
    // The listing's name is not in the key: the second layout hit the first's entry.
    env.assert_counters(&[("miss", 2), ("hit", 4)]);
}

#[test]
fn a_dependency_file_among_other_preprocessor_options_is_always_written() {
    let env = TestEnv::new();
    env.write("t.c", WARNS_ON_LINE_2);
    let args = ["gcc", "-c", "t.c", "-Wp,-MMD,t.d,-MT,t.o"];
    for nodirect in ["0", "0", "1", "1"] {
        let plain = env.plain(&args).run();
        let cached = env.zcc(&args).env("ZCC_NODIRECT", nodirect).run();
        env.assert_same_run(&plain, &cached);
        cached.output("t.d");
    }
}

#[test]
fn profile_feedback_options_are_passed_through() {
    let env = TestEnv::new();
    env.write("t.c", WARNS_ON_LINE_2);
    for flag in [
        "-fbranch-probabilities",
        "-fprofile-use",
        "-fprofile-use=prof",
        "-fauto-profile=t.afdo",
    ] {
        env.zcc(&[
            "gcc",
            "-c",
            "t.c",
            "-o",
            "t.o",
            flag,
            "-Wno-missing-profile",
        ])
        .run();
    }
    assert_eq!(env.counter("passthrough_side_file"), 4, "{:?}", env.stats());
}

#[test]
fn coverage_notes_from_another_directory_are_never_served() {
    // The .gcno records the working directory. Its stamp comes from the random seed, pinned
    // so that two plain compiles agree.
    let env = TestEnv::new();
    env.write("a/t.c", WARNS_ON_LINE_2);
    env.write("b/t.c", WARNS_ON_LINE_2);
    for flags in [
        &["-ftest-coverage"][..],
        &["--coverage"],
        &["-ftest-coverage", "-fprofile-abs-path"],
    ] {
        for dir in ["a", "b", "a"] {
            let mut args = vec!["gcc", "-frandom-seed=zcc", "-c", "t.c", "-o", "t.o"];
            args.extend_from_slice(flags);
            let plain = env.plain(&args).cwd(dir).run();
            let cached = env.zcc(&args).cwd(dir).run();
            env.assert_same_run(&plain, &cached);
            assert!(!cached.output(&format!("{dir}/t.gcno")).is_empty());
        }
    }
    // Per option set: a and b miss, the second a hits.
    env.assert_counters(&[("miss", 6), ("hit", 3)]);
}

#[test]
fn debug_info_in_preprocessor_mode_is_stored_with_the_object_in_the_working_directory() {
    let env = TestEnv::new();
    env.write("t.c", WARNS_ON_LINE_2);
    let args = ["gcc", "-g", "-c", "t.c", "-o", "t.o"];
    for _ in 0..2 {
        let plain = env.plain(&args).run();
        let cached = env.zcc(&args).env("ZCC_NODIRECT", "1").run();
        env.assert_same_run(&plain, &cached);
    }
    env.assert_counters(&[("miss", 1), ("preprocessed_hit", 1)]);
}

#[test]
fn source_date_epoch_does_not_split_compiles_without_time_macros() {
    let env = TestEnv::new();
    env.write("t.c", WARNS_ON_LINE_2);
    let args = ["gcc", "-c", "t.c", "-o", "t.o"];
    for (epoch, nodirect) in [("1", "0"), ("2", "0"), ("3", "1"), ("4", "1")] {
        let plain = env.plain(&args).env("SOURCE_DATE_EPOCH", epoch).run();
        let cached = env
            .zcc(&args)
            .env("SOURCE_DATE_EPOCH", epoch)
            .env("ZCC_NODIRECT", nodirect)
            .run();
        env.assert_same_run(&plain, &cached);
    }
    env.assert_counters(&[("miss", 2), ("direct_hit", 1), ("preprocessed_hit", 1)]);
}

#[test]
fn colour_options_share_one_entry_and_show_what_the_compiler_shows() {
    let env = TestEnv::new();
    env.write("t.c", WARNS_ON_LINE_2);
    let base = ["gcc", "-Wall", "-c", "t.c", "-o", "t.o"];
    let with = |extra: &[&'static str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        args
    };
    let cases = [
        with(&[]),
        with(&["-fdiagnostics-color=always"]),
        with(&["-fdiagnostics-color=never"]),
        with(&["-fdiagnostics-color"]),
        with(&["-fdiagnostics-color=always", "-fno-diagnostics-color"]),
        with(&[]),
    ];
    for args in &cases {
        let run = env.assert_zcc_matches_plain(args);
        assert!(run.stderr_text().contains("unused"));
    }
    assert!(
        env.assert_zcc_matches_plain(&cases[1])
            .stderr
            .contains(&0x1b),
        "-fdiagnostics-color=always shows colours"
    );
    // The first call stored plain diagnostics; the first call that shows colours compiled
    // again and stored them coloured; every other call hit that entry.
    env.assert_counters(&[("miss", 2), ("hit", 5)]);
}

/// Runs `command` (a shell command line) with stdout and stderr on a pseudo-terminal, as a
/// user at a terminal would, and returns what the terminal received.
fn on_a_terminal(env: &TestEnv, command: &str) -> String {
    require_tool("script");
    let typescript = env.root.join("typescript");
    let run = env
        .call(
            std::path::Path::new("script"),
            &["-qec", command, typescript.to_str().unwrap()],
        )
        .env("TERM", "xterm")
        .run();
    run.success();
    // `script` turns each \n into \r\n on the terminal.
    let _ = fs::remove_file(&typescript);
    run.stdout_text().replace("\r\n", "\n")
}

#[test]
fn on_a_terminal_diagnostics_are_coloured_on_a_miss_and_on_a_hit() {
    let env = TestEnv::new();
    env.write("t.c", WARNS_ON_LINE_2);
    let gcc = "gcc -Wall -c t.c -o t.o";
    let plain = on_a_terminal(&env, gcc);
    assert!(
        plain.contains('\x1b'),
        "gcc colours on a terminal: {plain:?}"
    );
    let zcc = format!(
        "ZCC_DIR={} ZCC_LOGFILE={} {} {gcc}",
        env.store.display(),
        env.log.display(),
        common::ZCC
    );
    // Stored from a pipe: plain diagnostics, which a terminal must not be served.
    let piped = ["gcc", "-Wall", "-c", "t.c", "-o", "t.o"];
    env.assert_zcc_matches_plain(&piped);
    for _ in 0..2 {
        assert_eq!(on_a_terminal(&env, &zcc), plain, "{}", env.log_tail());
    }
    env.assert_counters(&[("miss", 2), ("hit", 1)]);
    // The coloured entry, shown plain to a pipe.
    let run = env.assert_zcc_matches_plain(&piped);
    assert!(!run.stderr.contains(&0x1b));
    env.assert_counters(&[("miss", 2), ("hit", 2)]);
}

#[test]
fn a_sanitizer_ignore_list_is_keyed_by_its_content() {
    // Clang names the list in its dependency output (direct mode sees it there); the
    // preprocessed text does not hold it.
    require_tool("clang");
    for nodirect in ["0", "1"] {
        let env = TestEnv::new();
        env.write("t.c", "int f(int *p) { return *p; }\n");
        env.write("lists/ignore.txt", "fun:f\n");
        let args = [
            "clang",
            "-fsanitize=address",
            "-fsanitize-ignorelist=lists/ignore.txt",
            "-c",
            "t.c",
            "-o",
            "t.o",
        ];
        let run = || {
            let plain = env.plain(&args).run();
            let cached = env.zcc(&args).env("ZCC_NODIRECT", nodirect).run();
            env.assert_same_run(&plain, &cached);
            cached
        };
        let first = run();
        run();
        // f is instrumented now: another object.
        env.write("lists/ignore.txt", "fun:g\n");
        let second = run();
        assert_ne!(first.output("t.o"), second.output("t.o"));
        env.assert_counters(&[("miss", 2), ("hit", 1)]);
    }
}
