//! Content hashes of files, memoized by `stat` data (the "stat cache").
//!
//! The memo only saves re-reading a file: its name is derived from everything `stat` reports
//! that changes when the file does (path, device, inode, size, mtime, ctime), so a changed
//! file never matches an old memo. After a store is restored onto another machine every file
//! is hashed once, then memoized there.
//!
//! While hashing, the content is scanned for constructs that make direct mode unsafe
//! ([`Flags`]).

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::key::KeyBuilder;

/// What a file's content says about caching it in direct mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags(u8);

impl Flags {
    /// `__TIME__`, `__DATE__` or `__TIMESTAMP__`: the output depends on the clock or an mtime.
    pub const TIME: Flags = Flags(1);
    /// `__FILE__`, `__BASE_FILE__` or a builtin that names the current file
    /// ([`BUILTIN_FILE`]): the output holds the path the compiler used, which root tokens
    /// would hide.
    pub const FILE_MACRO: Flags = Flags(2);
    /// `#embed`, or the assembler's `.incbin`/`.include` (inline `asm`, `.S` files): the output
    /// depends on a file no dependency list names.
    pub const EMBED: Flags = Flags(4);
    /// `__has_include(…)` with an argument zcc cannot read (a macro): the output depends on
    /// whether some file exists, and which one is unknown.
    pub const HAS_INCLUDE: Flags = Flags(8);

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// The flags as one byte, for memo files ([`Flags::from_bits`] reads it back).
    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn from_bits(bits: u8) -> Flags {
        Flags(bits)
    }

    /// Scan file content. Every header a compile reads is scanned on a miss, and the source
    /// on every call: one vectorized substring search per needle (memmem looks for the
    /// needle's rarest bytes), which needs no automaton built per process.
    #[cfg(test)]
    pub fn scan(content: &[u8]) -> Flags {
        Flags::scan_with(content, has_include_probes(content).is_some())
    }

    /// [`Flags::scan`] when [`has_include_probes`] has already been asked whether every
    /// `__has_include` argument could be read.
    fn scan_with(content: &[u8], probes_readable: bool) -> Flags {
        const NEEDLES: &[(&[u8], Flags)] = &[
            (b"__TIME__", Flags::TIME),
            (b"__DATE__", Flags::TIME),
            (b"__TIMESTAMP__", Flags::TIME),
            (b"__FILE__", Flags::FILE_MACRO),
            (b"__BASE_FILE__", Flags::FILE_MACRO),
            (BUILTIN_FILE[0], Flags::FILE_MACRO),
            (BUILTIN_FILE[1], Flags::FILE_MACRO),
            (b"#embed", Flags::EMBED),
        ];
        let mut flags = if probes_readable {
            Flags::default()
        } else {
            Flags::HAS_INCLUDE
        };
        for (needle, flag) in NEEDLES {
            if flags.contains(*flag) {
                continue;
            }
            let mut found = memchr::memmem::find_iter(content, needle).peekable();
            let used = match *flag {
                // A time macro in a comment or a string literal is not expanded.
                Flags::TIME => {
                    found.peek().is_some() && outside_comments_and_strings(content, found)
                }
                _ => found.peek().is_some(),
            };
            if used {
                flags = flags.union(*flag);
            }
        }
        if !flags.contains(Flags::EMBED) && assembler_file_directive(content).is_some() {
            flags = flags.union(Flags::EMBED);
        }
        flags
    }
}

/// Compiler builtins that expand to the current file's path as the compiler spelled it
/// (`__builtin_FILE()`, and `__builtin_source_location()` behind C++20
/// `std::source_location`). Unlike `__FILE__` they survive preprocessing unexpanded: the path
/// comes from the line markers, so a preprocessed text holding one is keyed with exact paths.
pub const BUILTIN_FILE: [&[u8]; 2] = [b"__builtin_FILE", b"__builtin_source_location"];

/// Whether `text` names one of the [`BUILTIN_FILE`] builtins.
pub fn uses_builtin_file(text: &[u8]) -> bool {
    BUILTIN_FILE
        .iter()
        .any(|needle| memchr::memmem::find(text, needle).is_some())
}

/// The first assembler directive in `content` that reads another file (`.include`, `.incbin`),
/// anywhere, comments included. The assembler finds such files on its own search path and no
/// dependency list names them. Directive names are case-insensitive to the assembler.
pub fn assembler_file_directive(content: &[u8]) -> Option<&'static str> {
    const DIRECTIVES: [&str; 2] = [".include", ".incbin"];
    memchr::memchr_iter(b'.', content).find_map(|at| {
        let rest = &content[at..];
        DIRECTIVES
            .into_iter()
            .find(|d| rest.len() >= d.len() && rest[..d.len()].eq_ignore_ascii_case(d.as_bytes()))
    })
}

/// Whether any of `positions` (ascending) lies outside comments, string literals and
/// character literals, as the preprocessor reads them. Where the reading is unsure (a raw
/// string literal, a literal running into the end of its line: a C++14 digit separator, an
/// apostrophe in `#error` text), every remaining position counts as outside.
fn outside_comments_and_strings(content: &[u8], positions: impl Iterator<Item = usize>) -> bool {
    #[derive(PartialEq)]
    enum State {
        Code,
        LineComment,
        BlockComment,
        Literal(u8),
    }
    let mut state = State::Code;
    let mut i = 0;
    for pos in positions {
        while i < pos {
            let b = content[i];
            let next = content.get(i + 1).copied();
            match state {
                _ if b == b'\\' && next == Some(b'\n') => {
                    // A line splice joins lines in every state.
                    i += 2;
                    continue;
                }
                State::Code => match (b, next) {
                    (b'/', Some(b'/')) => state = State::LineComment,
                    (b'/', Some(b'*')) => {
                        state = State::BlockComment;
                        i += 1;
                    }
                    (b'"', _) if i > 0 && content[i - 1] == b'R' => return true,
                    // `0xFF'FF`: a digit separator, not a character literal.
                    (b'\'', _) if i > 0 && content[i - 1].is_ascii_hexdigit() => return true,
                    (b'"' | b'\'', _) => state = State::Literal(b),
                    _ => {}
                },
                State::LineComment if b == b'\n' => state = State::Code,
                State::BlockComment if b == b'*' && next == Some(b'/') => {
                    state = State::Code;
                    i += 1;
                }
                State::Literal(_) if b == b'\\' => i += 1,
                State::Literal(_) if b == b'\n' => return true,
                State::Literal(quote) if b == quote => state = State::Code,
                _ => {}
            }
            i += 1;
        }
        if i == pos && state == State::Code {
            return true;
        }
    }
    false
}

