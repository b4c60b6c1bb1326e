//! Classify a link command line: a link zcc can cache ([`LinkCall`]) or one to pass through,
//! with the reason ([`LinkRefusal`]).
//!
//! Pure. Only what is understood is accepted: driver options go through the compile option
//! table (so a separate value is never taken for an input), linker options (`-Wl,`,
//! `-Xlinker`) through the short list below. Anything else, and every option that makes the
//! link print to stdout, read a file the linker does not report, or write a file zcc does not
//! know about, is a refusal.

use crate::args::{self, KeyArg, Language};
use crate::options::{self, Role, Value};
use crate::passthrough::{LinkRefusal, Passthrough};

/// A link through a GCC- or Clang-family driver that zcc can cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkCall {
    /// The executable as given by `-o`, or `a.out`.
    pub output: String,
    /// The map file (`-Wl,-Map=…`), if asked for.
    pub map: Option<String>,
    /// What enters the key, in order: every argument but the output names, paths marked.
    pub key_args: Vec<KeyArg>,
    /// Linker scripts named on the command line (`-T`, `--script=`): the linker must report
    /// reading each, or the link is not stored.
    pub scripts: Vec<String>,
    /// `-flto…`: the link compiles, and with debug info its output names the working directory.
    pub lto: bool,
    /// `--specs=` files, in order: the driver reads them (ld does not report them); their
    /// content enters the key.
    pub specs: Vec<String>,
}

/// Driver options that are refused although the table would accept them: they change which
/// programs run.
const REFUSED_DRIVER: &[&str] = &["-B", "-wrapper", "-fplugin="];

/// How a linker option takes its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LinkerValue {
    /// A flag, or `--name=value` matched by prefix.
    None,
    /// A separate value (`-Map out.map`) or joined with `=` (`-Map=out.map`).
    Separate,
}

/// What a linker option's value is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LinkerRole {
    /// Hashed verbatim.
    Plain,
    /// A directory searched for libraries and scripts.
    SearchDir,
    /// A linker script read as input.
    Script,
    /// The map file written.
    Map,
}

/// The linker options accepted, GNU ld spelling. Names ending in `=` match by prefix.
const LINKER: &[(&str, LinkerValue, LinkerRole)] = {
    use LinkerRole::*;
    use LinkerValue::None as F;
    use LinkerValue::Separate as S;
    &[
        ("-(", F, Plain),
        ("-)", F, Plain),
        ("--allow-multiple-definition", F, Plain),
        ("--as-needed", F, Plain),
        ("--build-id", F, Plain),
        ("--build-id=", F, Plain),
        ("--check-sections", F, Plain),
        ("--cref", F, Plain),
        ("--defsym", S, Plain),
        ("--disable-new-dtags", F, Plain),
        ("--eh-frame-hdr", F, Plain),
        ("--emit-relocs", F, Plain),
        ("--enable-new-dtags", F, Plain),
        ("--end-group", F, Plain),
        ("--entry", S, Plain),
        ("--export-dynamic", F, Plain),
        ("--fatal-warnings", F, Plain),
        ("--gc-sections", F, Plain),
        ("--hash-style=", F, Plain),
        ("--library-path", S, SearchDir),
        ("--no-as-needed", F, Plain),
        ("--no-check-sections", F, Plain),
        ("--no-fatal-warnings", F, Plain),
        ("--no-gc-sections", F, Plain),
        ("--no-relax", F, Plain),
        ("--no-undefined", F, Plain),
        ("--no-warn-execstack", F, Plain),
        ("--no-warn-mismatch", F, Plain),
        ("--no-warn-rwx-segments", F, Plain),
        ("--no-whole-archive", F, Plain),
        ("--relax", F, Plain),
        ("--script", S, Script),
        ("--section-start=", F, Plain),
        ("--sort-common", F, Plain),
        ("--sort-section=", F, Plain),
        ("--start-group", F, Plain),
        ("--strip-all", F, Plain),
        ("--strip-debug", F, Plain),
        ("--undefined", S, Plain),
        ("--unresolved-symbols=", F, Plain),
        ("--warn-common", F, Plain),
        ("--warn-once", F, Plain),
        ("--warn-section-align", F, Plain),
        ("--whole-archive", F, Plain),
        ("--wrap", S, Plain),
        ("-Bdynamic", F, Plain),
        ("-Bstatic", F, Plain),
        ("-E", F, Plain),
        ("-EB", F, Plain),
        ("-EL", F, Plain),
        ("-L", S, SearchDir),
        ("-Map", S, Map),
        ("-O0", F, Plain),
        ("-O1", F, Plain),
        ("-O2", F, Plain),
        ("-S", F, Plain),
        ("-T", S, Script),
        ("-Tbss=", F, Plain),
        ("-Tdata=", F, Plain),
        ("-Ttext=", F, Plain),
        ("-e", S, Plain),
        ("-rpath", S, Plain),
        ("-s", F, Plain),
        ("-soname", S, Plain),
        ("-u", S, Plain),
        ("-z", S, Plain),
    ]
};

