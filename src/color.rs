//! Diagnostics colour. Colour options are not part of the key, so one entry serves terminals,
//! pipes and logs alike. Each call shows diagnostics as the compiler would have for it:
//! coloured when it asked for colours, or by default when its stderr is a terminal; plain
//! otherwise. A call that shows colours compiles with `-fdiagnostics-color=always` (its stderr
//! is a pipe to zcc) and its entry keeps them; a call that shows none compiles exactly as it
//! asked, and strips colours from what a stored entry holds. A coloured call never serves
//! diagnostics stored without colours: it compiles and stores the coloured text instead.

use std::ffi::OsStr;

use crate::args::Color;

/// Appended to the compile of a call that shows colours: the last colour option wins.
pub const ALWAYS: &str = "-fdiagnostics-color=always";

/// Whether this call's diagnostics are shown in colour: the call's choice, or GCC's default
/// rule (stderr is a terminal and `TERM` is set and not `dumb`).
pub fn wanted(choice: Color, stderr_is_terminal: bool, term: Option<&OsStr>) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stderr_is_terminal && term.is_some_and(|t| t != "dumb"),
    }
}

/// Whether stored diagnostics can be shown in colour as they are: empty, or holding colours.
pub fn is_colored(stderr: &[u8]) -> bool {
    stderr.is_empty() || memchr::memchr(0x1b, stderr).is_some()
}

/// How a terminal control sequence found in text is made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `ESC [` parameters, intermediates, one final byte.
    Csi,
    /// `ESC ]` … ended by BEL or `ESC \`.
    Osc,
    /// An `ESC` that starts neither.
    Lone,
}

/// One terminal control sequence in a text: `text[start..end]`.
struct Sequence {
    start: usize,
    end: usize,
    kind: Kind,
    /// Ended as its kind requires (not cut short by the end of the text).
    complete: bool,
}

/// The first control sequence in `text` at or after `from`.
fn next_sequence(text: &[u8], from: usize) -> Option<Sequence> {
    const ESC: u8 = 0x1b;
    let start = from + memchr::memchr(ESC, &text[from..])?;
    let (end, kind, complete) = match text.get(start + 1) {
        Some(b'[') => {
            let mut j = start + 2;
            while j < text.len() && (0x20..=0x3f).contains(&text[j]) {
                j += 1;
            }
            match text.get(j) {
                Some(b) if (0x40..=0x7e).contains(b) => (j + 1, Kind::Csi, true),
                _ => (j, Kind::Csi, false),
            }
        }
        Some(b']') => {
            let mut j = start + 2;
            loop {
                match text.get(j) {
                    None => break (j, Kind::Osc, false),
                    Some(0x07) => break (j + 1, Kind::Osc, true),
                    Some(&ESC) if text.get(j + 1) == Some(&b'\\') => {
                        break (j + 2, Kind::Osc, true);
                    }
                    Some(_) => j += 1,
                }
            }
        }
        _ => (start + 1, Kind::Lone, true),
    };
    Some(Sequence {
        start,
        end,
        kind,
        complete,
    })
}

/// Whether a compiler prints this sequence: colours (`ESC [ <digits and ;> m` and the `ESC [ K`
/// GCC puts after each) and OSC 8 links (`ESC ] 8 ; … ESC \` or BEL, GCC's
/// `-fdiagnostics-urls`), whose text holds no other control byte.
fn is_compilers(seq: &Sequence, text: &[u8]) -> bool {
    // A complete CSI or OSC holds at least its final byte or terminator after `ESC [`/`ESC ]`.
    let body = || &text[seq.start + 2..seq.end];
    match seq.kind {
        Kind::Csi if seq.complete => {
            let (params, last) = body().split_at(body().len() - 1);
            matches!(last, b"m" | b"K") && params.iter().all(|b| b.is_ascii_digit() || *b == b';')
        }
        Kind::Osc if seq.complete => {
            let body = body();
            let terminator = if body.ends_with(b"\x07") { 1 } else { 2 };
            let link = &body[..body.len() - terminator];
            link.starts_with(b"8;") && !link.iter().any(u8::is_ascii_control)
        }
        _ => false,
    }
}

