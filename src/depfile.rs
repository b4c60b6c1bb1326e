//! Dependency files (`.d`, Make syntax) as GCC and clang write them for `-MD`/`-MMD`, kept in a
//! portable form and written again, byte for byte, as the compiler would for another call.
//!
//! A cache hit may come from a call with another object path (the default target) or on a
//! machine with other roots, so target and prerequisite strings change length and the line
//! wrapping has to be redone the way the compiler does it. Facts checked against real output of
//! gcc 12.2, avr-gcc 5.4 and clang 14 (hundreds of generated compiles):
//!
//! - The first rule is `targets: prerequisites`; with `-MP` one empty rule `p:` follows for every
//!   prerequisite but the first (the main source), duplicates included.
//! - GCC 5 and GCC 12 wrap identically: a name moves to a continuation line (` \` newline, then
//!   one space) when the current line length plus the name's escaped length exceeds 72.
//! - Clang (14) wraps targets when line + name + 2 > 75 (continuation indent two spaces) and
//!   prerequisites when its column + unescaped length + 3 > 75, where its column over-counts
//!   continuation lines by one (continuation indent two spaces).
//! - `-MP` rules: GCC 12 writes `p:` lines back to back; GCC 5 and clang 14 put an empty line
//!   before each.
//! - GCC drops a leading `./` from the `-o` path when it becomes the target; clang keeps it.
//! - GCC 12 moves `-MT` targets before `-MQ` ones; stored targets keep the file's order, so
//!   nothing depends on that.
//!
//! Windows compilers write `\r\n`; such files are re-rendered with `\r\n`.

use crate::paths::Roots;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How a compiler lays out the first rule of a dependency file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Style {
    /// GCC (same from 5.4 to 12.2): wrap when line + escaped name > 72; one-space indent.
    Gcc,
    /// Clang (14): wider limit counted on unescaped names; two-space indent.
    Clang,
}

/// A dependency file in portable, re-renderable form, stored inside a cache entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDepfile {
    form: Form,
}

impl StoredDepfile {
    /// The wrapping style recognised in the compiler's file, or `None` when no known style
    /// reproduced it and the file is kept as raw text (targets and roots are still substituted,
    /// but lines are not re-wrapped).
    #[cfg(test)]
    pub fn style(&self) -> Option<Style> {
        match &self.form {
            Form::Layout(layout) => Some(layout.style),
            Form::Raw(_) => None,
        }
    }
}

/// What is stored: a layout to re-wrap, or raw text to substitute into.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Form {
    /// One rule (plus `-MP` rules) that a known style reproduces exactly.
    Layout(Layout),
    /// Anything else: the file's bytes with targets and rooted paths cut out.
    Raw(Vec<Piece>),
}

/// A file that `lay_out` reproduces from these parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Layout {
    style: Style,
    phony: Phony,
    crlf: bool,
    targets: Vec<Piece>,
    prerequisites: Vec<Piece>,
}

/// How the `-MP` rules follow the first rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Phony {
    /// No `-MP` rules (or no prerequisite besides the main source, so nothing shows).
    None,
    /// `p:` lines back to back (GCC 12; GCC 10 rewrote this code).
    Compact,
    /// An empty line before each `p:` line (GCC before 10, clang 14).
    Spaced,
}

/// A piece of dependency-file text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Piece {
    /// Bytes written as they are (make-escaped names, separators, line breaks).
    Text(Vec<u8>),
    /// The call's default target. `as_stored` is the text at store time, written when render
    /// gets no default target; `strip_dot_slash` repeats GCC's dropping of a leading `./`.
    DefaultTarget {
        as_stored: Vec<u8>,
        strip_dot_slash: bool,
    },
    /// An absolute path under a root: the root's name and the make-escaped rest of the path as
    /// the compiler wrote it (empty or starting with `/`).
    Rooted { root: String, rest: Vec<u8> },
    /// A name under the input's directory: the make-escaped rest after it, written after the
    /// directory as the rendering call names it (`crate::spelling`).
    InputDir { rest: Vec<u8> },
}

