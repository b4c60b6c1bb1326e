//! Classify one compiler command line: a cacheable single-input compile ([`Invocation`]) or a
//! call to pass through untouched, with the reason ([`Passthrough`]).
//!
//! Pure: no filesystem access except reading response files through the closure the caller
//! passes. Every option is interpreted through the table in `options.rs`; nothing downstream
//! re-parses the command line.

use crate::passthrough::Passthrough;
use crate::options::{self, ColorOption, CoverageOption, DepOption, Produces, Role, Value};

/// Source language of the input, from `-x` or the file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    C,
    Cxx,
    ObjC,
    ObjCxx,
    /// `.i`: already preprocessed C.
    CPreprocessed,
    /// `.ii`: already preprocessed C++.
    CxxPreprocessed,
    /// `.s`: assembler, no preprocessor.
    Assembler,
    /// `.S` / `.sx` / `-x assembler-with-cpp`.
    AssemblerWithCpp,
}

impl Language {
    /// The language GCC infers from a file name, or `None` for anything that is not a
    /// compilable source (objects, libraries, headers, `.ino`, …).
    pub fn from_path(path: &str) -> Option<Language> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "c" => Language::C,
            "cc" | "cp" | "cxx" | "cpp" | "CPP" | "c++" | "C" => Language::Cxx,
            "m" => Language::ObjC,
            "mm" | "M" => Language::ObjCxx,
            "i" => Language::CPreprocessed,
            "ii" => Language::CxxPreprocessed,
            "s" => Language::Assembler,
            "S" | "sx" => Language::AssemblerWithCpp,
            _ => return None,
        })
    }

    /// The language named by `-x`; `Err(())` for a name zcc does not cache (headers, unknown).
    fn from_x(name: &str) -> Result<Language, ()> {
        Ok(match name {
            "c" => Language::C,
            "c++" => Language::Cxx,
            "objective-c" => Language::ObjC,
            "objective-c++" => Language::ObjCxx,
            "cpp-output" => Language::CPreprocessed,
            "c++-cpp-output" => Language::CxxPreprocessed,
            "assembler" => Language::Assembler,
            "assembler-with-cpp" => Language::AssemblerWithCpp,
            _ => return Err(()),
        })
    }

    /// Whether the compiler runs the C preprocessor on this input.
    pub fn is_preprocessed(self) -> bool {
        !matches!(
            self,
            Language::CPreprocessed | Language::CxxPreprocessed | Language::Assembler
        )
    }

    /// Stable name used in keys and logs.
    pub fn name(self) -> &'static str {
        match self {
            Language::C => "c",
            Language::Cxx => "c++",
            Language::ObjC => "objective-c",
            Language::ObjCxx => "objective-c++",
            Language::CPreprocessed => "cpp-output",
            Language::CxxPreprocessed => "c++-cpp-output",
            Language::Assembler => "assembler",
            Language::AssemblerWithCpp => "assembler-with-cpp",
        }
    }
}

/// What the compile writes as its main output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `-c`: an object file.
    Object,
    /// `-S`: assembly.
    Assembly,
    /// `-fsyntax-only`: diagnostics only, no output file.
    SyntaxOnly,
}

/// Dependency-file generation requested by the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepRequest {
    /// Where the compiler writes it (`-MF`, `-Wp,-MD,file`, or the default next to the output).
    pub path: String,
    /// The rule's single target as the compiler writes it: derived from the output
    /// (make-quoted), or given by one `-MT` (verbatim) or `-MQ` (make-quoted). It stays out of
    /// the key and is substituted on a hit. `None` when the preprocessor derives it from the
    /// source (`-Wp,-MD`) or several targets are given; those are then in the key.
    pub default_target: Option<String>,
    /// Whether the file lists every header the compile read (`-MD`), so direct mode can take
    /// its include list from it; `-MMD` leaves out system headers.
    pub lists_all_headers: bool,
}

/// Files a compile writes next to its output, beyond the dependency file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Extra {
    /// `.su` from `-fstack-usage`.
    StackUsage,
    /// `.gcno` from `--coverage` / `-ftest-coverage`.
    Coverage,
    /// `.dwo` from `-gsplit-dwarf`.
    SplitDwarf,
    /// `.ci` from `-fcallgraph-info`.
    CallgraphInfo,
    /// The assembler listing `-Wa,-a…=FILE` asks for, at [`Invocation::listing`].
    Listing,
}

impl Extra {
    /// The file suffix the compiler gives this output.
    pub fn suffix(self) -> &'static str {
        match self {
            Extra::StackUsage => ".su",
            Extra::Coverage => ".gcno",
            Extra::SplitDwarf => ".dwo",
            Extra::CallgraphInfo => ".ci",
            Extra::Listing => ".lst",
        }
    }
}

/// One argument as it enters the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyArg {
    /// The option name (`-I`, `-D`, `--sysroot=`) or the whole argument when it is not split.
    pub text: String,
    /// The option's value when it is a path, normalized through the roots before hashing.
    pub path: Option<String>,
    /// Only affects preprocessing: left out of preprocessor-mode keys.
    pub cpp_only: bool,
}