/// Per-call parse state.
#[derive(Default)]
struct Parse {
    output: Option<String>,
    map: Option<String>,
    key_args: Vec<KeyArg>,
    scripts: Vec<String>,
    lto: bool,
    coverage: bool,
    specs: Vec<String>,
    /// `--cref`: printed on stdout unless a map file takes it.
    cref: bool,
    has_input: bool,
}

impl Parse {
    fn key(&mut self, text: &str, path: Option<&str>) {
        self.key_args.push(KeyArg {
            text: text.to_string(),
            path: path.map(str::to_string),
            cpp_only: false,
        });
    }

    /// One input file: an object, archive, shared library or linker script.
    fn input(&mut self, name: &str) -> Result<(), LinkRefusal> {
        if Language::from_path(name).is_some() {
            return Err(LinkRefusal::Sources);
        }
        self.has_input = true;
        self.key("", Some(name));
        Ok(())
    }

    /// The linker arguments of one `-Wl,` or `-Xlinker`, in order.
    fn linker_args(&mut self, words: &[String]) -> Result<(), LinkRefusal> {
        let mut i = 0;
        while i < words.len() {
            let word = words[i].as_str();
            i += 1;
            if word.is_empty() {
                continue;
            }
            if word.starts_with('@') {
                // ld reads its own response file, and does not report it.
                return Err(LinkRefusal::LinkerOption(word.to_string()));
            }
            if !word.starts_with('-') {
                // A file for the linker, like an input given to the driver.
                self.input(word)?;
                continue;
            }
            if let Some(lib) = word.strip_prefix("-l") {
                self.key(&format!("-Wl,-l{lib}"), None);
                continue;
            }
            let (name, value) = match linker_option(word) {
                Some((name, LinkerValue::Separate, None)) => match words.get(i) {
                    Some(v) => {
                        i += 1;
                        (name, Some(v.as_str()))
                    }
                    None => {
                        return Err(LinkRefusal::BadArguments(format!(
                            "{word} is missing its value"
                        )));
                    }
                },
                Some((name, _, value)) => (name, value),
                None => return Err(LinkRefusal::LinkerOption(word.to_string())),
            };
            let role = LINKER
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or(LinkerRole::Plain, |(_, _, r)| *r);
            let value = value.unwrap_or("");
            match role {
                LinkerRole::Map => self.map = Some(value.to_string()),
                LinkerRole::SearchDir => self.key("-Wl,-L", Some(value)),
                LinkerRole::Script => {
                    self.scripts.push(value.to_string());
                    self.key("-Wl,-T", Some(value));
                }
                LinkerRole::Plain => {
                    self.cref |= name == "--cref";
                    self.key(&format!("-Wl,{word}\0{value}"), None);
                }
            }
        }
        Ok(())
    }
}

/// Match one linker word: (row name, how it takes a value, its value when joined). `-Map=x`
/// and `--script=x` give the separate-value row with the value; `-Tfile` and `-Ldir` too.
fn linker_option(word: &str) -> Option<(&'static str, LinkerValue, Option<&str>)> {
    if let Some((name, value, _)) = LINKER.iter().find(|(n, _, _)| *n == word) {
        return Some((name, *value, None));
    }
    // `-Map=file`, `--script=file`: a separate-value row spelled with `=`.
    if let Some((name, value)) = word.split_once('=')
        && let Some((name, LinkerValue::Separate, _)) = LINKER
            .iter()
            .find(|(n, v, _)| *n == name && *v == LinkerValue::Separate)
    {
        return Some((name, LinkerValue::None, Some(value)));
    }
    // Prefix rows (`--hash-style=gnu`) keep the whole word as their text.
    if let Some((name, _, _)) = LINKER
        .iter()
        .filter(|(n, _, _)| n.ends_with('=') && word.len() > n.len() && word.starts_with(n))
        .max_by_key(|(n, _, _)| n.len())
    {
        return Some((name, LinkerValue::None, Some(&word[name.len()..])));
    }
    // `-Tfile`, `-Ldir` joined.
    for name in ["-T", "-L"] {
        if let Some(value) = word.strip_prefix(name)
            && !value.is_empty()
            && !value.starts_with('=')
            && LINKER.iter().all(|(n, _, _)| *n != word)
        {
            return Some((name, LinkerValue::None, Some(value)));
        }
    }
    None
}