/// Parse the compiler's bytes. `default_target`: the make-quoted target the compiler derives from
/// the call's output (e.g. `build/x.o`), when the call gave no `-MT`/`-MQ`; a target equal to it
/// is stored as a placeholder so another `-o` can be substituted. Absolute prerequisites go
/// through [`Roots::portable_verbatim`]. The wrapping style is detected by re-rendering the
/// parsed file with each known style and keeping the one that reproduces the input byte for
/// byte; if a file fits both (nothing long enough to wrap), GCC is assumed — see
/// [`store_preferring`]. If none does, a raw fallback is kept (placeholder and root substitution
/// only, no re-wrapping). Returns `None` if the bytes are not a make rule set: a NUL byte, a
/// line with names but no `:`, a `:` with no target, or no rule at all.
#[cfg(any(test, feature = "internals"))]
pub fn store(dep: &[u8], roots: &Roots, default_target: Option<&str>) -> Option<StoredDepfile> {
    store_preferring(dep, roots, default_target, Style::Gcc, None)
}

/// Like [`store`], with the style to assume when the file fits several (a short file that
/// nothing made wrap looks the same from GCC and clang). Pass [`Style::Clang`] when the
/// compiler is known to be clang. `input_dir`: the input's directory as the file writes it
/// (`crate::spelling::Spelling::dep_dir`), when the names under it are to be written with the
/// rendering call's spelling of it.
pub fn store_preferring(
    dep: &[u8],
    roots: &Roots,
    default_target: Option<&str>,
    preferred: Style,
    input_dir: Option<&str>,
) -> Option<StoredDepfile> {
    let rules = parse(dep)?;
    let main = rules.first()?;
    let layout = detect_layout(dep, &rules, preferred);
    let pieces = PieceMaker {
        dep,
        roots,
        default_target,
        input_dir,
        gcc_like: layout.map_or(preferred, |(style, _, _)| style) == Style::Gcc,
    };
    let form = match layout {
        Some((style, phony, crlf)) => Form::Layout(Layout {
            style,
            phony,
            crlf,
            targets: main.targets.iter().map(|w| pieces.make(w, true)).collect(),
            prerequisites: main
                .prerequisites
                .iter()
                .map(|w| pieces.make(w, false))
                .collect(),
        }),
        None => Form::Raw(raw_pieces(&rules, &pieces)),
    };
    Some(StoredDepfile { form })
}

/// Render for the current call: substitute the target, expand roots, write its spelling of the
/// input's directory (`input_dir`, as dependency files write it), re-wrap with the detected
/// style. A root name this machine does not know is written as its `@NAME` token.
pub fn render(
    stored: &StoredDepfile,
    roots: &Roots,
    default_target: Option<&str>,
    input_dir: &str,
) -> Vec<u8> {
    let text = |piece: &Piece| render_piece(piece, roots, default_target, input_dir);
    match &stored.form {
        Form::Layout(layout) => {
            let targets: Vec<Vec<u8>> = layout.targets.iter().map(text).collect();
            let prerequisites: Vec<Vec<u8>> = layout.prerequisites.iter().map(text).collect();
            lay_out(
                &targets,
                &prerequisites,
                layout.phony,
                layout.style,
                layout.crlf,
            )
        }
        Form::Raw(pieces) => pieces.iter().flat_map(text).collect(),
    }
}

/// Make-quoting of a target as GCC's `-MQ` does it: `$` → `$$`, `#` → `\#`, and a space or tab
/// gets a backslash, with every backslash right before it doubled (GNU make's rule, so the
/// backslashes survive). Used for the default target from the `-o` path. A leading `./` is kept
/// here: [`store`] notices when the compiler dropped it (GCC does, clang does not).
pub fn make_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut backslashes_before = 0;
    for c in s.chars() {
        match c {
            ' ' | '\t' => out.extend(std::iter::repeat_n('\\', backslashes_before + 1)),
            '$' => out.push('$'),
            '#' => out.push('\\'),
            _ => {}
        }
        out.push(c);
        backslashes_before = if c == '\\' { backslashes_before + 1 } else { 0 };
    }
    out
}

