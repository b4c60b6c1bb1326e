//! The cache key: everything that can change a compile's outputs, and nothing that cannot.
//!
//! Paths enter the key through a [`PathNorm`]: root tokens (`@WS0/src/x.h`) when the outputs
//! do not embed paths, so a project moved to another directory or machine still hits; the
//! compiler's own `-f…-prefix-map` rewriting when they do (debug info), so the key holds
//! exactly the path strings the object will hold.

use crate::args::{Invocation, KeyArg};
use crate::paths::Roots;
use crate::store::Key;

/// Bumped whenever the meaning of a key changes, so old entries are never misread.
pub const KEY_VERSION: &str = "zcc-key-4";

/// Environment variables that change what the compiler produces. Path lists among them are
/// normalized element by element.
///
/// `SOURCE_DATE_EPOCH` is not among them: it only sets what `__DATE__` and `__TIME__` expand
/// to, and a source using them is never served from a direct-mode manifest, while the
/// preprocessed text a preprocessor-mode key covers holds the expansions themselves.
pub const KEYED_ENV: &[(&str, bool)] = &[
    ("CPATH", true),
    ("C_INCLUDE_PATH", true),
    ("CPLUS_INCLUDE_PATH", true),
    ("OBJC_INCLUDE_PATH", true),
    ("OBJCPLUS_INCLUDE_PATH", true),
    ("COMPILER_PATH", true),
    ("GCC_EXEC_PREFIX", true),
    ("LIBRARY_PATH", true),
    ("GCC_COMPARE_DEBUG", false),
    ("LANG", false),
    ("LC_ALL", false),
    ("LC_CTYPE", false),
    ("LC_MESSAGES", false),
    ("GCC_COLORS", false),
];

/// How paths are spelled in the key.
#[derive(Clone, Copy, Debug)]
pub enum PathNorm<'a> {
    /// Absolute paths inside a root become `@ROOT/rest`; relative paths stay as given.
    Roots(&'a Roots),
    /// The output embeds paths (debug info): apply the call's prefix maps exactly as the
    /// compiler does (last matching map wins, plain string prefix), nothing else.
    PrefixMaps(&'a [(String, String)]),
    /// Paths exactly as given: for inputs whose `__FILE__` expansions hold them.
    Exact,
}

impl PathNorm<'_> {
    /// The key spelling of one path.
    pub fn apply(&self, path: &str) -> String {
        match self {
            PathNorm::Roots(roots) => roots.portable(path),
            PathNorm::PrefixMaps(maps) => apply_prefix_maps(maps, path),
            PathNorm::Exact => path.to_string(),
        }
    }
}

/// GCC's `remap_filename`: the last `-f…-prefix-map=old=new` whose `old` is a string prefix of
/// `path` replaces that prefix.
pub fn apply_prefix_maps(maps: &[(String, String)], path: &str) -> String {
    for (old, new) in maps.iter().rev() {
        if let Some(rest) = path.strip_prefix(old.as_str()) {
            return format!("{new}{rest}");
        }
    }
    path.to_string()
}

/// Incremental key builder: every field is tagged and length-prefixed, so no two different
/// sequences of fields hash alike.
#[derive(Clone)]
pub struct KeyBuilder {
    hasher: blake3::Hasher,
}

impl KeyBuilder {
    pub fn new(domain: &str) -> KeyBuilder {
        let mut b = KeyBuilder {
            hasher: blake3::Hasher::new(),
        };
        b.field("domain", domain.as_bytes());
        b
    }

    /// Add one tagged field.
    pub fn field(&mut self, tag: &str, bytes: &[u8]) -> &mut Self {
        self.hasher.update(&(tag.len() as u64).to_le_bytes());
        self.hasher.update(tag.as_bytes());
        self.hasher.update(&(bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self
    }

    pub fn finish(&self) -> Key {
        *self.hasher.finalize().as_bytes()
    }
}

/// Which kind of key is being built: it decides whether preprocessor-only options are hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    /// The key also covers the preprocessed text, which already reflects `-D`, `-I`, ….
    Preprocessed,
    /// The key covers the source and the headers by content; every option counts.
    Direct,
}

impl KeyMode {
    /// The name hashed into keys: fixed here, so renaming a variant changes no key.
    pub fn name(self) -> &'static str {
        match self {
            KeyMode::Preprocessed => "Preprocessed",
            KeyMode::Direct => "Direct",
        }
    }
}