/// A file's content hash and flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub hash: [u8; 32],
    pub flags: Flags,
    /// The names in this file's `#include "…"` directives (see [`quoted_includes`]).
    pub quoted: Vec<String>,
    /// The files its `__has_include(…)` expressions ask about (see [`has_include_probes`]).
    pub probed: Vec<Probed>,
    /// The function-like macros it defines whose body hands a parameter to `__has_include`
    /// (see [`has_include_facts`]): their uses anywhere are probes ([`wrapper_uses`]).
    pub wrappers: Vec<Wrapper>,
}

/// A function-like macro that passes its parameter number `param` to `__has_include`, such
/// as FastLED's `#define FL_HAS_INCLUDE(x) __has_include(x)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wrapper {
    pub name: String,
    pub param: usize,
}

/// A file asked about by `__has_include` / `__has_include_next`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probed {
    pub name: String,
    /// `"name"` (searched next to the including file first) rather than `<name>`.
    pub quoted: bool,
}

/// Every `__has_include(<name>)` / `__has_include("name")` (and `_next`) in the content, in
/// order; `None` when one has an argument that is not a literal name (a macro), since then
/// the file it asks about is unknown. Mentions not followed by `(` (`#ifdef __has_include`,
/// comments) ask about nothing. A wrapper macro's definition is not a probe (see
/// [`has_include_facts`]).
#[cfg(test)]
pub fn has_include_probes(content: &[u8]) -> Option<Vec<Probed>> {
    has_include_facts(content).map(|(probes, _)| probes)
}

/// [`has_include_probes`] and the wrapper macros the content defines: a `__has_include`
/// whose argument is a parameter of the `#define` it sits in makes that macro a [`Wrapper`]
/// (its uses are probes, found by [`wrapper_uses`]). A `#define __has_include(x) 0` (a shim
/// for old compilers) probes nothing.
pub fn has_include_facts(content: &[u8]) -> Option<(Vec<Probed>, Vec<Wrapper>)> {
    const NEEDLE: &[u8] = b"__has_include";
    let mut probes: Vec<Probed> = Vec::new();
    let mut wrappers: Vec<Wrapper> = Vec::new();
    for pos in memchr::memmem::find_iter(content, NEEDLE) {
        let rest = &content[pos + NEEDLE.len()..];
        let rest = rest.strip_prefix(b"_next").unwrap_or(rest);
        // GCC before 10 implements `__has_include(x)` as `__has_include__(x)`.
        let rest = rest.strip_prefix(b"__").unwrap_or(rest);
        let Some(arg) = rest.trim_ascii_start().strip_prefix(b"(") else {
            continue;
        };
        let definition = enclosing_define(content, pos);
        if definition.as_ref().is_some_and(|d| d.name_at == pos) {
            continue;
        }
        let arg = arg.trim_ascii_start();
        let (close, quoted) = match arg.first() {
            Some(b'<') => (b'>', false),
            Some(b'"') => (b'"', true),
            _ => {
                let wrapper = definition.and_then(|d| d.wrapper_of(identifier(arg)));
                wrappers.push(wrapper?);
                continue;
            }
        };
        let end = arg[1..].iter().position(|&b| b == close || b == b'\n')?;
        let name = std::str::from_utf8(&arg[1..1 + end]).ok()?;
        if arg[1 + end] != close || name.is_empty() {
            return None;
        }
        // `#define H(x) __has_include(<x>)`: the parameter is replaced in the name, which is
        // then unknown here.
        if !quoted && definition.is_some_and(|d| d.uses_a_parameter(name.as_bytes())) {
            return None;
        }
        let probe = Probed {
            name: name.to_string(),
            quoted,
        };
        if !probes.contains(&probe) {
            probes.push(probe);
        }
    }
    Some((probes, wrappers))
}

/// What [`wrapper_uses`] found in one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WrapperUses {
    /// The names wrapper calls ask about with a literal `<name>` / `"name"`.
    pub probes: Vec<Probed>,
    /// Macros defined here that hand a parameter on to a known wrapper: wrappers too.
    pub wrappers: Vec<Wrapper>,
}

/// The uses of `wrappers` in `content`; `None` when one passes something other than a literal
/// name (a macro, a stringized or pasted token), whose file is unknown. A use inside a
/// comment counts like any other: at worst an extra path is watched, or a source goes to
/// preprocessor mode.
pub fn wrapper_uses(content: &[u8], wrappers: &[Wrapper]) -> Option<WrapperUses> {
    let mut uses = WrapperUses::default();
    for wrapper in wrappers {
        let name = wrapper.name.as_bytes();
        for pos in memchr::memmem::find_iter(content, name) {
            let before = pos.checked_sub(1).map(|i| content[i]);
            if before.is_some_and(is_identifier_byte) {
                continue;
            }
            let rest = &content[pos + name.len()..];
            if rest.first().copied().is_some_and(is_identifier_byte) {
                continue;
            }
            let definition = enclosing_define(content, pos);
            if definition.as_ref().is_some_and(|d| d.name_at == pos) {
                continue;
            }
            let Some(open) = rest.trim_ascii_start().strip_prefix(b"(") else {
                // Named without a call (`#ifdef FL_HAS_INCLUDE`): asks about nothing.
                continue;
            };
            let arg = macro_arguments(open)?.get(wrapper.param).copied()?;
            match literal_header_name(arg) {
                // Inside another macro, a parameter in `<…>` is replaced: unknown.
                Some(probe)
                    if !probe.quoted
                        && definition
                            .as_ref()
                            .is_some_and(|d| d.uses_a_parameter(probe.name.as_bytes())) =>
                {
                    return None;
                }
                Some(probe) => {
                    if !uses.probes.contains(&probe) {
                        uses.probes.push(probe);
                    }
                }
                None => {
                    let inner = definition.and_then(|d| d.wrapper_of(identifier(arg)))?;
                    if !uses.wrappers.contains(&inner) {
                        uses.wrappers.push(inner);
                    }
                }
            }
        }
    }
    Some(uses)
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The identifier at the start of `bytes` (empty if there is none).
fn identifier(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&b| !is_identifier_byte(b))
        .unwrap_or(bytes.len());
    &bytes[..end]
}

