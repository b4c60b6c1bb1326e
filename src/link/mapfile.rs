//! Linker map files, stored portably and rendered for another layout.
//!
//! A map names the link's inputs by path: objects as the command line gave them, libraries
//! and startup files where the search found them (`/usr/lib/gcc/avr/5.4.0/…`). Stored with
//! root tokens (as diagnostics are), it expands to this machine's paths on a hit. One part of
//! the layout depends on path lengths: in the sections listing what was pulled in "to satisfy
//! reference by file (symbol)", GNU ld pads a name shorter than 29 bytes to column 30 and puts
//! the referencing file on the same line, and otherwise breaks the line and indents the
//! referencing file by 30 spaces (`ldmain.c`, `add_archive_element`). [`render`] redoes that
//! layout after expanding, so a map served on another layout is the one ld would write there.
//! Everywhere else paths end their line, and a longer path changes nothing else.

use serde::{Deserialize, Serialize};

use crate::entry::Text;
use crate::paths::Roots;

/// Column where ld puts the referencing file.
const COLUMN: usize = 30;

/// A map file as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMap {
    pub text: Text,
    /// The roots the text was written with, when it holds their paths but could not be
    /// tokenized (it contains `@`, e.g. glibc's symbol versions): it is then only served where
    /// the roots are the same.
    pub layout: Option<Vec<(String, String)>>,
}

/// The roots of a call as stored in a [`StoredMap`].
fn layout_of(roots: &Roots) -> Vec<(String, String)> {
    roots
        .entries()
        .into_iter()
        .map(|(name, dir)| (name, dir.to_string_lossy().into_owned()))
        .collect()
}

/// Store `text`, written under `roots`: every entry of the "to satisfy reference" sections
/// broken onto two lines (the layout is redone for the paths of the machine that serves it).
pub fn store(text: &[u8], roots: &Roots) -> StoredMap {
    let text = &layout(text, false)[..];
    let tokenized = roots.tokenize_text(text);
    if !text.contains(&b'@') {
        let text = if tokenized == text {
            Text::Raw(tokenized)
        } else {
            Text::Tokenized(tokenized)
        };
        return StoredMap { text, layout: None };
    }
    let layout = (tokenized != text).then(|| layout_of(roots));
    StoredMap {
        text: Text::Raw(text.to_vec()),
        layout,
    }
}

/// The map ld would write under `roots`, or `None` when the stored text belongs to another
/// layout.
pub fn render(stored: &StoredMap, roots: &Roots) -> Option<Vec<u8>> {
    if let Some(layout) = &stored.layout
        && *layout != layout_of(roots)
    {
        return None;
    }
    // A map file names no compile input: no directory to fill in.
    Some(layout(&stored.text.expand(roots, ""), true))
}

/// Redo the name/reference layout of the "included to satisfy reference" sections: as ld
/// does (`join`: a short name shares its line with the reference), or always on two lines.
fn layout(text: &[u8], join: bool) -> Vec<u8> {
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let mut out = Vec::with_capacity(text.len() + 64);
    let mut in_section = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let bare = line.strip_suffix(b"\n").unwrap_or(line);
        if bare.ends_with(b"to satisfy reference by file (symbol)") {
            in_section = true;
            out.extend_from_slice(line);
            continue;
        }
        if !in_section || bare.is_empty() || bare.starts_with(b" ") {
            // A blank line ends the section, except the one right after its heading.
            if bare.is_empty() && out.ends_with(b"(symbol)\n") {
                out.extend_from_slice(line);
                continue;
            }
            in_section &= !bare.is_empty();
            out.extend_from_slice(line);
            continue;
        }
        // A name, with its reference on this line (after padding) or on the next one.
        let indent = [b' '; COLUMN];
        let (name, reference, newline) = match split_padded(bare) {
            Some((name, reference)) => (name, reference, line.ends_with(b"\n")),
            None => match lines.get(i).and_then(|next| next.strip_prefix(&indent[..])) {
                Some(next) if !next.starts_with(b" ") => {
                    i += 1;
                    let reference = next.strip_suffix(b"\n").unwrap_or(next);
                    (bare, reference, next.ends_with(b"\n"))
                }
                _ => {
                    out.extend_from_slice(line);
                    continue;
                }
            },
        };
        out.extend_from_slice(name);
        if !join || name.len() >= COLUMN - 1 {
            out.push(b'\n');
            out.extend_from_slice(&indent);
        } else {
            out.resize(out.len() + COLUMN - name.len(), b' ');
        }
        out.extend_from_slice(reference);
        if newline {
            out.push(b'\n');
        }
    }
    out
}

