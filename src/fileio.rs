//! File I/O on the hit and miss paths, with the fewest system calls. A hit reads a manifest,
//! an entry and a few memos, a miss every small header of its compile; `fs::read` spends two
//! more calls per file (a size query and a last read to see the end) than these need. Files
//! in the store are opened without checking their directory first: it is made when missing.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Open `path` with `options`; when what is missing is its directory, make that with
/// `make_dir` and open again. The store's directories are made by the first write into them,
/// not checked on every call.
pub fn open_making_dir(
    path: &Path,
    options: &OpenOptions,
    make_dir: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<File> {
    match options.open(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            make_dir(path.parent().unwrap_or(Path::new(".")))?;
            options.open(path)
        }
        opened => opened,
    }
}

/// Read from `file` until `len` bytes or the end, whichever comes first: one `read` when the
/// file has the length its stat said. Callers check what they got (a checksum, or a stat taken
/// before and compared after), so a file that changed size in between is never taken as is.
pub fn read_up_to(file: &mut File, len: u64) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; usize::try_from(len).unwrap_or(0)];
    let mut filled = 0;
    while filled < bytes.len() {
        match read_once(file, &mut bytes[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// One `read` into `buf` (again if a signal interrupted it): how many bytes it gave.
pub fn read_once(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_length_or_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        let content: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        std::fs::write(&p, &content).unwrap();
        for (len, want) in [(0, 0), (10, 10), (100_000, 100_000), (200_000, 100_000)] {
            let got = read_up_to(&mut File::open(&p).unwrap(), len).unwrap();
            assert_eq!(got, content[..want], "len {len}");
        }
    }
}
