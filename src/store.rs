//! The local content-addressed store: one plain file per entry, written atomically.
//!
//! # On-disk layout
//!
//! ```text
//! <root>/FORMAT                              "1\n": format version of the zcc that created the store
//! <root>/v1/results/<ab>/<64 hex digits>     compile results; <ab> = first byte of the key in hex
//! <root>/v1/manifests/<ab>/<64 hex digits>   direct-mode manifests (a separate namespace)
//! <root>/v1/aux/                             small auxiliary files kept by the caller
//! <root>/v1/size/                            size estimate counters and the trim lock (see `evict`)
//! <root>/v1/<kind>/<ab>/.tmp.<pid>.<thread>.<n>   a write in progress (renamed into place when done)
//! <root>/v1/.trash.<pid>.<n>/                a namespace being deleted by `clear`
//! ```
//!
//! Entries live under a version-named directory, so a zcc with another format
//! (which would use e.g. `v2/`) never misreads them, whatever `FORMAT` says.
//! `FORMAT` is informational; nothing depends on its contents.
//!
//! # Who may write it
//!
//! Whoever can write the store can plant objects in every build that uses it.
//! Directories are created with mode 0700 and entry files with 0644 (whatever the
//! umask), and [`Store::open`] refuses a store directory (or its `v1/`) that
//! belongs to another user or that group or others may write
//! ([`private_dir_problem`]). What a store restored from elsewhere may hold
//! (symlinks, devices, crafted entries) is never followed, read without bound or
//! trusted beyond its checksum: see `docs/SECURITY.md`.
//!
//! # Entry file format
//!
//! A 48-byte header followed by the payload; integers are little-endian so a
//! store copied between machines stays readable:
//!
//! | bytes | field                                         |
//! |-------|-----------------------------------------------|
//! | 4     | magic `ZCCE`                                  |
//! | 2     | format version (1)                            |
//! | 1     | kind: 1 = result, 2 = manifest                |
//! | 1     | compression: 0 = none, 1 = zstd               |
//! | 8     | length of the stored payload                  |
//! | 32    | blake3 of the entry's key + the stored payload |
//!
//! The payload is stored zstd-compressed (level 1, the frame records the
//! uncompressed size) when that makes it smaller, else as is. The checksum is over
//! the *stored* bytes: a damaged file is caught before it reaches the
//! decompressor, and intact compressed bytes decompress to exactly what was put.
//! A zcc from before compression reads a compressed entry as corrupt (unknown
//! compression): it removes it and recompiles, so mixing versions on one store
//! costs recompiles, never a wrong object; the format version is therefore
//! unchanged and the entries of older zcc stay readable.
//!
//! [`encode_entry`] and [`decode_entry`] make and check these bytes outside a
//! store: a remote tier holds exactly what a local entry file holds.
//!
//! # Concurrency and crashes
//!
//! Many processes and threads share a store without any lock. A writer fills a
//! uniquely named temp file in the entry's own directory and renames it over
//! the final path, so a reader sees either no file or a complete one. Nothing
//! is fsynced (measured 20x slower): after a power loss an entry may be
//! missing or torn, and the checksum turns a torn entry into a miss. Every
//! read verifies the header and checksum, so a store that was tarred mid-write,
//! copied, or damaged costs at most a recompile.
//!
//! # Size
//!
//! A store opened with a limit ([`Store::with_max_size`]) keeps a running size
//! estimate on every write and trims the least recently used files when a write
//! pushes it over the limit; see the `evict` module.

mod evict;

pub use evict::{TrimGoal, TrimReport, Usage};

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::SystemTime;

/// 32-byte blake3 digest used as a store key.
pub type Key = [u8; 32];

/// Version written in `FORMAT` and in every entry header.
const FORMAT_VERSION: u16 = 1;
/// Directory under the root that holds everything of this format version.
pub const VERSION_DIR: &str = "v1";
const FORMAT_FILE: &str = "FORMAT";
const AUX_DIR: &str = "aux";
/// The counters' directory under the root (`Cache` keeps its `Stats` there).
pub const STATS_DIR: &str = "stats";

const MAGIC: [u8; 4] = *b"ZCCE";
const HEADER_LEN: usize = 4 + 2 + 1 + 1 + 8 + 32;
const COMPRESSION_NONE: u8 = 0;
const COMPRESSION_ZSTD: u8 = 1;
/// zstd level for entries (measured in docs/ARCHITECTURE.md, "Compression").
pub const ZSTD_LEVEL: i32 = 1;
/// Largest uncompressed payload a compressed entry may claim: what a hit may allocate.
const MAX_PAYLOAD: u64 = 2 << 30;
/// Largest entry file read (an object of a few hundred MB is already extreme).
const MAX_ENTRY_FILE: u64 = 1 << 30;
/// A compressed payload may claim at most this many times its stored size (plus
/// [`RATIO_FLOOR`]): zstd level 1 gives 1.3–4 on objects, so a 64 KB entry claiming 2 GB is
/// a decompression bomb, not an object. A payload that compresses better than this (a big
/// zero-filled array) is stored uncompressed, so every entry zcc writes passes the check.
const MAX_RATIO: u64 = 64;
/// What any compressed payload may claim, however small it is stored.
const RATIO_FLOOR: u64 = 1 << 20;

const TEMP_PREFIX: &str = ".tmp.";
const TRASH_PREFIX: &str = ".trash.";

/// How often `put` starts over when a concurrent `clear` removed its directory.
const PUT_ATTEMPTS: usize = 3;
/// How often `clear` retries deleting a renamed-away namespace that late writers refilled.
const TRASH_ATTEMPTS: usize = 10;
/// Bound on temp-name collisions (stale temp files of a crashed process with a reused pid).
const TEMP_NAME_ATTEMPTS: usize = 100;

/// Lowercase hex spelling of bytes (a key, as used in entry file names).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// What a stored file is: a compile result or a direct-mode manifest (separate namespaces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The outputs of one compilation.
    Result,
    /// A direct-mode manifest (maps input file hashes to result keys).
    Manifest,
}

impl Kind {
    const ALL: [Kind; 2] = [Kind::Result, Kind::Manifest];

    /// The kind's namespace: `results` or `manifests` (a directory here, a name segment on a
    /// remote tier).
    pub fn dir_name(self) -> &'static str {
        match self {
            Kind::Result => "results",
            Kind::Manifest => "manifests",
        }
    }

    /// Byte stored in the header; 0 is avoided so a zero-filled file never matches.
    fn tag(self) -> u8 {
        match self {
            Kind::Result => 1,
            Kind::Manifest => 2,
        }
    }
}

/// Outcome of a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The verified payload.
    Found(Vec<u8>),
    /// No entry under this key.
    Missing,
    /// The entry was damaged (the reason says how) and has been removed; treat as a miss.
    Corrupt(String),
}

/// The local content-addressed store. Cheap to clone; Send + Sync.
#[derive(Clone, Debug)]
pub struct Store {
    /// `<root>/v1`: everything this format version reads or writes.
    data: Arc<Path>,
    /// Size limit in bytes; `None`: no accounting, no trimming.
    max_size: Option<u64>,
    /// Size change of the writes through this `Store` not yet added to the size counters.
    pending_bytes: Arc<AtomicI64>,
}