/// `<name>` or `"name"`, blanks around it, and nothing else.
fn literal_header_name(arg: &[u8]) -> Option<Probed> {
    let arg = arg.trim_ascii();
    let (quoted, inner) = match (arg.first(), arg.last()) {
        (Some(b'<'), Some(b'>')) => (false, &arg[1..arg.len() - 1]),
        (Some(b'"'), Some(b'"')) if arg.len() >= 2 => (true, &arg[1..arg.len() - 1]),
        _ => return None,
    };
    let name = std::str::from_utf8(inner).ok()?;
    if name.is_empty() || name.contains(['"', '<', '>', '\n']) {
        return None;
    }
    Some(Probed {
        name: name.to_string(),
        quoted,
    })
}

/// The arguments of a macro call, given the text after its `(`: split at top-level commas up
/// to the matching `)`. `None` when the call does not close within its logical line.
fn macro_arguments(after_open: &[u8]) -> Option<Vec<&[u8]>> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    while i < after_open.len() {
        match after_open[i] {
            b'(' => depth += 1,
            b')' if depth == 0 => {
                args.push(&after_open[start..i]);
                return Some(args);
            }
            b')' => depth -= 1,
            b',' if depth == 0 => {
                args.push(&after_open[start..i]);
                start = i + 1;
            }
            b'\n' if i == 0 || after_open[i - 1] != b'\\' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// A `#define NAME(params)` line (logical: backslash-newlines joined) around a position.
struct Define<'a> {
    /// Where the macro's name starts.
    name_at: usize,
    name: &'a [u8],
    params: Vec<&'a [u8]>,
}

impl Define<'_> {
    /// Whether `text` holds one of the parameters as a whole identifier.
    fn uses_a_parameter(&self, text: &[u8]) -> bool {
        text.split(|b| !is_identifier_byte(*b))
            .any(|word| !word.is_empty() && self.params.contains(&word))
    }

    /// The wrapper this definition is when it passes its parameter `arg` on.
    fn wrapper_of(&self, arg: &[u8]) -> Option<Wrapper> {
        let param = self
            .params
            .iter()
            .position(|p| *p == arg && !arg.is_empty())?;
        Some(Wrapper {
            name: std::str::from_utf8(self.name).ok()?.to_string(),
            param,
        })
    }
}

/// The function-like `#define` whose logical line holds `pos`, if any.
fn enclosing_define(content: &[u8], pos: usize) -> Option<Define<'_>> {
    // Back to the start of the logical line: over physical lines ending in a backslash.
    let mut start = content[..pos]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    while start >= 2 && content[start - 2] == b'\\' {
        start = content[..start - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    }
    let line = &content[start..];
    let after_hash = trim_blank_start(line).strip_prefix(b"#")?;
    let after_define = trim_blank_start(after_hash).strip_prefix(b"define")?;
    let name_start = trim_blank_start(after_define);
    if name_start.len() == after_define.len() {
        return None;
    }
    let name = identifier(name_start);
    let name_at = content.len() - name_start.len();
    // Function-like only when `(` follows the name directly.
    let params_text = name_start[name.len()..].strip_prefix(b"(")?;
    let close = params_text.iter().position(|&b| b == b')')?;
    let params = params_text[..close]
        .split(|&b| b == b',')
        .map(|p| p.trim_ascii())
        .collect();
    Some(Define {
        name_at,
        name,
        params,
    })
}

/// The names of `#include "name"` (and `#include_next`, `#import`) directives, in order.
///
/// Direct mode does not learn *which* files a compile read from this (the compiler says
/// that); it uses the names to notice a header that would appear next to the including file,
/// which a quoted include searches before the include path.
pub fn quoted_includes(content: &[u8]) -> Vec<String> {
    include_names(content)
        .into_iter()
        .filter_map(|(name, quoted)| quoted.then_some(name))
        .collect()
}

/// The names in this file's `#include`, `#include_next` and `#import` directives, each once,
/// with whether it is the quoted form (`"name"`, else `<name>`). A name given by a macro is not
/// listed.
pub fn include_names(content: &[u8]) -> Vec<(String, bool)> {
    // Found from the directive words (rare) rather than from every `#` or line (many in a
    // register header): each hit must be `#` + blanks + word at the start of a line. memmem
    // searches on the words' rarest bytes, which beats a multi-pattern search starting at `i`.
    let mut hits: Vec<(usize, usize)> = memchr::memmem::find_iter(content, b"include")
        .map(|at| {
            let next = content[at + 7..].starts_with(b"_next");
            (at, at + if next { 12 } else { 7 })
        })
        .chain(memchr::memmem::find_iter(content, b"import").map(|at| (at, at + 6)))
        .collect();
    hits.sort_unstable();
    let mut names: Vec<(String, bool)> = Vec::new();
    for (start, end) in hits {
        let before = &content[..start];
        let Some(before) = trim_blank_end(before).strip_suffix(b"#") else {
            continue;
        };
        let line_start = before.rsplit(|&b| b == b'\n').next().unwrap_or(before);
        if !line_start.iter().all(is_blank) {
            continue;
        }
        let rest = trim_blank_start(&content[end..]);
        let (quoted, close) = match rest.first() {
            Some(b'"') => (true, b'"'),
            Some(b'<') => (false, b'>'),
            _ => continue,
        };
        let rest = &rest[1..];
        if let Some(end) = rest.iter().position(|&b| b == close || b == b'\n')
            && rest[end] == close
            && let Ok(name) = std::str::from_utf8(&rest[..end])
            && !name.is_empty()
            && !names.iter().any(|(n, q)| n == name && *q == quoted)
        {
            names.push((name.to_string(), quoted));
        }
    }
    names
}

/// Whitespace within a line (what a directive line may hold around `#` and its word).
fn is_blank(b: &u8) -> bool {
    b.is_ascii_whitespace() && *b != b'\n'
}

fn trim_blank_end(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes
        .iter()
        .rposition(|b| !is_blank(b))
        .map_or(0, |i| i + 1)]
}

fn trim_blank_start(bytes: &[u8]) -> &[u8] {
    &bytes[bytes
        .iter()
        .position(|b| !is_blank(b))
        .unwrap_or(bytes.len())..]
}

/// What `stat` says about a file that changes when its content does: device, inode, size,
/// mtime and ctime (seconds and nanoseconds). Equal stats are taken to mean equal content;
/// [`StatId::settled`] guards the one case where they can lie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatId([u64; 7]);

impl StatId {
    pub fn of(meta: &fs::Metadata) -> StatId {
        StatId([
            meta.dev(),
            meta.ino(),
            meta.size(),
            meta.mtime() as u64,
            meta.mtime_nsec() as u64,
            meta.ctime() as u64,
            meta.ctime_nsec() as u64,
        ])
    }