/// The prerequisites as plain (unescaped) paths, in order of first appearance and without
/// duplicates, for the direct-mode include list. The main source file comes first. Only the first
/// rule counts: later ones are `-MP` rules or, for C++ modules, rules about other files. Empty if
/// the bytes do not parse; names that are not UTF-8 are converted lossily.
pub fn prerequisites(dep: &[u8]) -> Vec<String> {
    let Some(main) = parse(dep).and_then(|rules| rules.into_iter().next()) else {
        return Vec::new();
    };
    let mut paths: Vec<String> = Vec::new();
    for word in &main.prerequisites {
        let (plain, _) = unescape(&dep[word.clone()]);
        let path = String::from_utf8_lossy(&plain).into_owned();
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// Every prerequisite of the first rule as a plain (unescaped) path, in the order written,
/// duplicates included; `None` unless a known style reproduces the file exactly (see
/// [`keep_prerequisites`], which takes one flag per name of this list).
pub fn prerequisite_list(dep: &[u8], preferred: Style) -> Option<Vec<String>> {
    let rules = parse(dep)?;
    detect_layout(dep, &rules, preferred)?;
    let main = rules.first()?;
    let names = main.prerequisites.iter().map(|word| {
        let (plain, _) = unescape(&dep[word.clone()]);
        String::from_utf8(plain).ok()
    });
    names.collect()
}

/// The file the compiler would have written with fewer prerequisites: the same targets, the
/// prerequisites whose flag in `keep` (one per name of [`prerequisite_list`]) is set, wrapped
/// and followed by `-MP` rules exactly as this compiler lays them out. This is how `-MMD`'s
/// file relates to `-MD`'s: the compiler writes the same rule, leaving out system headers.
/// `None` when the file's layout is not one a known style reproduces.
pub fn keep_prerequisites(dep: &[u8], preferred: Style, keep: &[bool]) -> Option<Vec<u8>> {
    let rules = parse(dep)?;
    let (style, phony, crlf) = detect_layout(dep, &rules, preferred)?;
    let main = rules.first()?;
    if keep.len() != main.prerequisites.len() {
        return None;
    }
    let text = |word: &Range<usize>| dep[word.clone()].to_vec();
    let targets: Vec<Vec<u8>> = main.targets.iter().map(text).collect();
    let prerequisites: Vec<Vec<u8>> = main
        .prerequisites
        .iter()
        .zip(keep)
        .filter(|(_, keep)| **keep)
        .map(|(word, _)| text(word))
        .collect();
    Some(lay_out(&targets, &prerequisites, phony, style, crlf))
}

/// One rule of the file: byte ranges of its (still escaped) target and prerequisite names.
#[derive(Debug, PartialEq)]
struct Rule {
    targets: Vec<Range<usize>>,
    prerequisites: Vec<Range<usize>>,
}

/// Split the file into rules the way make reads a dependency file: names are separated by
/// blanks and escaped newlines, a name ending in `:` (or a lone `:`) closes the targets, and
/// `\ ` with an odd number of backslashes is part of a name. A `:` inside a name stays (Windows
/// drive letters), as does any `:` among the prerequisites.
fn parse(dep: &[u8]) -> Option<Vec<Rule>> {
    if dep.contains(&0) {
        return None;
    }
    let mut rules = Vec::new();
    let mut line = Line::default();
    let mut i = 0;
    while i < dep.len() {
        match dep[i] {
            _ if let Some(len) = newline_at(dep, i) => {
                rules.extend(line.finish()?);
                i += len;
            }
            b' ' | b'\t' => i += 1,
            b'\\' if let Some(len) = newline_at(dep, i + 1) => i += 1 + len,
            b':' if !line.seen_colon && name_ends_at(dep, i + 1) => {
                line.seen_colon = true;
                i += 1;
            }
            _ => {
                let end = name_end(dep, i, line.seen_colon);
                if end <= i {
                    return None;
                }
                let names = if line.seen_colon {
                    &mut line.prerequisites
                } else {
                    &mut line.targets
                };
                names.push(i..end);
                i = end;
            }
        }
    }
    rules.extend(line.finish()?);
    (!rules.is_empty()).then_some(rules)
}

/// The names of one logical line, while it is being read.
#[derive(Default)]
struct Line {
    targets: Vec<Range<usize>>,
    prerequisites: Vec<Range<usize>>,
    seen_colon: bool,
}

impl Line {
    /// The rule the line holds (`Some(None)` for a blank line), leaving an empty line behind.
    /// `None` when the line is not a rule.
    fn finish(&mut self) -> Option<Option<Rule>> {
        let line = std::mem::take(self);
        match (line.seen_colon, line.targets.is_empty()) {
            (false, true) => Some(None),
            (true, false) => Some(Some(Rule {
                targets: line.targets,
                prerequisites: line.prerequisites,
            })),
            // Names without a colon, or a colon without targets.
            _ => None,
        }
    }
}

/// Length of the line break at `dep[i]` (`\n` or `\r\n`), if there is one.
fn newline_at(dep: &[u8], i: usize) -> Option<usize> {
    match (dep.get(i), dep.get(i + 1)) {
        (Some(b'\n'), _) => Some(1),
        (Some(b'\r'), Some(b'\n')) => Some(2),
        _ => None,
    }
}

/// Whether a name ends right before `dep[i]`: end of input, a blank, a line break or an escaped
/// line break.
fn name_ends_at(dep: &[u8], i: usize) -> bool {
    match dep.get(i) {
        None | Some(b' ' | b'\t') => true,
        Some(b'\\') => newline_at(dep, i + 1).is_some(),
        Some(_) => newline_at(dep, i).is_some(),
    }
}

/// Index just past the name starting at `dep[start]`. Before the rule's colon, a `:` that ends
/// a name is the colon, not part of the name.
fn name_end(dep: &[u8], start: usize, after_colon: bool) -> usize {
    let mut j = start;
    while j < dep.len() {
        match dep[j] {
            b' ' | b'\t' => break,
            b':' if !after_colon && name_ends_at(dep, j + 1) => break,
            b'\\' => {
                let run = dep[j..].iter().take_while(|&&b| b == b'\\').count();
                let after = j + run;
                if newline_at(dep, after).is_some() {
                    // The last backslash escapes the line break; the others belong to the name.
                    return after - 1;
                }
                let escapes_blank = matches!(dep.get(after), Some(b' ' | b'\t')) && run % 2 == 1;
                j = if escapes_blank { after + 1 } else { after };
            }
            _ if newline_at(dep, j).is_some() => break,
            _ => j += 1,
        }
    }
    j
}

/// Undo make's escaping of a name. Also returns, for every output byte, the index in `name` where
/// its spelling starts, plus `name.len()` at the end, so a suffix of the plain path can be mapped
/// back to the escaped text.
fn unescape(name: &[u8]) -> (Vec<u8>, Vec<usize>) {
    let mut plain = Vec::with_capacity(name.len());
    let mut offsets = Vec::with_capacity(name.len() + 1);
    let mut i = 0;
    while i < name.len() {
        match name[i] {
            b'\\' => {
                let run = name[i..].iter().take_while(|&&b| b == b'\\').count();
                let next = name.get(i + run).copied();
                match next {
                    // 2N+1 backslashes before a blank: N backslashes and the blank.
                    Some(blank @ (b' ' | b'\t')) if run % 2 == 1 => {
                        for k in 0..run / 2 {
                            plain.push(b'\\');
                            offsets.push(i + 2 * k);
                        }
                        plain.push(blank);
                        offsets.push(i + run - 1);
                        i += run + 1;
                    }
                    // `\#` is `#`; compilers do not double other backslashes before it.
                    Some(b'#') => {
                        for k in 0..run - 1 {
                            plain.push(b'\\');
                            offsets.push(i + k);
                        }
                        plain.push(b'#');
                        offsets.push(i + run - 1);
                        i += run + 1;
                    }
                    _ => {
                        for k in 0..run {
                            plain.push(b'\\');
                            offsets.push(i + k);
                        }
                        i += run;
                    }
                }
            }
            b'$' if name.get(i + 1) == Some(&b'$') => {
                plain.push(b'$');
                offsets.push(i);
                i += 2;
            }
            b => {
                plain.push(b);
                offsets.push(i);
                i += 1;
            }
        }
    }
    offsets.push(name.len());
    (plain, offsets)
}

/// The style, `-MP` layout and line ending that reproduce `dep` exactly from its first rule,
/// trying `preferred` first.
fn detect_layout(dep: &[u8], rules: &[Rule], preferred: Style) -> Option<(Style, Phony, bool)> {
    let (main, phony_rules) = rules.split_first()?;
    let text = |words: &[Range<usize>]| -> Vec<Vec<u8>> {
        words.iter().map(|w| dep[w.clone()].to_vec()).collect()
    };
    let targets = text(&main.targets);
    let prerequisites = text(&main.prerequisites);

    let phony_options: &[Phony] = if phony_rules.is_empty() {
        &[Phony::None]
    } else {
        // `-MP` rules name every prerequisite but the first, in order, each on its own.
        let names: Vec<Vec<u8>> = phony_rules
            .iter()
            .filter(|rule| rule.targets.len() == 1 && rule.prerequisites.is_empty())
            .map(|rule| dep[rule.targets[0].clone()].to_vec())
            .collect();
        if names.len() != phony_rules.len()
            || names[..] != prerequisites[1.min(prerequisites.len())..]
        {
            return None;
        }
        &[Phony::Compact, Phony::Spaced]
    };
    let crlf = dep.windows(2).any(|pair| pair == b"\r\n");
    let styles = match preferred {
        Style::Gcc => [Style::Gcc, Style::Clang],
        Style::Clang => [Style::Clang, Style::Gcc],
    };
    styles.into_iter().find_map(|style| {
        phony_options.iter().find_map(|&phony| {
            let rendered = lay_out(&targets, &prerequisites, phony, style, crlf);
            (rendered == dep).then_some((style, phony, crlf))
        })
    })
}

/// Write the first rule wrapped the way `style` does, then the `-MP` rules.
fn lay_out(
    targets: &[Vec<u8>],
    prerequisites: &[Vec<u8>],
    phony: Phony,
    style: Style,
    crlf: bool,
) -> Vec<u8> {
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    // The column as each compiler counts it (clang over-counts continuation lines by one).
    let mut column = 0;
    let wrap = |out: &mut Vec<u8>, indent: &[u8]| {
        out.extend_from_slice(b" \\");
        out.extend_from_slice(eol);
        out.extend_from_slice(indent);
    };

    for (index, target) in targets.iter().enumerate() {
        let width = target.len();
        if index > 0 {
            match style {
                Style::Gcc if column + width > 72 => {
                    wrap(&mut out, b" ");
                    column = 1;
                }
                Style::Clang if column + width + 2 > 75 => {
                    wrap(&mut out, b"  ");
                    column = 2;
                }
                _ => {
                    out.push(b' ');
                    column += 1;
                }
            }
        }
        out.extend_from_slice(target);
        column += width;
    }
    out.push(b':');
    column += 1;

    for name in prerequisites {
        match style {
            Style::Gcc => {
                let width = name.len();
                if column + width > 72 {
                    wrap(&mut out, b" ");
                    column = 1;
                } else {
                    out.push(b' ');
                    column += 1;
                }
                column += width;
            }
            Style::Clang => {
                let width = unescape(name).0.len();
                if column + width + 3 > 75 {
                    wrap(&mut out, b" ");
                    column = 2;
                }
                out.push(b' ');
                column += width + 1;
            }
        }
        out.extend_from_slice(name);
    }
    out.extend_from_slice(eol);

    for name in prerequisites.iter().skip(1) {
        match phony {
            Phony::None => break,
            Phony::Compact => {}
            Phony::Spaced => out.extend_from_slice(eol),
        }
        out.extend_from_slice(name);
        out.push(b':');
        out.extend_from_slice(eol);
    }
    out
}

/// Turns names of the compiler's file into pieces.
struct PieceMaker<'a> {
    dep: &'a [u8],
    roots: &'a Roots,
    default_target: Option<&'a str>,
    /// The input's directory, when names under it become [`Piece::InputDir`].
    input_dir: Option<&'a str>,
    /// Whether the compiler is taken to be GCC, which drops a leading `./` from the target.
    /// Only matters when the stored call's target had no `./` to show what the compiler does.
    gcc_like: bool,
}

impl PieceMaker<'_> {
    /// The piece for one name; only a target of the first rule can be the default target.
    fn make(&self, word: &Range<usize>, may_be_default: bool) -> Piece {
        let name = &self.dep[word.clone()];
        if may_be_default && let Some(default) = self.default_target {
            let stripped = strip_dot_slash(default);
            if name == default.as_bytes() {
                // A `./` that survived shows the compiler keeps it; otherwise go by the style.
                let has_dot_slash = stripped != default;
                return Piece::DefaultTarget {
                    as_stored: name.to_vec(),
                    strip_dot_slash: !has_dot_slash && self.gcc_like,
                };
            }
            if name == stripped.as_bytes() {
                return Piece::DefaultTarget {
                    as_stored: name.to_vec(),
                    strip_dot_slash: true,
                };
            }
        }
        if !may_be_default && let Some(dir) = self.input_dir {
            let rest = if dir.is_empty() {
                (!name.starts_with(b"/")).then_some(name)
            } else {
                name.strip_prefix(dir.as_bytes())
            };
            if let Some(rest) = rest {
                return Piece::InputDir {
                    rest: rest.to_vec(),
                };
            }
        }
        match self.rooted(name) {
            Some((root, rest)) => Piece::Rooted { root, rest },
            None => Piece::Text(name.to_vec()),
        }
    }

    /// Root name and escaped rest of a name that is an absolute path under a root.
    fn rooted(&self, name: &[u8]) -> Option<(String, Vec<u8>)> {
        if self.roots.is_empty() {
            return None;
        }
        let (plain, offsets) = unescape(name);
        let path = std::str::from_utf8(&plain).ok()?;
        let portable = self.roots.portable_verbatim(path);
        // Relative paths come back unchanged (even one that starts with `@`), and absolute
        // paths outside every root come back without a leading `@`.
        if portable == path {
            return None;
        }
        let token = portable.strip_prefix('@')?;
        let name_end = token.find('/').unwrap_or(token.len());
        let (root, rest) = token.split_at(name_end);
        // Keep the compiler's own escaping of the rest when the rest is what it wrote.
        let escaped_rest = match path.strip_suffix(rest) {
            Some(prefix) => {
                let start = offsets.get(prefix.len()).copied().unwrap_or(name.len());
                name.get(start..).unwrap_or_default().to_vec()
            }
            None => make_quote(rest).into_bytes(),
        };
        Some((root.to_string(), escaped_rest))
    }
}