impl Store {
    /// Open (creating if needed) the store at `dir`: layout, and a `FORMAT` file holding the format version.
    /// Directories created with mode 0700. If `FORMAT` holds another version, the store is still usable:
    /// entries live under a version-named subdirectory (e.g. `v1/`), so another format never misreads them.
    ///
    /// An existing store opens without writing anything, so a read-only store can still serve `get`.
    ///
    /// A store directory (or its `v1/`) owned by another user, or writable by group or others,
    /// is refused with a `PermissionDenied` error saying why (see [`private_dir_problem`]).
    pub fn open(dir: &Path) -> io::Result<Store> {
        let data = dir.join(VERSION_DIR);
        // The root first: nothing is made inside a store that is refused. The directories
        // below `v1/` are made by the first write that needs them (`create_temp_file`,
        // `memo::write_once`); a read from one that is missing is a plain miss.
        let root_missing = match check_private_dir(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => true,
            checked => checked.map(|()| false)?,
        };
        match check_private_dir(&data) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_private_dir(&data)?;
                check_private_dir(&data)?;
            }
            checked => checked?,
        }
        if root_missing {
            check_private_dir(dir)?;
        }
        // What a restored archive or another program may have put in place of the store's
        // directories: a symlink there would lead every write, and `gc`'s removals, elsewhere.
        for sub in [AUX_DIR, evict::SIZE_DIR, "results", "manifests"] {
            crate::safefs::checked_dir(&data.join(sub))?;
        }
        crate::safefs::checked_dir(&dir.join(STATS_DIR))?;
        write_format_file(dir)?;
        Ok(Store {
            data: data.into(),
            max_size: None,
            pending_bytes: Arc::new(AtomicI64::new(0)),
        })
    }

    /// Keep the store under `max_size` bytes: writes are counted, and
    /// [`Store::trim_if_needed`] (to be called after a call's writes) adds them to the size
    /// estimate and trims when they pushed it over.
    pub fn with_max_size(mut self, max_size: u64) -> Store {
        self.max_size = Some(max_size);
        self
    }

    /// The directory the store was opened at.
    #[cfg(test)]
    pub fn root(&self) -> &Path {
        self.data.parent().expect("the data directory is under the root")
    }

    /// Read and verify an entry: header (magic bytes, format version, payload length, blake3 of payload).
    /// Any mismatch or truncation → the file is removed and `Corrupt(reason)` returned (a miss for the caller).
    /// A file that vanished between stat and read (a concurrent clear) is `Missing`, not an error.
    /// A found entry's use is recorded in its mtime when that is stale (see [`crate::lastuse`]);
    /// a failure to record it is ignored.
    ///
    /// Anything at the entry path that is not a regular file, or that cannot be read for a reason
    /// other than not existing, is also `Corrupt` (and removed if possible).
    #[must_use]
    pub fn get(&self, kind: Kind, key: &Key) -> Lookup {
        let path = self.entry_path(kind, key);
        match read_entry(&path, kind, key) {
            Ok((file, mtime, payload)) => {
                crate::lastuse::record(&file, mtime);
                Lookup::Found(payload)
            }
            Err(ReadError::Missing) => Lookup::Missing,
            Err(ReadError::Corrupt(reason)) => {
                // Remove it so the next put can replace it. If a concurrent put has just renamed a
                // good entry into place, this removes that one instead: that only costs a recompile.
                let _ = remove_any(&path);
                Lookup::Corrupt(format!("{}: {reason}", path.display()))
            }
        }
    }

    /// Write atomically: unique temp file in the target directory (name holds pid + thread id + counter,
    /// prefix `.tmp.`), write header+payload, rename over the final path. Never leaves a partial final file.
    /// On error the temp file is removed.
    ///
    /// The payload is stored zstd-compressed when that is smaller. Missing directories are
    /// recreated, and a write that loses a race with `clear` starts over. With a size limit,
    /// the change in size is added to the running estimate (see [`Store::trim_if_needed`]).
    #[cfg(any(test, feature = "internals"))]
    pub fn put(&self, kind: Kind, key: &Key, payload: &[u8]) -> io::Result<()> {
        self.put_entry(kind, key, &encode_entry(kind, key, payload))
    }

    /// Write an entry file's exact bytes (from [`encode_entry`], or fetched from a remote tier
    /// and checked with [`decode_entry`]) atomically, as [`Store::put`] does.
    pub fn put_entry(&self, kind: Kind, key: &Key, entry: &[u8]) -> io::Result<()> {
        let path = self.entry_path(kind, key);
        let old_len = fs::symlink_metadata(&path).map_or(0, |m| m.len());
        let mut attempts = 1;
        loop {
            match write_atomically(&path, &[entry]) {
                // A concurrent `clear` moved the directory (and our temp file) away.
                Err(e) if e.kind() == io::ErrorKind::NotFound && attempts < PUT_ATTEMPTS => {
                    attempts += 1;
                }
                Ok(()) => {
                    self.note_write(old_len, entry.len() as u64);
                    return Ok(());
                }
                result => return result,
            }
        }
    }

    /// Remove every entry (results and manifests) but keep the store usable; concurrent readers see Missing.
    ///
    /// Each namespace is renamed away in one step (so entries vanish at once), recreated empty,
    /// and then deleted. `aux/`, `FORMAT` and other format versions' directories are kept.
    /// Leftovers of an interrupted earlier `clear` are deleted too.
    pub fn clear(&self) -> io::Result<()> {
        for kind in Kind::ALL {
            let live = self.data.join(kind.dir_name());
            let trash = self.data.join(unique_name(TRASH_PREFIX));
            let moved = match fs::rename(&live, &trash) {
                Ok(()) => true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => return Err(e),
            };
            create_private_dir(&live)?;
            if moved {
                remove_trash(&trash)?;
            }
        }
        self.sweep_trash();
        // Only aux/ is left: count it so the size estimate starts over from the truth.
        if self.max_size.is_some() {
            self.recount()?;
        }
        Ok(())
    }

    /// Directory for small auxiliary files the cache keeps (e.g. memoized compiler hashes): `<root>/<version>/aux`.
    pub fn aux_dir(&self) -> PathBuf {
        self.data.join(AUX_DIR)
    }

    fn entry_path(&self, kind: Kind, key: &Key) -> PathBuf {
        self.data
            .join(kind.dir_name())
            .join(format!("{:02x}", key[0]))
            .join(hex(key))
    }

    /// Delete `.trash.*` directories left by a `clear` that was interrupted. Best effort:
    /// another `clear` may be deleting the same directory right now.
    fn sweep_trash(&self) {
        let Ok(children) = list_dir(&self.data) else {
            return;
        };
        for child in children {
            if child
                .file_name()
                .to_string_lossy()
                .starts_with(TRASH_PREFIX)
            {
                let _ = remove_any(&child.path());
            }
        }
    }
}

/// The fixed-size header at the start of every entry file.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    magic: [u8; 4],
    version: u16,
    kind: u8,
    compression: u8,
    payload_len: u64,
    digest: [u8; 32],
}

impl Header {
    /// The header for `stored`, the payload as it is written (compressed or not) under `key`.
    fn for_stored(kind: Kind, key: &Key, compression: u8, stored: &[u8]) -> Header {
        Header {
            magic: MAGIC,
            version: FORMAT_VERSION,
            kind: kind.tag(),
            compression,
            payload_len: stored.len() as u64,
            digest: digest(key, stored),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN);
        out.extend_from_slice(&self.magic);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.push(self.kind);
        out.push(self.compression);
        out.extend_from_slice(&self.payload_len.to_le_bytes());
        out.extend_from_slice(&self.digest);
        out
    }

    /// Split `bytes` into header and the rest; `None` if there are fewer than `HEADER_LEN` bytes.
    fn decode(bytes: &[u8]) -> Option<(Header, &[u8])> {
        let (magic, rest) = bytes.split_first_chunk::<4>()?;
        let (version, rest) = rest.split_first_chunk::<2>()?;
        let (&[kind, compression], rest) = rest.split_first_chunk::<2>()?;
        let (payload_len, rest) = rest.split_first_chunk::<8>()?;
        let (digest, rest) = rest.split_first_chunk::<32>()?;
        let header = Header {
            magic: *magic,
            version: u16::from_le_bytes(*version),
            kind,
            compression,
            payload_len: u64::from_le_bytes(*payload_len),
            digest: *digest,
        };
        Some((header, rest))
    }
}

/// The bytes of the entry file for `payload` under `key`: header + (compressed) payload. A
/// remote tier stores exactly these bytes, so an entry means the same on every machine.
pub fn encode_entry(kind: Kind, key: &Key, payload: &[u8]) -> Vec<u8> {
    let (compression, stored) = compress(payload);
    let mut out = Header::for_stored(kind, key, compression, &stored).encode();
    out.extend_from_slice(&stored);
    out
}

/// Check an entry file's bytes (header, length, checksum over `key` and the stored payload)
/// and return the payload; `Err` says what is wrong. The same check [`Store::get`] makes, for
/// bytes that come from elsewhere (a remote tier).
pub fn decode_entry(kind: Kind, key: &Key, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let compression = verify(bytes, kind, key)?;
    decompress(compression, &bytes[HEADER_LEN..])
}

/// The payload as stored: zstd-compressed if that is smaller (tiny manifests often are not).
/// A compression failure just stores it uncompressed.
fn compress(payload: &[u8]) -> (u8, std::borrow::Cow<'_, [u8]>) {
    match zstd::bulk::compress(payload, ZSTD_LEVEL) {
        Ok(packed)
            if packed.len() < payload.len()
                && payload.len() as u64 <= claim_bound(packed.len()) =>
        {
            (COMPRESSION_ZSTD, packed.into())
        }
        _ => (COMPRESSION_NONE, payload.into()),
    }
}

