//! What GNU ld says it read: its `--verbose` report, parsed.
//!
//! With `--verbose` (given before any other linker option, so that it covers `-T` scripts
//! too) ld prints on stdout every file it tries: `attempt to open <path> succeeded|failed`
//! for objects, archives and libraries (each `-l` search step), `opened script file <path>`
//! and `cannot find script file <path>` for scripts (`-T`, `INCLUDE`, scripts read as
//! libraries), then a trace line per file and archive member loaded. binutils 2.26 (Debian's
//! binutils-avr) and 2.40 both write these lines; 2.26 has no `--dependency-file`, and the
//! dependency file of 2.40 names an `INCLUDE` by the name written in the script rather than
//! the file found, so the report is the one source used for both.
//!
//! Pure: the caller runs the link and hands over its stdout.

/// What the linker reported, each path as it spelled it, first occurrence first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Files it opened (objects, archives, libraries, scripts).
    pub opened: Vec<String>,
    /// Scripts among them.
    pub scripts: Vec<String>,
    /// Paths it tried that could not be opened: if one appeared, the link would read it.
    pub absent: Vec<String>,
    /// Lines that are not part of the report (the link printed them itself).
    pub other: Vec<u8>,
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

/// Parse ld's stdout under `--verbose`.
pub fn parse(stdout: &[u8]) -> Report {
    let mut r = Report::default();
    let text = String::from_utf8_lossy(stdout);
    let mut lines = text.split_inclusive('\n').peekable();
    let mut first = true;
    while let Some(raw) = lines.next() {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        if std::mem::take(&mut first) && line.starts_with("GNU ld ") {
            continue;
        }
        if line == "  Supported emulations:" {
            while lines.next_if(|l| l.starts_with("   ")).is_some() {}
            continue;
        }
        if line == "using internal linker script:" || line == "using external linker script:" {
            // The script between two lines of `=`.
            if lines.next_if(|l| l.starts_with("=====")).is_some() {
                for l in lines.by_ref() {
                    if l.starts_with("=====") {
                        break;
                    }
                }
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("attempt to open ") {
            if let Some(path) = rest.strip_suffix(" succeeded") {
                push_unique(&mut r.opened, path);
                continue;
            }
            if let Some(path) = rest.strip_suffix(" failed") {
                push_unique(&mut r.absent, path);
                continue;
            }
        }
        if let Some(path) = line.strip_prefix("opened script file ") {
            push_unique(&mut r.opened, path);
            push_unique(&mut r.scripts, path);
            continue;
        }
        if let Some(path) = line.strip_prefix("cannot find script file ") {
            push_unique(&mut r.absent, path);
            continue;
        }
        // A shared library's DT_NEEDED entries: what needs it, then where it was found.
        if let Some((_, by)) = line.split_once(" needed by ")
            && r.opened.iter().any(|o| o == by)
        {
            continue;
        }
        if let Some(rest) = line.strip_prefix("found ")
            && let Some((_, path)) = rest.split_once(" at ")
        {
            push_unique(&mut r.opened, path);
            continue;
        }
        if let Some((_, mode)) = line.rsplit_once(": mode ")
            && !mode.is_empty()
            && !mode.contains(' ')
        {
            continue;
        }
        if is_trace_line(line, &r.opened) {
            continue;
        }
        r.other.extend_from_slice(raw.as_bytes());
    }
    r
}

/// A `-t` line: a file opened before, or `(archive)member` of an archive opened before.
fn is_trace_line(line: &str, opened: &[String]) -> bool {
    if opened.iter().any(|o| o == line) {
        return true;
    }
    line.strip_prefix('(')
        .and_then(|rest| rest.split_once(')'))
        .is_some_and(|(archive, member)| !member.is_empty() && opened.iter().any(|o| o == archive))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AVR: &str = "GNU ld (GNU Binutils) 2.26.20160125
  Supported emulations:
   avr2
   avr5
opened script file /usr/lib/avr/lib/ldscripts/avr5.xn
using external linker script:
==================================================
/* Script */
OUTPUT_FORMAT(\"elf32-avr\",\"elf32-avr\",\"elf32-avr\")
attempt to open not-a-report-line succeeded
==================================================
/usr/lib/gcc/avr/5.4.0/../../../avr/bin/ld: mode avr5
attempt to open /usr/lib/avr/lib/avr5/crtatmega328p.o succeeded
/usr/lib/avr/lib/avr5/crtatmega328p.o
attempt to open a.o succeeded
a.o
attempt to open ./libb.so failed
attempt to open ./libb.a succeeded
(./libb.a)b.o
cannot find script file inc.ld
opened script file ld/inc.ld
attempt to open /tmp/ccX.ltrans0.ltrans.o succeeded
/tmp/ccX.ltrans0.ltrans.o
attempt to open ./libb.a succeeded
";

    #[test]
    fn avr_report() {
        let r = parse(AVR.as_bytes());
        assert_eq!(
            r.opened,
            [
                "/usr/lib/avr/lib/ldscripts/avr5.xn",
                "/usr/lib/avr/lib/avr5/crtatmega328p.o",
                "a.o",
                "./libb.a",
                "ld/inc.ld",
                "/tmp/ccX.ltrans0.ltrans.o"
            ]
        );
        assert_eq!(
            r.scripts,
            ["/usr/lib/avr/lib/ldscripts/avr5.xn", "ld/inc.ld"]
        );
        assert_eq!(r.absent, ["./libb.so", "inc.ld"]);
        assert_eq!(String::from_utf8_lossy(&r.other), "");
    }

    #[test]
    fn lines_the_link_printed_itself_are_kept() {
        let text = "attempt to open a.o succeeded\na.o\nMemory region  Used Size\n(other.a)x.o\n";
        let r = parse(text.as_bytes());
        assert_eq!(r.other, b"Memory region  Used Size\n(other.a)x.o\n");
        // Without a trailing newline too.
        assert_eq!(parse(b"hello").other, b"hello");
        assert_eq!(parse(b"").other, b"");
    }

    #[test]
    fn host_report() {
        let text = "GNU ld (GNU Binutils for Debian) 2.40
  Supported emulations:
   elf_x86_64
using internal linker script:
==================================================
SECTIONS {}
==================================================
/usr/bin/ld: mode elf_x86_64
attempt to open /usr/lib/x86_64-linux-gnu/libm.so succeeded
opened script file /usr/lib/x86_64-linux-gnu/libm.so
/usr/lib/x86_64-linux-gnu/libm.so
opened script file /usr/lib/x86_64-linux-gnu/libm.so
attempt to open /lib/x86_64-linux-gnu/libm.so.6 succeeded
/lib/x86_64-linux-gnu/libm.so.6
ld-linux-x86-64.so.2 needed by /lib/x86_64-linux-gnu/libm.so.6
found ld-linux-x86-64.so.2 at /lib64/ld-linux-x86-64.so.2
";
        let r = parse(text.as_bytes());
        assert_eq!(
            r.opened,
            [
                "/usr/lib/x86_64-linux-gnu/libm.so",
                "/lib/x86_64-linux-gnu/libm.so.6",
                "/lib64/ld-linux-x86-64.so.2"
            ]
        );
        assert_eq!(r.scripts, ["/usr/lib/x86_64-linux-gnu/libm.so"]);
        assert!(r.other.is_empty());
    }

    #[test]
    fn the_version_line_only_counts_first() {
        let r = parse(b"attempt to open a.o succeeded\nGNU ld (x) 1\n");
        assert_eq!(r.other, b"GNU ld (x) 1\n");
    }
}