    /// Whether the file was last changed long enough ago that a later write must change its
    /// stat. A file written twice within one timestamp tick, keeping its size, keeps its
    /// stat; a fact recorded between those writes would be wrong later (git's "racily clean"
    /// problem). So facts are recorded only about a file whose newer timestamp (mtime or
    /// ctime, so a `tar` restore or a package install counts) lies more than one tick of its
    /// filesystem ([`StatId::granularity`]) plus [`CLOCK_TICK`] before now: any later write
    /// then gets a later timestamp. On ext4, tmpfs or btrfs that is about 20 ms.
    pub fn settled(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let nanos = |secs: u64, nsec: u64| u128::from(secs) * 1_000_000_000 + u128::from(nsec);
        let newest = nanos(self.0[3], self.0[4]).max(nanos(self.0[5], self.0[6]));
        newest + self.granularity() + CLOCK_TICK.as_nanos() < now
    }

    /// The timestamp granularity of the file's filesystem in nanoseconds, as far as its
    /// timestamps show: the largest power of ten dividing both nanosecond parts, and two
    /// seconds (FAT) when both are zero (a whole-second filesystem, or a file stamped on a
    /// whole second by chance: then the wait is longer, never shorter).
    pub fn granularity(&self) -> u128 {
        let (m, c) = (self.0[4], self.0[6]);
        if m == 0 && c == 0 {
            return 2_000_000_000;
        }
        let mut g: u64 = 1;
        while g < 1_000_000_000 && (m == 0 || m % (g * 10) == 0) && (c == 0 || c % (g * 10) == 0) {
            g *= 10;
        }
        u128::from(g)
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.0[2]
    }

    pub fn to_bytes(self) -> [u8; 56] {
        let mut out = [0; 56];
        for (chunk, n) in out.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&n.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<StatId> {
        let mut n = [0u64; 7];
        if bytes.len() != 56 {
            return None;
        }
        for (slot, chunk) in n.iter_mut().zip(bytes.chunks_exact(8)) {
            *slot = u64::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(StatId(n))
    }
}

/// How far the clock that stamps files may lag the wall clock: the kernel stamps files from
/// a coarse clock updated once per scheduler tick (1-10 ms). See [`StatId::settled`].
pub const CLOCK_TICK: std::time::Duration = std::time::Duration::from_millis(20);

/// How long after its last change a file is certainly [`StatId::settled`], even on a
/// filesystem with two-second timestamps. Tests wait this long.
#[cfg(test)]
pub const SETTLED_AFTER: std::time::Duration = std::time::Duration::from_millis(2_100);

/// Smallest file whose facts (hash, flags, include names) [`file_info`] memoizes, and
/// [`HASH_MEMO_MIN_SIZE`] the smallest whose bare hash [`content_hash`] memoizes. Measured with
/// `examples/memo_costs.rs` on avr-libc's and the Arduino core's headers (release build, 2
/// cores): creating a memo costs 85 µs (`memo::write_once`), reading one 4 µs; reading,
/// hashing and scanning a header 12 µs under 4 KiB and 25-40 µs up to 64 KiB, hashing alone
/// about half that. A miss reads every header of its compile and the headers of a build are
/// shared by most of its files, so facts are memoized from 4 KiB (paid back by the third
/// compile reading the file); a direct-mode hit only needs hashes, and only when its snapshot
/// does not match (`manifest::check`), so bare hashes are memoized for big files only.
pub const MEMO_MIN_SIZE: u64 = 4 * 1024;

/// See [`MEMO_MIN_SIZE`].
pub const HASH_MEMO_MIN_SIZE: u64 = 64 * 1024;

fn memo_name(domain: &str, path: &Path, stat: StatId) -> String {
    let mut k = KeyBuilder::new(domain);
    k.field("path", path.as_os_str().as_encoded_bytes());
    for n in stat.0 {
        k.field("n", &n.to_le_bytes());
    }
    let key = k.finish();
    let hex = crate::store::hex(&key);
    format!("{}/{}", &hex[..2], &hex[2..])
}

/// The content hash of a file that is never scanned for flags or includes (a compiler
/// binary, a specs file, a header whose facts are already known), memoized under
/// `memo_dir` like [`file_info`]. Scanning a 25 MB `cc1plus` byte by byte would cost more
/// than hashing it.
pub fn content_hash(path: &Path, memo_dir: &Path) -> io::Result<[u8; 32]> {
    content_hash_and_stat(path, memo_dir).map(|(hash, _)| hash)
}

/// [`content_hash`] and the file's stat as it was before the content was read.
pub fn content_hash_and_stat(path: &Path, memo_dir: &Path) -> io::Result<([u8; 32], StatId)> {
    let (stat, memo) = stat_and_memo(path, memo_dir, "zcc-stat-hash-1", HASH_MEMO_MIN_SIZE)?;
    if let Some(memo) = &memo
        && let Some(bytes) = crate::memo::read(memo)
        && let Ok(hash) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Ok((hash, stat));
    }
    let mut hasher = blake3::Hasher::new();
    // 64 KiB reads: blake3 hashes 16 chunks at once; io::copy would hand it 8 KiB at a time.
    hasher.update_reader(fs::File::open(path)?)?;
    let hash = *hasher.finalize().as_bytes();
    if let Some(memo) = &memo
        && stat.settled()
    {
        crate::memo::write_once(memo, &hash);
    }
    Ok((hash, stat))
}

/// The stat of a regular file, taken before its content is read (so a change during the read
/// shows as a different stat next time), and where its memo in `domain` lives when the file
/// is at least `min_size` bytes (smaller ones are not worth a memo; see [`MEMO_MIN_SIZE`]).
fn stat_and_memo(
    path: &Path,
    memo_dir: &Path,
    domain: &str,
    min_size: u64,
) -> io::Result<(StatId, Option<std::path::PathBuf>)> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a file",
            path.display()
        )));
    }
    let stat = StatId::of(&meta);
    let memo = (meta.len() >= min_size).then(|| memo_dir.join(memo_name(domain, path, stat)));
    Ok((stat, memo))
}

/// Hash and scan a file, using and filling the memo under `memo_dir`.
pub fn file_info(path: &Path, memo_dir: &Path) -> io::Result<FileInfo> {
    file_info_and_stat(path, memo_dir).map(|(info, _)| info)
}