/// The most a compressed payload stored in `stored_len` bytes may claim to hold.
fn claim_bound(stored_len: usize) -> u64 {
    (stored_len as u64)
        .saturating_mul(MAX_RATIO)
        .saturating_add(RATIO_FLOOR)
        .min(MAX_PAYLOAD)
}

/// The payload from verified stored bytes; `Err` says why a compressed payload is unusable.
fn decompress(compression: u8, stored: &[u8]) -> Result<Vec<u8>, String> {
    if compression == COMPRESSION_NONE {
        return Ok(stored.to_vec());
    }
    // bulk::compress always records the uncompressed size in the frame.
    let size = match zstd::zstd_safe::get_frame_content_size(stored) {
        Ok(Some(size)) if size <= claim_bound(stored.len()) => size,
        Ok(Some(size)) => {
            return Err(format!(
                "claims {size} uncompressed bytes from {} stored",
                stored.len()
            ));
        }
        Ok(None) | Err(_) => return Err("zstd frame without a content size".to_string()),
    };
    let size = usize::try_from(size).map_err(|_| "too large for this machine".to_string())?;
    // The decoder writes at most `size` bytes into the buffer, whatever the frame says later;
    // a failed allocation is a bad entry, never an abort.
    let mut payload = Vec::new();
    payload
        .try_reserve_exact(size)
        .map_err(|e| format!("cannot allocate {size} bytes: {e}"))?;
    zstd::bulk::Decompressor::new()
        .and_then(|mut d| d.decompress_to_buffer(stored, &mut payload))
        .map_err(|e| format!("cannot decompress: {e}"))?;
    if payload.len() != size {
        return Err(format!(
            "decompressed to {} bytes, frame says {size}",
            payload.len()
        ));
    }
    Ok(payload)
}

/// The checksum of an entry: blake3 over its key and the stored bytes. Binding the key means a
/// file that ended up at another key's path (copied, renamed, merged by hand) fails the check
/// instead of being served as that key's result.
fn digest(key: &Key, stored: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(key);
    h.update(stored);
    *h.finalize().as_bytes()
}

/// Check an entry file's bytes; `Err` says what is wrong. On success, the compression byte.
fn verify(bytes: &[u8], kind: Kind, key: &Key) -> Result<u8, String> {
    let Some((header, payload)) = Header::decode(bytes) else {
        return Err(format!(
            "truncated header ({} of {HEADER_LEN} bytes)",
            bytes.len()
        ));
    };
    if header.magic != MAGIC {
        return Err("bad magic bytes".to_string());
    }
    if header.version != FORMAT_VERSION {
        return Err(format!("format version {}", header.version));
    }
    if header.kind != kind.tag() {
        return Err(format!(
            "kind {} where {} was expected",
            header.kind,
            kind.tag()
        ));
    }
    if !matches!(header.compression, COMPRESSION_NONE | COMPRESSION_ZSTD) {
        return Err(format!("unsupported compression {}", header.compression));
    }
    if payload.len() as u64 != header.payload_len {
        return Err(format!(
            "payload is {} bytes, header says {}",
            payload.len(),
            header.payload_len
        ));
    }
    if digest(key, payload) != header.digest {
        return Err("checksum mismatch (damaged, or stored under another key)".to_string());
    }
    Ok(header.compression)
}

enum ReadError {
    Missing,
    Corrupt(String),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> ReadError {
        match e.kind() {
            // NotADirectory: the fan-out directory was replaced by a file; still nothing stored here.
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => ReadError::Missing,
            _ => ReadError::Corrupt(format!("unreadable: {e}")),
        }
    }
}

/// Read and verify the entry at `path`; returns the open file and its mtime (for the refresh)
/// and the payload.
fn read_entry(
    path: &Path,
    kind: Kind,
    key: &Key,
) -> Result<(File, SystemTime, Vec<u8>), ReadError> {
    // Non-blocking: opening a FIFO planted at an entry path would otherwise wait for a writer;
    // a symlink there is not followed (the open fails, the link is removed as damage).
    // The file may vanish before the open (a concurrent clear): that fails with NotFound.
    let mut file = crate::safefs::no_follow(OpenOptions::new().read(true)).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::Corrupt("not a regular file".to_string()));
    }
    if meta.len() > MAX_ENTRY_FILE {
        return Err(ReadError::Corrupt(format!("{} bytes: too big", meta.len())));
    }
    // Entries are replaced by rename, never changed in place: the open file keeps this size.
    // Reading at most that much is one `read`, without `read_to_end`'s extra size query and
    // end-of-file read; a shorter file fails the checksum below.
    let bytes = crate::fileio::read_up_to(&mut file, meta.len())?;
    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let payload = decode_entry(kind, key, &bytes).map_err(ReadError::Corrupt)?;
    Ok((file, mtime, payload))
}

/// Write `parts` to a temp file next to `path`, then rename it over `path`.
fn write_atomically(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    let Some(dir) = path.parent() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "entry path has no parent directory",
        ));
    };
    let (temp, file) = create_temp_file(dir)?;
    let result = write_parts(file, parts).and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Write and close (by consuming `file`), so the rename happens on a closed file.
fn write_parts(mut file: File, parts: &[&[u8]]) -> io::Result<()> {
    parts.iter().try_for_each(|part| file.write_all(part))
}

/// Create a new temp file in `dir`, creating `dir` if it is missing.
fn create_temp_file(dir: &Path) -> io::Result<(PathBuf, File)> {
    // A fan-out directory replaced by a symlink would take the entry elsewhere: removed here.
    crate::safefs::checked_dir(dir)?;
    let mut dir_creations = 0;
    for _ in 0..TEMP_NAME_ATTEMPTS {
        let temp = dir.join(unique_name(TEMP_PREFIX));
        // create_new: never reuse a file someone else (e.g. a crashed process with our pid)
        // left behind, nor a symlink; never writable by others, whatever the umask.
        match crate::safefs::create_new(&temp, 0o644) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            // Fan-out directories are created lazily, and `clear` removes them.
            // The result is ignored because the next open reports any real problem.
            Err(e) if e.kind() == io::ErrorKind::NotFound && dir_creations < PUT_ATTEMPTS => {
                let _ = create_private_dir(dir);
                dir_creations += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free temp file name in {}", dir.display()),
    ))
}

/// `<prefix><pid>.<thread>.<counter>`: unique among live processes on this machine.
fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{}.{}.{n}", std::process::id(), thread_number())
}

/// A small number identifying the current thread within this process (std's ThreadId has no
/// stable numeric form). 0 if asked during thread teardown; the counter keeps names unique anyway.
fn thread_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static NUMBER: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.try_with(|n| *n).unwrap_or(0)
}

/// Write `FORMAT` unless it exists. Its contents are informational, so a reader catching
/// it half-written (or two processes racing to create it) is harmless.
fn write_format_file(root: &Path) -> io::Result<()> {
    let path = root.join(FORMAT_FILE);
    if fs::symlink_metadata(&path).is_ok() {
        return Ok(());
    }
    match crate::safefs::create_new(&path, 0o644) {
        Ok(mut file) => file
            .write_all(format!("{FORMAT_VERSION}\n").as_bytes())
            .inspect_err(|_| {
                let _ = fs::remove_file(&path);
            }),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// `mkdir -p` with mode 0700 for every directory it creates.
pub(crate) fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(path) {
        // std reports AlreadyExists when the directory is renamed away between its mkdir and
        // its is-a-directory check (a concurrent `clear`); trying again settles it.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => builder.create(path),
        result => result,
    }
}

/// Why a store directory with this owner and mode must not be used by user `me`, if it must
/// not: owned by someone else (they could plant objects), or writable by group or others
/// (anyone in them could). Pure, so every case is unit-tested (tests run as root, where the
/// other-owner case cannot be set up without a second user).
pub fn private_dir_problem(owner: u32, mode: u32, me: u32) -> Option<String> {
    if owner != me {
        return Some(format!(
            "it belongs to uid {owner}, not to you (uid {me}); whoever owns it can plant objects in your builds"
        ));
    }
    if mode & 0o022 != 0 {
        return Some(format!(
            "it is writable by group or others (mode {:03o}); anyone who can write it can plant \
             objects in your builds (chmod go-w it, or use another ZCC_DIR)",
            mode & 0o777
        ));
    }
    None
}

/// Refuse a directory [`private_dir_problem`] objects to. The root may be a symlink the user
/// set up; `v1/` inside it must be a directory itself (a symlink there is removed, so that it
/// reads as missing and is made anew).
fn check_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = if dir.ends_with(VERSION_DIR) {
            let meta = fs::symlink_metadata(dir)?;
            if !meta.is_dir() {
                fs::remove_file(dir)?;
                return Err(io::ErrorKind::NotFound.into());
            }
            meta
        } else {
            fs::metadata(dir)?
        };
        let me = crate::safefs::euid();
        if let Some(problem) = private_dir_problem(meta.uid(), meta.mode(), me) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("refusing the store {}: {problem}", dir.display()),
            ));
        }
    }
    Ok(())
}