/// Inputs to the common part of a key that the caller gathers from the machine.
pub struct Context<'a> {
    /// Content identity of the compiler (executable and the programs it runs).
    pub compiler: &'a [u8; 32],
    /// The call's working directory as the compiler reports it
    /// ([`crate::cache::CompileRequest::compiler_pwd`]).
    pub cwd: &'a str,
    /// Looks up an environment variable of the call.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Content hashes of the `--specs=` files, in order.
    pub specs: &'a [[u8; 32]],
    /// Content hashes of [`Invocation::read_files`], in order.
    pub read_files: &'a [[u8; 32]],
    /// The input relative to the working directory, when no output holds the input as the call
    /// named it (`crate::spelling`): keyed in its place, so `src/t.c`, `./src/t.c` and
    /// `$PWD/src/t.c` share entries.
    pub canonical_input: Option<&'a str>,
}

/// The common part of a key, split by what a user would call its cause: it lets the log say
/// which part of a key was new on a miss.
pub struct Common {
    /// Combines the parts; extend it with the input's content.
    pub builder: KeyBuilder,
    /// (part name, digest) for `compiler`, `arguments`, `environment`.
    pub parts: Vec<(&'static str, Key)>,
}

/// The part of the key shared by all modes: compiler, arguments, input name, environment,
/// and whatever the outputs embed about where they were made.
pub fn common(inv: &Invocation, ctx: &Context, norm: PathNorm, mode: KeyMode) -> Common {
    let mut args = KeyBuilder::new("arguments");
    let keep_cpp = mode == KeyMode::Direct || inv.debug_macros || inv.record_switches;
    for arg in &inv.key_args {
        if arg.cpp_only && !keep_cpp {
            continue;
        }
        add_arg(&mut args, arg, norm);
    }
    match ctx.canonical_input {
        Some(input) => args.field("canonical_input", input.as_bytes()),
        None => args.field("input", norm.apply(&inv.input).as_bytes()),
    };
    if inv.debug {
        // Debug info records the compilation directory.
        let dir = match &inv.compilation_dir {
            Some(dir) => dir.clone(),
            None => apply_prefix_maps(&inv.prefix_maps, ctx.cwd),
        };
        args.field("cwd", dir.as_bytes());
    }
    if inv.extras.contains(&crate::args::Extra::Coverage) {
        // The `.gcno` records the working directory, untouched by the debug prefix maps.
        args.field("coverage_cwd", ctx.cwd.as_bytes());
    }
    if let Some(output) = &inv.output {
        if inv.profile_paths {
            // The object embeds the absolute path of its `.gcda` file.
            let abs = crate::paths::normalize_lexically(&format!("{}/{output}", ctx.cwd));
            args.field("profile_output", abs.as_bytes());
        }
        if inv.extras.contains(&crate::args::Extra::SplitDwarf) {
            // The object names its `.dwo` file.
            args.field("dwo_output", output.as_bytes());
        }
    }
    if inv.record_switches {
        // The command line is embedded in the object as given.
        for arg in &inv.expanded {
            args.field("switch", arg.as_bytes());
        }
    }
    for spec in ctx.specs {
        args.field("specs", spec);
    }
    for file in ctx.read_files {
        args.field("read_file", file);
    }

    let mut env = KeyBuilder::new("environment");
    for (name, is_path_list) in KEYED_ENV {
        if let Some(value) = (ctx.env)(name) {
            let value = if *is_path_list {
                value
                    .split(':')
                    .map(|p| norm.apply(p))
                    .collect::<Vec<_>>()
                    .join(":")
            } else {
                value
            };
            env.field(name, value.as_bytes());
        }
    }

    let parts = vec![
        ("compiler", *ctx.compiler),
        ("arguments", args.finish()),
        ("environment", env.finish()),
    ];
    let mut builder = KeyBuilder::new(KEY_VERSION);
    builder.field("mode", mode.name().as_bytes());
    for (name, digest) in &parts {
        builder.field(name, digest);
    }
    Common { builder, parts }
}

fn add_arg(k: &mut KeyBuilder, arg: &KeyArg, norm: PathNorm) {
    match &arg.path {
        Some(path) => {
            k.field("arg", arg.text.as_bytes());
            k.field("path", norm.apply(path).as_bytes());
        }
        None => {
            k.field("arg", arg.text.as_bytes());
        }
    }
}

/// Rewrite the paths in the preprocessor's line markers (`# 12 "path" flags`, `#line 12 "path"`)
/// through `norm`, leaving every other byte as it is, and collect the distinct files named (as
/// written). String literals such as `__FILE__` expansions are not touched: they end up in the
/// object. With `spelling`, a path under the input's directory is first spelled as the key
/// spells the input (`Spelling::canonical_path`): the markers then read alike for every
/// spelling of the input, and what they feed besides (diagnostics) is rendered per call.
pub fn normalize_preprocessed(
    text: &[u8],
    norm: PathNorm,
    spelling: Option<&crate::spelling::Spelling>,
) -> (Vec<u8>, Vec<String>) {
    let mut out = Vec::with_capacity(text.len());
    let mut files: Vec<String> = Vec::new();
    let mut cache: std::collections::HashMap<Vec<u8>, Vec<u8>> = Default::default();
    for line in text.split_inclusive(|&b| b == b'\n') {
        match line_marker_path(line) {
            Some((start, end)) => {
                let raw = &line[start..end];
                let rewritten = cache.entry(raw.to_vec()).or_insert_with(|| {
                    let path = unescape_c(raw);
                    if path.starts_with('<') {
                        // <built-in>, <command-line>
                        return raw.to_vec();
                    }
                    if let Some(dir) = path.strip_suffix("//") {
                        // With -g, GCC names the working directory (`# 1 "/src//"`): it is
                        // in the key through the debug-info part, and it is no input file.
                        return escape_c(&norm.apply(dir))
                            .into_bytes()
                            .into_iter()
                            .chain(*b"//")
                            .collect();
                    }
                    let keyed = spelling
                        .and_then(|s| s.canonical_path(&path))
                        .unwrap_or_else(|| norm.apply(&path));
                    if !files.contains(&path) {
                        files.push(path);
                    }
                    escape_c(&keyed).into_bytes()
                });
                out.extend_from_slice(&line[..start]);
                out.extend_from_slice(rewritten);
                out.extend_from_slice(&line[end..]);
            }
            None => out.extend_from_slice(line),
        }
    }
    (out, files)
}

/// The byte range of the quoted path in a line marker, without the quotes.
fn line_marker_path(line: &[u8]) -> Option<(usize, usize)> {
    let rest = line.strip_prefix(b"#")?;
    let skip_ws = |s: &[u8], from: usize| {
        from + s[from..]
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count()
    };
    let mut i = skip_ws(rest, 0);
    if rest[i..].starts_with(b"line") {
        i = skip_ws(rest, i + 4);
    }
    let digits = rest[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    i = skip_ws(rest, i + digits);
    if rest.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let mut j = start;
    while j < rest.len() {
        match rest[j] {
            b'\\' => j += 2,
            b'"' => return Some((start + 1, j + 1)),
            b'\n' => return None,
            _ => j += 1,
        }
    }
    None
}

/// Undo the C escaping GCC applies to file names in line markers (`\\` and `\"`, octal).
fn unescape_c(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            let oct: Vec<u8> = raw[i + 1..]
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b))
                .copied()
                .collect();
            if !oct.is_empty() {
                let v = oct.iter().fold(0u32, |a, d| a * 8 + u32::from(d - b'0'));
                out.push(v as u8);
                i += 1 + oct.len();
            } else {
                out.push(raw[i + 1]);
                i += 2;
            }
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn escape_c(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The common key of one fixed call in both modes. Keys are shared between machines and
    /// zcc versions: a change to what a key covers, or to a name hashed in it, must be
    /// deliberate and bump [`KEY_VERSION`].
    #[test]
    fn keys_are_pinned() {
        let args: Vec<String> = "-O2 -Iinc -DX=1 -c src/x.c -o x.o"
            .split(' ')
            .map(str::to_string)
            .collect();
        let inv = crate::args::classify(&args, &|_| None).unwrap();
        let env = |name: &str| (name == "LANG").then(|| "C".to_string());
        let ctx = Context {
            compiler: &[1; 32],
            cwd: "/tmp/zcc-key-test/ws",
            env: &env,
            specs: &[[2; 32]],
            read_files: &[],
            canonical_input: None,
        };
        let canonical = Context {
            canonical_input: Some("src/x.c"),
            ..ctx
        };
        let r = roots();
        let hexes: Vec<String> = [
            (KeyMode::Direct, &ctx),
            (KeyMode::Preprocessed, &ctx),
            (KeyMode::Direct, &canonical),
        ]
        .into_iter()
        .map(|(mode, ctx)| {
            crate::store::hex(
                &common(&inv, ctx, PathNorm::Roots(&r), mode)
                    .builder
                    .finish(),
            )
        })
        .collect();
        assert_eq!(hexes, GOLDEN_KEYS);
    }

    const GOLDEN_KEYS: [&str; 3] = [
        "dea96b004f80634ee99a4fdf3610a5d59e067dd3e08fdbbc174a726399a5fa3e",
        "b1d248f06b952da292272ac69df6be425682cef3903e337574e0b975c0483a31",
        "8f4827d8b793339df0f832c8de94994d14489c68be5c057070e7d660557033c1",
    ];

    fn roots() -> Roots {
        Roots::new(vec![
            ("WS0".into(), PathBuf::from("/tmp/zcc-key-test/ws")),
            ("HOME".into(), PathBuf::from("/tmp/zcc-key-test/home")),
        ])
    }

    #[test]
    fn prefix_maps_last_match_wins() {
        let maps = vec![
            ("/a".to_string(), "X".to_string()),
            ("/a/b".to_string(), "Y".to_string()),
        ];
        assert_eq!(apply_prefix_maps(&maps, "/a/b/c.h"), "Y/c.h");
        assert_eq!(apply_prefix_maps(&maps, "/a/c.h"), "X/c.h");
        assert_eq!(apply_prefix_maps(&maps, "/z/c.h"), "/z/c.h");
        assert_eq!(apply_prefix_maps(&maps, "rel/c.h"), "rel/c.h");
        let maps = vec![
            ("/a/b".to_string(), "Y".to_string()),
            ("/a".to_string(), "X".to_string()),
        ];
        assert_eq!(apply_prefix_maps(&maps, "/a/b/c.h"), "X/b/c.h");
    }

    #[test]
    fn line_markers_are_rewritten_and_collected() {
        let r = roots();
        let text = b"# 1 \"/tmp/zcc-key-test/ws/src/m.c\"\n# 1 \"<built-in>\"\nint x;\n# 3 \"/tmp/zcc-key-test/home/tc/include/stdio.h\" 1 3 4\nchar *s = \"/tmp/zcc-key-test/ws/src/m.c\";\n#line 7 \"src/rel.h\"\n";
        let (out, files) = normalize_preprocessed(text, PathNorm::Roots(&r), None);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "# 1 \"@WS0/src/m.c\"\n# 1 \"<built-in>\"\nint x;\n# 3 \"@HOME/tc/include/stdio.h\" 1 3 4\nchar *s = \"/tmp/zcc-key-test/ws/src/m.c\";\n#line 7 \"src/rel.h\"\n"
        );
        assert_eq!(
            files,
            vec![
                "/tmp/zcc-key-test/ws/src/m.c",
                "/tmp/zcc-key-test/home/tc/include/stdio.h",
                "src/rel.h"
            ]
        );
    }