/// The whole file as pieces: every name of every rule converted, the bytes between kept.
fn raw_pieces(rules: &[Rule], pieces: &PieceMaker) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let push = |out: &mut Vec<Piece>, piece: Piece| match (out.last_mut(), piece) {
        (Some(Piece::Text(last)), Piece::Text(more)) => last.extend_from_slice(&more),
        (_, piece) => out.push(piece),
    };
    let mut position = 0;
    for (index, rule) in rules.iter().enumerate() {
        let names = rule
            .targets
            .iter()
            .map(|w| (w, index == 0))
            .chain(rule.prerequisites.iter().map(|w| (w, false)));
        for (word, may_be_default) in names {
            let between = pieces.dep.get(position..word.start).unwrap_or_default();
            push(&mut out, Piece::Text(between.to_vec()));
            push(&mut out, pieces.make(word, may_be_default));
            position = word.end;
        }
    }
    let tail = pieces.dep.get(position..).unwrap_or_default();
    push(&mut out, Piece::Text(tail.to_vec()));
    out
}

fn render_piece(
    piece: &Piece,
    roots: &Roots,
    default_target: Option<&str>,
    input_dir: &str,
) -> Vec<u8> {
    match piece {
        Piece::Text(text) => text.clone(),
        Piece::DefaultTarget {
            as_stored,
            strip_dot_slash: strip,
        } => match default_target {
            Some(target) if *strip => strip_dot_slash(target).as_bytes().to_vec(),
            Some(target) => target.as_bytes().to_vec(),
            None => as_stored.clone(),
        },
        Piece::Rooted { root, rest } => {
            let dir = roots.expand(&format!("@{root}"));
            let mut out = make_quote(&dir).into_bytes();
            out.extend_from_slice(rest);
            out
        }
        Piece::InputDir { rest } => {
            let mut out = make_quote(input_dir).into_bytes();
            out.extend_from_slice(rest);
            out
        }
    }
}