/// [`file_info`] and the file's stat as it was before the content was read.
fn file_info_and_stat(path: &Path, memo_dir: &Path) -> io::Result<(FileInfo, StatId)> {
    let (stat, memo) = stat_and_memo(path, memo_dir, "zcc-stat-4", MEMO_MIN_SIZE)?;
    if let Some(memo) = &memo
        && let Some(bytes) = crate::memo::read(memo)
        && let Some(info) = decode_memo(&bytes)
    {
        return Ok((info, stat));
    }
    // As many bytes as the stat said: a file that changed size since was written after the
    // stat, which the caller's modified-since check catches (and racily new files get no memo).
    let content = crate::fileio::read_up_to(&mut fs::File::open(path)?, stat.size())?;
    // One search for `__has_include` serves both the flag and the list.
    let facts = has_include_facts(&content);
    let readable = facts.is_some();
    let (probed, wrappers) = facts.unwrap_or_default();
    let info = FileInfo {
        hash: *blake3::hash(&content).as_bytes(),
        flags: Flags::scan_with(&content, readable),
        quoted: quoted_includes(&content),
        probed,
        wrappers,
    };
    if let Some(memo) = &memo
        && stat.settled()
    {
        crate::memo::write_once(memo, &encode_memo(&info));
    }
    Ok((info, stat))
}

/// The facts of the files one compile of a source read, with their stats, kept in one memo
/// per source: the next miss of that source (after an edit, typically) reuses them for every
/// file whose stat is unchanged, with one memo read instead of one per file. Like every stat
/// memo it only saves work: a fact is reused only under the stat it was recorded with, and
/// only facts about settled files ([`StatId::settled`]) are recorded.
#[derive(Default)]
pub struct Recent {
    /// What the last compile recorded: path → (stat, facts).
    known: std::collections::HashMap<Vec<u8>, (StatId, FileInfo)>,
    /// What this compile read, in order.
    seen: Vec<(Vec<u8>, StatId, FileInfo)>,
    /// Whether a settled file's facts differ from `known`.
    changed: bool,
}

impl Recent {
    /// The record at `memo` (empty if there is none or it is damaged).
    pub fn load(memo: &Path) -> Recent {
        let entries: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = crate::memo::read(memo)
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .unwrap_or_default();
        let known = entries
            .into_iter()
            .filter_map(|(path, stat, info)| {
                Some((path, (StatId::from_bytes(&stat)?, decode_memo(&info)?)))
            })
            .collect();
        Recent {
            known,
            ..Recent::default()
        }
    }

    /// [`file_info`], from the record when the file's stat is the recorded one.
    pub fn file_info(&mut self, path: &Path, memo_dir: &Path) -> io::Result<FileInfo> {
        let key = path.as_os_str().as_encoded_bytes().to_vec();
        let stat = StatId::of(&fs::metadata(path)?);
        let (info, stat) = match self.known.get(&key) {
            Some((recorded, info)) if *recorded == stat => (info.clone(), stat),
            _ => {
                let (info, stat) = file_info_and_stat(path, memo_dir)?;
                // Only settled facts are recorded: a source edited just now (the usual miss)
                // does not make the record stale.
                self.changed |= stat.settled();
                (info, stat)
            }
        };
        self.seen.push((key, stat, info.clone()));
        Ok(info)
    }

    /// Record what this compile read (its settled files) at `memo`, if that is news.
    pub fn save(&self, memo: &Path) {
        let entries: Vec<(&[u8], Vec<u8>, Vec<u8>)> = self
            .seen
            .iter()
            .filter(|(_, stat, _)| stat.settled())
            .map(|(path, stat, info)| {
                (path.as_slice(), stat.to_bytes().to_vec(), encode_memo(info))
            })
            .collect();
        if !self.changed && entries.len() == self.known.len() {
            return;
        }
        if let Ok(bytes) = postcard::to_stdvec(&entries) {
            crate::memo::write(memo, &bytes);
        }
    }
}

/// Memo layout: 32-byte hash, flags byte, then one line per name: `"name` for a quoted
/// include, `?"name` / `?<name` for a `__has_include` probe, `!N name` for a wrapper macro
/// passing parameter N on.
fn encode_memo(info: &FileInfo) -> Vec<u8> {
    let mut bytes = info.hash.to_vec();
    bytes.push(info.flags.bits());
    let lines = info
        .quoted
        .iter()
        .map(|n| format!("\"{n}"))
        .chain(
            info.probed
                .iter()
                .map(|p| format!("?{}{}", if p.quoted { '"' } else { '<' }, p.name)),
        )
        .chain(
            info.wrappers
                .iter()
                .map(|w| format!("!{} {}", w.param, w.name)),
        );
    bytes.extend_from_slice(lines.collect::<Vec<_>>().join("\n").as_bytes());
    bytes
}

fn decode_memo(bytes: &[u8]) -> Option<FileInfo> {
    let hash = <[u8; 32]>::try_from(bytes.get(..32)?).ok()?;
    let flags = Flags::from_bits(*bytes.get(32)?);
    let mut info = FileInfo {
        hash,
        flags,
        quoted: Vec::new(),
        probed: Vec::new(),
        wrappers: Vec::new(),
    };
    for line in std::str::from_utf8(&bytes[33..]).ok()?.lines() {
        if let Some(name) = line.strip_prefix('"') {
            info.quoted.push(name.to_string());
        } else if let Some(name) = line.strip_prefix("?\"") {
            info.probed.push(Probed {
                name: name.to_string(),
                quoted: true,
            });
        } else if let Some(name) = line.strip_prefix("?<") {
            info.probed.push(Probed {
                name: name.to_string(),
                quoted: false,
            });
        } else if let Some((param, name)) = line.strip_prefix('!').and_then(|w| w.split_once(' ')) {
            info.wrappers.push(Wrapper {
                name: name.to_string(),
                param: param.parse().ok()?,
            });
        } else {
            return None;
        }
    }
    Some(info)
}

