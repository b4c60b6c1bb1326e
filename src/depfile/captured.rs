//! Dependency files captured from real compilers (gcc 12.2, avr-gcc 5.4, clang 14) for pairs of
//! calls that differ in the object path and/or the workspace location. The comments give the
//! command lines; `-MF out.d` is left out.

/// One compile.
pub struct Call {
    /// The workspace, root `WS0`, and the call's working directory.
    pub root: &'static str,
    /// The make-quoted `-o` path, or `None` when `-MT`/`-MQ` were given.
    pub target: Option<&'static str>,
    /// The dependency file the compiler wrote.
    pub dep: &'static str,
}

/// Two compiles of the same source whose files must convert into each other.
pub struct Capture {
    pub what: &'static str,
    pub clang: bool,
    pub first: Call,
    pub second: Call,
}

pub const CAPTURES: &[Capture] = &[
    Capture {
        what: "gcc 12 -MMD, other -o",
        clang: false,
        first: Call {
            // gcc -MMD -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
        second: Call {
            // gcc -MMD -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "gcc 12 -MMD -MP, other -o",
        clang: false,
        first: Call {
            // gcc -MMD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
include_dir/config.h:
include_dir/util.h:
include_dir/x.h:
include_dir/a_rather_long_header_name_number_one.h:
include_dir/second_header_with_a_long_name.h:
include_dir/platform_specific_definitions.h:
include_dir/third_header_that_is_also_long.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
        second: Call {
            // gcc -MMD -MP -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
include_dir/config.h:
include_dir/util.h:
include_dir/x.h:
include_dir/a_rather_long_header_name_number_one.h:
include_dir/second_header_with_a_long_name.h:
include_dir/platform_specific_definitions.h:
include_dir/third_header_that_is_also_long.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "gcc 12 -MD -MP with system headers, other -o",
        clang: false,
        first: Call {
            // gcc -MD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c /usr/include/stdc-predef.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
/usr/include/stdc-predef.h:
/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h:
include_dir/config.h:
include_dir/util.h:
include_dir/x.h:
include_dir/a_rather_long_header_name_number_one.h:
include_dir/second_header_with_a_long_name.h:
include_dir/platform_specific_definitions.h:
include_dir/third_header_that_is_also_long.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
        second: Call {
            // gcc -MD -MP -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c /usr/include/stdc-predef.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
/usr/include/stdc-predef.h:
/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h:
include_dir/config.h:
include_dir/util.h:
include_dir/x.h:
include_dir/a_rather_long_header_name_number_one.h:
include_dir/second_header_with_a_long_name.h:
include_dir/platform_specific_definitions.h:
include_dir/third_header_that_is_also_long.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "gcc 12 -MMD -MP, -o longer than a line",
        clang: false,
        first: Call {
            // gcc -MMD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
include_dir/config.h:
include_dir/util.h:
include_dir/x.h:
include_dir/a_rather_long_header_name_number_one.h:
include_dir/second_header_with_a_long_name.h:
include_dir/platform_specific_definitions.h:
include_dir/third_header_that_is_also_long.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
        second: Call {
            // gcc -MMD -MP -Iinclude_dir src/main.c -c -o build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(
                r"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o",
            ),
            dep: r#"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o: \
 src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
include_dir/config.h:
include_dir/util.h:
include_dir/x.h:
include_dir/a_rather_long_header_name_number_one.h:
include_dir/second_header_with_a_long_name.h:
include_dir/platform_specific_definitions.h:
include_dir/third_header_that_is_also_long.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "gcc 12 -MMD -MT -MQ, other -o",
        clang: false,
        first: Call {
            // gcc -MMD -MT 'custom target' -MQ $(OBJ)#1 -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: None,
            dep: r#"custom target $$(OBJ)\#1: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
        second: Call {
            // gcc -MMD -MT 'custom target' -MQ $(OBJ)#1 -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: None,
            dep: r#"custom target $$(OBJ)\#1: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "gcc 12 -MMD -MP absolute paths, other root",
        clang: false,
        first: Call {
            // gcc -MMD -MP -I/tmp/A/ws/src/../include_dir /tmp/A/ws/src/main.c -c -o build/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"build/x.o"),
            dep: r#"build/x.o: /tmp/A/ws/src/main.c /tmp/A/ws/src/../include_dir/config.h \
 /tmp/A/ws/src/../include_dir/util.h /tmp/A/ws/src/../include_dir/x.h \
 /tmp/A/ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/A/ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/A/ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/A/ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/A/ws/src/local.h /tmp/A/ws/src/../include_dir/x.h
/tmp/A/ws/src/../include_dir/config.h:
/tmp/A/ws/src/../include_dir/util.h:
/tmp/A/ws/src/../include_dir/x.h:
/tmp/A/ws/src/../include_dir/a_rather_long_header_name_number_one.h:
/tmp/A/ws/src/../include_dir/second_header_with_a_long_name.h:
/tmp/A/ws/src/../include_dir/platform_specific_definitions.h:
/tmp/A/ws/src/../include_dir/third_header_that_is_also_long.h:
/tmp/A/ws/src/local.h:
/tmp/A/ws/src/../include_dir/x.h:
"#,
        },
        second: Call {
            // gcc -MMD -MP -I/tmp/BBBBBB/longer/ws/src/../include_dir /tmp/BBBBBB/longer/ws/src/main.c -c -o build/x.o (in /tmp/BBBBBB/longer/ws)
            root: "/tmp/BBBBBB/longer/ws",
            target: Some(r"build/x.o"),
            dep: r#"build/x.o: /tmp/BBBBBB/longer/ws/src/main.c \
 /tmp/BBBBBB/longer/ws/src/../include_dir/config.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/util.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/x.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/BBBBBB/longer/ws/src/local.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/x.h
/tmp/BBBBBB/longer/ws/src/../include_dir/config.h:
/tmp/BBBBBB/longer/ws/src/../include_dir/util.h:
/tmp/BBBBBB/longer/ws/src/../include_dir/x.h:
/tmp/BBBBBB/longer/ws/src/../include_dir/a_rather_long_header_name_number_one.h:
/tmp/BBBBBB/longer/ws/src/../include_dir/second_header_with_a_long_name.h:
/tmp/BBBBBB/longer/ws/src/../include_dir/platform_specific_definitions.h:
/tmp/BBBBBB/longer/ws/src/../include_dir/third_header_that_is_also_long.h:
/tmp/BBBBBB/longer/ws/src/local.h:
/tmp/BBBBBB/longer/ws/src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "gcc 12 -MD absolute paths in a spaced root, other root and -o",
        clang: false,
        first: Call {
            // gcc -MD '-I/tmp/A/my ws/src/../include_dir' '/tmp/A/my ws/src/main.c' -c -o ./a/x.o (in /tmp/A/my ws)
            root: "/tmp/A/my ws",
            target: Some(r"./a/x.o"),
            dep: r#"a/x.o: /tmp/A/my\ ws/src/main.c /usr/include/stdc-predef.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h \
 /tmp/A/my\ ws/src/../include_dir/config.h \
 /tmp/A/my\ ws/src/../include_dir/util.h \
 /tmp/A/my\ ws/src/../include_dir/x.h \
 /tmp/A/my\ ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/A/my\ ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/A/my\ ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/A/my\ ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/A/my\ ws/src/local.h /tmp/A/my\ ws/src/../include_dir/x.h
"#,
        },
        second: Call {
            // gcc -MD '-I/tmp/BBBBBB/longer/my ws/src/../include_dir' '/tmp/BBBBBB/longer/my ws/src/main.c' -c -o build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o (in /tmp/BBBBBB/longer/my ws)
            root: "/tmp/BBBBBB/longer/my ws",
            target: Some(
                r"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o",
            ),
            dep: r#"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o: \
 /tmp/BBBBBB/longer/my\ ws/src/main.c /usr/include/stdc-predef.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/config.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/util.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/x.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/BBBBBB/longer/my\ ws/src/local.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MMD, other -o",
        clang: false,
        first: Call {
            // avr-gcc -MMD -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
        second: Call {
            // avr-gcc -MMD -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MMD -MP, other -o",
        clang: false,
        first: Call {
            // avr-gcc -MMD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // avr-gcc -MMD -MP -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MD -MP with system headers, other -o",
        clang: false,
        first: Call {
            // avr-gcc -MD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c /usr/lib/gcc/avr/5.4.0/include/stddef.h \
 include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h

/usr/lib/gcc/avr/5.4.0/include/stddef.h:

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // avr-gcc -MD -MP -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c \
 /usr/lib/gcc/avr/5.4.0/include/stddef.h include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h

/usr/lib/gcc/avr/5.4.0/include/stddef.h:

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MMD -MP, -o longer than a line",
        clang: false,
        first: Call {
            // avr-gcc -MMD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // avr-gcc -MMD -MP -Iinclude_dir src/main.c -c -o build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(
                r"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o",
            ),
            dep: r#"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o: \
 src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MMD -MT -MQ, other -o",
        clang: false,
        first: Call {
            // avr-gcc -MMD -MT 'custom target' -MQ $(OBJ)#1 -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: None,
            dep: r#"$$(OBJ)\#1 custom target: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
        second: Call {
            // avr-gcc -MMD -MT 'custom target' -MQ $(OBJ)#1 -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: None,
            dep: r#"$$(OBJ)\#1 custom target: src/main.c include_dir/config.h \
 include_dir/util.h include_dir/x.h \
 include_dir/a_rather_long_header_name_number_one.h \
 include_dir/second_header_with_a_long_name.h \
 include_dir/platform_specific_definitions.h \
 include_dir/third_header_that_is_also_long.h src/local.h \
 src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MMD -MP absolute paths, other root",
        clang: false,
        first: Call {
            // avr-gcc -MMD -MP -I/tmp/A/ws/src/../include_dir /tmp/A/ws/src/main.c -c -o build/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"build/x.o"),
            dep: r#"build/x.o: /tmp/A/ws/src/main.c /tmp/A/ws/src/../include_dir/config.h \
 /tmp/A/ws/src/../include_dir/util.h /tmp/A/ws/src/../include_dir/x.h \
 /tmp/A/ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/A/ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/A/ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/A/ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/A/ws/src/local.h /tmp/A/ws/src/../include_dir/x.h

/tmp/A/ws/src/../include_dir/config.h:

/tmp/A/ws/src/../include_dir/util.h:

/tmp/A/ws/src/../include_dir/x.h:

/tmp/A/ws/src/../include_dir/a_rather_long_header_name_number_one.h:

/tmp/A/ws/src/../include_dir/second_header_with_a_long_name.h:

/tmp/A/ws/src/../include_dir/platform_specific_definitions.h:

/tmp/A/ws/src/../include_dir/third_header_that_is_also_long.h:

/tmp/A/ws/src/local.h:

/tmp/A/ws/src/../include_dir/x.h:
"#,
        },
        second: Call {
            // avr-gcc -MMD -MP -I/tmp/BBBBBB/longer/ws/src/../include_dir /tmp/BBBBBB/longer/ws/src/main.c -c -o build/x.o (in /tmp/BBBBBB/longer/ws)
            root: "/tmp/BBBBBB/longer/ws",
            target: Some(r"build/x.o"),
            dep: r#"build/x.o: /tmp/BBBBBB/longer/ws/src/main.c \
 /tmp/BBBBBB/longer/ws/src/../include_dir/config.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/util.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/x.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/BBBBBB/longer/ws/src/local.h \
 /tmp/BBBBBB/longer/ws/src/../include_dir/x.h

/tmp/BBBBBB/longer/ws/src/../include_dir/config.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/util.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/x.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/a_rather_long_header_name_number_one.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/second_header_with_a_long_name.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/platform_specific_definitions.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/third_header_that_is_also_long.h:

/tmp/BBBBBB/longer/ws/src/local.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MD absolute paths in a spaced root, other root and -o",
        clang: false,
        first: Call {
            // avr-gcc -MD '-I/tmp/A/my ws/src/../include_dir' '/tmp/A/my ws/src/main.c' -c -o ./a/x.o (in /tmp/A/my ws)
            root: "/tmp/A/my ws",
            target: Some(r"./a/x.o"),
            dep: r#"a/x.o: /tmp/A/my\ ws/src/main.c /usr/lib/gcc/avr/5.4.0/include/stddef.h \
 /tmp/A/my\ ws/src/../include_dir/config.h \
 /tmp/A/my\ ws/src/../include_dir/util.h \
 /tmp/A/my\ ws/src/../include_dir/x.h \
 /tmp/A/my\ ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/A/my\ ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/A/my\ ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/A/my\ ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/A/my\ ws/src/local.h /tmp/A/my\ ws/src/../include_dir/x.h
"#,
        },
        second: Call {
            // avr-gcc -MD '-I/tmp/BBBBBB/longer/my ws/src/../include_dir' '/tmp/BBBBBB/longer/my ws/src/main.c' -c -o build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o (in /tmp/BBBBBB/longer/my ws)
            root: "/tmp/BBBBBB/longer/my ws",
            target: Some(
                r"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o",
            ),
            dep: r#"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o: \
 /tmp/BBBBBB/longer/my\ ws/src/main.c \
 /usr/lib/gcc/avr/5.4.0/include/stddef.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/config.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/util.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/x.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/a_rather_long_header_name_number_one.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/second_header_with_a_long_name.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/platform_specific_definitions.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/third_header_that_is_also_long.h \
 /tmp/BBBBBB/longer/my\ ws/src/local.h \
 /tmp/BBBBBB/longer/my\ ws/src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "clang 14 -MMD, other -o",
        clang: true,
        first: Call {
            // clang -MMD -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h
"#,
        },
        second: Call {
            // clang -MMD -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c include_dir/config.h \
  include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "clang 14 -MMD -MP, other -o",
        clang: true,
        first: Call {
            // clang -MMD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // clang -MMD -MP -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c include_dir/config.h \
  include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "clang 14 -MD -MP with system headers, other -o",
        clang: true,
        first: Call {
            // clang -MD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h \
  include_dir/config.h include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h

/usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h:

/usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h:

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // clang -MD -MP -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"some/much/longer/dir/y.o"),
            dep: r#"some/much/longer/dir/y.o: src/main.c \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h \
  include_dir/config.h include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h

/usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h:

/usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h:

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "clang 14 -MMD -MP, -o longer than a line",
        clang: true,
        first: Call {
            // clang -MMD -MP -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"a/x.o"),
            dep: r#"a/x.o: src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // clang -MMD -MP -Iinclude_dir src/main.c -c -o build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(
                r"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o",
            ),
            dep: r#"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o: \
  src/main.c include_dir/config.h include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h

include_dir/config.h:

include_dir/util.h:

include_dir/x.h:

include_dir/a_rather_long_header_name_number_one.h:

include_dir/second_header_with_a_long_name.h:

include_dir/platform_specific_definitions.h:

include_dir/third_header_that_is_also_long.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "clang 14 -MMD -MT -MQ, other -o",
        clang: true,
        first: Call {
            // clang -MMD -MT 'custom target' -MQ $(OBJ)#1 -Iinclude_dir src/main.c -c -o a/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: None,
            dep: r#"custom target $$(OBJ)\#1: src/main.c include_dir/config.h \
  include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h
"#,
        },
        second: Call {
            // clang -MMD -MT 'custom target' -MQ $(OBJ)#1 -Iinclude_dir src/main.c -c -o some/much/longer/dir/y.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: None,
            dep: r#"custom target $$(OBJ)\#1: src/main.c include_dir/config.h \
  include_dir/util.h include_dir/x.h \
  include_dir/a_rather_long_header_name_number_one.h \
  include_dir/second_header_with_a_long_name.h \
  include_dir/platform_specific_definitions.h \
  include_dir/third_header_that_is_also_long.h src/local.h \
  src/../include_dir/x.h
"#,
        },
    },
    Capture {
        what: "clang 14 -MMD -MP absolute paths, other root",
        clang: true,
        first: Call {
            // clang -MMD -MP -I/tmp/A/ws/src/../include_dir /tmp/A/ws/src/main.c -c -o build/x.o (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"build/x.o"),
            dep: r#"build/x.o: /tmp/A/ws/src/main.c /tmp/A/ws/src/../include_dir/config.h \
  /tmp/A/ws/src/../include_dir/util.h /tmp/A/ws/src/../include_dir/x.h \
  /tmp/A/ws/src/../include_dir/a_rather_long_header_name_number_one.h \
  /tmp/A/ws/src/../include_dir/second_header_with_a_long_name.h \
  /tmp/A/ws/src/../include_dir/platform_specific_definitions.h \
  /tmp/A/ws/src/../include_dir/third_header_that_is_also_long.h \
  /tmp/A/ws/src/local.h

/tmp/A/ws/src/../include_dir/config.h:

/tmp/A/ws/src/../include_dir/util.h:

/tmp/A/ws/src/../include_dir/x.h:

/tmp/A/ws/src/../include_dir/a_rather_long_header_name_number_one.h:

/tmp/A/ws/src/../include_dir/second_header_with_a_long_name.h:

/tmp/A/ws/src/../include_dir/platform_specific_definitions.h:

/tmp/A/ws/src/../include_dir/third_header_that_is_also_long.h:

/tmp/A/ws/src/local.h:
"#,
        },
        second: Call {
            // clang -MMD -MP -I/tmp/BBBBBB/longer/ws/src/../include_dir /tmp/BBBBBB/longer/ws/src/main.c -c -o build/x.o (in /tmp/BBBBBB/longer/ws)
            root: "/tmp/BBBBBB/longer/ws",
            target: Some(r"build/x.o"),
            dep: r#"build/x.o: /tmp/BBBBBB/longer/ws/src/main.c \
  /tmp/BBBBBB/longer/ws/src/../include_dir/config.h \
  /tmp/BBBBBB/longer/ws/src/../include_dir/util.h \
  /tmp/BBBBBB/longer/ws/src/../include_dir/x.h \
  /tmp/BBBBBB/longer/ws/src/../include_dir/a_rather_long_header_name_number_one.h \
  /tmp/BBBBBB/longer/ws/src/../include_dir/second_header_with_a_long_name.h \
  /tmp/BBBBBB/longer/ws/src/../include_dir/platform_specific_definitions.h \
  /tmp/BBBBBB/longer/ws/src/../include_dir/third_header_that_is_also_long.h \
  /tmp/BBBBBB/longer/ws/src/local.h

/tmp/BBBBBB/longer/ws/src/../include_dir/config.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/util.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/x.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/a_rather_long_header_name_number_one.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/second_header_with_a_long_name.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/platform_specific_definitions.h:

/tmp/BBBBBB/longer/ws/src/../include_dir/third_header_that_is_also_long.h:

/tmp/BBBBBB/longer/ws/src/local.h:
"#,
        },
    },
    Capture {
        what: "clang 14 -MD absolute paths in a spaced root, other root and -o",
        clang: true,
        first: Call {
            // clang -MD '-I/tmp/A/my ws/src/../include_dir' '/tmp/A/my ws/src/main.c' -c -o ./a/x.o (in /tmp/A/my ws)
            root: "/tmp/A/my ws",
            target: Some(r"./a/x.o"),
            dep: r#"./a/x.o: /tmp/A/my\ ws/src/main.c \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h \
  /tmp/A/my\ ws/src/../include_dir/config.h \
  /tmp/A/my\ ws/src/../include_dir/util.h \
  /tmp/A/my\ ws/src/../include_dir/x.h \
  /tmp/A/my\ ws/src/../include_dir/a_rather_long_header_name_number_one.h \
  /tmp/A/my\ ws/src/../include_dir/second_header_with_a_long_name.h \
  /tmp/A/my\ ws/src/../include_dir/platform_specific_definitions.h \
  /tmp/A/my\ ws/src/../include_dir/third_header_that_is_also_long.h \
  /tmp/A/my\ ws/src/local.h
"#,
        },
        second: Call {
            // clang -MD '-I/tmp/BBBBBB/longer/my ws/src/../include_dir' '/tmp/BBBBBB/longer/my ws/src/main.c' -c -o build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o (in /tmp/BBBBBB/longer/my ws)
            root: "/tmp/BBBBBB/longer/my ws",
            target: Some(
                r"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o",
            ),
            dep: r#"build/very_long_directory_name_very_long_directory_name_very_long_directory_name_object_output/y.o: \
  /tmp/BBBBBB/longer/my\ ws/src/main.c \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h \
  /usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h \
  /tmp/BBBBBB/longer/my\ ws/src/../include_dir/config.h \
  /tmp/BBBBBB/longer/my\ ws/src/../include_dir/util.h \
  /tmp/BBBBBB/longer/my\ ws/src/../include_dir/x.h \
  /tmp/BBBBBB/longer/my\ ws/src/../include_dir/a_rather_long_header_name_number_one.h \
  /tmp/BBBBBB/longer/my\ ws/src/../include_dir/second_header_with_a_long_name.h \
  /tmp/BBBBBB/longer/my\ ws/src/../include_dir/platform_specific_definitions.h \
  /tmp/BBBBBB/longer/my\ ws/src/../include_dir/third_header_that_is_also_long.h \
  /tmp/BBBBBB/longer/my\ ws/src/local.h
"#,
        },
    },
    Capture {
        what: "gcc 12 -MMD -MP names with space, $, #, backslash; other -o",
        clang: false,
        first: Call {
            // gcc -MMD -MP -Iinclude_dir src/main.c -c -o './o/x y$#.o' (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"./o/x\ y$$\#.o"),
            dep: r#"o/x\ y$$\#.o: src/main.c include_dir/a\ b.h include_dir/cost$$.h \
 include_dir/hash\#tag.h include_dir/back\\\ slash.h \
 include_dir/plain_header_name_to_fill_the_line.h include_dir/x.h \
 src/local.h src/../include_dir/x.h
include_dir/a\ b.h:
include_dir/cost$$.h:
include_dir/hash\#tag.h:
include_dir/back\\\ slash.h:
include_dir/plain_header_name_to_fill_the_line.h:
include_dir/x.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
        second: Call {
            // gcc -MMD -MP -Iinclude_dir src/main.c -c -o 'other dir/z#.o' (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"other\ dir/z\#.o"),
            dep: r#"other\ dir/z\#.o: src/main.c include_dir/a\ b.h include_dir/cost$$.h \
 include_dir/hash\#tag.h include_dir/back\\\ slash.h \
 include_dir/plain_header_name_to_fill_the_line.h include_dir/x.h \
 src/local.h src/../include_dir/x.h
include_dir/a\ b.h:
include_dir/cost$$.h:
include_dir/hash\#tag.h:
include_dir/back\\\ slash.h:
include_dir/plain_header_name_to_fill_the_line.h:
include_dir/x.h:
src/local.h:
src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "avr-gcc 5.4 -MMD -MP names with space, $, #, backslash; other -o",
        clang: false,
        first: Call {
            // avr-gcc -MMD -MP -Iinclude_dir src/main.c -c -o './o/x y$#.o' (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"./o/x\ y$$\#.o"),
            dep: r#"o/x\ y$$\#.o: src/main.c include_dir/a\ b.h include_dir/cost$$.h \
 include_dir/hash\#tag.h include_dir/back\\\ slash.h \
 include_dir/plain_header_name_to_fill_the_line.h include_dir/x.h \
 src/local.h src/../include_dir/x.h

include_dir/a\ b.h:

include_dir/cost$$.h:

include_dir/hash\#tag.h:

include_dir/back\\\ slash.h:

include_dir/plain_header_name_to_fill_the_line.h:

include_dir/x.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // avr-gcc -MMD -MP -Iinclude_dir src/main.c -c -o 'other dir/z#.o' (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"other\ dir/z\#.o"),
            dep: r#"other\ dir/z\#.o: src/main.c include_dir/a\ b.h include_dir/cost$$.h \
 include_dir/hash\#tag.h include_dir/back\\\ slash.h \
 include_dir/plain_header_name_to_fill_the_line.h include_dir/x.h \
 src/local.h src/../include_dir/x.h

include_dir/a\ b.h:

include_dir/cost$$.h:

include_dir/hash\#tag.h:

include_dir/back\\\ slash.h:

include_dir/plain_header_name_to_fill_the_line.h:

include_dir/x.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
    Capture {
        what: "clang 14 -MMD -MP names with space, $, #, backslash; other -o",
        clang: true,
        first: Call {
            // clang -MMD -MP -Iinclude_dir src/main.c -c -o './o/x y$#.o' (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"./o/x\ y$$\#.o"),
            dep: r#"./o/x\ y$$\#.o: src/main.c include_dir/a\ b.h include_dir/cost$$.h \
  include_dir/hash\#tag.h include_dir/back/\ slash.h \
  include_dir/plain_header_name_to_fill_the_line.h include_dir/x.h \
  src/local.h src/../include_dir/x.h

include_dir/a\ b.h:

include_dir/cost$$.h:

include_dir/hash\#tag.h:

include_dir/back/\ slash.h:

include_dir/plain_header_name_to_fill_the_line.h:

include_dir/x.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
        second: Call {
            // clang -MMD -MP -Iinclude_dir src/main.c -c -o 'other dir/z#.o' (in /tmp/A/ws)
            root: "/tmp/A/ws",
            target: Some(r"other\ dir/z\#.o"),
            dep: r#"other\ dir/z\#.o: src/main.c include_dir/a\ b.h include_dir/cost$$.h \
  include_dir/hash\#tag.h include_dir/back/\ slash.h \
  include_dir/plain_header_name_to_fill_the_line.h include_dir/x.h \
  src/local.h src/../include_dir/x.h

include_dir/a\ b.h:

include_dir/cost$$.h:

include_dir/hash\#tag.h:

include_dir/back/\ slash.h:

include_dir/plain_header_name_to_fill_the_line.h:

include_dir/x.h:

src/local.h:

src/../include_dir/x.h:
"#,
        },
    },
];
