//! Writing a compile's outputs where the call asked for them.
//!
//! Every file is written to a temporary file in its own directory and renamed into place, so
//! a reader (make, ninja, a parallel link) never sees a partial object, and the file gets a
//! fresh mtime so build tools see it as new.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use crate::args::Extra;

/// Write `data` to `path` completely or not at all (temp file + rename): a killed zcc never
/// leaves a truncated object with a fresh mtime. A path that exists and is not a regular file
/// (`/dev/null`, a FIFO) is written in place, since renaming over it would replace it. A
/// symlink is an error: the call passes through before it gets here (`Cache`), since a
/// compiler writes through some links (`/dev/stdout`) and replaces others.
///
/// The temp file's name is random and it is created with `O_EXCL|O_NOFOLLOW`: in a directory
/// others can write, nobody can plant a link under the name beforehand to make a hit write
/// into one of the caller's files.
///
/// An existing file is removed just before the rename instead of being renamed over: ext4
/// (`auto_da_alloc`, on by default) flushes a file renamed over another one, which measured
/// 0.1-0.6 ms per call here, against 4 µs for a rename to a free name. For that instant the
/// path does not exist, as while a compiler rewrites its output.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let existing = fs::symlink_metadata(path).ok();
    if let Some(meta) = &existing {
        let ft = meta.file_type();
        if ft.is_symlink() {
            return Err(io::Error::other(format!(
                "{} is a symbolic link",
                path.display()
            )));
        }
        if ft.is_char_device() || ft.is_fifo() || ft.is_block_device() {
            return fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .write_all(data);
        }
        if ft.is_dir() {
            return Err(io::Error::other(format!(
                "{} is a directory",
                path.display()
            )));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(crate::safefs::random_name(&format!(".{name}.zcc-tmp.")));
    // 0666 less the umask, as the compiler creates its outputs.
    let result = crate::safefs::create_new(&tmp, 0o666)
        .and_then(|mut file| file.write_all(data))
        .and_then(|()| {
            // Only a file the path leads to is worth removing first (a dangling symlink is
            // replaced by the rename without any flush). Gone already (a concurrent writer) is
            // fine: the rename puts ours in place.
            if existing.is_some() {
                let _ = fs::remove_file(path);
            }
            fs::rename(&tmp, path)
        });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Where the compiler writes an extra output for the object `output`. GCC strips the object's
/// last extension and appends the suffix, but versions disagree on a trailing dot (`foo.` →
/// `foo.su` in GCC 12, `foo..su` in GCC 5): `variant` 0 strips any extension, 1 keeps a name
/// that ends in a bare dot. When no `-o` was given, the name comes from the input's basename.
pub fn extra_path(output: &str, extra: Extra, variant: u8) -> PathBuf {
    let name_start = output.rfind('/').map_or(0, |i| i + 1);
    let stem = match output[name_start..].rfind('.') {
        Some(dot) if dot > 0 && !(variant == 1 && name_start + dot + 1 == output.len()) => {
            &output[..name_start + dot]
        }
        _ => output,
    };
    PathBuf::from(format!("{stem}{}", extra.suffix()))
}

/// The distinct naming variants worth checking for `output`.
pub fn extra_variants(output: &str) -> &'static [u8] {
    if output.ends_with('.') { &[0, 1] } else { &[0] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_paths() {
        let cases: &[(&str, Extra, u8, &str)] = &[
            ("x.o", Extra::StackUsage, 0, "x.su"),
            ("b/x.cpp.o", Extra::StackUsage, 0, "b/x.cpp.su"),
            ("dir.x/foo", Extra::Coverage, 0, "dir.x/foo.gcno"),
            ("foo.", Extra::StackUsage, 0, "foo.su"),
            ("foo.", Extra::StackUsage, 1, "foo..su"),
            ("b/x.o", Extra::SplitDwarf, 0, "b/x.dwo"),
            ("b/x.o", Extra::CallgraphInfo, 0, "b/x.ci"),
        ];
        for (out, extra, variant, want) in cases {
            assert_eq!(
                extra_path(out, *extra, *variant),
                PathBuf::from(want),
                "{out}"
            );
        }
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.o");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_write_to_dev_null_keeps_it_a_device() {
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn atomic_write_never_writes_through_a_planted_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        // Links under every name a predictable scheme (pid and a counter) could give.
        for n in 0..100 {
            let name = format!(".x.o.zcc-tmp.{}.{n}", std::process::id());
            std::os::unix::fs::symlink(&victim, out.join(name)).unwrap();
        }
        write_atomic(&out.join("x.o"), b"object").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert_eq!(fs::read(out.join("x.o")).unwrap(), b"object");
        // An output that is itself a link is refused, not replaced nor written through.
        let link = out.join("link.o");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(write_atomic(&link, b"object").is_err());
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn atomic_write_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_atomic(&dir.path().join("missing/x.o"), b"x").is_err());
        assert!(write_atomic(dir.path(), b"x").is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