/// Classify a link command line (the arguments after the driver). `read` reads response
/// files. Call it only for what the compile classifier called a link.
pub fn classify(
    args: &[String],
    read: &dyn Fn(&str) -> Option<String>,
) -> Result<LinkCall, LinkRefusal> {
    let expanded = args::expand_response_files(args, read).map_err(|p| match p {
        Passthrough::BadArguments(d) => LinkRefusal::BadArguments(d),
        other => LinkRefusal::BadArguments(other.to_string()),
    })?;
    let mut p = Parse::default();
    let mut words = Words {
        words: &expanded,
        next: 0,
    };
    let mut only_inputs = false;
    while let Some(arg) = words.next() {
        if arg == "-" && !only_inputs {
            return Err(LinkRefusal::DriverOption("-".into()));
        }
        if only_inputs || !arg.starts_with('-') {
            p.input(arg)?;
        } else if arg == "--" {
            only_inputs = true;
        } else {
            p.option(arg, &mut words)?;
        }
    }
    p.finish()
}

/// The expanded command line, read one word at a time.
struct Words<'a> {
    words: &'a [String],
    next: usize,
}

impl<'a> Words<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let word = self.words.get(self.next)?;
        self.next += 1;
        Some(word)
    }

    /// The word `ahead` places after the next one, not taken.
    fn peek(&self, ahead: usize) -> Option<&'a str> {
        self.words.get(self.next + ahead).map(String::as_str)
    }

    /// The separate value of `option`.
    fn value_of(&mut self, option: &str) -> Result<&'a str, LinkRefusal> {
        self.next()
            .ok_or_else(|| LinkRefusal::BadArguments(format!("{option} is missing its value")))
    }
}

impl Parse {
    /// One option, with the words it takes from `words`.
    fn option(&mut self, arg: &str, words: &mut Words) -> Result<(), LinkRefusal> {
        if let Some(list) = arg.strip_prefix("-Wl,") {
            let list: Vec<String> = list.split(',').map(str::to_string).collect();
            return self.linker_args(&list);
        }
        if arg == "-Xlinker" {
            let word = words.value_of(arg)?;
            // `-Xlinker -Map -Xlinker out.map`: a separate value comes in the next pair.
            let mut list = vec![word.to_string()];
            if matches!(linker_option(word), Some((_, LinkerValue::Separate, None)))
                && words.peek(0) == Some("-Xlinker")
                && let Some(value) = words.peek(1)
            {
                list.push(value.to_string());
                words.next = words.next.saturating_add(2);
            }
            return self.linker_args(&list);
        }
        if let Some(lib) = arg.strip_prefix("-l") {
            let lib = if lib.is_empty() {
                words.value_of("-l")?
            } else {
                lib
            };
            self.key(&format!("-l{lib}"), None);
            return Ok(());
        }
        if let Some(refusal) = refused_driver_option(arg) {
            return Err(refusal);
        }
        if arg.starts_with("-flto") || arg == "-fuse-linker-plugin" {
            self.lto |= arg.starts_with("-flto") && arg != "-flto=0" && !arg.starts_with("-flto-");
            self.key(arg, None);
            return Ok(());
        }
        let Some(m) = options::lookup(arg) else {
            self.key(arg, None);
            return Ok(());
        };
        let opt = m.opt;
        let (value, separate) = match (opt.value, m.joined) {
            (Value::None, _) => (None, false),
            (_, Some(v)) => (Some(v.to_string()), false),
            (Value::Joined, None) => (Some(String::new()), false),
            (Value::Separate | Value::JoinedOrSeparate, None) => {
                (Some(words.value_of(arg)?.to_string()), true)
            }
        };
        let v = value.as_deref().unwrap_or("");
        match opt.role {
            Role::Output => {
                if v == "-" {
                    return Err(LinkRefusal::DriverOption("-o -".into()));
                }
                self.output = Some(v.to_string());
            }
            // `--coverage` links libgcov; with LTO the link compiles and embeds `.gcda` paths.
            Role::Coverage(_) => {
                self.coverage = true;
                self.key(arg, None);
            }
            Role::Specs => {
                self.specs.push(v.to_string());
                self.key(opt.name, None);
            }
            Role::Plain | Role::Cpp | Role::Debug | Role::Wp => match (opt.name, &value) {
                ("-T", _) => {
                    self.scripts.push(v.to_string());
                    self.key("-T", Some(v));
                }
                (_, Some(v)) if opt.path => self.key(opt.name, Some(v)),
                (_, Some(v)) if separate => self.key(&format!("{arg}\0{v}"), None),
                _ => self.key(arg, None),
            },
            _ => return Err(LinkRefusal::DriverOption(arg.to_string())),
        }
        Ok(())
    }

