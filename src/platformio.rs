//! The PlatformIO hook: a `pre:` extra script that routes a PlatformIO build's compiles
//! through zcc (`zcc platformio-script`, docs/INTEGRATIONS.md).
//!
//! PlatformIO ignores `CC`/`CXX` and puts its toolchain first in `PATH`, so the hook wraps
//! SCons' `SPAWN` instead: every command whose program is a GCC- or Clang-family driver runs
//! as `zcc <driver> <args>`. The script text lives in `platformio_script.py`; this module
//! only fills in the path of the zcc that should run, as a Python literal.
//!
//! ```
//! use std::path::Path;
//! let script = zcc::platformio::render_script(Path::new("/opt/zcc/bin/zcc"));
//! assert!(script.contains("ZCC_PATH = \"/opt/zcc/bin/zcc\"\n"));
//! ```

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// The script, with `"@ZCC_PATH@"` where the zcc path goes.
const TEMPLATE: &str = include_str!("platformio_script.py");
const PLACEHOLDER: &str = "\"@ZCC_PATH@\"";

/// The hook script, calling the zcc at `zcc` (unless the environment variable `ZCC` names
/// another when PlatformIO runs it).
pub fn render_script(zcc: &Path) -> String {
    TEMPLATE.replacen(PLACEHOLDER, &python_path_literal(zcc.as_os_str()), 1)
}

/// A Python expression whose value is `path` as Python sees file names: a plain ASCII
/// string literal (`"…"`, every other character escaped) when the path is UTF-8, otherwise
/// `os.fsdecode(b"…")`, which gives back the exact bytes on POSIX.
pub(crate) fn python_path_literal(path: &OsStr) -> String {
    match path.to_str() {
        Some(text) => {
            let mut out = String::with_capacity(text.len() + 2);
            out.push('"');
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    ' '..='~' => out.push(c),
                    c if (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32).unwrap(),
                    c if (c as u32) < 0x10000 => write!(out, "\\u{:04x}", c as u32).unwrap(),
                    c => write!(out, "\\U{:08x}", c as u32).unwrap(),
                }
            }
            out.push('"');
            out
        }
        None => {
            let mut out = String::from("os.fsdecode(b\"");
            for &b in path.as_encoded_bytes() {
                match b {
                    b'\\' => out.push_str("\\\\"),
                    b'"' => out.push_str("\\\""),
                    b' '..=b'~' => out.push(b as char),
                    b => write!(out, "\\x{b:02x}").unwrap(),
                }
            }
            out.push_str("\")");
            out
        }
    }
}

/// Writes `text` to `dest`, creating its parent directories. A file that already holds
/// exactly `text` is left alone (`Ok(false)`); otherwise it is replaced atomically
/// (`Ok(true)`).
pub fn install_script(dest: &Path, text: &str) -> io::Result<bool> {
    if std::fs::read(dest).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    crate::replay::write_atomic(dest, text.as_bytes())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    fn lit(path: &str) -> String {
        python_path_literal(OsStr::new(path))
    }

    #[test]
    fn plain_path_is_a_plain_string_literal() {
        assert_eq!(lit("/usr/local/bin/zcc"), "\"/usr/local/bin/zcc\"");
    }

    #[test]
    fn spaces_and_single_quotes_stay_as_they_are() {
        assert_eq!(lit("/home/a b/it's/zcc"), "\"/home/a b/it's/zcc\"");
    }

    #[test]
    fn double_quotes_and_backslashes_are_escaped() {
        assert_eq!(lit(r#"/x/"q"\y/zcc"#), r#""/x/\"q\"\\y/zcc""#);
    }

    #[test]
    fn shell_characters_need_no_python_escaping() {
        assert_eq!(lit("/x/$HOME`id`;&|/zcc"), "\"/x/$HOME`id`;&|/zcc\"");
    }

    #[test]
    fn control_and_non_ascii_characters_become_escapes() {
        assert_eq!(lit("/x/a\nb\tc\x7f"), "\"/x/a\\x0ab\\x09c\\x7f\"");
        assert_eq!(lit("/x/é/€/𝄞"), "\"/x/\\xe9/\\u20ac/\\U0001d11e\"");
    }

    #[test]
    fn windows_shaped_path_keeps_its_backslashes() {
        assert_eq!(lit(r"C:\Users\a b\zcc.exe"), r#""C:\\Users\\a b\\zcc.exe""#);
    }

    #[test]
    fn non_utf8_path_becomes_fsdecoded_bytes() {
        let path = OsStr::from_bytes(b"/x/\xff\"q\\/zcc");
        assert_eq!(
            python_path_literal(path),
            r#"os.fsdecode(b"/x/\xff\"q\\/zcc")"#
        );
    }

    #[test]
    fn rendered_script_names_the_path_once_and_keeps_no_placeholder() {
        let script = render_script(Path::new("/opt/my \"tools\"/zcc"));
        assert!(!script.contains("@ZCC_PATH@"));
        assert_eq!(
            script
                .lines()
                .filter(|l| l.starts_with("ZCC_PATH = "))
                .collect::<Vec<_>>(),
            ["ZCC_PATH = \"/opt/my \\\"tools\\\"/zcc\""]
        );
    }

    #[test]
    fn template_has_exactly_one_placeholder() {
        assert_eq!(TEMPLATE.matches(PLACEHOLDER).count(), 1);
        assert_eq!(TEMPLATE.matches("@ZCC_PATH@").count(), 1);
    }

    #[test]
    fn install_creates_parents_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a/b/zcc_pio.py");
        assert!(install_script(&dest, "one\n").unwrap());
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "one\n");
        assert!(!install_script(&dest, "one\n").unwrap());
        assert!(install_script(&dest, "two\n").unwrap());
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "two\n");
        assert_eq!(
            std::fs::read_dir(dest.parent().unwrap()).unwrap().count(),
            1
        );
    }
}