/// A cacheable compile of one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// The input as given.
    pub input: String,
    pub language: Language,
    pub mode: Mode,
    /// The output path as given by `-o`, or the compiler's default; `None` for `-fsyntax-only`.
    pub output: Option<String>,
    /// Whether `-o` was given.
    pub output_given: bool,
    pub dep: Option<DepRequest>,
    /// Extra outputs the options ask for.
    pub extras: Vec<Extra>,
    /// Where the assembler writes its listing (`-Wa,-a…=FILE`), as given. Not in the key: the
    /// listing does not depend on its own name.
    pub listing: Option<String>,
    /// The arguments that enter the key, in order (no output, no dependency-file names, no input).
    pub key_args: Vec<KeyArg>,
    /// Arguments for `compiler <cpp_args> -E <input>`: everything but the mode, the output,
    /// the dependency options and the input.
    pub cpp_args: Vec<String>,
    /// All arguments after response-file expansion, in order.
    pub expanded: Vec<String>,
    /// The compile generates debug info (`-g…` other than `-g0`).
    pub debug: bool,
    /// Debug info carries macro definitions (`-g3`): `-D` then changes the object directly.
    pub debug_macros: bool,
    /// `-fdebug-prefix-map=` / `-ffile-prefix-map=` as (old, new), in command-line order.
    pub prefix_maps: Vec<(String, String)>,
    /// `-fdebug-compilation-dir=`.
    pub compilation_dir: Option<String>,
    /// `-frecord-gcc-switches`: the command line is embedded in the object.
    pub record_switches: bool,
    /// `--coverage`, `-fprofile-arcs`, `-fprofile-generate`: the object embeds its absolute path.
    pub profile_paths: bool,
    /// `-fsanitize=`: the object holds source locations (UBSan checks, ASan globals) with the
    /// paths of the source and headers exactly as the compiler spelled them.
    pub sanitize: bool,
    /// `--specs=` values, in order; their content enters the key.
    pub specs: Vec<String>,
    /// Other files the options make the compiler read (sanitizer ignore lists, …), as given
    /// (relative to the working directory), in order; their content enters the key.
    pub read_files: Vec<String>,
    /// The colour the call asked for its diagnostics (the last colour option wins).
    pub color: Color,
}

/// Whether diagnostics are coloured, as the colour options choose. Not part of the key: a miss
/// compiles with colours and each call shows them or not (see `color.rs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Color {
    /// No option: colours when stderr is a terminal, as the compiler decides.
    #[default]
    Auto,
    Always,
    Never,
}

impl Color {
    /// The choice a colour option makes with its value (`-fdiagnostics-color=WHEN`); `None`
    /// for a value the compiler does not accept.
    fn chosen(option: ColorOption, value: &str) -> Option<Color> {
        match (option, value) {
            (ColorOption::Always, _) | (ColorOption::Choice, "always") => Some(Color::Always),
            (ColorOption::Never, _) | (ColorOption::Choice, "never") => Some(Color::Never),
            (ColorOption::Choice, "auto") => Some(Color::Auto),
            (ColorOption::Choice, _) => None,
        }
    }
}

/// Most nesting of `@file` inside `@file` that is followed (GCC's limit is similar).
const MAX_RESPONSE_DEPTH: usize = 16;

/// Expand `@file` arguments, recursively, the way libiberty's `expandargv` does: the file is
/// read relative to the working directory and split with its quoting rules. `read` returns the
/// file's content, or `None` when it cannot be read.
pub fn expand_response_files(
    args: &[String],
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>, Passthrough> {
    fn go(
        args: &[String],
        read: &dyn Fn(&str) -> Option<String>,
        depth: usize,
        out: &mut Vec<String>,
    ) -> Result<(), Passthrough> {
        for arg in args {
            match arg.strip_prefix('@') {
                Some(file) if !file.is_empty() => {
                    if depth >= MAX_RESPONSE_DEPTH {
                        return Err(Passthrough::BadArguments(format!(
                            "response files nested deeper than {MAX_RESPONSE_DEPTH}"
                        )));
                    }
                    let text = read(file).ok_or_else(|| {
                        Passthrough::BadArguments(format!("cannot read response file {file}"))
                    })?;
                    go(&split_response_file(&text), read, depth + 1, out)?;
                }
                _ => out.push(arg.clone()),
            }
        }
        Ok(())
    }
    let mut out = Vec::with_capacity(args.len());
    go(args, read, 0, &mut out)?;
    Ok(out)
}

/// Split a response file's text into arguments: whitespace separates, `'…'` and `"…"` quote,
/// a backslash escapes the next character everywhere (libiberty `buildargv`).
pub fn split_response_file(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut in_arg = false;
    let (mut squote, mut dquote, mut escaped) = (false, false, false);
    for c in text.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
            in_arg = true;
        } else if squote {
            if c == '\'' {
                squote = false;
            } else {
                cur.push(c);
            }
        } else if dquote {
            if c == '"' {
                dquote = false;
            } else {
                cur.push(c);
            }
        } else if c.is_whitespace() {
            if in_arg {
                args.push(std::mem::take(&mut cur));
                in_arg = false;
            }
        } else {
            in_arg = true;
            match c {
                '\'' => squote = true,
                '"' => dquote = true,
                _ => cur.push(c),
            }
        }
    }
    if in_arg {
        args.push(cur);
    }
    args
}