/// Whether `dep` is only what a compiler writes for `-MD`: rules naming files, nothing make
/// would run or expand. A dependency file is included by make, so text from a store (which
/// strangers may write) must not smuggle in a `$(shell …)`, a recipe (a line starting with a
/// tab, or `;` after the prerequisites), a variable assignment, a directive (`include`,
/// `export`, …) or a special target (`.SECONDEXPANSION:` would expand `$$` a second time).
/// Compilers write `$` in names as `$$`, and never any of the rest. Checked on what a compile
/// wrote before it is stored, and on what a hit renders before it is written.
pub fn is_plain_rules(dep: &[u8]) -> bool {
    const DIRECTIVES: &[&[u8]] = &[
        b"include",
        b"-include",
        b"sinclude",
        b"override",
        b"export",
        b"unexport",
        b"define",
        b"endef",
        b"undefine",
        b"ifdef",
        b"ifndef",
        b"ifeq",
        b"ifneq",
        b"else",
        b"endif",
        b"vpath",
        b"private",
        b"load",
        b"-load",
    ];
    let Some(rules) = parse(dep) else {
        return false;
    };
    // Every `$` doubled.
    let mut i = 0;
    while i < dep.len() {
        if dep[i] == b'$' {
            if dep.get(i + 1) != Some(&b'$') {
                return false;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    if dep.first() == Some(&b'\t')
        || dep.windows(2).any(|w| w[0] == b'\n' && w[1] == b'\t')
        || dep.iter().any(|&b| matches!(b, b';' | b'='))
    {
        return false;
    }
    // A carriage return only in a `\r\n` line break.
    if dep
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && dep.get(i + 1) != Some(&b'\n'))
    {
        return false;
    }
    rules.iter().all(|rule| {
        rule.targets.iter().all(|t| {
            let name = &dep[t.clone()];
            let special = name.len() > 1 && name[0] == b'.' && name[1].is_ascii_uppercase();
            !special && !DIRECTIVES.contains(&name)
        })
    })
}

/// GCC's `apply_vpath`: drop leading `./` (and the slashes after it) from a target.
fn strip_dot_slash(mut target: &str) -> &str {
    while let Some(rest) = target.strip_prefix("./") {
        target = rest.trim_start_matches('/');
    }
    target
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod captured;