    #[test]
    fn markers_under_the_input_directory_take_the_keys_spelling() {
        let r = roots();
        let real = |_: &str| true;
        let cwds = ["/tmp/zcc-key-test/ws"];
        let text = |dir: &str| {
            format!(
                "# 1 \"{dir}t.c\"\n# 1 \"{dir}x.h\" 1\nchar *f = \"{dir}x.h\";\n# 2 \"/tmp/zcc-key-test/ws/inc/a.h\"\n"
            )
        };
        let keyed = |dir: &str| {
            let input = format!("{dir}t.c");
            let spelling = crate::spelling::Spelling::of_input(&input, &cwds, &[], &[], &real);
            let text = text(dir);
            let (out, files) =
                normalize_preprocessed(text.as_bytes(), PathNorm::Roots(&r), spelling.as_ref());
            // The files as the preprocessor named them.
            assert_eq!(files[0], input);
            String::from_utf8(out).unwrap()
        };
        let relative = keyed("src/");
        assert_eq!(
            relative,
            "# 1 \"src/t.c\"\n# 1 \"src/x.h\" 1\nchar *f = \"src/x.h\";\n# 2 \"@WS0/inc/a.h\"\n"
        );
        assert_eq!(keyed("./src/"), relative.replace("= \"src/", "= \"./src/"));
        let absolute = keyed("/tmp/zcc-key-test/ws/src/");
        assert_eq!(
            absolute,
            relative.replace("= \"src/", "= \"/tmp/zcc-key-test/ws/src/")
        );
    }