/// The path with its last extension replaced: `build/x.cpp.o` + `.d` → `build/x.cpp.d`,
/// `foo` + `.o` → `foo.o`. Only the file name part is looked at.
pub fn replace_extension(path: &str, suffix: &str) -> String {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    let stem_end = match path[name_start..].rfind('.') {
        Some(dot) if dot > 0 => name_start + dot,
        _ => path.len(),
    };
    format!("{}{suffix}", &path[..stem_end])
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Per-call parse state.
#[derive(Default)]
struct Parse {
    inputs: Vec<(String, Option<Language>)>,
    language: Option<Language>,
    unknown_x: bool,
    compile: bool,
    assemble_only: bool,
    syntax_only: bool,
    preprocess_only: bool,
    deps_only: bool,
    output: Option<String>,
    md: bool,
    mmd: bool,
    mf: Option<String>,
    /// `-MT`/`-MQ` values in order, with whether they are make-quoted (`-MQ`).
    explicit_targets: Vec<(String, bool)>,
    wp_dep: Option<String>,
    extras: Vec<Extra>,
    key_args: Vec<KeyArg>,
    cpp_args: Vec<String>,
    debug: bool,
    debug_macros: bool,
    prefix_maps: Vec<(String, String)>,
    compilation_dir: Option<String>,
    record_switches: bool,
    profile_paths: bool,
    specs: Vec<String>,
    read_files: Vec<String>,
    listing: Option<String>,
    color: Color,
}

impl Parse {
    fn key(&mut self, text: &str, path: Option<&str>, cpp_only: bool) {
        self.key_args.push(KeyArg {
            text: text.to_string(),
            path: path.map(str::to_string),
            cpp_only,
        });
    }

    /// An option that makes the compile write `extra` beside the object: hashed and passed on.
    fn extra_option(&mut self, extra: Extra, arg: &str, spelled: Vec<String>) {
        self.add_extra(extra);
        self.key(arg, None, false);
        self.cpp_args.extend(spelled);
    }

    fn add_extra(&mut self, extra: Extra) {
        if !self.extras.contains(&extra) {
            self.extras.push(extra);
        }
    }

    /// `-g…`: track whether the last level given turns debug info on.
    fn debug_option(&mut self, level: &str) -> Result<(), Passthrough> {
        match level {
            "0" | "gdb0" | "dwarf0" => {
                self.debug = false;
                self.debug_macros = false;
            }
            "toggle" => return Err(Passthrough::UnsupportedOption("-gtoggle".into())),
            // Options that tune debug info without turning it on.
            l if l.starts_with('z')
                || l.starts_with("no-")
                || matches!(
                    l,
                    "column-info"
                        | "strict-dwarf"
                        | "record-gcc-switches"
                        | "pubnames"
                        | "gnu-pubnames"
                        | "describe-dies"
                        | "statement-frontiers"
                        | "variable-location-views"
                        | "inline-points"
                        | "internal-reset-location-views"
                        | "as-loc-support"
                        | "as-locview-support"
                ) => {}
            l => {
                self.debug = true;
                self.debug_macros = matches!(l, "3" | "gdb3")
                    || (["stabs", "xcoff", "vms"].iter().any(|p| l.starts_with(p))
                        && l.ends_with('3'));
            }
        }
        Ok(())
    }

    /// A mode option: what the compiler produces.
    fn mode(&mut self, produces: Produces) {
        match produces {
            Produces::Object => self.compile = true,
            Produces::Assembly => self.assemble_only = true,
            Produces::Preprocessed => self.preprocess_only = true,
            Produces::Diagnostics => self.syntax_only = true,
            Produces::Dependencies => self.deps_only = true,
        }
    }

    /// A dependency-file option (`name`, with its value `v`).
    fn dep_option(&mut self, dep: DepOption, name: &str, v: &str) {
        match dep {
            DepOption::AllHeaders => self.md = true,
            DepOption::UserHeaders => self.mmd = true,
            DepOption::File => self.mf = Some(v.to_string()),
            DepOption::PhonyTargets => self.key(name, None, false),
            DepOption::Target => self.explicit_targets.push((v.to_string(), false)),
            DepOption::QuotedTarget => self.explicit_targets.push((v.to_string(), true)),
        }
    }

    /// One option of the table, with its value (`None` for a flag) and the arguments that
    /// spelled it (for the preprocessor run).
    fn option(
        &mut self,
        opt: &'static options::Opt,
        arg: &str,
        value: Option<&str>,
        spelled: Vec<String>,
    ) -> Result<(), Passthrough> {
        let v = value.unwrap_or("");
        match opt.role {
            Role::Plain | Role::Cpp => {
                let cpp_only = opt.role == Role::Cpp;
                if opt.path && value.is_some() {
                    self.key(opt.name, Some(v), cpp_only);
                } else if let Some(v) = &value {
                    self.key(&format!("{}\0{v}", opt.name), None, cpp_only);
                } else {
                    self.key(opt.name, None, cpp_only);
                }
                self.cpp_args.extend(spelled);
            }
            Role::Output => {
                if v == "-" {
                    return Err(Passthrough::OutputToStdout);
                }
                self.output = Some(v.to_string());
            }
            Role::Mode(produces) => self.mode(produces),
            Role::Language => {
                self.cpp_args.extend(spelled);
                // `-x none` goes back to languages from file names.
                match Language::from_x(v) {
                    _ if v == "none" => (self.language, self.unknown_x) = (None, false),
                    Ok(lang) => (self.language, self.unknown_x) = (Some(lang), false),
                    Err(()) => self.unknown_x = true,
                }
            }
            Role::Dep(dep) => self.dep_option(dep, opt.name, v),
            Role::Debug => {
                self.debug_option(v)?;
                self.key(arg, None, false);
                self.cpp_args.extend(spelled);
            }
            Role::PrefixMap { debug } => {
                let (old, new) = v.split_once('=').unwrap_or((v, ""));
                if debug {
                    self.prefix_maps.push((old.to_string(), new.to_string()));
                }
                // The old prefix is this machine's path; what is embedded is the new one.
                self.key(&format!("{}{new}", opt.name), None, false);
                self.cpp_args.extend(spelled);
            }
            Role::CompilationDir => {
                self.compilation_dir = Some(v.to_string());
                self.key(&format!("{}\0{v}", opt.name), None, false);
                self.cpp_args.extend(spelled);
            }
            Role::TooHard | Role::SaveTemps | Role::Dump | Role::Verbose => {
                return Err(refusal(opt.role, arg));
            }
            Role::Wp => self.wp_option(arg, v)?,
            Role::NoLineMarkers => self.key(arg, None, false),
            // A value the compiler rejects: let it say so.
            Role::Color(option) => {
                self.color = Color::chosen(option, v)
                    .ok_or_else(|| Passthrough::BadArguments(arg.to_string()))?;
            }
            Role::Assembler => self.assembler_option(spelled, v)?,
            Role::OptInfo { to_file } => {
                // `-fopt-info-vec-missed=FILE`, `-fopt-info=FILE`: notes go to a file.
                if to_file || v.contains('=') {
                    return Err(Passthrough::SideFile(arg.to_string()));
                }
                self.key(arg, None, false);
                self.cpp_args.extend(spelled);
            }
            Role::DiagnosticsFormat => {
                if v.ends_with("-file") {
                    return Err(Passthrough::SideFile(arg.to_string()));
                }
                self.key(arg, None, false);
                self.cpp_args.extend(spelled);
            }
            Role::WritesOrReadsFile | Role::Pch => return Err(refusal(opt.role, arg)),
            Role::ReadFile => {
                self.key(opt.name, Some(v), false);
                self.read_files.push(v.to_string());
                self.cpp_args.extend(spelled);
            }
            Role::StackUsage => self.extra_option(Extra::StackUsage, arg, spelled),
            Role::CallgraphInfo => self.extra_option(Extra::CallgraphInfo, arg, spelled),
            Role::SplitDwarf => {
                self.debug = true;
                self.extra_option(Extra::SplitDwarf, arg, spelled);
            }
            Role::Coverage(coverage) => {
                // `.gcda` paths are embedded by the instrumentation (`-fprofile-arcs`).
                self.profile_paths |= coverage != CoverageOption::Notes;
                if coverage == CoverageOption::Arcs {
                    self.key(arg, None, false);
                    self.cpp_args.extend(spelled);
                } else {
                    self.extra_option(Extra::Coverage, arg, spelled);
                }
            }
            Role::RecordSwitches => {
                self.record_switches = true;
                self.key(arg, None, false);
                self.cpp_args.extend(spelled);
            }
            Role::Specs => {
                self.specs.push(v.to_string());
                self.cpp_args.extend(spelled);
            }
        }
        Ok(())
    }

    /// `-Wp,a,b,…`: preprocessor options; `-MD,file`/`-MMD,file` ask for a dependency file.
    /// `-P` is kept from zcc's own preprocessor run, as the `-P` option is.
    fn wp_option(&mut self, arg: &str, value: &str) -> Result<(), Passthrough> {
        let parts: Vec<&str> = value.split(',').collect();
        match parts.as_slice() {
            ["-MD" | "-MMD", file] => {
                self.wp_dep = Some((*file).to_string());
                self.key(&format!("-Wp,{}", parts[0]), None, false);
            }
            _ if parts.iter().any(|p| p.starts_with("-M")) => {
                // A dependency file asked for among other preprocessor options
                // (`-Wp,-MMD,x.d,-MT,x.o`): zcc would not know to write it on a hit.
                return Err(Passthrough::UnsupportedOption(arg.to_string()));
            }
            _ if parts.contains(&"-P") => {
                self.key(arg, None, false);
                let rest: Vec<&str> = parts.into_iter().filter(|p| *p != "-P").collect();
                if !rest.is_empty() {
                    self.cpp_args.push(format!("-Wp,{}", rest.join(",")));
                }
            }
            _ => {
                self.key(arg, None, true);
                self.cpp_args.push(arg.to_string());
            }
        }
        Ok(())
    }

    /// `-Wa,a,b,…` or `-Xassembler a`: assembler options, hashed (they do nothing to
    /// preprocessing). One listing `-a…=FILE` is an extra output, keyed without its name; a
    /// second listing, a dependency file (`--MD FILE`) or options read from a file (`@FILE`)
    /// make the call a passthrough.
    fn assembler_option(&mut self, spelled: Vec<String>, items: &str) -> Result<(), Passthrough> {
        let side_file = || Passthrough::SideFile(spelled.join(" "));
        let list: Vec<&str> = if spelled.len() == 1 {
            items.split(',').collect()
        } else {
            vec![items]
        };
        let mut keyed = Vec::with_capacity(list.len());
        for item in list {
            if matches!(item, "--MD" | "-MD") || item.starts_with("--MD=") || item.starts_with('@')
            {
                return Err(side_file());
            }
            match item.split_once('=') {
                Some((flags, file)) if flags.starts_with("-a") => {
                    if self.listing.is_some() || file.is_empty() {
                        return Err(side_file());
                    }
                    self.listing = Some(file.to_string());
                    self.add_extra(Extra::Listing);
                    keyed.push(format!("{flags}="));
                }
                _ => keyed.push(item.to_string()),
            }
        }
        let option = if spelled.len() == 1 {
            "-Wa"
        } else {
            "-Xassembler"
        };
        self.key(&format!("{option}\0{}", keyed.join(",")), None, false);
        Ok(())
    }
}

/// Why a call with option `arg` of a refusing `role` is not cached.
fn refusal(role: Role, arg: &str) -> Passthrough {
    match role {
        Role::SaveTemps => Passthrough::SaveTemps,
        Role::Dump => Passthrough::DumpOption,
        Role::Verbose => Passthrough::Verbose,
        Role::WritesOrReadsFile => Passthrough::SideFile(arg.to_string()),
        Role::Pch => Passthrough::Pch,
        _ => Passthrough::UnsupportedOption(arg.to_string()),
    }
}

/// Classify a command line (arguments after the compiler name). `read` reads response files.
pub fn classify(
    args: &[String],
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<Invocation, Passthrough> {
    let expanded = expand_response_files(args, read)?;
    let mut p = Parse::default();
    let mut i = 0;
    let mut only_inputs = false;
    while i < expanded.len() {
        let arg = expanded[i].as_str();
        i += 1;
        if only_inputs || !arg.starts_with('-') {
            p.inputs.push((arg.to_string(), p.language));
            continue;
        }
        if arg == "-" {
            return Err(Passthrough::StdinInput);
        }
        if arg == "--" {
            only_inputs = true;
            continue;
        }
        let Some(m) = options::lookup(arg) else {
            // Unknown options are flags hashed verbatim. `-flto`, `-Wall`, `-O2`, `-m…` land here.
            p.key(arg, None, false);
            p.cpp_args.push(arg.to_string());
            continue;
        };
        let opt = m.opt;
        // The value and the arguments that spelled it (for the preprocessor run).
        let (value, spelled): (Option<String>, Vec<String>) = match (opt.value, m.joined) {
            (Value::None, _) => (None, vec![arg.to_string()]),
            (_, Some(v)) => (Some(v.to_string()), vec![arg.to_string()]),
            (Value::Joined, None) => (Some(String::new()), vec![arg.to_string()]),
            (Value::Separate | Value::JoinedOrSeparate, None) => match expanded.get(i) {
                Some(v) => {
                    i += 1;
                    (Some(v.clone()), vec![arg.to_string(), v.clone()])
                }
                None => {
                    return Err(Passthrough::BadArguments(format!(
                        "{arg} is missing its value"
                    )));
                }
            },
        };
        p.option(opt, arg, value.as_deref(), spelled)?;
    }
    finish(p, expanded)
}

/// Turn the parse state into a decision.
fn finish(mut p: Parse, expanded: Vec<String>) -> Result<Invocation, Passthrough> {
    if p.preprocess_only {
        return Err(Passthrough::PreprocessOnly);
    }
    if p.deps_only {
        return Err(Passthrough::DepsOnly);
    }
    let mode = if p.assemble_only {
        Mode::Assembly
    } else if p.compile {
        Mode::Object
    } else if p.syntax_only {
        Mode::SyntaxOnly
    } else if p.inputs.is_empty() {
        // `gcc` alone, or with options only: nothing to link either.
        return Err(Passthrough::NoInput);
    } else {
        return Err(Passthrough::Link);
    };
    let (input, language) = match p.inputs.as_slice() {
        [] => return Err(Passthrough::NoInput),
        [(input, lang)] => (input.clone(), *lang),
        _ => return Err(Passthrough::MultipleInputs),
    };
    if p.unknown_x && language.is_none() {
        return Err(Passthrough::UnknownLanguage);
    }
    let language = match language.or_else(|| Language::from_path(&input)) {
        Some(l) => l,
        None => return Err(Passthrough::UnknownLanguage),
    };
    let output_given = p.output.is_some();
    let output = match mode {
        Mode::SyntaxOnly => None,
        Mode::Object => Some(
            p.output
                .clone()
                .unwrap_or_else(|| replace_extension(basename(&input), ".o")),
        ),
        Mode::Assembly => Some(
            p.output
                .clone()
                .unwrap_or_else(|| replace_extension(basename(&input), ".s")),
        ),
    };
    let mut dep = dep_request(&p, &input, output.as_deref(), mode)?;
    if dep.as_ref().is_some_and(|d| d.default_target.is_none()) {
        // Targets written as given: they are part of what is stored.
        for (target, quoted) in p.explicit_targets.clone() {
            p.key(if quoted { "-MQ" } else { "-MT" }, None, false);
            p.key(&target, None, false);
        }
    }
    if dep.is_some() {
        // Which headers the file lists depends on -MD vs -MMD; the names of the file and of an
        // implicit target do not change what is stored.
        if p.mmd {
            p.key("-MMD", None, false);
        } else {
            p.key("-MD", None, false);
        }
    }
    // The mode and the language decide what the compiler does with the input.
    p.key(
        match mode {
            Mode::Object => "-c",
            Mode::Assembly => "-S",
            Mode::SyntaxOnly => "-fsyntax-only",
        },
        None,
        false,
    );
    p.key(&format!("-x\0{}", language.name()), None, false);
    // The compiler writes no dependency file for input it does not preprocess, and one
    // written to /dev/null is nothing to store or replay.
    if !language.is_preprocessed() || dep.as_ref().is_some_and(|d| d.path == "/dev/null") {
        dep = None;
    }
    let sanitize = expanded.iter().any(|a| a.starts_with("-fsanitize="));
    Ok(Invocation {
        input,
        language,
        mode,
        output,
        output_given,
        dep,
        extras: p.extras,
        listing: p.listing,
        key_args: p.key_args,
        cpp_args: p.cpp_args,
        expanded,
        debug: p.debug,
        debug_macros: p.debug_macros,
        prefix_maps: p.prefix_maps,
        compilation_dir: p.compilation_dir,
        record_switches: p.record_switches,
        profile_paths: p.profile_paths,
        sanitize,
        specs: p.specs,
        read_files: p.read_files,
        color: p.color,
    })
}

fn dep_request(
    p: &Parse,
    input: &str,
    output: Option<&str>,
    mode: Mode,
) -> Result<Option<DepRequest>, Passthrough> {
    if let Some(file) = &p.wp_dep {
        if p.md || p.mmd || p.mf.is_some() {
            return Err(Passthrough::UnsupportedOption(
                "-Wp,-MD together with -MD/-MMD/-MF".into(),
            ));
        }
        // The preprocessor names the target after the source, unless -MT/-MQ say otherwise.
        return Ok(Some(DepRequest {
            path: file.clone(),
            default_target: None,
            lists_all_headers: false,
        }));
    }
    if !(p.md || p.mmd) {
        // -MF/-MT/-MQ without -MD/-MMD do nothing in a compile.
        return Ok(None);
    }
    let Some(output) = output else {
        return Err(Passthrough::UnsupportedOption(
            "dependency file with -fsyntax-only".into(),
        ));
    };
    let path = match (&p.mf, p.output.as_deref()) {
        (Some(mf), _) => mf.clone(),
        (None, Some(o)) => replace_extension(o, ".d"),
        (None, None) => replace_extension(basename(input), ".d"),
    };
    let default_target = match p.explicit_targets.as_slice() {
        [] if mode == Mode::Object || p.output.is_some() => {
            Some(crate::depfile::make_quote(output))
        }
        [] => Some(crate::depfile::make_quote(&replace_extension(
            basename(input),
            ".o",
        ))),
        [(target, true)] => Some(crate::depfile::make_quote(target)),
        [(target, false)] => Some(target.clone()),
        _ => None,
    };
    Ok(Some(DepRequest {
        path,
        default_target,
        lists_all_headers: p.md && !p.mmd,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn no_files(_: &str) -> Option<String> {
        None
    }

    fn ok(s: &str) -> Invocation {
        classify(&argv(s), &no_files).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn pass(s: &str) -> Passthrough {
        match classify(&argv(s), &no_files) {
            Ok(inv) => panic!("{s}: expected passthrough, got {inv:?}"),
            Err(p) => p,
        }
    }

    #[test]
    fn passthrough_reasons() {
        let cases: &[(&str, &str)] = &[
            ("main.c -o main", "link"),
            ("main.o util.o -o app", "link"),
            ("-E main.c", "preprocess_only"),
            ("-c -E -CC main.c -o /dev/null", "preprocess_only"),
            ("-M main.c", "deps_only"),
            ("-MM main.c", "deps_only"),
            ("-c a.c b.c", "multiple_inputs"),
            ("-c main.c util.o", "multiple_inputs"),
            ("-c", "no_input"),
            ("", "no_input"),
            ("-O2 -Wall", "no_input"),
            ("-o app", "no_input"),
            ("-c -", "stdin_input"),
            ("-c x.foo", "unknown_language"),
            ("-c sketch.ino", "unknown_language"),
            ("-c -x foo x.c", "unknown_language"),
            ("-c x.h", "unknown_language"),
            ("-c -save-temps x.c", "save_temps"),
            ("-c -save-temps=obj x.c", "save_temps"),
            ("-c -fdump-tree-all x.c", "dump_option"),
            ("-v -o x.o -c CMakeCCompilerABI.c", "verbose"),
            ("-c x.c -###", "verbose"),
            ("-c --verbose x.c", "verbose"),
            ("-c x.c -o -", "output_to_stdout"),
            ("-c x.c -I", "bad_arguments"),
            ("-c x.c -o", "bad_arguments"),
            ("-c x.c -frepo", "unsupported_option"),
            ("-c x.c -wrapper gdb", "unsupported_option"),
            ("-c x.c -march=native", "unsupported_option"),
            ("-c x.c -Xclang -foo", "unsupported_option"),
            ("-c x.c -gtoggle", "unsupported_option"),
            ("-c x.c -Wp,-MD,a.d -MD", "unsupported_option"),
            ("-c x.c -Wp,-MMD,x.d,-MT,x.o", "unsupported_option"),
            ("-c x.c -Wp,-DX,-MD,x.d", "unsupported_option"),
            // Options that write a file a hit could not restore, or read an unkeyed one.
            ("-c x.c -Wa,-a=x.lst,-al=y.lst", "side_file"),
            (
                "-c x.c -Wa,-adhlns=x.lst -Xassembler -ahls=x.lst",
                "side_file",
            ),
            ("-c x.c -Wa,-a=", "side_file"),
            ("-c x.c -Wa,--MD,x.dep", "side_file"),
            ("-c x.c -Xassembler --MD -Xassembler x.dep", "side_file"),
            ("-c x.c -Wa,@opts", "side_file"),
            ("-c x.c -fopt-info-vec-missed=x.txt", "side_file"),
            ("-c x.c -fopt-info=x.txt", "side_file"),
            ("-c x.c -fsave-optimization-record", "side_file"),
            ("-c x.c -foptimization-record-file=x.yaml", "side_file"),
            ("-c x.c -fdiagnostics-format=sarif-file", "side_file"),
            ("-c x.c -fdiagnostics-add-output=sarif", "side_file"),
            ("-c x.c -save-stats", "side_file"),
            ("-c x.c -fprofile-note=x.gcno", "side_file"),
            ("-c x.c -gsplit-dwarf=split", "side_file"),
            ("-c x.c -fprofile-use", "side_file"),
            ("-c x.c -fprofile-use=prof", "side_file"),
            ("-c x.c -fbranch-probabilities", "side_file"),
            ("-c x.c -fauto-profile", "side_file"),
            ("-c x.c -fauto-profile=x.afdo", "side_file"),
            ("-c x.c -fprofile-sample-use=x.prof", "side_file"),
            ("-c x.c -fprofile-instr-use=x.profdata", "side_file"),
            ("-c x.c -fcompare-debug", "side_file"),
            ("-c x.c -fdeps-file=x.ddi", "side_file"),
            ("-c x.c -fpch-preprocess", "pch"),
            ("-c x.c -fdiagnostics-color=sometimes", "bad_arguments"),
        ];
        for (cmd, reason) in cases {
            assert_eq!(pass(cmd).name(), *reason, "{cmd}");
        }
    }

    #[test]
    fn languages_and_default_outputs() {
        let cases: &[(&str, Language, Option<&str>)] = &[
            ("-c main.c", Language::C, Some("main.o")),
            ("-c src/main.cpp", Language::Cxx, Some("main.o")),
            ("-c foo.c.c", Language::C, Some("foo.c.o")),
            ("-c -x c foo", Language::C, Some("foo.o")),
            ("-c -xc++ foo.ino", Language::Cxx, Some("foo.o")),
            ("-c -x c -x none foo.c", Language::C, Some("foo.o")),
            ("-c x.S", Language::AssemblerWithCpp, Some("x.o")),
            ("-c x.s", Language::Assembler, Some("x.o")),
            ("-c x.ii", Language::CxxPreprocessed, Some("x.o")),
            ("-S x.c", Language::C, Some("x.s")),
            ("-c -S x.c", Language::C, Some("x.s")),
            ("-fsyntax-only x.c", Language::C, None),
            ("-c x.c -o build/y.o", Language::C, Some("build/y.o")),
            ("-c x.c -obuild/y.o", Language::C, Some("build/y.o")),
            ("-c -- x.c", Language::C, Some("x.o")),
        ];
        for (cmd, lang, out) in cases {
            let inv = ok(cmd);
            assert_eq!(inv.language, *lang, "{cmd}");
            assert_eq!(inv.output.as_deref(), *out, "{cmd}");
        }
    }

    #[test]
    fn dependency_requests() {
        type Case<'a> = (&'a str, Option<(&'a str, Option<&'a str>)>);
        let cases: &[Case] = &[
            ("-c x.c -o b/x.o", None),
            ("-c x.c -o b/x.o -MF x.d", None),
            ("-c x.c -o b/x.o -MD", Some(("b/x.d", Some("b/x.o")))),
            (
                "-c x.c -o b/x.cpp.o -MMD",
                Some(("b/x.cpp.d", Some("b/x.cpp.o"))),
            ),
            ("-c x.c -MD", Some(("x.d", Some("x.o")))),
            ("-c src/x.c -MD", Some(("x.d", Some("x.o")))),
            ("-c x.c -o o -MD", Some(("o.d", Some("o")))),
            (
                "-c x.c -o b/x.o -MD -MF dep.d",
                Some(("dep.d", Some("b/x.o"))),
            ),
            (
                "-c x.c -o b/x.o -MD -MFdep.d",
                Some(("dep.d", Some("b/x.o"))),
            ),
            ("-c x.c -MD -MF a.d -MF b.d", Some(("b.d", Some("x.o")))),
            ("-c x.c -o b/x.o -MD -MT t", Some(("b/x.d", Some("t")))),
            ("-c x.c -o b/x.o -MD -MQ $t", Some(("b/x.d", Some("$$t")))),
            ("-c x.c -o b/x.o -MD -MT $t", Some(("b/x.d", Some("$t")))),
            ("-c x.c -o b/x.o -MD -MT a -MQ b", Some(("b/x.d", None))),
            ("-c x.c -MD -MF /dev/null", None),
            ("-c x.s -MD", None),
            ("-c x.c -o b/x.o -Wp,-MD,w.d", Some(("w.d", None))),
            ("-c x.c -o b/x.o -Wp,-MMD,w.d", Some(("w.d", None))),
            ("-c x.c -o a$b.o -MD", Some(("a$b.d", Some("a$$b.o")))),
        ];
        for (cmd, want) in cases {
            let inv = ok(cmd);
            let got = inv
                .dep
                .as_ref()
                .map(|d| (d.path.as_str(), d.default_target.as_deref()));
            assert_eq!(got, *want, "{cmd}");
        }
    }

    #[test]
    fn argument_order_is_kept_in_the_key() {
        let a = ok("-c x.c -DX=1 -DX=2");
        let b = ok("-c x.c -DX=2 -DX=1");
        assert_ne!(a.key_args, b.key_args);
        let a = ok("-c x.c -Werror -Wall");
        let b = ok("-c x.c -Wall -Werror");
        assert_ne!(a.key_args, b.key_args);
    }

    #[test]
    fn output_and_dep_file_names_stay_out_of_the_key() {
        let a = ok("-c x.c -o a/x.o -MD -MF a/x.d");
        let b = ok("-c x.c -o b/long/dir/x.o -MD -MF b/x.d");
        assert_eq!(a.key_args, b.key_args);
        assert_eq!(ok("-c x.c -Iinc").key_args, ok("-c x.c -I inc").key_args);
    }

    #[test]
    fn mode_and_language_are_in_the_key() {
        assert_ne!(ok("-c x.c").key_args, ok("-S x.c").key_args);
        assert_ne!(ok("-c x.c").key_args, ok("-c -x c++ x.c").key_args);
        assert_ne!(ok("-c x.c -MD").key_args, ok("-c x.c -MMD").key_args);
        assert_ne!(ok("-c x.c -MD").key_args, ok("-c x.c").key_args);
        // One explicit target is substituted on a hit; several are part of the key.
        assert_eq!(
            ok("-c x.c -MD -MT a.o").key_args,
            ok("-c x.c -MD -MT b.o").key_args
        );
        assert_ne!(
            ok("-c x.c -MD -MT a.o -MT c").key_args,
            ok("-c x.c -MD -MT b.o -MT c").key_args
        );
    }

    #[test]
    fn path_options_are_marked() {
        let inv = ok("-c x.c -I/abs/inc -isystem sys --sysroot=/sr -DFOO -include pre.h");
        let paths: Vec<(&str, &str, bool)> = inv
            .key_args
            .iter()
            .filter_map(|k| k.path.as_deref().map(|p| (k.text.as_str(), p, k.cpp_only)))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("-I", "/abs/inc", true),
                ("-isystem", "sys", true),
                ("--sysroot=", "/sr", false),
                ("-include", "pre.h", true),
            ]
        );
    }

    #[test]
    fn cpp_args_drop_mode_output_deps_and_input() {
        let inv = ok("-c -o b/x.o -MD -MF b/x.d -MT t -DX -I inc -x c x.c -Wall");
        assert_eq!(inv.cpp_args, argv("-DX -I inc -x c -Wall"));
    }

    #[test]
    fn files_options_read_are_listed_in_order() {
        let inv =
            ok("-c x.c -fsanitize=address -fsanitize-ignorelist=b.txt -fsanitize-blacklist=/a.txt");
        assert_eq!(inv.read_files, argv("b.txt /a.txt"));
        let paths: Vec<&str> = inv
            .key_args
            .iter()
            .filter_map(|k| k.path.as_deref())
            .collect();
        assert_eq!(paths, ["b.txt", "/a.txt"]);
        assert!(ok("-c x.c").read_files.is_empty());
    }

    #[test]
    fn no_line_markers_reach_the_key_but_not_the_preprocessor_run() {
        // zcc's own -E run must keep its line markers: they carry the line numbers that
        // warnings and debug info show.
        let inv = ok("-c -P x.c -Wp,-P,-DX -Wp,-P");
        assert_eq!(inv.cpp_args, argv("-Wp,-DX"));
        let texts: Vec<&str> = inv.key_args.iter().map(|a| a.text.as_str()).collect();
        assert!(texts.contains(&"-P"), "{texts:?}");
        assert!(texts.contains(&"-Wp,-P,-DX"), "{texts:?}");
        assert!(
            inv.key_args.iter().all(|a| !a.cpp_only),
            "-P is keyed in every mode"
        );
        assert_ne!(ok("-c x.c").key_args, ok("-c -P x.c").key_args);
    }

    #[test]
    fn colour_options_choose_but_stay_out_of_the_key() {
        let cases: &[(&str, Color)] = &[
            ("-c x.c", Color::Auto),
            ("-c x.c -fdiagnostics-color", Color::Always),
            ("-c x.c -fdiagnostics-color=always", Color::Always),
            ("-c x.c -fdiagnostics-color=never", Color::Never),
            (
                "-c x.c -fdiagnostics-color=always -fdiagnostics-color=auto",
                Color::Auto,
            ),
            ("-c x.c -fno-diagnostics-color", Color::Never),
            ("-c x.c -fcolor-diagnostics", Color::Always),
            (
                "-c x.c -fcolor-diagnostics -fno-color-diagnostics",
                Color::Never,
            ),
        ];
        let plain = ok("-c x.c");
        for (cmd, want) in cases {
            let inv = ok(cmd);
            assert_eq!(inv.color, *want, "{cmd}");
            assert_eq!(inv.key_args, plain.key_args, "{cmd}");
            assert_eq!(inv.cpp_args, plain.cpp_args, "{cmd}");
        }
    }

    #[test]
    fn assembler_options_that_write_nothing_are_hashed() {
        for cmd in [
            "-c x.c -Wa,-ahl",
            "-c x.c -Wa,-mmcu=avr5,-g",
            "-c x.c -Xassembler -g",
        ] {
            let inv = ok(cmd);
            assert_ne!(inv.key_args, ok("-c x.c").key_args, "{cmd}");
        }
        assert_ne!(ok("-c x.c -Wa,-g").key_args, ok("-c x.c -Wa,-ahl").key_args);
        assert!(ok("-c x.c -Wa,-g").cpp_args.is_empty());
        assert_eq!(ok("-c x.c -fopt-info-vec").cpp_args, argv("-fopt-info-vec"));
        assert_eq!(
            ok("-c x.c -fdiagnostics-format=json").cpp_args,
            argv("-fdiagnostics-format=json")
        );
    }

    #[test]
    fn one_assembler_listing_is_an_extra_output_keyed_without_its_name() {
        for (cmd, file) in [
            ("-c x.c -Wa,-adhlns=b/x.lst", "b/x.lst"),
            ("-c x.c -Wa,-g,-al=x.lst,--gstabs", "x.lst"),
            ("-c x.c -Xassembler -a=l", "l"),
        ] {
            let inv = ok(cmd);
            assert_eq!(inv.listing.as_deref(), Some(file), "{cmd}");
            assert_eq!(inv.extras, vec![Extra::Listing], "{cmd}");
        }
        assert_eq!(
            ok("-c x.c -Wa,-adhlns=a.lst").key_args,
            ok("-c x.c -Wa,-adhlns=other/b.lst").key_args
        );
        assert_ne!(
            ok("-c x.c -Wa,-adhlns=a.lst").key_args,
            ok("-c x.c -Wa,-al=a.lst").key_args
        );
        assert_eq!(ok("-c x.c -Wa,-al").listing, None);
    }

    #[test]
    fn debug_levels() {
        let cases: &[(&str, bool, bool)] = &[
            ("-c x.c", false, false),
            ("-c x.c -g", true, false),
            ("-c x.c -g -g0", false, false),
            ("-c x.c -g0 -g", true, false),
            ("-c x.c -gz", false, false),
            ("-c x.c -g3", true, true),
            ("-c x.c -ggdb3", true, true),
            ("-c x.c -gdwarf-3", true, false),
            ("-c x.c -gsplit-dwarf", true, false),
            ("-c x.c -gno-column-info", false, false),
        ];
        for (cmd, debug, macros) in cases {
            let inv = ok(cmd);
            assert_eq!((inv.debug, inv.debug_macros), (*debug, *macros), "{cmd}");
        }
    }

    #[test]
    fn prefix_maps_and_extras() {
        let inv = ok(
            "-c x.c -g -ffile-prefix-map=/a/ws=. -fdebug-prefix-map=/b=/c -fmacro-prefix-map=/m=n",
        );
        assert_eq!(
            inv.prefix_maps,
            vec![("/a/ws".into(), ".".into()), ("/b".into(), "/c".into())]
        );
        let same_maps_elsewhere = ok(
            "-c x.c -g -ffile-prefix-map=/z/ws=. -fdebug-prefix-map=/y=/c -fmacro-prefix-map=/q=n",
        );
        assert_eq!(inv.key_args, same_maps_elsewhere.key_args);

        let inv = ok("-c x.c -fstack-usage --coverage -gsplit-dwarf -fstack-usage");
        assert_eq!(
            inv.extras,
            vec![Extra::StackUsage, Extra::Coverage, Extra::SplitDwarf]
        );
        assert!(inv.profile_paths);
        assert!(!ok("-c x.c -ftest-coverage").profile_paths);
        assert!(ok("-c x.c -fprofile-arcs").extras.is_empty());
        assert!(ok("-c x.c -fsanitize=undefined").sanitize);
        assert!(ok("-c x.c -fsanitize=address -fno-sanitize=address").sanitize);
        assert!(!ok("-c x.c -fno-sanitize=all").sanitize);
        assert!(!ok("-c x.c -O2").sanitize);
    }

    #[test]
    fn response_files_expand_recursively() {
        let read = |name: &str| -> Option<String> {
            match name {
                "a.rsp" => Some("-DA=1 '-DB=two words' @b.rsp\n".into()),
                "b.rsp" => Some("-c \"x y.c\"".into()),
                _ => None,
            }
        };
        let inv = classify(&argv("@a.rsp -o out.o"), &read).unwrap();
        assert_eq!(
            inv.expanded,
            vec!["-DA=1", "-DB=two words", "-c", "x y.c", "-o", "out.o"]
        );
        assert_eq!(inv.input, "x y.c");
        assert_eq!(
            classify(&argv("-c x.c @missing.rsp"), &read)
                .unwrap_err()
                .name(),
            "bad_arguments"
        );
        let looping = |_: &str| Some("@self.rsp".to_string());
        assert_eq!(
            classify(&argv("@self.rsp"), &looping).unwrap_err().name(),
            "bad_arguments"
        );
    }

    #[test]
    fn response_file_quoting() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("  a  b\n\tc ", &["a", "b", "c"]),
            ("'a b' \"c d\"", &["a b", "c d"]),
            ("a\\ b", &["a b"]),
            ("'it''s'", &["its"]),
            ("-D'X=\"s\"'", &["-DX=\"s\""]),
            ("\"\"", &[""]),
            ("a\\\\b", &["a\\b"]),
        ];
        for (text, want) in cases {
            assert_eq!(split_response_file(text), *want, "{text:?}");
        }
    }

    #[test]
    fn replace_extension_cases() {
        let cases: &[(&str, &str, &str)] = &[
            ("x.o", ".d", "x.d"),
            ("b/x.cpp.o", ".d", "b/x.cpp.d"),
            ("dir.x/foo", ".d", "dir.x/foo.d"),
            ("foo.", ".d", "foo.d"),
            (".hidden", ".d", ".hidden.d"),
            ("a.b/.c", ".o", "a.b/.c.o"),
        ];
        for (path, suffix, want) in cases {
            assert_eq!(replace_extension(path, suffix), *want, "{path}");
        }
    }
}