/// Delete a namespace directory that `clear` renamed away.
fn remove_trash(trash: &Path) -> io::Result<()> {
    let mut attempts = 1;
    loop {
        match remove_any(trash) {
            // A put that resolved its temp file's path just before the rename can still create
            // the file in the trash afterwards; retrying deletes it too.
            Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty && attempts < TRASH_ATTEMPTS => {
                attempts += 1;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            result => return result,
        }
    }
}

/// Remove a file, symlink or whole directory tree at `path`.
fn remove_any(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

/// The entries of a directory; a missing directory (or a file where one was expected) is empty.
fn list_dir(path: &Path) -> io::Result<Vec<fs::DirEntry>> {
    match fs::read_dir(path) {
        Ok(entries) => entries.collect(),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

/// Whether a file name looks like an entry: 64 lowercase hex digits.
fn is_entry_name(name: &OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.len() == 64 && name.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use evict::trim_target;
    use std::sync::Barrier;
    use std::sync::atomic::AtomicBool;
    use std::thread;
    use std::time::Duration;

    fn new_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("cache")).expect("open");
        (dir, store)
    }

    fn key(n: u32) -> Key {
        *blake3::hash(&n.to_le_bytes()).as_bytes()
    }

    /// A payload that differs per key and per version, so a mix-up cannot go unnoticed.
    fn payload(n: u32, version: u32) -> Vec<u8> {
        let len = (n as usize * 37) % 3000;
        (0..len)
            .map(|i| (i as u32 ^ n ^ version.wrapping_mul(7)) as u8)
            .collect()
    }

    /// Names of all files under `dir`, recursively.
    fn all_file_names(dir: &Path) -> Vec<String> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_dir() {
                names.extend(all_file_names(&entry.path()));
            } else {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names
    }

    /// Damage the stored entry with `damage`, check that `get` reports Corrupt and removes it,
    /// and that the key can be stored again.
    fn assert_corrupt_then_recovers(damage: impl FnOnce(&Path)) {
        let (_dir, store) = new_store();
        let k = key(1);
        store.put(Kind::Result, &k, b"hello world").expect("put");
        let path = store.entry_path(Kind::Result, &k);
        damage(&path);

        match store.get(Kind::Result, &k) {
            Lookup::Corrupt(reason) => assert!(!reason.is_empty()),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(fs::symlink_metadata(&path).is_err(), "corrupt entry kept");
        assert_eq!(store.get(Kind::Result, &k), Lookup::Missing);

        store
            .put(Kind::Result, &k, b"again")
            .expect("put after corrupt");
        assert_eq!(
            store.get(Kind::Result, &k),
            Lookup::Found(b"again".to_vec())
        );
    }

    /// (entries, entry bytes) from a walk.
    fn entry_counts(store: &Store) -> (u64, u64) {
        let usage = store.usage().expect("usage");
        (usage.entries, usage.entry_bytes)
    }

    fn modify_bytes(path: &Path, modify: impl FnOnce(&mut Vec<u8>)) {
        let mut bytes = fs::read(path).expect("read entry");
        modify(&mut bytes);
        fs::write(path, bytes).expect("write entry");
    }

    #[test]
    fn hex_is_lowercase_and_ordered() {
        let mut k = [0u8; 32];
        k[0] = 0xab;
        k[1] = 0x01;
        k[31] = 0xff;
        let h = hex(&k);
        assert_eq!(h.len(), 64);
        assert!(h.starts_with("ab01"));
        assert!(h.ends_with("ff"));
        assert!(is_entry_name(OsStr::new(&h)));
    }

    #[test]
    fn entry_name_check() {
        assert!(!is_entry_name(OsStr::new("abc")));
        assert!(!is_entry_name(OsStr::new(&"A".repeat(64))));
        assert!(!is_entry_name(OsStr::new(&format!(
            ".tmp.{}",
            "a".repeat(59)
        ))));
        assert!(is_entry_name(OsStr::new(&"0".repeat(64))));
    }

    #[test]
    fn header_encodes_to_fixed_length_and_decodes_back() {
        let header = Header::for_stored(Kind::Manifest, &key(1), COMPRESSION_NONE, b"abc");
        let mut bytes = header.encode();
        assert_eq!(bytes.len(), HEADER_LEN);
        bytes.extend_from_slice(b"abc");
        let (decoded, rest) = Header::decode(&bytes).expect("decode");
        assert_eq!(decoded, header);
        assert_eq!(rest, b"abc");
        assert!(Header::decode(&bytes[..HEADER_LEN - 1]).is_none());
    }

    #[test]
    fn an_entry_moved_to_another_keys_path_is_corrupt() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"one").unwrap();
        let from = store.entry_path(Kind::Result, &key(1));
        let to = store.entry_path(Kind::Result, &key(2));
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(&from, &to).unwrap();
        assert!(matches!(
            store.get(Kind::Result, &key(2)),
            Lookup::Corrupt(_)
        ));
        assert_eq!(
            store.get(Kind::Result, &key(1)),
            Lookup::Found(b"one".to_vec())
        );
    }

    #[test]
    fn store_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Store>();
    }

    #[test]
    fn open_creates_layout_and_format_file() {
        let (_dir, store) = new_store();
        let root = store.root();
        assert_eq!(fs::read_to_string(root.join("FORMAT")).unwrap(), "1\n");
        assert!(root.join("v1").is_dir());
        // Namespaces appear with the first write into them.
        assert!(!root.join("v1/results").exists());
        assert_eq!(store.get(Kind::Result, &key(1)), Lookup::Missing);
        store.put(Kind::Result, &key(1), b"x").unwrap();
        store.put(Kind::Manifest, &key(1), b"x").unwrap();
        for sub in ["v1/results", "v1/manifests"] {
            assert!(root.join(sub).is_dir(), "{sub} missing");
        }
        assert_eq!(store.aux_dir(), root.join("v1/aux"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for sub in ["", "v1", "v1/results"] {
                let mode = fs::metadata(root.join(sub)).unwrap().permissions().mode();
                assert_eq!(mode & 0o077, 0, "{sub:?} is accessible to others: {mode:o}");
            }
        }
    }

    #[test]
    fn open_twice_keeps_entries() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"x").unwrap();
        let again = Store::open(store.root()).unwrap();
        assert_eq!(
            again.get(Kind::Result, &key(1)),
            Lookup::Found(b"x".to_vec())
        );
    }

    #[test]
    fn other_format_version_is_left_alone_and_store_works() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        fs::create_dir_all(root.join("v7/results/00")).unwrap();
        fs::write(root.join("FORMAT"), "7\n").unwrap();
        fs::write(root.join("v7/results/00").join("0".repeat(64)), b"v7 data").unwrap();

        let store = Store::open(&root).unwrap();
        assert_eq!(fs::read_to_string(root.join("FORMAT")).unwrap(), "7\n");
        store.put(Kind::Result, &key(1), b"v1 data").unwrap();
        assert_eq!(
            store.get(Kind::Result, &key(1)),
            Lookup::Found(b"v1 data".to_vec())
        );
        assert_eq!(store.get(Kind::Result, &[0; 32]), Lookup::Missing);

        store.clear().unwrap();
        assert!(root.join("v7/results/00").join("0".repeat(64)).exists());
        assert_eq!(entry_counts(&store), (0, 0));
    }

    #[test]
    fn open_fails_when_parent_is_a_regular_file() {
        // Works as root too: no permission bits involved.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        assert!(Store::open(&file.join("cache")).is_err());
        assert!(Store::open(&file).is_err());
    }

    #[test]
    fn round_trip_both_kinds() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"result").unwrap();
        store.put(Kind::Manifest, &key(1), b"manifest").unwrap();
        assert_eq!(
            store.get(Kind::Result, &key(1)),
            Lookup::Found(b"result".to_vec())
        );
        assert_eq!(
            store.get(Kind::Manifest, &key(1)),
            Lookup::Found(b"manifest".to_vec())
        );
    }

    #[test]
    fn kinds_are_separate_namespaces() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"result").unwrap();
        assert_eq!(store.get(Kind::Manifest, &key(1)), Lookup::Missing);
    }

    #[test]
    fn empty_and_large_payloads_round_trip() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"").unwrap();
        assert_eq!(store.get(Kind::Result, &key(1)), Lookup::Found(Vec::new()));
        let big: Vec<u8> = (0..5_000_000u32).map(|i| (i % 251) as u8).collect();
        store.put(Kind::Result, &key(2), &big).unwrap();
        assert_eq!(store.get(Kind::Result, &key(2)), Lookup::Found(big));
    }

    #[test]
    fn put_overwrites() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"old").unwrap();
        store.put(Kind::Result, &key(1), b"new").unwrap();
        assert_eq!(
            store.get(Kind::Result, &key(1)),
            Lookup::Found(b"new".to_vec())
        );
    }

    #[test]
    fn missing_key_is_missing() {
        let (_dir, store) = new_store();
        assert_eq!(store.get(Kind::Result, &key(1)), Lookup::Missing);
    }

    /// The bytes of a stored entry file: header (magic, version, kind, compression, length,
    /// checksum over key and payload), then the payload, here too small to compress. Entry
    /// files travel between zcc versions: a change must be deliberate and bump the format.
    #[test]
    fn entry_file_bytes_are_pinned() {
        let bytes = encode_entry(Kind::Manifest, &[7; 32], b"payload");
        assert_eq!(hex(&bytes), GOLDEN_ENTRY_FILE);
        assert_eq!(
            decode_entry(Kind::Manifest, &[7; 32], &bytes).unwrap(),
            b"payload"
        );
    }

    const GOLDEN_ENTRY_FILE: &str = concat!(
        "5a43434501000200070000000000000077d5ee17f658a1dc2dc7c99754e4b14ad2e1f9e1d2794c8b25f730",
        "c3367b0ad57061796c6f6164",
    );

    #[test]
    fn entry_file_is_header_then_payload() {
        let (_dir, store) = new_store();
        let k = key(3);
        store.put(Kind::Manifest, &k, b"payload").unwrap();
        let path = store.entry_path(Kind::Manifest, &k);
        let name = hex(&k);
        assert!(path.ends_with(format!("v1/manifests/{}/{name}", &name[..2])));
        let bytes = fs::read(&path).unwrap();
        assert_eq!(&bytes[..4], b"ZCCE");
        assert_eq!(&bytes[4..6], &1u16.to_le_bytes());
        assert_eq!(bytes[6], 2, "kind");
        assert_eq!(bytes[7], 0, "compression");
        assert_eq!(&bytes[8..16], &7u64.to_le_bytes());
        assert_eq!(&bytes[16..48], &digest(&k, b"payload"));
        assert_eq!(&bytes[48..], b"payload");
    }

    #[test]
    fn truncated_payload_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b.truncate(b.len() - 1)));
    }

    #[test]
    fn truncated_header_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b.truncate(HEADER_LEN / 2)));
    }

    #[test]
    fn zero_length_file_is_corrupt() {
        assert_corrupt_then_recovers(|p| fs::write(p, b"").unwrap());
    }

    #[test]
    fn flipped_payload_bit_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b[HEADER_LEN + 3] ^= 0x10));
    }

    #[test]
    fn flipped_checksum_bit_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b[20] ^= 0x01));
    }

    #[test]
    fn wrong_magic_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b[..4].copy_from_slice(b"CCZE")));
    }

    #[test]
    fn wrong_version_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b[4] = 2));
    }

    #[test]
    fn unknown_compression_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b[7] = 9));
    }

    #[test]
    fn length_field_mismatch_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b[8] += 1));
    }

    #[test]
    fn trailing_garbage_is_corrupt() {
        assert_corrupt_then_recovers(|p| modify_bytes(p, |b| b.push(0)));
    }

    #[test]
    fn wrong_kind_is_corrupt() {
        // A manifest file under a result's name, e.g. from a store merged by hand.
        assert_corrupt_then_recovers(|p| {
            // The key `assert_corrupt_then_recovers` stores under, so only the kind is wrong.
            let header =
                Header::for_stored(Kind::Manifest, &key(1), COMPRESSION_NONE, b"hello world")
                    .encode();
            fs::write(p, [header, b"hello world".to_vec()].concat()).unwrap();
        });
    }

    #[test]
    fn directory_at_entry_path_is_corrupt_and_removed() {
        assert_corrupt_then_recovers(|p| {
            fs::remove_file(p).unwrap();
            fs::create_dir_all(p.join("sub")).unwrap();
            fs::write(p.join("sub/file"), b"x").unwrap();
        });
    }

    #[cfg(unix)]
    #[test]
    fn fifo_at_entry_path_does_not_block() {
        let fifo_made = |p: &Path| {
            fs::remove_file(p).unwrap();
            std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .is_ok_and(|s| s.success())
        };
        // Probe first: without a mkfifo command there is nothing to test.
        let probe = tempfile::tempdir().unwrap();
        let probe_file = probe.path().join("f");
        fs::write(&probe_file, b"").unwrap();
        if !fifo_made(&probe_file) {
            eprintln!("mkfifo unavailable; skipping");
            return;
        }
        assert_corrupt_then_recovers(|p| assert!(fifo_made(p)));
    }

    #[test]
    fn fanout_replaced_by_file_reads_missing_and_is_repaired_by_a_put() {
        let (_dir, store) = new_store();
        let k = key(1);
        let fanout = store
            .entry_path(Kind::Result, &k)
            .parent()
            .unwrap()
            .to_path_buf();
        fs::create_dir_all(fanout.parent().unwrap()).unwrap();
        fs::write(&fanout, b"not a dir").unwrap();
        assert_eq!(store.get(Kind::Result, &k), Lookup::Missing);
        store.put(Kind::Result, &k, b"x").unwrap();
        assert_eq!(store.get(Kind::Result, &k), Lookup::Found(b"x".to_vec()));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_planted_in_the_store_are_removed_never_followed() {
        let (dir, store) = new_store();
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let victim = outside.join("victim");
        fs::write(&victim, b"precious").unwrap();
        // An entry path that is a symlink: not read through, the link removed.
        let path = store.entry_path(Kind::Result, &key(1));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        assert!(matches!(
            store.get(Kind::Result, &key(1)),
            Lookup::Corrupt(_)
        ));
        assert!(fs::symlink_metadata(&path).is_err());
        // A fan-out directory that is a symlink: a put does not write through it.
        let fanout = path.parent().unwrap();
        fs::remove_dir(fanout).unwrap();
        std::os::unix::fs::symlink(&outside, fanout).unwrap();
        store.put(Kind::Result, &key(1), b"x").unwrap();
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 1);
        // Store directories that are symlinks are removed when the store is opened.
        for sub in ["v1/aux", "v1/size", "v1/manifests", "stats"] {
            let link = store.root().join(sub);
            let _ = fs::remove_dir_all(&link);
            std::os::unix::fs::symlink(&outside, &link).unwrap();
        }
        Store::open(store.root()).unwrap();
        for sub in ["v1/aux", "v1/size", "v1/manifests", "stats"] {
            assert!(
                fs::symlink_metadata(store.root().join(sub)).is_err(),
                "{sub}"
            );
        }
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    fn get_refreshes_mtime() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"x").unwrap();
        let path = store.entry_path(Kind::Result, &key(1));
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        File::open(&path).unwrap().set_modified(old).unwrap();

        assert!(matches!(store.get(Kind::Result, &key(1)), Lookup::Found(_)));
        let mtime = fs::metadata(&path).unwrap().modified().unwrap();
        let age = SystemTime::now().duration_since(mtime).unwrap_or_default();
        assert!(
            age < Duration::from_secs(60),
            "mtime not refreshed: {mtime:?}"
        );

        // A recent use is close enough: the hit writes nothing.
        let recent = SystemTime::now() - crate::lastuse::TOUCH_AFTER / 2;
        File::open(&path).unwrap().set_modified(recent).unwrap();
        assert!(matches!(store.get(Kind::Result, &key(1)), Lookup::Found(_)));
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), recent);
    }

    #[test]
    fn put_leaves_no_temp_files() {
        let (_dir, store) = new_store();
        for n in 0..50 {
            store.put(Kind::Result, &key(n), &payload(n, 0)).unwrap();
        }
        let names = all_file_names(store.root());
        assert!(
            names.iter().all(|n| !n.starts_with(TEMP_PREFIX)),
            "{names:?}"
        );
    }

    #[test]
    fn failed_rename_removes_temp_file() {
        let (_dir, store) = new_store();
        let path = store.entry_path(Kind::Result, &key(1));
        // A non-empty directory at the final path makes the rename fail, even for root.
        fs::create_dir_all(path.join("blocker")).unwrap();
        assert!(store.put(Kind::Result, &key(1), b"x").is_err());
        let fanout = path.parent().unwrap();
        let names: Vec<_> = fs::read_dir(fanout)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![hex(&key(1))]);
    }

    #[test]
    fn put_fails_without_panicking_when_layout_is_a_file() {
        // Tests run as root, where permission bits do not stop writes; a regular file
        // where the results directory should be fails for everyone.
        let (_dir, store) = new_store();
        let results = store.root().join("v1/results");
        fs::write(&results, b"not a directory").unwrap();
        assert!(store.put(Kind::Result, &key(1), b"x").is_err());
        assert_eq!(store.get(Kind::Result, &key(1)), Lookup::Missing);
        // The other namespace is unaffected.
        store.put(Kind::Manifest, &key(1), b"m").unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn put_into_read_only_directory_fails_unless_privileged() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, store) = new_store();
        let results = store.root().join("v1/results");
        fs::create_dir(&results).unwrap();
        fs::set_permissions(&results, fs::Permissions::from_mode(0o500)).unwrap();
        // Root (CAP_DAC_OVERRIDE) writes anyway; then this scenario cannot be tested here.
        let privileged = fs::write(results.join("probe"), b"").is_ok();
        let result = store.put(Kind::Result, &key(1), b"x");
        fs::set_permissions(&results, fs::Permissions::from_mode(0o700)).unwrap();
        if privileged {
            eprintln!("running privileged; read-only permissions not enforced");
        } else {
            assert!(result.is_err());
        }
    }

    #[test]
    fn clear_removes_entries_and_keeps_store_usable() {
        let (_dir, store) = new_store();
        for n in 0..20 {
            store.put(Kind::Result, &key(n), &payload(n, 0)).unwrap();
            store.put(Kind::Manifest, &key(n), &payload(n, 1)).unwrap();
        }
        fs::create_dir_all(store.aux_dir()).unwrap();
        fs::write(store.aux_dir().join("compiler-hashes"), b"keep me").unwrap();

        store.clear().unwrap();
        assert_eq!(entry_counts(&store), (0, 0));
        for n in 0..20 {
            assert_eq!(store.get(Kind::Result, &key(n)), Lookup::Missing);
            assert_eq!(store.get(Kind::Manifest, &key(n)), Lookup::Missing);
        }
        assert!(store.aux_dir().join("compiler-hashes").exists());
        assert!(store.root().join("FORMAT").exists());

        store.put(Kind::Result, &key(1), b"after").unwrap();
        assert_eq!(
            store.get(Kind::Result, &key(1)),
            Lookup::Found(b"after".to_vec())
        );
    }

    #[test]
    fn clear_on_empty_or_partial_store() {
        let (_dir, store) = new_store();
        store.clear().unwrap();
        fs::remove_dir_all(store.root().join("v1/manifests")).unwrap();
        store.clear().unwrap();
        assert!(store.root().join("v1/manifests").is_dir());
    }

    #[test]
    fn clear_sweeps_leftover_trash() {
        let (_dir, store) = new_store();
        let leftover = store.root().join("v1/.trash.123.1.0/ab");
        fs::create_dir_all(&leftover).unwrap();
        fs::write(leftover.join("x"), b"x").unwrap();
        store.clear().unwrap();
        assert!(!store.root().join("v1/.trash.123.1.0").exists());
    }

    #[test]
    fn usage_counts_entries_and_bytes() {
        let (_dir, store) = new_store();
        assert_eq!(entry_counts(&store), (0, 0));
        store.put(Kind::Result, &key(1), b"12345").unwrap();
        store.put(Kind::Manifest, &key(2), b"").unwrap();
        store.put(Kind::Result, &key(3), b"123").unwrap();
        let expected_bytes = (3 * HEADER_LEN + 5 + 3) as u64;
        assert_eq!(entry_counts(&store), (3, expected_bytes));

        // Temp files, aux files and stray names are not entries.
        let fanout = store.entry_path(Kind::Result, &key(1));
        fs::write(fanout.with_file_name(".tmp.1.2.3"), b"partial").unwrap();
        fs::write(fanout.with_file_name("README"), b"x").unwrap();
        fs::write(store.root().join("v1/results/stray"), b"x").unwrap();
        fs::create_dir_all(store.aux_dir()).unwrap();
        fs::write(store.aux_dir().join("memo"), b"x").unwrap();
        assert_eq!(entry_counts(&store), (3, expected_bytes));
        // Aux memos count toward the size, separately.
        let usage = store.usage().unwrap();
        assert_eq!((usage.aux_files, usage.aux_bytes), (1, 1));
        assert_eq!(usage.bytes(), expected_bytes + 1);

        // Overwriting does not add an entry.
        store.put(Kind::Result, &key(1), b"1").unwrap();
        assert_eq!(entry_counts(&store), (3, expected_bytes - 4));
    }

    #[test]
    fn concurrent_puts_and_gets() {
        const THREADS: u32 = 8;
        const OPS: u32 = 200;
        let (_dir, store) = new_store();
        let barrier = Barrier::new(THREADS as usize);
        thread::scope(|s| {
            for t in 0..THREADS {
                let (store, barrier) = (&store, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    for i in 0..OPS {
                        // Half the keys are shared by all threads, half are this thread's own.
                        let n = if i % 2 == 0 {
                            i % 16
                        } else {
                            1000 + t * OPS + i
                        };
                        // Every writer of a key writes the same bytes, as a content-addressed cache does.
                        let expected = payload(n, 0);
                        store.put(Kind::Result, &key(n), &expected).expect("put");
                        match store.get(Kind::Result, &key(n % 16)) {
                            Lookup::Found(p) => assert_eq!(p, payload(n % 16, 0)),
                            Lookup::Missing => {}
                            Lookup::Corrupt(reason) => panic!("corrupt: {reason}"),
                        }
                        assert_eq!(store.get(Kind::Result, &key(n)), Lookup::Found(expected));
                    }
                });
            }
        });
        let names = all_file_names(store.root());
        assert!(names.iter().all(|n| !n.starts_with(TEMP_PREFIX)));
    }

    #[test]
    fn concurrent_overwrites_with_different_payloads_never_tear() {
        let (_dir, store) = new_store();
        let k = key(7);
        let candidates: Vec<Vec<u8>> = (0..8)
            .flat_map(|t| (0..200).map(move |i| payload(7 + t, i)))
            .collect();
        thread::scope(|s| {
            for t in 0..8 {
                let (store, candidates) = (&store, &candidates);
                s.spawn(move || {
                    for i in 0..200 {
                        store.put(Kind::Manifest, &k, &payload(7 + t, i)).unwrap();
                        match store.get(Kind::Manifest, &k) {
                            Lookup::Found(p) => assert!(candidates.contains(&p), "torn payload"),
                            other => panic!("expected Found, got {other:?}"),
                        }
                    }
                });
            }
        });
    }

    #[test]
    fn clear_during_concurrent_gets_never_reports_corrupt() {
        let (_dir, store) = new_store();
        let done = AtomicBool::new(false);
        thread::scope(|s| {
            let (store, done) = (&store, &done);
            s.spawn(move || {
                // Stop the readers even if a clear fails, so a failure cannot hang the test.
                let result = (0..30).try_for_each(|_| {
                    thread::sleep(Duration::from_millis(2));
                    store.clear()
                });
                done.store(true, Ordering::SeqCst);
                result.expect("clear");
            });
            for t in 0..6u32 {
                s.spawn(move || {
                    let mut i = 0u32;
                    while !done.load(Ordering::SeqCst) {
                        let n = (i * 7 + t) % 64;
                        if i.is_multiple_of(3) {
                            store
                                .put(Kind::Result, &key(n), &payload(n, 0))
                                .expect("put");
                        }
                        match store.get(Kind::Result, &key(n)) {
                            Lookup::Found(p) => assert_eq!(p, payload(n, 0)),
                            Lookup::Missing => {}
                            Lookup::Corrupt(reason) => panic!("corrupt: {reason}"),
                        }
                        i += 1;
                    }
                });
            }
        });
        let leftovers: Vec<_> = fs::read_dir(store.root().join("v1"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TRASH_PREFIX))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn unique_names_differ() {
        let a = unique_name(TEMP_PREFIX);
        let b = unique_name(TEMP_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with(&format!(".tmp.{}.", std::process::id())));
        let other_thread = thread::spawn(|| unique_name(TEMP_PREFIX)).join().unwrap();
        let thread_field = |name: &str| name.split('.').nth(3).map(str::to_owned);
        assert_ne!(thread_field(&a), thread_field(&other_thread));
    }

    /// A payload that compresses well (like an object file's padding and tables).
    fn compressible(n: u32) -> Vec<u8> {
        (0..20_000u32)
            .map(|i| ((i / 64) ^ n) as u8 & 0x0f)
            .collect()
    }

    #[test]
    fn compressible_payload_is_stored_with_zstd_and_round_trips() {
        let (_dir, store) = new_store();
        let data = compressible(1);
        store.put(Kind::Result, &key(1), &data).unwrap();
        let bytes = fs::read(store.entry_path(Kind::Result, &key(1))).unwrap();
        assert_eq!(bytes[7], COMPRESSION_ZSTD, "compression byte");
        assert!(bytes.len() < data.len() / 4, "{} bytes stored", bytes.len());
        let stored_len = u64::from_le_bytes(bytes[8..16].try_into().unwrap());
        assert_eq!(stored_len as usize, bytes.len() - HEADER_LEN);
        assert_eq!(&bytes[16..48], &digest(&key(1), &bytes[HEADER_LEN..]));
        assert_eq!(store.get(Kind::Result, &key(1)), Lookup::Found(data));
    }

    #[test]
    fn incompressible_payload_is_stored_as_is() {
        let (_dir, store) = new_store();
        // blake3 output chained: no redundancy for zstd to find.
        let data: Vec<u8> = (0..100u32)
            .flat_map(|n| *blake3::hash(&n.to_le_bytes()).as_bytes())
            .collect();
        store.put(Kind::Result, &key(1), &data).unwrap();
        let bytes = fs::read(store.entry_path(Kind::Result, &key(1))).unwrap();
        assert_eq!(bytes[7], COMPRESSION_NONE);
        assert_eq!(&bytes[HEADER_LEN..], &data[..]);
        assert_eq!(store.get(Kind::Result, &key(1)), Lookup::Found(data));
    }

    /// Store a compressible payload, damage the file, expect Corrupt, removal, and a clean rewrite.
    fn assert_compressed_damage_is_corrupt(damage: impl FnOnce(&mut Vec<u8>)) {
        let (_dir, store) = new_store();
        let data = compressible(2);
        store.put(Kind::Result, &key(2), &data).unwrap();
        let path = store.entry_path(Kind::Result, &key(2));
        modify_bytes(&path, damage);
        assert!(matches!(
            store.get(Kind::Result, &key(2)),
            Lookup::Corrupt(_)
        ));
        assert!(!path.exists(), "corrupt entry kept");
        store.put(Kind::Result, &key(2), &data).unwrap();
        assert_eq!(store.get(Kind::Result, &key(2)), Lookup::Found(data));
    }

    #[test]
    fn truncated_compressed_entry_is_corrupt() {
        assert_compressed_damage_is_corrupt(|b| b.truncate(b.len() - 5));
    }

    #[test]
    fn flipped_bit_in_compressed_entry_is_corrupt() {
        assert_compressed_damage_is_corrupt(|b| {
            let middle = HEADER_LEN + (b.len() - HEADER_LEN) / 2;
            b[middle] ^= 0x04;
        });
    }

    #[test]
    fn compression_byte_flipped_to_none_is_corrupt() {
        // The checksum still matches the stored bytes; they are just not what was put. Reading
        // them as uncompressed would be wrong, so the header's compression byte is covered by
        // the decoding: a zstd frame read as a raw payload must not be served as is.
        let (_dir, store) = new_store();
        let data = compressible(3);
        store.put(Kind::Result, &key(3), &data).unwrap();
        let path = store.entry_path(Kind::Result, &key(3));
        modify_bytes(&path, |b| b[7] = COMPRESSION_NONE);
        assert_ne!(store.get(Kind::Result, &key(3)), Lookup::Found(data));
    }

    #[test]
    fn valid_checksum_over_garbage_zstd_is_corrupt_not_a_panic() {
        // A file claiming zstd whose checksum is right but whose frame is not zstd.
        let (_dir, store) = new_store();
        let path = store.entry_path(Kind::Result, &key(4));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        for garbage in [
            &b""[..],
            b"not zstd at all",
            &[0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0],
        ] {
            let header =
                Header::for_stored(Kind::Result, &key(4), COMPRESSION_ZSTD, garbage).encode();
            fs::write(&path, [header, garbage.to_vec()].concat()).unwrap();
            assert!(matches!(
                store.get(Kind::Result, &key(4)),
                Lookup::Corrupt(_)
            ));
        }
    }

    #[test]
    fn payloads_that_compress_too_well_are_stored_as_is_and_bombs_refused() {
        // 8 MiB of zeros compress ~1000:1: zcc stores that raw, so its own entries always read.
        let zeros = vec![0u8; 8 << 20];
        let bytes = encode_entry(Kind::Result, &key(1), &zeros);
        assert_eq!(bytes[7], COMPRESSION_NONE);
        assert_eq!(decode_entry(Kind::Result, &key(1), &bytes).unwrap(), zeros);
        // The same frame from someone else claims far more than its size allows.
        let packed = zstd::bulk::compress(&zeros, 1).unwrap();
        let err = decompress(COMPRESSION_ZSTD, &packed).unwrap_err();
        assert!(err.contains("claims"), "{err}");
        // Within the bound it decodes.
        let text = b"compressible text ".repeat(1000);
        let packed = zstd::bulk::compress(&text, 1).unwrap();
        assert_eq!(decompress(COMPRESSION_ZSTD, &packed).unwrap(), text);
    }

    #[test]
    fn decompress_checks_the_frame() {
        let packed = zstd::bulk::compress(b"hello hello hello hello", 1).unwrap();
        assert_eq!(
            decompress(COMPRESSION_ZSTD, &packed).unwrap(),
            b"hello hello hello hello"
        );
        assert!(decompress(COMPRESSION_ZSTD, &packed[..packed.len() - 1]).is_err());
        // A streaming frame has no content size: refused rather than guessed.
        let streamed = zstd::stream::encode_all(&b"hello"[..], 1).unwrap();
        if zstd::zstd_safe::get_frame_content_size(&streamed)
            .ok()
            .flatten()
            .is_none()
        {
            assert!(decompress(COMPRESSION_ZSTD, &streamed).is_err());
        }
        assert_eq!(decompress(COMPRESSION_NONE, b"raw").unwrap(), b"raw");
    }

    #[test]
    fn private_dir_decisions() {
        assert_eq!(private_dir_problem(1000, 0o40700, 1000), None);
        assert_eq!(private_dir_problem(1000, 0o40755, 1000), None);
        assert_eq!(private_dir_problem(0, 0o40700, 0), None);
        let other = private_dir_problem(1001, 0o40700, 1000).expect("other owner");
        assert!(
            other.contains("uid 1001") && other.contains("uid 1000"),
            "{other}"
        );
        // Root must not use (and fill) another user's store either.
        assert!(private_dir_problem(1000, 0o40700, 0).is_some());
        for mode in [0o40777, 0o40770, 0o40702, 0o40720, 0o41777] {
            let problem = private_dir_problem(1000, mode, 1000).expect("writable");
            assert!(problem.contains("writable by group or others"), "{problem}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn open_refuses_a_store_writable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, store) = new_store();
        let root = store.root().to_path_buf();
        for (dir, mode) in [(root.clone(), 0o777), (root.join("v1"), 0o770)] {
            fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
            let err = Store::open(&root).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
            assert!(
                err.to_string().contains("writable by group or others"),
                "{err}"
            );
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
            Store::open(&root).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn entry_files_are_not_writable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"x").unwrap();
        let mode = fs::metadata(store.entry_path(Kind::Result, &key(1)))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o022, 0, "{mode:o}");
    }

    fn limited_store(limit: u64) -> (tempfile::TempDir, Store) {
        let (dir, store) = new_store();
        (dir, store.with_max_size(limit))
    }

    fn set_age(path: &Path, secs_ago: u64) {
        let when = SystemTime::now() - Duration::from_secs(secs_ago);
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn estimate_follows_puts_and_overwrites() {
        let (_dir, store) = limited_store(1 << 30);
        assert_eq!(store.estimated_bytes(), None, "never counted");
        store.put(Kind::Result, &key(1), b"12345").unwrap();
        // The first write into an uncounted store asks for a walk.
        assert!(store.trim_if_needed().unwrap().is_ok());
        let after_first = store.usage().unwrap().bytes();
        assert_eq!(store.estimated_bytes(), Some(after_first));
        store.put(Kind::Result, &key(2), b"123").unwrap();
        store.put(Kind::Result, &key(1), b"1").unwrap();
        // Writes are added to the counters at the end of the call.
        assert_eq!(store.estimated_bytes(), Some(after_first));
        assert!(store.trim_if_needed().is_none(), "under the limit");
        let exact = |store: &Store| Some(store.usage().unwrap().bytes());
        assert_eq!(store.estimated_bytes(), exact(&store));
        // A shrinking overwrite is subtracted.
        store.put(Kind::Result, &key(2), b"").unwrap();
        assert!(store.trim_if_needed().is_none());
        assert_eq!(store.estimated_bytes(), exact(&store));
    }

    #[test]
    fn unlimited_store_keeps_no_estimate() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"x").unwrap();
        assert_eq!(store.estimated_bytes(), None);
        assert!(store.trim_if_needed().is_none());
        assert!(!store.root().join("v1/size").exists());
    }

    #[test]
    fn write_over_the_limit_trims_oldest_to_ninety_percent() {
        let entry_len = (HEADER_LEN + 1000) as u64;
        let (_dir, store) = limited_store(10 * entry_len);
        let incompressible = |n: u32| -> Vec<u8> {
            (0..32u32)
                .flat_map(|i| *blake3::hash(&(n * 100 + i).to_le_bytes()).as_bytes())
                .take(1000)
                .collect()
        };
        for n in 0..10 {
            store
                .put(Kind::Result, &key(n), &incompressible(n))
                .unwrap();
            // Older than TOUCH_AFTER, so that a hit refreshes the time.
            set_age(
                &store.entry_path(Kind::Result, &key(n)),
                10_000 - u64::from(n),
            );
            let _ = store.trim_if_needed();
        }
        assert_eq!(store.usage().unwrap().entries, 10, "at the limit, not over");
        // A hit makes entry 0 the most recently used.
        assert!(matches!(store.get(Kind::Result, &key(0)), Lookup::Found(_)));
        store
            .put(Kind::Result, &key(10), &incompressible(10))
            .unwrap();
        let report = store.trim_if_needed().expect("over the limit").unwrap();
        assert_eq!(report.removed_entries, 2, "{report:?}");
        assert!(report.remaining.bytes() <= trim_target(10 * entry_len));
        for gone in [1, 2] {
            assert_eq!(
                store.get(Kind::Result, &key(gone)),
                Lookup::Missing,
                "{gone}"
            );
        }
        for kept in [0, 3, 10] {
            assert!(
                matches!(store.get(Kind::Result, &key(kept)), Lookup::Found(_)),
                "{kept}"
            );
        }
        assert_eq!(store.estimated_bytes(), Some(report.remaining.bytes()));
    }

    #[test]
    fn shards_are_summed_only_when_a_step_is_crossed() {
        // Limit 320,000: a step is 1,000 bytes.
        let (_dir, store) = limited_store(320_000);
        store.put(Kind::Result, &key(1), b"x").unwrap();
        assert!(
            store.trim_if_needed().is_some(),
            "the first write counts the store"
        );
        // Other processes' writes, far over the limit, in a shard this one does not use.
        fs::write(
            store.root().join("v1/size/shard-99"),
            "bytes_added 1000000\n",
        )
        .unwrap();
        store.put(Kind::Result, &key(2), b"y").unwrap();
        assert!(store.trim_if_needed().is_none(), "no step crossed: no sum");
        let big: Vec<u8> = (0..40u32)
            .flat_map(|n| *blake3::hash(&n.to_le_bytes()).as_bytes())
            .collect();
        store.put(Kind::Result, &key(3), &big).unwrap();
        let report = store
            .trim_if_needed()
            .expect("step crossed: summed, over")
            .unwrap();
        // The walk finds the truth (a few hundred bytes) and rebases the estimate on it.
        assert_eq!(report.removed_entries, 0);
        assert_eq!(store.estimated_bytes(), Some(report.remaining.bytes()));
    }

    #[test]
    fn trim_is_skipped_while_another_holds_the_lock() {
        let (_dir, store) = limited_store(10);
        store.put(Kind::Result, &key(1), &payload(500, 0)).unwrap();
        let lock = store.open_trim_lock_for_test();
        lock.lock().unwrap();
        assert!(store.trim_if_needed().is_none(), "must not wait");
        lock.unlock().unwrap();
        assert!(store.usage().unwrap().entries == 1);
    }

    #[test]
    fn gc_by_age_removes_old_entries_and_aux() {
        let (_dir, store) = limited_store(1 << 30);
        for n in 0..4 {
            store.put(Kind::Result, &key(n), b"e").unwrap();
        }
        let memo = store.aux_dir().join("ab/memo");
        fs::create_dir_all(memo.parent().unwrap()).unwrap();
        fs::write(&memo, b"memo").unwrap();
        set_age(&memo, 8 * 86_400);
        set_age(&store.entry_path(Kind::Result, &key(0)), 8 * 86_400);
        set_age(&store.entry_path(Kind::Result, &key(1)), 6 * 86_400);
        let goal = TrimGoal {
            max_bytes: None,
            older_than: Some(Duration::from_secs(7 * 86_400)),
            unused_since: None,
        };
        let report = store.gc(goal).unwrap();
        assert_eq!(
            (report.removed_entries, report.removed_aux),
            (1, 1),
            "{report:?}"
        );
        assert_eq!(report.remaining.entries, 3);
        assert!(!memo.exists());
        assert_eq!(store.get(Kind::Result, &key(0)), Lookup::Missing);
    }

    #[test]
    fn gc_removes_old_stray_files_only() {
        let (_dir, store) = new_store();
        store.put(Kind::Result, &key(1), b"e").unwrap();
        let fanout = store
            .entry_path(Kind::Result, &key(1))
            .parent()
            .unwrap()
            .to_path_buf();
        let old_tmp = fanout.join(".tmp.1.2.3");
        let new_tmp = fanout.join(".tmp.1.2.4");
        let old_stamp = store.aux_dir().join(".stamp.9.9");
        let old_memo_tmp = store.aux_dir().join(".memo.zcc-tmp.9.9");
        let trash = store.root().join("v1/.trash.5.5.5");
        fs::create_dir_all(trash.join("ab")).unwrap();
        fs::create_dir_all(store.aux_dir()).unwrap();
        for p in [&old_tmp, &new_tmp, &old_stamp, &old_memo_tmp] {
            fs::write(p, b"partial").unwrap();
        }
        for p in [&old_tmp, &old_stamp, &old_memo_tmp] {
            set_age(p, 2 * 3600);
        }
        let when = SystemTime::now() - Duration::from_secs(2 * 3600);
        File::open(&trash).unwrap().set_modified(when).unwrap();
        let report = store.gc(TrimGoal::default()).unwrap();
        assert_eq!(report.removed_stray, 4, "{report:?}");
        assert!(new_tmp.exists(), "a young temp file may be a live write");
        for p in [&old_tmp, &old_stamp, &old_memo_tmp, &trash] {
            assert!(!p.exists(), "{}", p.display());
        }
        assert_eq!(report.remaining.entries, 1);
        assert_eq!(report.remaining.aux_files, 0, "temp files are not memos");

        // An NFS placeholder is neither counted nor removed, however old.
        let nfs = store.aux_dir().join(".nfs0000000000abcd00000001");
        fs::write(&nfs, b"open elsewhere").unwrap();
        set_age(&nfs, 2 * 3600);
        let report = store
            .gc(TrimGoal {
                max_bytes: Some(0),
                ..TrimGoal::default()
            })
            .unwrap();
        assert!(nfs.exists());
        assert_eq!(report.remaining.aux_files, 0);
    }

    #[test]
    fn clear_restarts_the_estimate() {
        let (_dir, store) = limited_store(1 << 30);
        store.put(Kind::Result, &key(1), &payload(900, 0)).unwrap();
        let _ = store.trim_if_needed();
        fs::create_dir_all(store.aux_dir()).unwrap();
        fs::write(store.aux_dir().join("memo"), b"1234").unwrap();
        store.clear().unwrap();
        assert_eq!(store.estimated_bytes(), Some(4));
    }
}
