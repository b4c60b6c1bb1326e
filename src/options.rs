//! The table of compiler options zcc knows, GCC and Clang alike.
//!
//! One row per option, looked up by the classifier (`args.rs`); no other module
//! interprets an option. Everything not in the table is hashed verbatim, and a
//! non-option argument is an input file, so any option that takes its value as
//! a *separate* argument must be listed here, or its value would be taken for
//! an input.

/// How an option carries its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// A flag: no value (`-c`, `-MD`).
    None,
    /// `-Ifoo` or `-I foo`.
    JoinedOrSeparate,
    /// Only `-Xlinker foo`.
    Separate,
    /// Only `-std=c11` / `-Wl,…`: the value is part of the argument. Matched by prefix.
    Joined,
}

/// What an option means for caching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Hashed as given (after path normalization when `path` is set).
    Plain,
    /// Only affects preprocessing (`-D`, `-I`, …): hashed in direct mode, left out of the key in
    /// preprocessor mode because its effect is in the preprocessed text.
    Cpp,
    /// `-o`.
    Output,
    /// `-c`, `-S`, `-E`, `-fsyntax-only`, `-M`, `-MM`: what the call produces.
    Mode(Produces),
    /// `-x lang`.
    Language,
    /// Dependency-file options (`-MD`, `-MF`, `-MT`, …).
    Dep(DepOption),
    /// Debug-info level (`-g…`).
    Debug,
    /// `-fdebug-prefix-map=`, `-ffile-prefix-map=` (`debug`: they rewrite debug info too),
    /// `-fmacro-prefix-map=`.
    PrefixMap {
        debug: bool,
    },
    /// `-fdebug-compilation-dir=`.
    CompilationDir,
    /// Makes the call uncacheable; run the compiler as is.
    TooHard,
    /// `-save-temps`.
    SaveTemps,
    /// `-fdump-…`.
    Dump,
    /// `-v`, `-###`: the compiler reports its subcommands and search paths, which are this
    /// machine's (CMake parses them to find the implicit include and link directories).
    Verbose,
    /// `-Wp,…`: preprocessor options, some of them dependency options.
    Wp,
    /// Extra output files next to the object.
    StackUsage,
    Coverage(CoverageOption),
    SplitDwarf,
    CallgraphInfo,
    /// `-frecord-gcc-switches`: the whole command line is embedded in the object.
    RecordSwitches,
    /// `--specs=`: the file's content matters, not its name.
    Specs,
    /// `-P`: no line markers in preprocessed output. Hashed, but never passed to zcc's own
    /// preprocessor run, whose line markers must reach the key.
    NoLineMarkers,
    /// Diagnostics colour (`-fdiagnostics-color[=…]`, `-f[no-]color-diagnostics`): decides how
    /// stderr is shown, not what is stored; left out of the key.
    Color(ColorOption),
    /// `-Wa,…` / `-Xassembler …`: assembler options, some of which write files of their own.
    Assembler,
    /// `-fopt-info…`: optimization notes, on stderr unless `=FILE` names a file (`to_file`:
    /// the value is the file; otherwise a value holding `=` names one).
    OptInfo {
        to_file: bool,
    },
    /// Writes a file a cached result could not restore (optimization records, SARIF files, …),
    /// or reads one whose content the key does not cover (profiles): run the compiler as is.
    WritesOrReadsFile,
    /// `-fdiagnostics-format=`: hashed, except the `…-file` formats, which write a file.
    DiagnosticsFormat,
    /// `-fpch-preprocess`: the preprocessed text names a precompiled header, not its content.
    Pch,
    /// The value is a file the compiler reads (a sanitizer ignore list, …): its content enters
    /// the key.
    ReadFile,
}

/// What a mode option makes the compiler produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Produces {
    /// `-c`: an object.
    Object,
    /// `-S`: assembly.
    Assembly,
    /// `-E`: preprocessed text.
    Preprocessed,
    /// `-fsyntax-only`: diagnostics only.
    Diagnostics,
    /// `-M`, `-MM`: a dependency list alone.
    Dependencies,
}

/// One dependency-file option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepOption {
    /// `-MD`: every header.
    AllHeaders,
    /// `-MMD`: user headers only.
    UserHeaders,
    /// `-MF file`.
    File,
    /// `-MP`: a phony target per header.
    PhonyTargets,
    /// `-MT target`, as given.
    Target,
    /// `-MQ target`, make-quoted.
    QuotedTarget,
}