/// `text` without terminal control sequences: CSI (`ESC [ … final`, the colours and `ESC[K`)
/// and OSC (`ESC ] … BEL` or `ESC ] … ESC \`, the links GCC puts around option names). A lone
/// `ESC` stays.
pub fn strip(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    while let Some(seq) = next_sequence(text, at) {
        out.extend_from_slice(&text[at..seq.start]);
        if seq.kind == Kind::Lone {
            out.push(text[seq.start]);
        }
        at = seq.end;
    }
    out.extend_from_slice(&text[at..]);
    out
}

/// Whether compiler output replayed from a store is safe for a terminal: its only control
/// sequences are those compilers print (colours and links). Anything else (setting the
/// title, writing the clipboard, moving the cursor, answering queries) is not what a compiler
/// prints, and a stored entry holding it is refused.
pub fn is_plain(text: &[u8]) -> bool {
    let mut at = 0;
    while let Some(seq) = next_sequence(text, at) {
        if !is_compilers(&seq, text) {
            return false;
        }
        at = seq.end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices() {
        let xterm = Some(OsStr::new("xterm-256color"));
        assert!(wanted(Color::Always, false, None));
        assert!(!wanted(Color::Never, true, xterm));
        assert!(wanted(Color::Auto, true, xterm));
        assert!(!wanted(Color::Auto, false, xterm));
        assert!(!wanted(Color::Auto, true, None));
        assert!(!wanted(Color::Auto, true, Some(OsStr::new("dumb"))));
    }

    #[test]
    fn terminal_text_allows_colours_and_links_only() {
        for good in [
            &b"plain text\n"[..],
            b"\x1b[01m\x1b[Kx.c:\x1b[m\x1b[K In function \x1b[01;35m\x1b[Kwarning:\x1b[m\x1b[K",
            b"\x1b[0;1;31merror\x1b[0m",
            b"\x1b]8;;https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html#index-Wunused\x1b\\-Wunused\x1b]8;;\x1b\\",
            b"\x1b]8;;http://x\x07link\x1b]8;;\x07",
        ] {
            assert!(is_plain(good), "{}", String::from_utf8_lossy(good));
        }
        for bad in [
            &b"\x1b]0;new title\x07"[..],
            b"\x1b]52;c;aGVsbG8=\x07",
            b"\x1b[2J",
            b"\x1b[6n",
            b"\x1bP+q\x1b\\",
            b"\x1b[1",
            b"\x1b",
            b"\x1b]8;;never terminated",
            b"\x1b]8;;a\nb\x07",
        ] {
            assert!(!is_plain(bad), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn stored_text_usable_in_colour() {
        assert!(is_colored(b""));
        assert!(is_colored(b"\x1b[01mt.c:1:\x1b[m warning\n"));
        assert!(!is_colored(b"t.c:1: warning\n"));
    }

    #[test]
    fn strips_what_gcc_and_clang_emit() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"plain\n", b"plain\n"),
            (
                b"\x1b[01m\x1b[Kt.c:1:5:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[Kx\n",
                b"t.c:1:5: warning: x\n",
            ),
            (
                b"[\x1b]8;;https://gcc.gnu.org/onlinedocs/gcc/Warning-Options.html#index-Wunused\x1b\\-Wunused\x1b]8;;\x1b\\]",
                b"[-Wunused]",
            ),
            (b"a\x1b]8;;u\x07b\x1b]8;;\x07c", b"abc"),
            (b"\x1b[0;1;35mwarning:\x1b[0m", b"warning:"),
            // A lone or cut-short escape is dropped or kept, never read past the end.
            (b"x\x1b", b"x\x1b"),
            (b"x\x1b[12", b"x"),
            (b"x\x1b]8;;", b"x"),
        ];
        for (input, want) in cases {
            assert_eq!(strip(input), *want, "{:?}", String::from_utf8_lossy(input));
        }
    }
}