    /// The link, once every word is read.
    fn finish(self) -> Result<LinkCall, LinkRefusal> {
        if self.cref && self.map.is_none() {
            return Err(LinkRefusal::LinkerOption("--cref without -Map".into()));
        }
        if self.coverage && self.lto {
            return Err(LinkRefusal::DriverOption("coverage with -flto".into()));
        }
        if !self.has_input {
            return Err(LinkRefusal::BadArguments("no input files".into()));
        }
        Ok(LinkCall {
            output: self.output.unwrap_or_else(|| "a.out".to_string()),
            map: self.map,
            key_args: self.key_args,
            scripts: self.scripts,
            lto: self.lto,
            specs: self.specs,
        })
    }
}

/// A driver option that makes a link uncacheable, whatever the table says of it.
fn refused_driver_option(arg: &str) -> Option<LinkRefusal> {
    // lto-wrapper runs make and warns, or not, depending on make's jobserver.
    let refused = arg == "-flto=jobserver"
        || arg == "-flto=auto"
        // gold and lld report what they read differently.
        || (arg.starts_with("-fuse-ld=") && arg != "-fuse-ld=bfd")
        || arg.starts_with("-print-")
        || arg.starts_with("--print-")
        || arg.starts_with("-dump")
        || REFUSED_DRIVER.iter().any(|r| arg.starts_with(r));
    refused.then(|| LinkRefusal::DriverOption(arg.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn ok(s: &str) -> LinkCall {
        classify(&argv(s), &|_| None).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn refused(s: &str) -> LinkRefusal {
        match classify(&argv(s), &|_| None) {
            Ok(l) => panic!("{s}: expected a refusal, got {l:?}"),
            Err(r) => r,
        }
    }

    fn texts(l: &LinkCall) -> Vec<String> {
        l.key_args
            .iter()
            .map(|a| match &a.path {
                Some(p) => format!("{}[{p}]", a.text.replace('\0', "=")),
                None => a.text.replace('\0', "="),
            })
            .collect()
    }

    #[test]
    fn arduino_link() {
        let l = ok(
            "-w -Os -g -flto -fuse-linker-plugin -Wl,--gc-sections -mmcu=atmega328p \
                    -o build/fw.elf build/sketch.o build/core.a -Lbuild -lm",
        );
        assert_eq!(l.output, "build/fw.elf");
        assert!(l.lto);
        assert_eq!(l.map, None);
        assert_eq!(
            texts(&l),
            [
                "-w",
                "-Os",
                "-g",
                "-flto",
                "-fuse-linker-plugin",
                "-Wl,--gc-sections=",
                "-mmcu=atmega328p",
                "[build/sketch.o]",
                "[build/core.a]",
                "-L[build]",
                "-lm"
            ]
        );
    }

    #[test]
    fn outputs_stay_out_of_the_key() {
        let a = ok("a.o -o x.elf -Wl,-Map=x.map");
        let b = ok("a.o -o y.elf -Wl,-Map,y.map");
        let c = ok("a.o -o y.elf -Xlinker -Map -Xlinker y.map");
        let d = ok("a.o -o y.elf -Xlinker -Map=y.map");
        assert_eq!(a.key_args, b.key_args);
        assert_eq!(b, c);
        assert_eq!(c, d);
        assert_eq!(a.map.as_deref(), Some("x.map"));
        assert_eq!(b.output, "y.elf");
        assert_eq!(ok("a.o").output, "a.out");
    }

    #[test]
    fn scripts_and_search_dirs_are_paths() {
        for s in [
            "a.o -T ld/x.ld",
            "a.o -Tld/x.ld",
            "a.o -Wl,-T,ld/x.ld",
            "a.o -Wl,-Tld/x.ld",
            "a.o -Wl,--script=ld/x.ld",
            "a.o -Xlinker --script -Xlinker ld/x.ld",
        ] {
            let l = ok(s);
            assert_eq!(l.scripts, ["ld/x.ld"], "{s}");
            assert_eq!(l.key_args.last().unwrap().path.as_deref(), Some("ld/x.ld"));
        }
        let l = ok("a.o -L lib -Wl,-Llib2,--library-path=lib3");
        let dirs: Vec<_> = l.key_args.iter().filter_map(|a| a.path.clone()).collect();
        assert_eq!(dirs, ["a.o", "lib", "lib2", "lib3"]);
    }

    #[test]
    fn order_is_kept() {
        let a = ok("a.o -Wl,--start-group -lx -ly -Wl,--end-group");
        let b = ok("a.o -lx -Wl,--start-group -ly -Wl,--end-group");
        assert_ne!(a.key_args, b.key_args);
        assert_ne!(ok("a.o b.o").key_args, ok("b.o a.o").key_args);
        assert_eq!(ok("a.o -l m").key_args, ok("a.o -lm").key_args);
    }

    #[test]
    fn refusals() {
        let cases: &[(&str, &str)] = &[
            ("main.c -o app", "link_sources"),
            ("a.o x.cpp", "link_sources"),
            ("a.o -Wl,--print-memory-usage", "link_linker_option"),
            ("a.o -Wl,--verbose", "link_linker_option"),
            ("a.o -Wl,-t", "link_linker_option"),
            ("a.o -Wl,--version-script=v.map", "link_linker_option"),
            ("a.o -Wl,-M", "link_linker_option"),
            ("a.o -Wl,--cref", "link_linker_option"),
            ("a.o -Wl,--cref -o x", "link_linker_option"),
            ("a.o -Wl,--dependency-file=x.d", "link_linker_option"),
            ("a.o -Wl,@ld.rsp", "link_linker_option"),
            ("a.o -v", "link_driver_option"),
            ("a.o -###", "link_driver_option"),
            ("a.o -save-temps", "link_driver_option"),
            ("a.o -B /opt/x", "link_driver_option"),
            ("a.o -fuse-ld=gold", "link_driver_option"),
            ("-print-libgcc-file-name", "link_driver_option"),
            ("a.o -o -", "link_driver_option"),
            ("a.o -x c", "link_driver_option"),
            ("a.o --coverage -flto", "link_driver_option"),
            ("a.o -flto=jobserver", "link_driver_option"),
            ("a.o -flto=auto", "link_driver_option"),
            ("a.o -", "link_driver_option"),
            ("a.o -Wl,-Map", "link_bad_arguments"),
            ("a.o -Xlinker", "link_bad_arguments"),
            ("a.o -o", "link_bad_arguments"),
            ("-lm", "link_bad_arguments"),
        ];
        for (s, want) in cases {
            assert_eq!(refused(s).name(), *want, "{s}");
        }
    }

    #[test]
    fn accepted_linker_options() {
        for s in [
            "a.o -Wl,--gc-sections,--relax",
            "a.o -Wl,-z,relro -Wl,-O1 -Wl,--as-needed",
            "a.o -Wl,--hash-style=gnu -Wl,--build-id=sha1",
            "a.o -Wl,-u,vfprintf -lprintf_flt",
            "a.o -Wl,--defsym=__stack=0x8ff",
            "a.o -Wl,-rpath,/opt/lib",
            "a.o -fuse-ld=bfd -static",
            "a.o -Wl,--whole-archive lib.a -Wl,--no-whole-archive",
        ] {
            ok(s);
        }
        assert_eq!(
            ok("a.o -Wl,--cref,-Map=x.map").map.as_deref(),
            Some("x.map")
        );
        let l = ok("a.o --specs=nano.specs -specs=nosys.specs");
        assert_eq!(l.specs, ["nano.specs", "nosys.specs"]);
    }

    #[test]
    fn response_files_are_expanded() {
        let read = |name: &str| (name == "objs.rsp").then(|| "a.o b.o -lm".to_string());
        let l = classify(&argv("@objs.rsp -o app"), &read).unwrap();
        assert_eq!(l.key_args, ok("a.o b.o -lm -o app").key_args);
        assert_eq!(
            classify(&argv("@missing.rsp"), &read).unwrap_err().name(),
            "link_bad_arguments"
        );
    }
}
