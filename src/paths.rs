//! Portable spelling of paths.
//!
//! Cache keys and stored files must not depend on where a project, HOME or a toolchain live on a
//! given machine, so an absolute path under a known directory (a "root") is written as a token:
//! `/home/a/ws/src/x.h` becomes `@WS0/src/x.h`. A token is `@NAME` with NAME in `[A-Z0-9_]+`,
//! always followed by `/` or the end of the string. Relative paths are left alone: they are
//! interpreted against the call's working directory, which is kept out of the key.
//!
//! All functions here work on strings with `/` separators and never panic.

use std::path::{Path, PathBuf};

/// One named root directory.
#[derive(Clone, Debug)]
struct Root {
    name: String,
    /// The directory as given, lexically normalized; this is what expansion writes back.
    given: String,
}

/// One spelling of a root directory that paths are matched against.
#[derive(Clone, Debug)]
struct Form {
    /// Index into `Roots::roots`.
    root: usize,
    /// Normalized directory: no trailing `/`, except for a filesystem root (`/`, `C:/`).
    dir: String,
}

/// Directory prefixes ("roots") that are replaced by tokens in keys and stored files.
#[derive(Clone, Debug, Default)]
pub struct Roots {
    roots: Vec<Root>,
    /// Every form of every root, longest first, so the first match is the longest root.
    forms: Vec<Form>,
}

impl Roots {
    /// `roots`: (name, absolute directory). Each root is kept in its given (lexically normalized)
    /// form and, when it exists, its symlink-resolved form (`dunce::canonicalize`). Matching
    /// prefers the longest root.
    ///
    /// Entries that could never round-trip are ignored: a name outside `[A-Z0-9_]+`, a name seen
    /// before (the first one wins), or a directory that is not an absolute UTF-8 path.
    pub fn new(roots: Vec<(String, PathBuf)>) -> Roots {
        let mut result = Roots::default();
        for (name, dir) in roots {
            let Some(dir) = dir.to_str() else { continue };
            let given = normalize_native(dir);
            let duplicate = result.roots.iter().any(|r| r.name == name);
            if !is_valid_name(&name) || duplicate || !is_absolute(&given) {
                continue;
            }
            let index = result.roots.len();
            result.forms.push(Form {
                root: index,
                dir: given.clone(),
            });
            if let Some(resolved) = resolve_symlinks(dir).map(|r| normalize_native(&r))
                && resolved != given
                && is_absolute(&resolved)
            {
                result.forms.push(Form {
                    root: index,
                    dir: resolved,
                });
            }
            result.roots.push(Root { name, given });
        }
        // Stable sort: among equally long forms the earlier root wins.
        result
            .forms
            .sort_by_key(|form| std::cmp::Reverse(form.dir.len()));
        result
    }

    /// True when no root is known, so every path stays as it is.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The roots as (name, path) in the given (normalized) form, for logging.
    pub fn entries(&self) -> Vec<(String, PathBuf)> {
        self.roots
            .iter()
            .map(|root| (root.name.clone(), PathBuf::from(&root.given)))
            .collect()
    }

    /// `(directory, @NAME)` for every form of every root, shortest directory first: as
    /// `-fdebug-prefix-map=` options in this order, the last matching one, the longest root,
    /// wins (GCC's and Clang's rule), so the compiler spells paths under a root as its token.
    pub fn prefix_maps(&self) -> Vec<(String, String)> {
        self.forms
            .iter()
            .rev()
            .map(|form| (form.dir.clone(), format!("@{}", self.roots[form.root].name)))
            .collect()
    }

    /// Whether `token` (`@NAME`) names a root of this value.
    pub fn has_token(&self, token: &str) -> bool {
        token
            .strip_prefix('@')
            .is_some_and(|name| self.root_named(name.as_bytes()).is_some())
    }

    /// Portable spelling of an absolute path: `@NAME/rest` for the longest root containing it,
    /// else the lexically normalized path. The lexical form is tried against every form of every
    /// root first; only if nothing matches are symlinks resolved (if the path exists) and the
    /// match tried again. Relative paths are returned unchanged (not even normalized: `./a/../b`
    /// is what the compiler sees and writes). A path equal to a root is `@NAME`. Matching is
    /// component-wise: `/a/wsx` is not inside root `/a/ws`.
    pub fn portable(&self, path: &str) -> String {
        if !is_absolute(path) {
            return path.to_string();
        }
        let lexical = normalize_native(path);
        if let Some(token) = self.tokenize(&lexical) {
            return token;
        }
        // Resolving touches the filesystem, so it is the last resort, not the first.
        if !self.is_empty()
            && let Some(resolved) = resolve_symlinks(path)
            && let Some(token) = self.tokenize(&normalize_native(&resolved))
        {
            return token;
        }
        lexical
    }

    /// Like [`Roots::portable`], but when the path *as written* starts with the root that
    /// `portable` picks, only that prefix is replaced and the rest is kept byte for byte
    /// (`/ws/src/../x.h` → `@WS0/src/../x.h`). Files that must be reproduced exactly (the
    /// dependency file) need this: the compiler writes such unnormalized paths and will write
    /// them again. The root is still the one `portable` picks, so the longest root wins.
    pub fn portable_verbatim(&self, path: &str) -> String {
        let portable = self.portable(path);
        // A normal path is its own lexical form: the root `portable` picked is spelled as
        // written.
        if !is_absolute(path) || normalize_native_is_identity(path) {
            return portable;
        }
        let Some(token) = portable.strip_prefix('@') else {
            return portable;
        };
        let name = token.split('/').next().unwrap_or(token);
        self.forms
            .iter()
            .filter(|form| self.roots[form.root].name == name)
            .find_map(|form| strip_root(path, &form.dir))
            .map_or(portable.clone(), |rest| {
                let mut token = String::with_capacity(1 + name.len() + rest.len());
                token.push('@');
                token.push_str(name);
                token.push_str(rest);
                token
            })
    }