/// `name<padding to COLUMN>reference` → (name, reference), for a name shorter than 29 bytes.
fn split_padded(line: &[u8]) -> Option<(&[u8], &[u8])> {
    if line.len() <= COLUMN || line[COLUMN] == b' ' {
        return None;
    }
    let (head, reference) = line.split_at(COLUMN);
    let name_end = head.iter().rposition(|&b| b != b' ')? + 1;
    (name_end < COLUMN - 1 && head[name_end..].iter().all(|&b| b == b' '))
        .then(|| (&head[..name_end], reference))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const MAP: &str = "Archive member included to satisfy reference by file (symbol)

./libb.a(b.o)                 a.o (f)
/usr/lib/avr/lib/avr5/libm.a(fixsfsi.o)
                              a.o (__fixsfsi)
/usr/lib/avr/lib/avr5/libm.a(fixunssfsi.o)
                              /usr/lib/avr/lib/avr5/libm.a(fixsfsi.o) (__fixunssfsi)

Memory Configuration

Name             Origin             Length             Attributes
text             0x0000000000000000 0x0000000000020000 xr

LOAD /usr/lib/avr/lib/avr5/crtatmega328p.o
 .text          0x0000000000000000       0x7c /usr/lib/avr/lib/avr5/crtatmega328p.o
OUTPUT(fw.elf elf32-avr)
";

    fn roots(usr: &str) -> Roots {
        Roots::new(vec![("TC0".into(), PathBuf::from(usr))])
    }

    #[test]
    fn ld_layout_is_kept() {
        let stored = store(MAP.as_bytes(), &roots("/usr"));
        assert_eq!(
            String::from_utf8(render(&stored, &roots("/usr")).unwrap()).unwrap(),
            MAP
        );
        for text in [&b""[..], b"no newline", b"x\n\n"] {
            assert_eq!(
                render(&store(text, &roots("/usr")), &roots("/usr")).unwrap(),
                text
            );
        }
    }

    #[test]
    fn a_short_root_joins_lines_and_a_long_one_breaks_them() {
        let stored = store(MAP.as_bytes(), &roots("/usr"));
        assert!(matches!(stored.text, Text::Tokenized(_)));
        let short = String::from_utf8(render(&stored, &roots("/u")).unwrap()).unwrap();
        assert!(
            short.contains("/u/lib/avr/lib/avr5/libm.a(fixsfsi.o)\n"),
            "29 bytes or more still break: {short}"
        );
        let shorter = Roots::new(vec![("TC0".into(), PathBuf::from("/x"))]);
        let text = "Archive member included to satisfy reference by file (symbol)\n\n\
                    /usr/l.a(m.o)\n                              a.o (f)\n\nrest\n";
        let stored = store(text.as_bytes(), &roots("/usr"));
        let got = String::from_utf8(render(&stored, &shorter).unwrap()).unwrap();
        assert_eq!(
            got,
            "Archive member included to satisfy reference by file (symbol)\n\n\
             /x/l.a(m.o)                   a.o (f)\n\nrest\n"
        );
        let long = roots("/home/someone/.platformio/packages/toolchain");
        let back = store(got.as_bytes(), &shorter);
        let got = String::from_utf8(render(&back, &long).unwrap()).unwrap();
        assert!(got.contains(
            "/home/someone/.platformio/packages/toolchain/l.a(m.o)\n                              a.o (f)\n"
        ));
    }

    #[test]
    fn text_with_at_signs_is_served_only_on_the_same_layout() {
        let text = b"LOAD /usr/lib/libc.so\nfoo@@GLIBC_2.2.5\n";
        let stored = store(text, &roots("/usr"));
        assert_eq!(render(&stored, &roots("/usr")).unwrap(), text);
        assert_eq!(render(&stored, &roots("/opt")), None);
        // Without any root path in it, it is the same everywhere.
        let stored = store(b"foo@@GLIBC\n", &roots("/usr"));
        assert_eq!(render(&stored, &roots("/opt")).unwrap(), b"foo@@GLIBC\n");
    }
}