/// What a coverage or profiling option asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverageOption {
    /// `-ftest-coverage`: a `.gcno` beside the object.
    Notes,
    /// `-fprofile-arcs`, `-fprofile-generate[=…]`: instrumentation naming the object's `.gcda`.
    Arcs,
    /// `--coverage`: both.
    Both,
}

/// A diagnostics colour option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorOption {
    /// `-fdiagnostics-color`, `-fcolor-diagnostics`.
    Always,
    /// `-fno-diagnostics-color`, `-fno-color-diagnostics`.
    Never,
    /// `-fdiagnostics-color=WHEN`.
    Choice,
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt {
    pub name: &'static str,
    pub value: Value,
    pub role: Role,
    /// The value is a file or directory path (normalized through the roots in the key).
    pub path: bool,
}

const fn opt(name: &'static str, value: Value, role: Role, path: bool) -> Opt {
    Opt {
        name,
        value,
        role,
        path,
    }
}

use Role::*;
use Value::{Joined as J, JoinedOrSeparate as JS, None as F, Separate as S};

/// Sorted by name (a unit test checks it). Prefix rows (`Joined`) match any argument starting
/// with the name; the longest matching name wins.
pub const TABLE: &[Opt] = &[
    opt("-###", F, Verbose, false),
    opt("--coverage", F, Coverage(CoverageOption::Both), false),
    opt("--param", S, Plain, false),
    opt("--save-temps", F, SaveTemps, false),
    opt("--specs=", J, Specs, true),
    opt("--sysroot", S, Plain, true),
    opt("--sysroot=", J, Plain, true),
    opt("--verbose", F, Verbose, false),
    opt("-A", JS, Cpp, false),
    opt("-B", JS, Plain, true),
    opt("-D", JS, Cpp, false),
    opt("-E", F, Mode(Produces::Preprocessed), false),
    opt("-F", JS, Cpp, true),
    opt("-I", JS, Cpp, true),
    opt("-L", JS, Plain, true),
    opt("-M", F, Mode(Produces::Dependencies), false),
    opt("-MD", F, Dep(DepOption::AllHeaders), false),
    opt("-MF", JS, Dep(DepOption::File), true),
    opt("-MG", F, TooHard, false),
    opt("-MJ", JS, TooHard, true),
    opt("-MM", F, Mode(Produces::Dependencies), false),
    opt("-MMD", F, Dep(DepOption::UserHeaders), false),
    opt("-MP", F, Dep(DepOption::PhonyTargets), false),
    opt("-MQ", JS, Dep(DepOption::QuotedTarget), false),
    opt("-MT", JS, Dep(DepOption::Target), false),
    opt("-P", F, NoLineMarkers, false),
    opt("-S", F, Mode(Produces::Assembly), false),
    opt("-T", JS, Plain, true),
    opt("-U", JS, Cpp, false),
    opt("-Wa,", J, Assembler, false),
    opt("-Wp,", J, Wp, false),
    opt("-Xassembler", S, Assembler, false),
    opt("-Xclang", S, TooHard, false),
    opt("-Xlinker", S, Plain, false),
    opt("-Xpreprocessor", S, TooHard, false),
    opt("-arch", S, Plain, false),
    opt("-aux-info", S, TooHard, true),
    opt("-c", F, Mode(Produces::Object), false),
    opt("-dumpbase", S, TooHard, false),
    opt("-dumpdir", S, TooHard, false),
    opt("-fauto-profile", F, WritesOrReadsFile, false),
    opt("-fauto-profile=", J, WritesOrReadsFile, true),
    opt("-fbranch-probabilities", F, WritesOrReadsFile, false),
    opt("-fcallgraph-info", F, CallgraphInfo, false),
    opt("-fcallgraph-info=", J, CallgraphInfo, false),
    opt("-fcolor-diagnostics", F, Color(ColorOption::Always), false),
    opt("-fcompare-debug", F, WritesOrReadsFile, false),
    opt("-fcompare-debug=", J, WritesOrReadsFile, false),
    opt("-fdebug-compilation-dir", S, CompilationDir, false),
    opt("-fdebug-compilation-dir=", J, CompilationDir, false),
    opt("-fdebug-prefix-map=", J, PrefixMap { debug: true }, false),
    opt("-fdeps-file=", J, WritesOrReadsFile, true),
    opt("-fdiagnostics-add-output=", J, WritesOrReadsFile, false),
    opt("-fdiagnostics-color", F, Color(ColorOption::Always), false),
    opt("-fdiagnostics-color=", J, Color(ColorOption::Choice), false),
    opt("-fdiagnostics-format=", J, DiagnosticsFormat, false),
    opt("-fdiagnostics-set-output=", J, WritesOrReadsFile, false),
    opt("-fdump-", J, Dump, false),
    opt("-ffile-prefix-map=", J, PrefixMap { debug: true }, false),
    opt("-fmacro-prefix-map=", J, PrefixMap { debug: false }, false),
    opt("-fmodules", F, TooHard, false),
    opt("-fmodules-ts", F, TooHard, false),
    opt(
        "-fno-color-diagnostics",
        F,
        Color(ColorOption::Never),
        false,
    ),
    opt(
        "-fno-diagnostics-color",
        F,
        Color(ColorOption::Never),
        false,
    ),
    opt("-fopt-info", F, OptInfo { to_file: false }, false),
    opt("-fopt-info-", J, OptInfo { to_file: false }, false),
    opt("-fopt-info=", J, OptInfo { to_file: true }, false),
    opt("-foptimization-record-file=", J, WritesOrReadsFile, true),
    opt("-fpch-preprocess", F, Pch, false),
    opt("-fplugin=", J, TooHard, true),
    opt("-fprofile-arcs", F, Coverage(CoverageOption::Arcs), false),
    opt(
        "-fprofile-generate",
        F,
        Coverage(CoverageOption::Arcs),
        false,
    ),
    opt(
        "-fprofile-generate=",
        J,
        Coverage(CoverageOption::Arcs),
        true,
    ),
    opt("-fprofile-instr-use", F, WritesOrReadsFile, false),
    opt("-fprofile-instr-use=", J, WritesOrReadsFile, true),
    opt("-fprofile-list=", J, ReadFile, true),
    opt("-fprofile-note=", J, WritesOrReadsFile, true),
    opt("-fprofile-sample-use=", J, WritesOrReadsFile, true),
    opt("-fprofile-use", F, WritesOrReadsFile, false),
    opt("-fprofile-use=", J, WritesOrReadsFile, true),
    opt("-frecord-gcc-switches", F, RecordSwitches, false),
    opt("-frepo", F, TooHard, false),
    opt("-fsanitize-blacklist=", J, ReadFile, true),
    opt("-fsanitize-coverage-allowlist=", J, ReadFile, true),
    opt("-fsanitize-coverage-blocklist=", J, ReadFile, true),
    opt("-fsanitize-coverage-ignorelist=", J, ReadFile, true),
    opt("-fsanitize-coverage-whitelist=", J, ReadFile, true),
    opt("-fsanitize-ignorelist=", J, ReadFile, true),
    opt("-fsanitize-system-ignorelist=", J, ReadFile, true),
    opt("-fsave-optimization-record", F, WritesOrReadsFile, false),
    opt("-fsave-optimization-record=", J, WritesOrReadsFile, false),
    opt("-fstack-usage", F, StackUsage, false),
    opt("-fsyntax-only", F, Mode(Produces::Diagnostics), false),
    opt("-ftest-coverage", F, Coverage(CoverageOption::Notes), false),
    opt("-ftime-trace", F, TooHard, false),
    opt("-ftime-trace=", J, TooHard, false),
    opt("-fxray-always-instrument=", J, ReadFile, true),
    opt("-fxray-attr-list=", J, ReadFile, true),
    opt("-fxray-never-instrument=", J, ReadFile, true),
    opt("-g", J, Debug, false),
    opt("-gcc-toolchain", S, Plain, true),
    opt("-gen-cdb-fragment-path", S, WritesOrReadsFile, true),
    opt("-gsplit-dwarf", F, SplitDwarf, false),
    opt("-gsplit-dwarf=", J, WritesOrReadsFile, false),
    opt("-idirafter", JS, Cpp, true),
    opt("-iframework", JS, Cpp, true),
    opt("-imacros", JS, Cpp, true),
    opt("-imultilib", JS, Cpp, false),
    opt("-include", JS, Cpp, true),
    opt("-include-pch", JS, TooHard, true),
    opt("-iprefix", JS, Cpp, true),
    opt("-iquote", JS, Cpp, true),
    opt("-isysroot", JS, Cpp, true),
    opt("-isystem", JS, Cpp, true),
    opt("-ivfsoverlay", JS, TooHard, true),
    opt("-iwithprefix", JS, Cpp, true),
    opt("-iwithprefixbefore", JS, Cpp, true),
    opt("-march=native", F, TooHard, false),
    opt("-mcpu=native", F, TooHard, false),
    opt("-mtune=native", F, TooHard, false),
    opt("-o", JS, Output, true),
    opt("-save-stats", F, WritesOrReadsFile, false),
    opt("-save-stats=", J, WritesOrReadsFile, false),
    opt("-save-temps", F, SaveTemps, false),
    opt("-save-temps=", J, SaveTemps, false),
    opt("-specs=", J, Specs, true),
    opt("-target", S, Plain, false),
    opt("-u", JS, Plain, false),
    opt("-undef", F, Cpp, false),
    opt("-v", F, Verbose, false),
    opt("-wrapper", S, TooHard, false),
    opt("-x", JS, Language, false),
    opt("-z", S, Plain, false),
];

