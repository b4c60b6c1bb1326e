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

/// `text` without terminal control sequences: CSI (`ESC [ … final`, the colours and `ESC[K`)
/// and OSC (`ESC ] … BEL` or `ESC ] … ESC \`, the links GCC puts around option names).
pub fn strip(text: &[u8]) -> Vec<u8> {
    const ESC: u8 = 0x1b;
    if memchr::memchr(ESC, text).is_none() {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] != ESC {
            out.push(text[i]);
            i += 1;
            continue;
        }
        match text.get(i + 1) {
            Some(b'[') => {
                // Parameters and intermediates, then one final byte in 0x40..=0x7e.
                let mut j = i + 2;
                while j < text.len() && (0x20..=0x3f).contains(&text[j]) {
                    j += 1;
                }
                i = if j < text.len() && (0x40..=0x7e).contains(&text[j]) {
                    j + 1
                } else {
                    j
                };
            }
            Some(b']') => {
                let mut j = i + 2;
                loop {
                    match text.get(j) {
                        None => break,
                        Some(0x07) => {
                            j += 1;
                            break;
                        }
                        Some(&ESC) if text.get(j + 1) == Some(&b'\\') => {
                            j += 2;
                            break;
                        }
                        Some(_) => j += 1,
                    }
                }
                i = j;
            }
            _ => {
                out.push(ESC);
                i += 1;
            }
        }
    }
    out
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
