//! Why a call is not cached: the typed reason a passthrough carries, with its stable counter
//! name (`passthrough_<name>`, `docs/CLI.md`).

use std::fmt;

/// Why a call is not cached. Each maps to a stats counter (`passthrough_<name>`), but for
/// [`Passthrough::Disabled`], which is not counted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Passthrough {
    /// zcc is disabled (`ZCC_DISABLE`).
    Disabled,
    /// A link, while links are not cached (`ZCC_NOLINK`).
    Link,
    /// A link zcc does not cache.
    LinkRefused(LinkRefusal),
    /// `-E`: preprocessed text only.
    PreprocessOnly,
    /// `-M` / `-MM` without a compile: a dependency list only.
    DepsOnly,
    /// More than one source file.
    MultipleInputs,
    /// No source file.
    NoInput,
    /// The source is read from stdin (`-`).
    StdinInput,
    /// A source whose language zcc does not know.
    UnknownLanguage,
    /// `-save-temps`: intermediate files a hit could not restore.
    SaveTemps,
    /// `-dumpversion`, `-print-*` and the like: a query, not a compile.
    DumpOption,
    /// `-v` / `-###`: the output describes this machine's toolchain, not the input.
    Verbose,
    /// `-o -`: the output goes to stdout.
    OutputToStdout,
    /// `DEPENDENCIES_OUTPUT` or `SUNPRO_DEPENDENCIES` is set: a dependency file named by the
    /// environment.
    DependencyEnv,
    /// An option missing its value, or an unreadable response file.
    BadArguments(String),
    /// An option zcc does not cache calls with.
    UnsupportedOption(String),
    /// A directive that reads a file no dependency list names (`#embed`, the assembler's
    /// `.include` / `.incbin`).
    UnsupportedDirective(String),
    /// An option makes the compiler write a file a hit could not restore, or read one whose
    /// content the key does not cover (`-Wa,-a=FILE`, `-fopt-info=FILE`, `-fprofile-use`, …).
    SideFile(String),
    /// The compile may use a precompiled header (`.gch`), which no dependency list names.
    Pch,
}

impl Passthrough {
    /// The stable counter suffix (`docs/CLI.md`).
    pub fn name(&self) -> &'static str {
        match self {
            Passthrough::Disabled => "disabled",
            Passthrough::Link => "link",
            Passthrough::LinkRefused(refusal) => refusal.name(),
            Passthrough::PreprocessOnly => "preprocess_only",
            Passthrough::DepsOnly => "deps_only",
            Passthrough::MultipleInputs => "multiple_inputs",
            Passthrough::NoInput => "no_input",
            Passthrough::StdinInput => "stdin_input",
            Passthrough::UnknownLanguage => "unknown_language",
            Passthrough::SaveTemps => "save_temps",
            Passthrough::DumpOption => "dump_option",
            Passthrough::Verbose => "verbose",
            Passthrough::OutputToStdout => "output_to_stdout",
            Passthrough::DependencyEnv => "dependency_env",
            Passthrough::BadArguments(_) => "bad_arguments",
            Passthrough::UnsupportedOption(_) => "unsupported_option",
            Passthrough::UnsupportedDirective(_) => "unsupported_directive",
            Passthrough::SideFile(_) => "side_file",
            Passthrough::Pch => "pch",
        }
    }
}

impl fmt::Display for Passthrough {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Passthrough::BadArguments(d)
            | Passthrough::UnsupportedOption(d)
            | Passthrough::UnsupportedDirective(d)
            | Passthrough::SideFile(d) => write!(f, "{} ({d})", self.name()),
            Passthrough::LinkRefused(refusal) => refusal.fmt(f),
            _ => f.write_str(self.name()),
        }
    }
}

/// Why a link is not cached. Each maps to a counter `passthrough_link_<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkRefusal {
    /// Source files on the command line: the driver compiles them first.
    Sources,
    /// A driver option zcc does not cache links with.
    DriverOption(String),
    /// A linker option (`-Wl,` / `-Xlinker`) that is not on the list.
    LinkerOption(String),
    /// An option missing its value, or an unreadable response file.
    BadArguments(String),
}

impl LinkRefusal {
    /// The stable counter suffix.
    pub fn name(&self) -> &'static str {
        match self {
            LinkRefusal::Sources => "link_sources",
            LinkRefusal::DriverOption(_) => "link_driver_option",
            LinkRefusal::LinkerOption(_) => "link_linker_option",
            LinkRefusal::BadArguments(_) => "link_bad_arguments",
        }
    }
}

impl fmt::Display for LinkRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkRefusal::Sources => f.write_str(self.name()),
            LinkRefusal::DriverOption(d)
            | LinkRefusal::LinkerOption(d)
            | LinkRefusal::BadArguments(d) => write!(f, "{} ({d})", self.name()),
        }
    }
}