    #[test]
    fn the_working_directory_marker_is_no_input() {
        // GCC with -g: `# 1 "<cwd>//"` right after the source's first marker.
        let text = b"# 0 \"m.c\"\n# 1 \"/tmp/zcc-key-test/ws/build//\"\nint x;\n";
        let (out, files) = normalize_preprocessed(text, PathNorm::Exact, None);
        assert_eq!(out, text.to_vec());
        assert_eq!(files, vec!["m.c"]);
        let r = roots();
        let (out, _) = normalize_preprocessed(text, PathNorm::Roots(&r), None);
        assert_eq!(out, b"# 0 \"m.c\"\n# 1 \"@WS0/build//\"\nint x;\n".to_vec());
    }

    #[test]
    fn line_marker_parsing() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"# 1 \"a.c\"\n", Some("a.c")),
            (b"# 12 \"a b.c\" 2\n", Some("a b.c")),
            (b"#line 3 \"x.h\"\n", Some("x.h")),
            (b"# 1 \"a\\\"q.c\"\n", Some("a\\\"q.c")),
            (b"#pragma once\n", None),
            (b"# \"a.c\"\n", None),
            (b"# 1 \"unterminated\n", None),
            (b"int x; # 1 \"a.c\"\n", None),
            (b"#", None),
        ];
        for (line, want) in cases {
            let got = line_marker_path(line)
                .map(|(s, e)| String::from_utf8_lossy(&line[s..e]).into_owned());
            assert_eq!(got.as_deref(), *want, "{:?}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn c_escapes_round_trip() {
        for path in ["/a/b.c", "a\\b.c", "q\"uote.c", "sp ace.c"] {
            assert_eq!(unescape_c(escape_c(path).as_bytes()), path);
        }
        assert_eq!(unescape_c(b"a\\101b"), "aAb");
    }

    #[test]
    fn fields_are_unambiguous() {
        let a = KeyBuilder::new("t")
            .field("x", b"ab")
            .field("x", b"c")
            .finish();
        let b = KeyBuilder::new("t")
            .field("x", b"a")
            .field("x", b"bc")
            .finish();
        assert_ne!(a, b);
    }
}