    /// Inverse of [`Roots::portable`] with this machine's roots (the given form of the root, not
    /// the canonical one). Only a leading `@NAME` that is a root of this value is expanded;
    /// anything else (a relative path that happens to start with `@`) is returned unchanged.
    pub fn expand(&self, s: &str) -> String {
        let Some(after_at) = s.strip_prefix('@') else {
            return s.to_string();
        };
        let name_end = after_at.find('/').unwrap_or(after_at.len());
        let (name, rest) = after_at.split_at(name_end);
        match self.root_named(name.as_bytes()) {
            Some(root) => join_root(&root.given, rest),
            None => s.to_string(),
        }
    }

    /// Replace every root path embedded in a larger text (e.g. a diagnostics line
    /// `/home/a/ws/src/x.c:3:1: warning: ...`) with its token, longest root first.
    ///
    /// Only whole path prefixes at a boundary are replaced. Before the root there must be the
    /// start of the text, ASCII whitespace, one of ``"'`([{<=,:;|`` or a UTF-8 opening quote
    /// (`‘`, `“`). After it there must be `/`, the end of the text, ASCII whitespace, one of
    /// ``"'`)]}>,:;|`` or a UTF-8 closing quote (`’`, `”`). A `.` is not a boundary, because
    /// `/home/a/ws.old` is a different directory. A filesystem root (`/`) is never replaced in
    /// text: it would turn every slash into a token.
    pub fn tokenize_text(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if let Some((name, len)) = self.root_in_text(text, i) {
                out.push(b'@');
                out.extend_from_slice(name.as_bytes());
                i += len;
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        out
    }

    /// Inverse of [`Roots::tokenize_text`]: expand every `@NAME` of a known root that stands at
    /// the same kind of boundaries. Text that contained such a token literally before
    /// tokenization is expanded too; there is no escape for it.
    pub fn expand_text(&self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if let Some((root, len)) = self.token_in_text(text, i) {
                // Before `/` a filesystem root (`/`, `C:/`) loses its own slash, as in `expand`.
                let dir = if text.get(i + len) == Some(&b'/') {
                    root.given.strip_suffix('/').unwrap_or(&root.given)
                } else {
                    &root.given
                };
                out.extend_from_slice(dir.as_bytes());
                i += len;
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        out
    }

    /// `@NAME` + rest for the longest root form that contains `path` component-wise.
    fn tokenize(&self, path: &str) -> Option<String> {
        self.forms.iter().find_map(|form| {
            let rest = strip_root(path, &form.dir)?;
            let name = &self.roots[form.root].name;
            let mut token = String::with_capacity(1 + name.len() + rest.len());
            token.push('@');
            token.push_str(name);
            token.push_str(rest);
            Some(token)
        })
    }

    fn root_named(&self, name: &[u8]) -> Option<&Root> {
        self.roots.iter().find(|root| root.name.as_bytes() == name)
    }

    /// The root name and the length of the root text starting at `text[i]`, if one stands there
    /// between boundaries.
    fn root_in_text(&self, text: &[u8], i: usize) -> Option<(&str, usize)> {
        if !starts_at_boundary(text, i) {
            return None;
        }
        self.forms.iter().find_map(|form| {
            let base = form.dir.strip_suffix('/').unwrap_or(&form.dir);
            let is_filesystem_root = base.len() != form.dir.len();
            if base.is_empty() || !text[i..].starts_with(base.as_bytes()) {
                return None;
            }
            let end = i + base.len();
            let ends_well = match text.get(end) {
                Some(b'/') => true,
                // `C:` alone is a drive-relative path, not the drive root.
                _ if is_filesystem_root => false,
                _ => ends_at_boundary(text, end),
            };
            ends_well.then(|| (self.roots[form.root].name.as_str(), base.len()))
        })
    }

    /// The root and the length of the `@NAME` token starting at `text[i]`, if one stands there
    /// between boundaries.
    fn token_in_text(&self, text: &[u8], i: usize) -> Option<(&Root, usize)> {
        if text.get(i) != Some(&b'@') || !starts_at_boundary(text, i) {
            return None;
        }
        let name_len = text[i + 1..]
            .iter()
            .take_while(|&&b| is_name_byte(b))
            .count();
        let end = i + 1 + name_len;
        let ends_well = text.get(end) == Some(&b'/') || ends_at_boundary(text, end);
        if !ends_well {
            return None;
        }
        let root = self.root_named(&text[i + 1..end])?;
        Some((root, end - i))
    }
}

/// A hasher for sets of paths (thousands per miss or hit of a unity file): a multiply-rotate
/// hash of 8 bytes at a time (rustc's `FxHasher`), several times cheaper than the default
/// SipHash on paths. Colliding names planted in a manifest only cost time, bounded by its
/// size.
#[derive(Clone, Copy, Default)]
pub(crate) struct PathHasher(u64);

impl std::hash::Hasher for PathHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.add(word);
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ rest.len() as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl PathHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::BuildHasher for PathHasher {
    type Hasher = PathHasher;

    fn build_hasher(&self) -> PathHasher {
        PathHasher::default()
    }
}

/// Lexical normalization for POSIX paths: collapse `//`, drop `.` and trailing `/`, resolve `..`
/// against the preceding component (but keep leading `..` of relative paths, and `/..` = `/`).
/// No filesystem access. An empty or fully cancelled relative path is `.`.
pub fn normalize_lexically(path: &str) -> String {
    // Most paths a compiler names are normal already: a manifest spells thousands per miss.
    if is_lexically_normal(path) {
        return path.to_string();
    }
    let absolute = path.starts_with('/');
    let mut out = String::with_capacity(path.len() + 1);
    if absolute {
        out.push('/');
    }
    let base = out.len();
    // Components in `out` after its leading `..`s, which a `..` can cancel.
    let mut named = 0usize;
    let parts = path
        .as_bytes()
        .split(|&b| b == b'/')
        .scan(0, |start, part| {
            let at = *start;
            *start += part.len() + 1;
            // Split at an ASCII byte: each part is a `str` slice of `path`.
            path.get(at..at + part.len())
        });
    for part in parts {
        match part {
            "" | "." => {}
            ".." if named > 0 => {
                let cut = out[base..].rfind('/').map_or(base, |i| base + i);
                out.truncate(cut);
                named -= 1;
            }
            ".." if absolute => {}
            _ => {
                if out.len() > base {
                    out.push('/');
                }
                out.push_str(part);
                if part != ".." {
                    named += 1;
                }
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Whether [`normalize_lexically`] leaves `path` as it is: no empty, `.` or `..` component,
/// and no trailing `/` (false for `/`, `.` and leading `..`s, which are normal too).
fn is_lexically_normal(path: &str) -> bool {
    let body = path.strip_prefix('/').unwrap_or(path).as_bytes();
    !body.is_empty()
        && body
            .split(|&b| b == b'/')
            .all(|part| !part.is_empty() && part != b"." && part != b"..")
}

/// Windows-shaped path normalization as a pure string function (testable anywhere): strip
/// `\\?\` and `\\?\UNC\` (→ `//server/share`), `\` → `/`, upper-case the drive letter, then
/// lexical normalization, where a drive root `C:/` and a share `//server/share` behave like `/`.
/// A drive-relative path (`c:x`) keeps its drive and normalizes the rest as relative.
pub fn normalize_windows(path: &str) -> String {
    let path = if let Some(rest) = path.strip_prefix(r"\\?\UNC\") {
        format!(r"\\{rest}")
    } else {
        path.strip_prefix(r"\\?\").unwrap_or(path).to_string()
    };
    let path = path.replace('\\', "/");

    if let Some(unc) = path.strip_prefix("//") {
        let mut parts = unc.splitn(3, '/');
        let server = parts.next().unwrap_or("");
        let share = parts.next().unwrap_or("");
        let tail = parts.next().unwrap_or("");
        if server.is_empty() {
            return normalize_lexically(&path);
        }
        if share.is_empty() {
            return format!("//{server}");
        }
        // `..` must not climb out of the share, which is what normalizing `/tail` gives.
        let tail = normalize_lexically(&format!("/{tail}"));
        let tail = if tail == "/" { "" } else { tail.as_str() };
        return format!("//{server}/{share}{tail}");
    }

    if let [drive, b':', ..] = path.as_bytes()
        && drive.is_ascii_alphabetic()
    {
        let drive = char::from(drive.to_ascii_uppercase());
        let tail = &path[2..];
        let tail = if tail.is_empty() {
            String::new()
        } else {
            normalize_lexically(tail)
        };
        return format!("{drive}:{tail}");
    }
    normalize_lexically(&path)
}

/// The nearest ancestor of `dir` (including `dir`) that holds `.git` (file or directory) or
/// `platformio.ini`. Give an absolute `dir`: a relative one is searched only within its own
/// components.
pub fn detect_workspace(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .filter(|candidate| !candidate.as_os_str().is_empty())
        .find(|candidate| {
            candidate.join(".git").exists() || candidate.join("platformio.ini").exists()
        })
        .map(Path::to_path_buf)
}

/// The configured base directories in the order their `WS<i>` labels are given: first the
/// innermost one that holds one of `cwds` (the call's working directory, as `$PWD` and as the
/// physical path), then the others in configured order. So two checkouts under different base
/// directories both spell their own files `@WS0/...` and share entries, while within one call
/// each base directory still has its own label. Lexical and component-wise: `/a/wsx` is not
/// inside `/a/ws`.
pub fn basedirs_by_cwd<'d>(basedirs: &'d [PathBuf], cwds: &[&Path]) -> Vec<&'d PathBuf> {
    let lexical = |p: &Path| PathBuf::from(normalize_lexically(&p.to_string_lossy()));
    let cwds: Vec<PathBuf> = cwds.iter().map(|cwd| lexical(cwd)).collect();
    // Among equally long candidates the first configured wins.
    let home = basedirs
        .iter()
        .map(|dir| lexical(dir))
        .enumerate()
        .filter(|(_, dir)| cwds.iter().any(|cwd| cwd.starts_with(dir)))
        .max_by_key(|(i, dir)| (dir.as_os_str().len(), std::cmp::Reverse(*i)))
        .map(|(i, _)| i);
    let mut ordered: Vec<&PathBuf> = home.map(|i| &basedirs[i]).into_iter().collect();
    ordered.extend(
        basedirs
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != home)
            .map(|(_, dir)| dir),
    );
    ordered
}

/// The rest of `path` after root directory `dir` (empty or starting with `/`), when `path` is
/// `dir` or inside it component-wise.
fn strip_root<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if path == dir {
        return Some("");
    }
    // A filesystem root keeps its slash in `dir`; the rest must still start with `/`.
    let base = dir.strip_suffix('/').unwrap_or(dir);
    let rest = path.strip_prefix(base)?;
    rest.starts_with('/').then_some(rest)
}

/// A root's directory followed by the rest of a token (`""` or `/...`).
fn join_root(dir: &str, rest: &str) -> String {
    if rest.is_empty() {
        return dir.to_string();
    }
    let base = dir.strip_suffix('/').unwrap_or(dir);
    format!("{base}{rest}")
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(is_name_byte)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
}

/// Absolute for this platform's path syntax.
fn is_absolute(path: &str) -> bool {
    if cfg!(windows) {
        is_absolute_windows(path)
    } else {
        path.starts_with('/')
    }
}

fn is_absolute_windows(path: &str) -> bool {
    match path.as_bytes() {
        [b'/' | b'\\', ..] => true,
        [drive, b':', b'/' | b'\\', ..] => drive.is_ascii_alphabetic(),
        _ => false,
    }
}

/// The normalization that matches this platform's path syntax.
fn normalize_native(path: &str) -> String {
    if cfg!(windows) {
        normalize_windows(path)
    } else {
        normalize_lexically(path)
    }
}

/// Whether [`normalize_native`] returns `path` unchanged (checked on POSIX only).
fn normalize_native_is_identity(path: &str) -> bool {
    !cfg!(windows) && is_lexically_normal(path)
}

/// The symlink-free spelling of an existing path, if it is valid UTF-8.
fn resolve_symlinks(path: &str) -> Option<String> {
    dunce::canonicalize(path)
        .ok()?
        .into_os_string()
        .into_string()
        .ok()
}

/// UTF-8 opening quotes GCC uses in diagnostics: `‘` and `“`.
const OPENING_QUOTES: [[u8; 3]; 2] = [[0xE2, 0x80, 0x98], [0xE2, 0x80, 0x9C]];
/// UTF-8 closing quotes: `’` and `”`.
const CLOSING_QUOTES: [[u8; 3]; 2] = [[0xE2, 0x80, 0x99], [0xE2, 0x80, 0x9D]];

/// Whether a path may start at `text[i]`: nothing of a longer path can stand right before it.
fn starts_at_boundary(text: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let before = text[i - 1];
    if before.is_ascii_whitespace() || b"\"'`([{<=,:;|".contains(&before) || before == 0x07 {
        return true;
    }
    ends_terminal_sequence(&text[..i])
        || i >= 3
            && OPENING_QUOTES
                .iter()
                .any(|quote| text[i - 3..i] == quote[..])
}

/// Whether `text` ends with a terminal control sequence (a CSI such as the colour codes
/// `ESC[01m`, `ESC[K`, or an OSC ended by `ESC \`): coloured diagnostics put one right
/// before a path.
fn ends_terminal_sequence(text: &[u8]) -> bool {
    const ESC: u8 = 0x1b;
    if text.ends_with(&[ESC, b'\\']) {
        return true;
    }
    let Some((&last, rest)) = text.split_last() else {
        return false;
    };
    if !(0x40..=0x7e).contains(&last) {
        return false;
    }
    let params = rest
        .iter()
        .rev()
        .take_while(|b| (0x20..=0x3f).contains(*b))
        .count();
    rest[..rest.len() - params].ends_with(&[ESC, b'['])
}

/// Whether a path may end right before `text[i]`: nothing there continues the last component.
fn ends_at_boundary(text: &[u8], i: usize) -> bool {
    let Some(&next) = text.get(i) else {
        return true;
    };
    // ESC: a colour code after the path, as coloured diagnostics have.
    if next.is_ascii_whitespace() || b"\"'`)]}>,:;|".contains(&next) || next == 0x1b {
        return true;
    }
    CLOSING_QUOTES
        .iter()
        .any(|quote| text[i..].starts_with(quote))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(list: &[(&str, &str)]) -> Roots {
        Roots::new(
            list.iter()
                .map(|(name, dir)| (name.to_string(), PathBuf::from(dir)))
                .collect(),
        )
    }

    /// Roots whose directories do not exist, so no symlink form is added.
    fn ws_roots() -> Roots {
        roots(&[
            ("WS0", "/nonexistent-zcc/home/a/ws"),
            ("HOME", "/nonexistent-zcc/home/a"),
            ("TC", "/nonexistent-zcc/opt/tc/"),
        ])
    }

    #[test]
    fn path_hasher_tells_lengths_and_tails_apart() {
        use std::hash::BuildHasher;
        let hash = |bytes: &[u8]| PathHasher::default().hash_one(bytes);
        let names: [&[u8]; 6] = [b"", b"\0", b"a", b"a\0", b"/usr/include", b"/usr/includ\0"];
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                assert_ne!(hash(a), hash(b), "{a:?} {b:?}");
            }
        }
        assert_eq!(hash(b"/usr/include"), hash(b"/usr/include"));
    }

    #[test]
    fn normalize_lexically_cases() {
        let cases = [
            ("/a/b/c", "/a/b/c"),
            ("/a//b///c", "/a/b/c"),
            ("/a/./b/.", "/a/b"),
            ("/a/b/../c", "/a/c"),
            ("/a/b/", "/a/b"),
            ("/..", "/"),
            ("/../a", "/a"),
            ("/a/../..", "/"),
            ("/", "/"),
            ("//", "/"),
            ("a/b/../c", "a/c"),
            ("../a", "../a"),
            ("../../a/..", "../.."),
            ("a/../..", ".."),
            ("./a", "a"),
            ("a/..", "."),
            (".", "."),
            ("", "."),
            ("a/.../b", "a/.../b"),
            ("@WS0/../x", "x"),
            ("/ä/é/../ö//ü", "/ä/ö/ü"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_lexically(input), want, "input {input:?}");
        }
    }

    /// What `normalize_lexically` must return, written the plain way (a component stack).
    fn normalize_by_stack(path: &str) -> String {
        let absolute = path.starts_with('/');
        let mut parts: Vec<&str> = Vec::new();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => match parts.last() {
                    Some(&last) if last != ".." => {
                        parts.pop();
                    }
                    _ if absolute => {}
                    _ => parts.push(".."),
                },
                _ => parts.push(part),
            }
        }
        let joined = parts.join("/");
        if absolute {
            format!("/{joined}")
        } else if joined.is_empty() {
            ".".to_string()
        } else {
            joined
        }
    }

    #[test]
    fn normalize_lexically_agrees_with_a_component_stack_on_every_short_path() {
        let parts = ["", ".", "..", "a", "bc", "..."];
        let mut paths = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| parts.iter().map(move |part| format!("{p}/{part}")))
                .collect();
            paths.extend(longer);
        }
        for path in &paths {
            for p in [path.as_str(), path.strip_prefix('/').unwrap_or(path)] {
                assert_eq!(normalize_lexically(p), normalize_by_stack(p), "path {p:?}");
                // `/`, `.` and leading `..`s are normal too, but take the long way.
                let normal = normalize_by_stack(p) == p
                    && !matches!(p, "/" | ".")
                    && !p.split('/').any(|part| part == "..");
                assert_eq!(is_lexically_normal(p), normal, "path {p:?}");
            }
        }
    }

    #[test]
    fn normalize_windows_cases() {
        let cases = [
            (r"C:\Users\a\ws\x.c", "C:/Users/a/ws/x.c"),
            (r"c:\Users\a\ws\..\x.c", "C:/Users/a/x.c"),
            (r"c:\", "C:/"),
            (r"c:\..", "C:/"),
            (r"c:", "C:"),
            (r"c:x\..\y", "C:y"),
            (r"\\?\C:\Users\a\.\ws", "C:/Users/a/ws"),
            (r"\\?\UNC\server\share\dir\..\x.h", "//server/share/x.h"),
            (r"\\server\share\..\..\x.h", "//server/share/x.h"),
            (r"\\server\share\", "//server/share"),
            (r"\\server", "//server"),
            (r"C:/mixed\slashes//x", "C:/mixed/slashes/x"),
            (r"relative\dir\..\f.c", "relative/f.c"),
            (r"\rooted\no\drive", "/rooted/no/drive"),
            ("", "."),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_windows(input), want, "input {input:?}");
        }
    }

    #[test]
    fn windows_absolute_shapes() {
        let cases = [
            (r"C:\x", true),
            ("c:/x", true),
            (r"\\server\share", true),
            ("/x", true),
            ("C:x", false),
            ("x/y", false),
            ("", false),
            ("1:/x", false),
        ];
        for (input, want) in cases {
            assert_eq!(is_absolute_windows(input), want, "input {input:?}");
        }
    }

    #[test]
    fn portable_cases() {
        let r = ws_roots();
        let cases = [
            // Longest root wins: WS0 is inside HOME.
            ("/nonexistent-zcc/home/a/ws/src/x.h", "@WS0/src/x.h"),
            ("/nonexistent-zcc/home/a/other/x.h", "@HOME/other/x.h"),
            // Component boundaries: `wsx` is not inside `ws`.
            ("/nonexistent-zcc/home/a/wsx/y.h", "@HOME/wsx/y.h"),
            (
                "/nonexistent-zcc/home/ab/y.h",
                "/nonexistent-zcc/home/ab/y.h",
            ),
            // Equal to a root, with and without trailing slash.
            ("/nonexistent-zcc/home/a/ws", "@WS0"),
            ("/nonexistent-zcc/home/a/ws/", "@WS0"),
            ("/nonexistent-zcc/opt/tc", "@TC"),
            ("/nonexistent-zcc/opt/tc/bin/gcc", "@TC/bin/gcc"),
            // Lexical normalization before matching.
            ("/nonexistent-zcc/home/a/ws/src/../inc//x.h", "@WS0/inc/x.h"),
            ("/nonexistent-zcc/home/b/../a/ws/x.h", "@WS0/x.h"),
            // Outside every root: normalized, not tokenized.
            ("/usr/include/../include/stdio.h", "/usr/include/stdio.h"),
            // Relative paths are untouched, even unnormalized ones and ones starting with `@`.
            ("./a/../b", "./a/../b"),
            ("src/x.c", "src/x.c"),
            ("@WS0/x.h", "@WS0/x.h"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(r.portable(input), want, "input {input:?}");
        }
    }

    #[test]
    fn portable_verbatim_keeps_the_rest_as_written() {
        let r = ws_roots();
        let cases = [
            (
                "/nonexistent-zcc/home/a/ws/src/../inc/x.h",
                "@WS0/src/../inc/x.h",
            ),
            ("/nonexistent-zcc/home/a/ws//x.h", "@WS0//x.h"),
            ("/nonexistent-zcc/home/a/ws/", "@WS0/"),
            ("/nonexistent-zcc/home/a/ws", "@WS0"),
            // The longest root is not spelled as given: fall back to the normalized match
            // rather than keep a shorter root that happens to be spelled as given.
            ("/nonexistent-zcc/home/a//ws/x.h", "@WS0/x.h"),
            // `..` leaves the workspace: the rest is kept, under the root that holds the result.
            ("/nonexistent-zcc/home/a/ws/../b.h", "@HOME/ws/../b.h"),
            ("/usr//include/x.h", "/usr/include/x.h"),
            ("rel/../x.h", "rel/../x.h"),
            // Normal paths: the longest root, whichever spelling is shorter.
            ("/nonexistent-zcc/home/a/ws/x.h", "@WS0/x.h"),
            ("/nonexistent-zcc/home/a/wsx/x.h", "@HOME/wsx/x.h"),
            ("/nonexistent-zcc/opt/tc/x.h", "@TC/x.h"),
            ("/usr/include/x.h", "/usr/include/x.h"),
        ];
        for (input, want) in cases {
            assert_eq!(r.portable_verbatim(input), want, "input {input:?}");
        }
    }

    #[test]
    fn expand_cases() {
        let r = ws_roots();
        let cases = [
            ("@WS0/src/x.h", "/nonexistent-zcc/home/a/ws/src/x.h"),
            ("@WS0", "/nonexistent-zcc/home/a/ws"),
            ("@WS0/", "/nonexistent-zcc/home/a/ws/"),
            ("@TC/bin/gcc", "/nonexistent-zcc/opt/tc/bin/gcc"),
            // Not tokens of this Roots value: left alone.
            ("@WS1/x.h", "@WS1/x.h"),
            ("@WS0x/y", "@WS0x/y"),
            ("@ws0/y", "@ws0/y"),
            ("@", "@"),
            ("@/x", "@/x"),
            ("x/@WS0/y", "x/@WS0/y"),
            ("/abs/path", "/abs/path"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(r.expand(input), want, "input {input:?}");
        }
    }

    #[test]
    fn portable_then_expand_round_trips_on_another_machine() {
        let here = ws_roots();
        let there = roots(&[
            ("WS0", "/elsewhere/much/longer/workspace"),
            ("HOME", "/elsewhere/home"),
            ("TC", "/opt/toolchains/tc-1.2"),
        ]);
        let cases = [
            (
                "/nonexistent-zcc/home/a/ws/src/x.h",
                "/elsewhere/much/longer/workspace/src/x.h",
            ),
            (
                "/nonexistent-zcc/home/a/.config/y",
                "/elsewhere/home/.config/y",
            ),
            (
                "/nonexistent-zcc/opt/tc/include",
                "/opt/toolchains/tc-1.2/include",
            ),
            (
                "/nonexistent-zcc/home/a/ws",
                "/elsewhere/much/longer/workspace",
            ),
            ("/usr/include/stdio.h", "/usr/include/stdio.h"),
            ("src/x.c", "src/x.c"),
        ];
        for (input, want) in cases {
            assert_eq!(there.expand(&here.portable(input)), want, "input {input:?}");
            // And back on the first machine.
            assert_eq!(
                here.expand(&here.portable(input)),
                normalize_lexically_if_absolute(input),
                "input {input:?}"
            );
        }
    }

    fn normalize_lexically_if_absolute(path: &str) -> String {
        if path.starts_with('/') {
            normalize_lexically(path)
        } else {
            path.to_string()
        }
    }

    #[test]
    fn filesystem_root_as_a_root() {
        let r = roots(&[("R", "/")]);
        assert_eq!(r.portable("/"), "@R");
        assert_eq!(r.portable("/usr/x"), "@R/usr/x");
        assert_eq!(r.expand("@R"), "/");
        assert_eq!(r.expand("@R/usr/x"), "/usr/x");
        // Never in text: it would tokenize every slash.
        assert_eq!(r.tokenize_text(b"see /usr/x"), b"see /usr/x");
    }

    #[test]
    fn invalid_and_duplicate_roots_are_ignored() {
        let r = roots(&[
            ("ws", "/lower/case/name"),
            ("", "/empty/name"),
            ("A-B", "/dash"),
            ("REL", "relative/dir"),
            ("OK", "/nonexistent-zcc/ok/"),
            ("OK", "/nonexistent-zcc/second"),
        ]);
        assert_eq!(
            r.entries(),
            vec![("OK".to_string(), PathBuf::from("/nonexistent-zcc/ok"))]
        );
        assert_eq!(
            r.portable("/nonexistent-zcc/second/x"),
            "/nonexistent-zcc/second/x"
        );
        assert!(!r.is_empty());
        assert!(Roots::default().is_empty());
        assert!(Roots::new(vec![]).entries().is_empty());
    }

    #[test]
    fn empty_roots_only_normalize() {
        let r = Roots::default();
        assert_eq!(r.portable("/a/./b"), "/a/b");
        assert_eq!(r.expand("@WS0/x"), "@WS0/x");
        assert_eq!(r.tokenize_text(b"/a/b: x"), b"/a/b: x");
    }

    #[test]
    fn symlinked_root_matches_both_spellings() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let real = tmp.path().join("real-ws");
        std::fs::create_dir_all(real.join("src")).expect("mkdir");
        std::fs::write(real.join("src/x.h"), "").expect("write");
        let link = tmp.path().join("link-ws");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let real = dunce::canonicalize(&real).expect("canonicalize");
        let real_str = real.to_str().expect("utf-8 temp path");
        let link_str = link.to_str().expect("utf-8 temp path");

        // The root is given through the symlink; the compiler may write either spelling.
        let r = roots(&[("WS0", link_str)]);
        assert_eq!(r.portable(&format!("{link_str}/src/x.h")), "@WS0/src/x.h");
        assert_eq!(r.portable(&format!("{real_str}/src/x.h")), "@WS0/src/x.h");
        assert_eq!(r.portable(real_str), "@WS0");
        // Expansion writes the given spelling back.
        assert_eq!(r.expand("@WS0/src/x.h"), format!("{link_str}/src/x.h"));
        assert_eq!(
            r.tokenize_text(format!("{real_str}/src/x.h:1: error").as_bytes()),
            b"@WS0/src/x.h:1: error"
        );
    }

    #[test]
    fn path_reaching_a_root_only_through_a_symlink() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let ws = tmp.path().join("ws");
        std::fs::create_dir_all(ws.join("inc")).expect("mkdir");
        std::fs::write(ws.join("inc/y.h"), "").expect("write");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::os::unix::fs::symlink(ws.join("inc"), outside.join("inc-link")).expect("symlink");
        let ws = dunce::canonicalize(&ws).expect("canonicalize");
        let outside = dunce::canonicalize(&outside).expect("canonicalize");

        let r = roots(&[("WS0", ws.to_str().expect("utf-8"))]);
        let via_link = format!("{}/inc-link/y.h", outside.to_str().expect("utf-8"));
        assert_eq!(r.portable(&via_link), "@WS0/inc/y.h");
        // A missing file behind no root stays lexical.
        let missing = format!("{}/nope/../z.h", outside.to_str().expect("utf-8"));
        assert_eq!(
            r.portable(&missing),
            format!("{}/z.h", outside.to_str().expect("utf-8"))
        );
    }

    #[test]
    fn tokenize_text_cases() {
        let r = ws_roots();
        let cases: [(&str, &str); 17] = [
            (
                "/nonexistent-zcc/home/a/ws/src/x.c:3:1: warning: unused",
                "@WS0/src/x.c:3:1: warning: unused",
            ),
            (
                "In file included from /nonexistent-zcc/home/a/ws/inc/a.h:2,\n",
                "In file included from @WS0/inc/a.h:2,\n",
            ),
            // Not a root at a component boundary.
            (
                "/nonexistent-zcc/home/a/wsx/y.c:1: note",
                "@HOME/wsx/y.c:1: note",
            ),
            (
                "/nonexistent-zcc/home/ab/y.c",
                "/nonexistent-zcc/home/ab/y.c",
            ),
            // Not at the start of a path.
            (
                "/data/nonexistent-zcc/home/a/ws/x",
                "/data/nonexistent-zcc/home/a/ws/x",
            ),
            (
                "-I/nonexistent-zcc/home/a/ws",
                "-I/nonexistent-zcc/home/a/ws",
            ),
            // Quotes, parentheses, `=` and the root alone.
            ("'/nonexistent-zcc/home/a/ws'", "'@WS0'"),
            ("(/nonexistent-zcc/home/a/ws/x)", "(@WS0/x)"),
            ("--sysroot=/nonexistent-zcc/opt/tc x", "--sysroot=@TC x"),
            (
                "file ‘/nonexistent-zcc/home/a/ws/x.h’ not found",
                "file ‘@WS0/x.h’ not found",
            ),
            ("“/nonexistent-zcc/home/a/ws”", "“@WS0”"),
            // A dot may continue a directory name, so it is not a boundary.
            ("/nonexistent-zcc/home/a/ws.old/x", "@HOME/ws.old/x"),
            (
                "two /nonexistent-zcc/home/a/ws/a /nonexistent-zcc/opt/tc/b",
                "two @WS0/a @TC/b",
            ),
            ("", ""),
            // Coloured diagnostics: a colour code stands right before and after the path.
            (
                "\x1b[01m\x1b[K/nonexistent-zcc/home/a/ws/inc/x.h:2:2:\x1b[m\x1b[K warning",
                "\x1b[01m\x1b[K@WS0/inc/x.h:2:2:\x1b[m\x1b[K warning",
            ),
            (
                "\x1b[01;32m\x1b[K/nonexistent-zcc/home/a/ws\x1b[m",
                "\x1b[01;32m\x1b[K@WS0\x1b[m",
            ),
            // A letter that ends no escape sequence is no boundary.
            (
                "K/nonexistent-zcc/home/a/ws/x",
                "K/nonexistent-zcc/home/a/ws/x",
            ),
        ];
        for (input, want) in cases {
            let got = r.tokenize_text(input.as_bytes());
            assert_eq!(String::from_utf8_lossy(&got), want, "input {input:?}");
            // And the way back restores the original text.
            assert_eq!(r.expand_text(&got), input.as_bytes(), "input {input:?}");
        }
    }

    #[test]
    fn expand_text_cases() {
        let r = roots(&[("WS0", "/other/ws"), ("TC", "/")]);
        let cases = [
            ("@WS0/src/x.c:3: error", "/other/ws/src/x.c:3: error"),
            ("at @WS0 now", "at /other/ws now"),
            ("@WS0", "/other/ws"),
            // Unknown names, lower case, glued to other text: left alone.
            ("@WS1/x", "@WS1/x"),
            ("@ws0/x", "@ws0/x"),
            ("user@WS0/x", "user@WS0/x"),
            ("@WS0x/y", "@WS0x/y"),
            ("@WS0.c", "@WS0.c"),
            ("@", "@"),
            ("x @", "x @"),
            // A filesystem-root name is a known token and expands cleanly.
            ("@TC/usr", "/usr"),
        ];
        for (input, want) in cases {
            let got = r.expand_text(input.as_bytes());
            assert_eq!(String::from_utf8_lossy(&got), want, "input {input:?}");
        }
    }

    #[test]
    fn text_functions_survive_arbitrary_bytes() {
        let r = ws_roots();
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![0xE2],
            vec![0xE2, 0x80],
            vec![0xFF, b'@', b'W', b'S', b'0'],
            b"@WS0".to_vec(),
            b"/nonexistent-zcc/home/a/ws\xE2\x80".to_vec(),
        ];
        // A deterministic spread of bytes, including the interesting ones.
        let alphabet = b"/@WS0 \n\xE2\x80\x98\x99\xFFnonexistent-zcc/home/a/ws";
        let mut seed = 12345u32;
        for _ in 0..300 {
            let mut bytes = Vec::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                bytes.push(alphabet[(seed >> 16) as usize % alphabet.len()]);
            }
            inputs.push(bytes);
        }
        for input in inputs {
            let tokenized = r.tokenize_text(&input);
            let _ = r.expand_text(&tokenized);
            let _ = r.expand_text(&input);
        }
    }

    #[test]
    fn prefix_maps_put_the_longest_root_last() {
        let roots = Roots::new(vec![
            ("HOME".into(), PathBuf::from("/h")),
            ("WS0".into(), PathBuf::from("/h/ws/")),
            ("TC0".into(), PathBuf::from("/opt/tc")),
        ]);
        assert_eq!(
            roots.prefix_maps(),
            [("/h", "@HOME"), ("/h/ws", "@WS0"), ("/opt/tc", "@TC0")]
                .map(|(d, t)| (d.to_string(), t.to_string()))
        );
        assert!(roots.has_token("@WS0") && !roots.has_token("@WS1") && !roots.has_token("WS0"));
    }

    #[test]
    fn basedirs_by_cwd_puts_the_one_holding_the_cwd_first() {
        let dirs: Vec<PathBuf> = ["/b1", "/b2", "/b2/sub", "/b3/"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let order = |cwds: &[&str]| -> Vec<String> {
            let cwds: Vec<&Path> = cwds.iter().map(Path::new).collect();
            basedirs_by_cwd(&dirs, &cwds)
                .iter()
                .map(|d| d.to_string_lossy().into_owned())
                .collect()
        };
        // Outside every base dir: configured order.
        assert_eq!(order(&["/elsewhere"]), ["/b1", "/b2", "/b2/sub", "/b3/"]);
        assert_eq!(order(&["/b1/x/y"]), ["/b1", "/b2", "/b2/sub", "/b3/"]);
        assert_eq!(order(&["/b2/co"]), ["/b2", "/b1", "/b2/sub", "/b3/"]);
        // The innermost one wins; a trailing slash or `..` does not matter.
        assert_eq!(order(&["/b2/sub/co"]), ["/b2/sub", "/b1", "/b2", "/b3/"]);
        assert_eq!(order(&["/b3"]), ["/b3/", "/b1", "/b2", "/b2/sub"]);
        assert_eq!(order(&["/b1/../b3/co"]), ["/b3/", "/b1", "/b2", "/b2/sub"]);
        // Component-wise: `/b22` is not inside `/b2`.
        assert_eq!(order(&["/b22"]), ["/b1", "/b2", "/b2/sub", "/b3/"]);
        // Either spelling of the working directory counts.
        assert_eq!(
            order(&["/link", "/b2/co"]),
            ["/b2", "/b1", "/b2/sub", "/b3/"]
        );
        assert!(basedirs_by_cwd(&[], &[Path::new("/x")]).is_empty());
    }

    #[test]
    fn detect_workspace_cases() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let base = tmp.path();
        std::fs::create_dir_all(base.join("repo/.git")).expect("mkdir");
        std::fs::create_dir_all(base.join("repo/fw/src/deep")).expect("mkdir");
        std::fs::write(base.join("repo/fw/platformio.ini"), "").expect("write");
        std::fs::create_dir_all(base.join("worktree/sub")).expect("mkdir");
        std::fs::write(base.join("worktree/.git"), "gitdir: elsewhere").expect("write");
        std::fs::create_dir_all(base.join("plain/dir")).expect("mkdir");

        let cases = [
            ("repo/fw/src/deep", Some("repo/fw")),
            ("repo/fw", Some("repo/fw")),
            ("repo", Some("repo")),
            ("worktree/sub", Some("worktree")),
        ];
        for (dir, want) in cases {
            assert_eq!(
                detect_workspace(&base.join(dir)),
                want.map(|w| base.join(w)),
                "dir {dir}"
            );
        }
        // Outside any marker the answer depends on the temp dir's parents; it must not be
        // `plain` itself.
        let found = detect_workspace(&base.join("plain/dir"));
        assert!(found.is_none_or(|f| !f.starts_with(base)));
    }
}