/// Directives that make the output depend on files the preprocessor does not report: `#embed`,
/// and the assembler's `.include`/`.incbin` (in `.S` files and inline `asm`).
pub fn unsupported_directive(preprocessed: &[u8]) -> Option<&'static str> {
    if memchr::memmem::find(preprocessed, b"#embed").is_some() {
        return Some("#embed");
    }
    assembler_file_directive(preprocessed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_flags() {
        let cases: &[(&[u8], Flags)] = &[
            (b"int x;", Flags::default()),
            (b"const char *t = __TIME__;", Flags::TIME),
            (b"__DATE__", Flags::TIME),
            (b"x __TIMESTAMP__", Flags::TIME),
            (b"assert(__FILE__)", Flags::FILE_MACRO),
            (b"__BASE_FILE__", Flags::FILE_MACRO),
            (b"return __builtin_FILE();", Flags::FILE_MACRO),
            (b"auto l = __builtin_source_location();", Flags::FILE_MACRO),
            (b"__builtin_LINE()", Flags::default()),
            (b"asm(\".incbin \\\"f\\\"\")", Flags::EMBED),
            (b"#embed \"x.bin\"", Flags::EMBED),
            (b"__TIME", Flags::default()),
            (b"_", Flags::default()),
            (b"", Flags::default()),
        ];
        for (content, want) in cases {
            assert_eq!(
                Flags::scan(content),
                *want,
                "{:?}",
                String::from_utf8_lossy(content)
            );
        }
        assert_eq!(
            Flags::scan(b"#if __has_include(\"opt.h\")"),
            Flags::default()
        );
        assert_eq!(
            Flags::scan(b"#if __has_include(CONFIG)"),
            Flags::HAS_INCLUDE
        );
        let both = Flags::scan(b"__FILE__ __DATE__");
        assert!(both.contains(Flags::TIME) && both.contains(Flags::FILE_MACRO));
        assert!(!both.contains(Flags::EMBED));
    }

    #[test]
    fn has_include_probe_names() {
        let p = |name: &str, quoted| Probed {
            name: name.into(),
            quoted,
        };
        let cases: &[(&[u8], Option<Vec<Probed>>)] = &[
            (b"int x;", Some(vec![])),
            (
                b"#if __has_include(<pstl/pstl_config.h>)\n# define T __has_include(<tbb/tbb.h>)",
                Some(vec![p("pstl/pstl_config.h", false), p("tbb/tbb.h", false)]),
            ),
            (
                b"#if __has_include ( \"opt.h\" )",
                Some(vec![p("opt.h", true)]),
            ),
            (
                b"#if __has_include_next(<x.h>)",
                Some(vec![p("x.h", false)]),
            ),
            (
                b"#ifdef __has_include\n#endif // __has_include",
                Some(vec![]),
            ),
            (b"#if defined(__has_include)", Some(vec![])),
            (b"#if __has_include(CONFIG_H)", None),
            (b"#if __has_include(<unterminated\n>)", None),
            (b"#if __has_include(<>)", None),
        ];
        for (content, want) in cases {
            assert_eq!(
                has_include_probes(content),
                *want,
                "{:?}",
                String::from_utf8_lossy(content)
            );
        }
    }

    fn w(name: &str, param: usize) -> Wrapper {
        Wrapper {
            name: name.into(),
            param,
        }
    }

    fn probe(name: &str, quoted: bool) -> Probed {
        Probed {
            name: name.into(),
            quoted,
        }
    }

    #[test]
    fn time_macros_in_comments_and_strings_are_not_uses() {
        let not_used: &[&[u8]] = &[
            b"// prints __TIME__ when asked\nint x;",
            b"/* built at __DATE__\n   and __TIME__ */ int x;",
            b"const char *s = \"__TIME__\";",
            b"char c = '\"'; const char *s = \"a\\\"__TIME__\";",
            b"// a comment continued \\\n __TIME__ still in it\n",
            b"/**/ /* x */ // __TIMESTAMP__",
        ];
        for content in not_used {
            assert!(
                !Flags::scan(content).contains(Flags::TIME),
                "{:?}",
                String::from_utf8_lossy(content)
            );
        }
        let used: &[&[u8]] = &[
            b"const char *t = __TIME__;",
            b"/* __TIME__ */ const char *t = __TIME__;",
            b"// __DATE__\nconst char *d = __DATE__;",
            b"const char *s = \"x\" __TIME__;",
            b"#define STAMP __DATE__ \" \" __TIME__\n",
            // Unsure: a raw string, a digit separator, an apostrophe in #error text.
            b"auto r = R\"(x)\"; auto t = __TIME__;",
            b"int n = 1'000; const char *s = \"__TIME__\";",
            b"int n = 0xFF'FF; const char *t = __TIME__; // '",
            b"#error don't\n/* __TIME__ */",
        ];
        for content in used {
            assert!(
                Flags::scan(content).contains(Flags::TIME),
                "{:?}",
                String::from_utf8_lossy(content)
            );
        }
    }

    #[test]
    fn has_include_wrapper_definitions() {
        type Facts = Option<(Vec<Probed>, Vec<Wrapper>)>;
        let cases: &[(&[u8], Facts)] = &[
            // FastLED
            (
                b"#ifdef __has_include\n#define FL_HAS_INCLUDE(x) __has_include(x)\n#else\n#define FL_HAS_INCLUDE(x) 0\n#endif\n",
                Some((vec![], vec![w("FL_HAS_INCLUDE", 0)])),
            ),
            (
                b"#  define HAS2(a, b) (__has_include(b) && \\\n   __has_include(<c.h>))\n",
                Some((vec![probe("c.h", false)], vec![w("HAS2", 1)])),
            ),
            // A shim for compilers without it asks about nothing.
            (
                b"#ifndef __has_include\n#define __has_include(x) 0\n#endif\n",
                Some((vec![], vec![])),
            ),
            // GCC before 10 spells the builtin with trailing underscores.
            (
                b"#if __has_include__(<x.h>)",
                Some((vec![probe("x.h", false)], vec![])),
            ),
            // Not a parameter: a macro naming the file, unknown here.
            (b"#define H(x) __has_include(CONFIG)\n", None),
            (b"#define H __has_include(x)\n", None),
            (b"#define H(x) 1\n#if __has_include(x)\n", None),
            (b"#define H(...) __has_include(__VA_ARGS__)\n", None),
            // The parameter inside the brackets is replaced: unknown.
            (b"#define H(x) __has_include(<x>)\n", None),
            (b"#define H(dir) __has_include(<dir/cfg.h>)\n", None),
            (
                b"#define H(x) __has_include(<cfg.h>)\n",
                Some((vec![probe("cfg.h", false)], vec![])),
            ),
        ];
        for (content, want) in cases {
            assert_eq!(
                has_include_facts(content),
                *want,
                "{:?}",
                String::from_utf8_lossy(content)
            );
        }
    }

    #[test]
    fn has_include_wrapper_uses() {
        let fl = [w("FL_HAS_INCLUDE", 0)];
        let uses = |content: &[u8], wrappers: &[Wrapper]| wrapper_uses(content, wrappers);
        let found = uses(
            b"#if FL_HAS_INCLUDE(<Arduino.h>)\n#elif FL_HAS_INCLUDE ( \"cfg.h\" )\n#endif\n#ifdef FL_HAS_INCLUDE\n#endif\n",
            &fl,
        )
        .unwrap();
        assert_eq!(
            found.probes,
            vec![probe("Arduino.h", false), probe("cfg.h", true)]
        );
        // The definition itself, and longer names, are not uses.
        let found = uses(
            b"#define FL_HAS_INCLUDE(x) __has_include(x)\n#if MY_FL_HAS_INCLUDE(y) || FL_HAS_INCLUDE_X(z)\n",
            &fl,
        )
        .unwrap();
        assert_eq!(found, WrapperUses::default());
        // A parameter inside brackets is replaced: unknown.
        assert_eq!(uses(b"#define LIB(d) FL_HAS_INCLUDE(<d/x.h>)\n", &fl), None);
        // A wrapper of the wrapper.
        let found = uses(b"#define HAS(p) FL_HAS_INCLUDE(p)\n#if HAS(<q.h>)\n", &fl).unwrap();
        assert_eq!(found.wrappers, vec![w("HAS", 0)]);
        // The right argument of a two-parameter wrapper.
        let two = [w("PICK", 1)];
        let found = uses(b"#if PICK(foo(1, 2), <a.h>)\n", &two).unwrap();
        assert_eq!(found.probes, vec![probe("a.h", false)]);
        // Anything but a literal name: unknown.
        for bad in [
            &b"#if FL_HAS_INCLUDE(CONFIG_H)\n"[..],
            b"#if FL_HAS_INCLUDE(STR(x))\n",
            b"#if FL_HAS_INCLUDE(<a.h>\n)\n",
            b"#if FL_HAS_INCLUDE()\n",
        ] {
            assert_eq!(uses(bad, &fl), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn memo_encoding_round_trips() {
        let info = FileInfo {
            hash: [7; 32],
            flags: Flags::FILE_MACRO,
            quoted: vec!["a.h".into(), "sub/b.h".into()],
            probed: vec![
                Probed {
                    name: "x.h".into(),
                    quoted: false,
                },
                Probed {
                    name: "y.h".into(),
                    quoted: true,
                },
            ],
            wrappers: vec![Wrapper {
                name: "FL_HAS_INCLUDE".into(),
                param: 1,
            }],
        };
        assert_eq!(decode_memo(&encode_memo(&info)), Some(info));
        assert_eq!(decode_memo(b"short"), None);
    }

    #[test]
    fn quoted_include_names() {
        let src = b"#include \"a.h\"\n  #  include   \"sub/b.h\" // c\n#include <sys.h>\n#include_next \"n.h\"\n#import \"m.h\"\n#include \"a.h\"\nint x; // #include \"no.h\"\n#define X \"y.h\"\n#include MACRO\n#include \"\"\n#include \"unterminated\n";
        assert_eq!(quoted_includes(src), vec!["a.h", "sub/b.h", "n.h", "m.h"]);
        assert!(quoted_includes(b"").is_empty());
        // CRLF lines, tabs, a directive at the very start or end, words elsewhere.
        let more = b"#include \"first.h\"\r\n\t#\tinclude\t\"tab.h\"\r\nx#include \"no1.h\"\n// include \"no2.h\"\n#pragma import \"no3.h\"\n#include\n\"no4.h\"\n#include_next\"tight.h\"\n#include \"last.h\"";
        assert_eq!(
            quoted_includes(more),
            vec!["first.h", "tab.h", "tight.h", "last.h"]
        );
    }

    /// The one-pass scanners agree with a plain byte-by-byte reading on a real register header
    /// (thousands of `#define` lines): same flags and include names as on small inputs.
    #[test]
    fn scanners_handle_a_big_header() {
        let mut big = b"#ifndef X\n#define X\n#include \"sub.h\"\n".to_vec();
        for i in 0..5000 {
            big.extend(format!("#define _SFR_{i} _SFR_IO8(0x{i:x}) /* _x_ #no */\n").bytes());
        }
        big.extend(b"  # include \"end.h\"\nconst char *t = __TIME__;\n#endif\n");
        assert_eq!(quoted_includes(&big), vec!["sub.h", "end.h"]);
        assert_eq!(Flags::scan(&big), Flags::TIME);
    }

    #[test]
    fn memo_follows_content_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        let f = dir.path().join("f.h");
        fs::write(&f, b"#include \"q.h\"\nint a;").unwrap();
        let one = file_info(&f, &memo).unwrap();
        assert_eq!(one.quoted, vec!["q.h"]);
        fs::write(&f, b"int a;").unwrap();
        let one = file_info(&f, &memo).unwrap();
        assert!(one.quoted.is_empty());
        assert_eq!(one.hash, *blake3::hash(b"int a;").as_bytes());
        assert!(one.flags.is_empty());
        // Served from the memo (same stat data).
        assert_eq!(file_info(&f, &memo).unwrap(), one);
        fs::write(&f, b"const char *d = __DATE__;").unwrap();
        let two = file_info(&f, &memo).unwrap();
        assert_eq!(
            two.hash,
            *blake3::hash(b"const char *d = __DATE__;").as_bytes()
        );
        assert!(two.flags.contains(Flags::TIME));
    }

    #[test]
    fn content_hash_follows_content() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        let f = dir.path().join("cc1");
        fs::write(&f, b"one").unwrap();
        assert_eq!(
            content_hash(&f, &memo).unwrap(),
            *blake3::hash(b"one").as_bytes()
        );
        assert_eq!(
            content_hash(&f, &memo).unwrap(),
            *blake3::hash(b"one").as_bytes()
        );
        fs::write(&f, b"two!").unwrap();
        assert_eq!(
            content_hash(&f, &memo).unwrap(),
            *blake3::hash(b"two!").as_bytes()
        );
        assert!(content_hash(&dir.path().join("missing"), &memo).is_err());
    }

    #[test]
    fn missing_files_and_directories_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        assert!(file_info(&dir.path().join("missing.h"), &memo).is_err());
        assert!(file_info(dir.path(), &memo).is_err());
    }

    #[test]
    fn a_damaged_memo_is_recomputed() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        let f = dir.path().join("f.h");
        let big = "int a;\n".repeat(MEMO_MIN_SIZE as usize / 7 + 1);
        fs::write(&f, &big).unwrap();
        let small = dir.path().join("small.h");
        fs::write(&small, b"int s;").unwrap();
        std::thread::sleep(SETTLED_AFTER);
        file_info(&f, &memo).unwrap();
        file_info(&small, &memo).unwrap();
        let memos = walk(&memo);
        assert_eq!(
            memos.len(),
            1,
            "a big settled file's facts are recorded, a small one's not"
        );
        for entry in memos {
            fs::write(entry, b"short").unwrap();
        }
        assert_eq!(
            file_info(&f, &memo).unwrap().hash,
            *blake3::hash(big.as_bytes()).as_bytes()
        );
    }

    #[test]
    fn recent_serves_recorded_facts_only_under_the_recorded_stat() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        let record = memo.join("recent");
        let a = dir.path().join("a.h");
        let b = dir.path().join("b.h");
        fs::write(&a, "#include \"b.h\"\n").unwrap();
        fs::write(&b, "int b;\n").unwrap();
        std::thread::sleep(SETTLED_AFTER);
        let fresh = dir.path().join("fresh.h");
        fs::write(&fresh, "int fresh;\n").unwrap();

        let mut recent = Recent::load(&record);
        let facts = recent.file_info(&a, &memo).unwrap();
        assert_eq!(facts.quoted, ["b.h"]);
        assert_eq!(facts.hash, *blake3::hash(b"#include \"b.h\"\n").as_bytes());
        recent.file_info(&b, &memo).unwrap();
        recent.file_info(&fresh, &memo).unwrap();
        recent.save(&record);

        // Plant a recognizable fact for a.h under its real stat: the record answers.
        let bytes = crate::memo::read(&record).expect("record saved");
        let mut entries: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(entries.len(), 2, "the racily new file is not recorded");
        let planted = FileInfo {
            hash: [7; 32],
            ..facts.clone()
        };
        entries[0].2 = encode_memo(&planted);
        crate::memo::write(&record, &postcard::to_stdvec(&entries).unwrap());
        let mut recent = Recent::load(&record);
        assert_eq!(recent.file_info(&a, &memo).unwrap(), planted);

        // Once the file changes (another stat), its content decides again.
        fs::write(&a, "int a;\n").unwrap();
        let mut recent = Recent::load(&record);
        let now = recent.file_info(&a, &memo).unwrap();
        assert_eq!(now.hash, *blake3::hash(b"int a;\n").as_bytes());
        assert!(now.quoted.is_empty());
    }

    #[test]
    fn recent_is_rewritten_only_when_a_settled_file_is_news() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        let record = memo.join("recent");
        let source = dir.path().join("s.c");
        let (h, o) = (dir.path().join("h.h"), dir.path().join("o.h"));
        fs::write(&h, "int h;\n").unwrap();
        fs::write(&o, "int o;\n").unwrap();
        std::thread::sleep(SETTLED_AFTER);
        // Each compile: the record is loaded, then removed, so a save shows as a new file.
        let compile = |source_text: &str, read: &[&Path]| {
            fs::write(&source, source_text).unwrap();
            let mut recent = Recent::load(&record);
            let _ = fs::remove_file(&record);
            for f in read {
                recent.file_info(f, &memo).unwrap();
            }
            recent.save(&record);
            record.exists()
        };
        assert!(compile("int s;\n", &[&source, &h]), "h.h is news");
        // The source, edited just now, is never recorded: nothing to write.
        assert!(!compile("int s2;\n", &[&source, &h]));
        assert!(compile("int s3;\n", &[&source, &h, &o]), "o.h is news");
        assert_eq!(Recent::load(&record).known.len(), 2);
        assert!(
            compile("int s4;\n", &[&source, &h]),
            "o.h is no longer read"
        );
        assert_eq!(Recent::load(&record).known.len(), 1);
    }

    #[test]
    fn settled_after_one_tick_of_the_filesystem() {
        let stat = |secs: u64, nsec: u64| StatId([1, 2, 3, secs, nsec, secs, nsec]);
        assert_eq!(stat(10, 123_456_789).granularity(), 1);
        assert_eq!(stat(10, 123_000_000).granularity(), 1_000_000);
        assert_eq!(stat(10, 0).granularity(), 2_000_000_000);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let (secs, nsec) = (now.as_secs(), u64::from(now.subsec_nanos()) | 1);
        assert!(!stat(secs, nsec).settled(), "changed just now");
        assert!(!stat(secs + 5, nsec).settled(), "a stamp in the future");
        assert!(stat(secs - 1, nsec).settled(), "a second ago, fine-grained");
        assert!(!stat(secs - 1, 0).settled(), "a second ago, whole seconds");
        assert!(stat(secs - 3, 0).settled());
        // ctime counts too (a restore keeps old mtimes).
        assert!(!StatId([1, 2, 3, secs - 100, 1, secs, nsec]).settled());
    }

    #[test]
    fn facts_about_a_file_changed_just_now_are_not_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo");
        let f = dir.path().join("f.h");
        let big = "int a;\n".repeat(MEMO_MIN_SIZE as usize / 7 + 1);
        fs::write(&f, &big).unwrap();
        // "Just now" on a loaded machine: a stamp a second ahead keeps it unsettled.
        let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        fs::File::options()
            .write(true)
            .open(&f)
            .unwrap()
            .set_modified(ahead)
            .unwrap();
        let info = file_info(&f, &memo).unwrap();
        let stat = StatId::of(&fs::metadata(&f).unwrap());
        assert_eq!(info.hash, *blake3::hash(big.as_bytes()).as_bytes());
        assert!(!stat.settled());
        assert!(
            !memo.exists(),
            "nothing recorded for a file written just now"
        );
        assert_eq!(StatId::from_bytes(&stat.to_bytes()), Some(stat));
        assert_eq!(StatId::from_bytes(&[0; 55]), None);
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn assembler_file_directives_are_unsupported_in_preprocessed_text() {
        assert_eq!(
            unsupported_directive(b"  .include \"x.inc\"\n"),
            Some(".include")
        );
        assert_eq!(
            unsupported_directive(b"\t.INCBIN \"blob\"\n"),
            Some(".incbin")
        );
        assert_eq!(
            unsupported_directive(b"asm(\".IncBin \\\"f\\\"\");"),
            Some(".incbin")
        );
        assert_eq!(unsupported_directive(b"#embed \"f\"\n"), Some("#embed"));
        assert_eq!(
            unsupported_directive(b"int include = a.includes;\n"),
            Some(".include")
        );
        assert_eq!(unsupported_directive(b"int x = s.inc;\n.in\n."), None);
    }

    #[test]
    fn directives() {
        assert_eq!(
            unsupported_directive(b"asm(\".incbin \\\"x\\\"\");"),
            Some(".incbin")
        );
        assert_eq!(unsupported_directive(b"int incbin;"), None);
    }
}