/// A matched option: its row and its value (if it takes one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched<'a> {
    pub opt: &'static Opt,
    /// `Some` when the value was joined to the option (`-Ifoo`, `-std=…`).
    pub joined: Option<&'a str>,
}

/// Find the row for one argument. Exact names win over prefixes; among prefixes the
/// longest wins (`-MMD` before `-M`, `-iquote` before `-I` is not an issue as `-i…` and `-I…`
/// differ). Returns `None` for an argument the table does not know.
pub fn lookup(arg: &str) -> Option<Matched<'_>> {
    if let Some(opt) = TABLE.iter().find(|o| o.name == arg) {
        return Some(Matched { opt, joined: None });
    }
    TABLE
        .iter()
        .filter(|o| o.value == J || o.value == JS)
        .filter(|o| arg.len() > o.name.len() && arg.starts_with(o.name))
        .max_by_key(|o| o.name.len())
        .map(|opt| Matched {
            opt,
            joined: Some(&arg[opt.name.len()..]),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in TABLE.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} must sort before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn joined_rows_end_in_a_separator_or_take_a_value() {
        for o in TABLE {
            if o.value == J {
                assert!(
                    o.name.ends_with('=')
                        || o.name.ends_with(',')
                        || o.name.ends_with('-')
                        || o.name == "-g",
                    "{} is a prefix row; its name should end where the value starts",
                    o.name
                );
            }
        }
    }

    fn name_and_value(arg: &str) -> Option<(&'static str, Option<&str>)> {
        lookup(arg).map(|m| (m.opt.name, m.joined))
    }

    #[test]
    fn lookups() {
        type Case<'a> = (&'a str, Option<(&'a str, Option<&'a str>)>);
        let cases: &[Case] = &[
            ("-c", Some(("-c", None))),
            ("-I", Some(("-I", None))),
            ("-Iinclude", Some(("-I", Some("include")))),
            ("-isystem/usr/x", Some(("-isystem", Some("/usr/x")))),
            ("-isystem", Some(("-isystem", None))),
            ("-MD", Some(("-MD", None))),
            ("-MMD", Some(("-MMD", None))),
            ("-MFdep.d", Some(("-MF", Some("dep.d")))),
            ("-MTtarget", Some(("-MT", Some("target")))),
            ("-DX=1", Some(("-D", Some("X=1")))),
            ("-o", Some(("-o", None))),
            ("-obuild/x.o", Some(("-o", Some("build/x.o")))),
            ("-g", Some(("-g", None))),
            ("-g3", Some(("-g", Some("3")))),
            ("-gsplit-dwarf", Some(("-gsplit-dwarf", None))),
            ("-fdump-tree-all", Some(("-fdump-", Some("tree-all")))),
            ("-Wp,-MD,x.d", Some(("-Wp,", Some("-MD,x.d")))),
            ("-xc++", Some(("-x", Some("c++")))),
            ("--specs=nano.specs", Some(("--specs=", Some("nano.specs")))),
            (
                "-fcallgraph-info=su",
                Some(("-fcallgraph-info=", Some("su"))),
            ),
            ("-Wall", None),
            ("-O2", None),
            ("-std=gnu++11", None),
            ("-mmcu=atmega328p", None),
            ("main.c", None),
        ];
        for (arg, want) in cases {
            assert_eq!(name_and_value(arg), *want, "lookup({arg:?})");
        }
    }
}
