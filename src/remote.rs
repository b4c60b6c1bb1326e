//! Remote tiers: a cache shared by a team and a CI fleet on an existing server (Redis, or any
//! HTTP server that answers GET and PUT), tried after the local store.
//!
//! # What a remote holds
//!
//! Exactly the bytes of local entry files ([`store::encode_entry`]): the 48-byte header, whose
//! checksum covers the entry's key and its stored payload, then the payload. A value fetched
//! from a remote is checked with the same code the local store uses ([`store::decode_entry`]);
//! a truncated, damaged or misplaced value is an error (counted, logged), never served. Keys
//! are content hashes without machine paths, so every machine finds the same names:
//!
//! | tier | name of a result (manifests: `manifests` for `results`) |
//! |---|---|
//! | Redis | key `zcc/v1/results/<64 hex>` |
//! | HTTP, default layout | `<url>/v1/results/<first 2 hex>/<64 hex>` |
//! | HTTP, `#layout=bazel` | `<url>/ac/<64 hex of blake3("zcc/v1/results/" + key)>` (bazel-remote) |
//!
//! # The tiering
//!
//! One place, `Session`, used by `call.rs` for both manifests and results: a local miss asks
//! each remote tier in order; a good value is written to the local store (back-fill) and
//! served. A successful compile's entries go to the local store and every writable tier.
//!
//! # Never stalling a build
//!
//! Every remote operation is bounded by `ZCC_REMOTE_TIMEOUT` as a whole (connect, send and
//! the complete reply), and a value by `MAX_VALUE`. The first failure of a tier in
//! a call (a refused connection, a server that never answers, a broken reply, an HTTP status
//! other than 200/404 on GET or 2xx on PUT) is counted (`remote_error`, `remote_timeout`)
//! and logged, and that tier is not asked again during the call: a dead server costs at most
//! one timeout per call. The failure also leaves a marker file in the store's aux directory,
//! and for [`BACKOFF`] after it every other call using that store (the other compiles of a
//! `make -j` build, the other threads of a build tool) skips the tier without trying
//! (`remote_skipped`): a server that silently drops connections costs one timeout per
//! [`BACKOFF`], not one per compile. A value that fails verification (wrong, truncated, another key's)
//! comes from a server that works: it is counted as `remote_error`, treated as missing, and
//! the compile that follows overwrites it.
//!
//! # Secrets
//!
//! Passwords and tokens come from the URL's user info (`https://user:pass@host/…`,
//! `redis://:pass@host`) or the environment (`ZCC_REMOTE_TOKEN`, `ZCC_REMOTE_USER`,
//! `ZCC_REMOTE_PASSWORD`). URLs are only ever shown through [`redact`], and messages from
//! the client libraries are scrubbed of every secret before they are logged.

mod http;
mod redis;

use std::cell::{Cell, RefCell};
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::counter::Counter;
use crate::recorder::Recorder;
use crate::store::{self, Key, Kind};

/// The largest value read from (or written to) a remote: an entry of a big debug object fits,
/// and a value someone stored to exhaust memory is cut short here (and fails its checksum).
pub(crate) const MAX_VALUE: u64 = 256 << 20;

/// How long every call sharing a store leaves a tier alone after it failed.
pub const BACKOFF: Duration = Duration::from_secs(30);

/// What a `ZCC_REMOTE` URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `redis://[user:pass@]host:port[/db]`: one Redis server.
    Redis,
    /// `redis+unix:///path/to/socket[?db=N]` (also `unix://`): one Redis server on a socket.
    RedisUnix,
    /// `redis+cluster://[user:pass@]host:port[,host:port…]`: a Redis Cluster, found through
    /// any of the given nodes.
    RedisCluster,
    /// `http://…` or `https://…`: GET and PUT of entries under the URL.
    Http,
}

/// How entries are named under an HTTP URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `<url>/v1/<kind>/<ab>/<hex>`: any server that stores what is PUT (nginx WebDAV, a CDN).
    Zcc,
    /// `<url>/ac/<hex>`: bazel-remote's action cache (run it with
    /// `--disable_http_ac_validation`).
    Bazel,
}

/// One `ZCC_REMOTE` URL, checked. `Debug` never shows its secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    /// The URL without its `#options`, secrets included (only the backends see it).
    url: String,
    scheme: Scheme,
    /// `#readonly`: never written, whatever `ZCC_REMOTE_READONLY` says.
    readonly: bool,
    layout: Layout,
}

impl fmt::Debug for RemoteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RemoteUrl({})", redact(&self.url))
    }
}

impl RemoteUrl {
    /// Check one URL. Options follow a `#` (never sent to a server), separated by commas:
    /// `readonly`, `layout=zcc`, `layout=bazel` (HTTP only). The error does not repeat the URL.
    pub fn parse(text: &str) -> Result<RemoteUrl, String> {
        // Options follow a `#` after the user info (a `#` in a password is not one).
        let after_userinfo = text
            .split_once("://")
            .and_then(|(scheme, rest)| userinfo_end(rest).map(|end| scheme.len() + 3 + end))
            .unwrap_or(0);
        let (url, options) = match text[after_userinfo..].find('#') {
            Some(i) => (&text[..after_userinfo + i], &text[after_userinfo + i + 1..]),
            None => (text, ""),
        };
        if userinfo(url).is_some_and(|u| u.contains(['/', '?', '#', '@'])) {
            return Err("the user info holds an unencoded '/', '?', '#' or '@': \
                        percent-encode it (%2F, %3F, %23, %40)"
                .into());
        }
        let scheme = scheme_of(url)?;
        let mut readonly = false;
        let mut layout = Layout::Zcc;
        for option in options.split(',').filter(|o| !o.is_empty()) {
            match option {
                "readonly" | "read-only" => readonly = true,
                "layout=zcc" => layout = Layout::Zcc,
                "layout=bazel" if scheme == Scheme::Http => layout = Layout::Bazel,
                "layout=bazel" => return Err("layout=bazel is for HTTP URLs only".into()),
                other => {
                    return Err(format!(
                        "unknown option #{other} (known: readonly, layout=zcc, layout=bazel)"
                    ));
                }
            }
        }
        match scheme {
            Scheme::Http => http::check(url)?,
            Scheme::Redis | Scheme::RedisUnix | Scheme::RedisCluster => redis::check(url, scheme)?,
        }
        Ok(RemoteUrl {
            url: url.to_string(),
            scheme,
            readonly,
            layout,
        })
    }

    #[cfg(test)]
    fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The URL as it may be shown: without passwords, tokens or query values.
    pub fn shown(&self) -> String {
        redact(&self.url)
    }
}

fn scheme_of(url: &str) -> Result<Scheme, String> {
    let scheme = url
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase())
        .ok_or("not a URL (expected scheme://…)")?;
    match scheme.as_str() {
        "redis" => Ok(Scheme::Redis),
        "redis+unix" | "unix" => Ok(Scheme::RedisUnix),
        "redis+cluster" => Ok(Scheme::RedisCluster),
        "http" | "https" => Ok(Scheme::Http),
        "rediss" | "rediss+cluster" => Err(
            "TLS to Redis is not supported; reach it through a TLS tunnel, or use an HTTPS cache"
                .into(),
        ),
        other => Err(format!(
            "unsupported scheme {other}:// (use redis://, redis+unix://, redis+cluster://, \
             http:// or https://)"
        )),
    }
}

/// Where the user info of the text after `scheme://` ends (the index of its `@`), if it has
/// one: the last `@` before the path when no `/`, `?` or `#` comes before the first `@`;
/// otherwise the last `@` of all, so that a password holding one of those unencoded is still
/// taken for user info (and hidden), whatever else a URL parser would make of it.
fn userinfo_end(rest: &str) -> Option<usize> {
    let first = rest.find('@')?;
    if rest[..first].contains(['/', '?', '#']) {
        return rest.rfind('@');
    }
    // An unencoded '@' in the password: the last '@' before the path is the separator.
    let authority_end = rest[first..]
        .find(['/', '?', '#'])
        .map_or(rest.len(), |i| first + i);
    rest[..authority_end].rfind('@')
}

/// The user info of a URL, if any (see [`userinfo_end`]).
fn userinfo(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    userinfo_end(rest).map(|end| &rest[..end])
}

/// `url` with the password (or a lone user-info token) replaced by `***` and the query's
/// values hidden: `https://ci:s3cret@cache/zcc?sig=abc` → `https://ci:***@cache/zcc?sig=***`.
/// A password holding an unencoded `/`, `?`, `#` or `@` is hidden too.
pub fn redact(url: &str) -> String {
    let (head, rest) = match url.split_once("://") {
        Some((scheme, rest)) => match userinfo_end(rest) {
            Some(end) => {
                let user = match rest[..end].split_once(':') {
                    Some((user, _)) if !user.contains(['/', '?', '#']) => format!("{user}:***@"),
                    _ => "***@".to_string(),
                };
                (format!("{scheme}://{user}"), &rest[end + 1..])
            }
            None => (format!("{scheme}://"), rest),
        },
        None => (String::new(), url),
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let mut out = format!("{head}{before_query}");
    if let Some(query) = query {
        let hidden: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) => format!("{name}=***"),
                None => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&hidden.join("&"));
    }
    out
}

/// RemoteCredentials from the environment, for tiers whose URL carries none. `Debug` hides them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RemoteCredentials {
    /// `ZCC_REMOTE_TOKEN`: HTTP `Authorization: Bearer`.
    pub token: Option<String>,
    /// `ZCC_REMOTE_USER`: HTTP basic auth user, Redis ACL user.
    pub user: Option<String>,
    /// `ZCC_REMOTE_PASSWORD`: HTTP basic auth password, Redis `AUTH` password.
    pub password: Option<String>,
}

impl fmt::Debug for RemoteCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |v: &Option<String>| if v.is_some() { "set" } else { "unset" };
        write!(
            f,
            "RemoteCredentials {{ token: {}, user: {}, password: {} }}",
            set(&self.token),
            set(&self.user),
            set(&self.password)
        )
    }
}

impl RemoteCredentials {
    /// `ZCC_REMOTE_TOKEN`, `ZCC_REMOTE_USER` and `ZCC_REMOTE_PASSWORD`, read through `get`.
    pub fn from_env(get: &dyn Fn(&str) -> Option<OsString>) -> RemoteCredentials {
        let var = |name: &str| {
            get(name)
                .map(|v| v.to_string_lossy().into_owned())
                .filter(|v| !v.is_empty())
        };
        RemoteCredentials {
            token: var("ZCC_REMOTE_TOKEN"),
            user: var("ZCC_REMOTE_USER"),
            password: var("ZCC_REMOTE_PASSWORD"),
        }
    }
}

/// Why a remote operation failed.
#[derive(Debug)]
pub(crate) struct Failure {
    /// It ran out of time (counted as `remote_timeout`, else `remote_error`).
    pub timeout: bool,
    pub message: String,
}

/// One kind of remote server: get and put an entry's bytes by kind and key. A backend is
/// shared by every call of a [`Cache`] (it may keep connections open between them) and must
/// bound every operation by the timeout it was created with.
pub(crate) trait Backend: Send + Sync {
    /// The bytes stored under (kind, key), or `None` when the server has none.
    fn get(&self, kind: Kind, key: &Key) -> Result<Option<Vec<u8>>, Failure>;
    /// Store `entry` under (kind, key), replacing what is there.
    fn put(&self, kind: Kind, key: &Key, entry: &[u8]) -> Result<(), Failure>;
}

/// A configured tier.
struct Tier {
    /// The URL as logs show it.
    shown: String,
    readonly: bool,
    backend: Box<dyn Backend>,
}

/// The remote tiers of a [`Cache`], in the order they are asked.
pub struct Remotes {
    tiers: Vec<Tier>,
    /// `ZCC_REMOTE_READONLY`.
    readonly: bool,
    /// Every secret a message from a client library might contain.
    secrets: Vec<String>,
}

impl fmt::Debug for Remotes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<&str> = self.tiers.iter().map(|t| t.shown.as_str()).collect();
        write!(f, "Remotes({shown:?}, readonly: {})", self.readonly)
    }
}

impl Remotes {
    /// The tiers `ZCC_REMOTE` names. Nothing connects yet: a call that never misses locally
    /// never touches a remote.
    pub fn open(
        urls: &[RemoteUrl],
        timeout: Duration,
        readonly: bool,
        credentials: &RemoteCredentials,
    ) -> Remotes {
        let mut secrets: Vec<String> = [&credentials.token, &credentials.password]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let tiers = urls
            .iter()
            .map(|u| {
                secrets.extend(url_secrets(&u.url));
                let backend: Box<dyn Backend> = match u.scheme {
                    Scheme::Http => Box::new(http::HttpBackend::new(
                        &u.url,
                        u.layout,
                        timeout,
                        credentials,
                    )),
                    scheme => Box::new(redis::RedisBackend::new(
                        &u.url,
                        scheme,
                        timeout,
                        credentials,
                    )),
                };
                Tier {
                    shown: u.shown(),
                    readonly: u.readonly,
                    backend,
                }
            })
            .collect();
        secrets.retain(|s| !s.is_empty());
        Remotes {
            tiers,
            readonly,
            secrets,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tiers.is_empty()
    }

    /// The remote side of one call. `marks` is where failure markers shared by the calls
    /// using one store live (its aux directory); `None`: this call's memory only.
    pub(crate) fn session<'a>(
        &'a self,
        rec: &'a Recorder<'a>,
        marks: Option<&Path>,
    ) -> Session<'a> {
        Session {
            remotes: self,
            rec,
            marks: self
                .tiers
                .iter()
                .map(|t| {
                    let id = blake3::hash(t.shown.as_bytes());
                    let id = &store::hex(id.as_bytes())[..16];
                    marks.map(|dir| dir.join(format!("remote-down.{id}")))
                })
                .collect(),
            down: self.tiers.iter().map(|_| Cell::new(false)).collect(),
            known_missing: RefCell::new(Vec::new()),
            fetched: Cell::new(false),
            asked: Cell::new(false),
        }
    }

    /// `message` with every secret replaced by `***`.
    fn scrub(&self, message: &str) -> String {
        let mut out = message.to_string();
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "***");
        }
        out
    }
}

/// The password and query values of a URL, raw and percent-decoded.
fn url_secrets(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let before_query = url.split_once('?').map_or(url, |(b, q)| {
        out.extend(
            q.split('&')
                .filter_map(|p| p.split_once('='))
                .map(|(_, v)| v.to_string()),
        );
        b
    });
    if let Some((_, rest)) = before_query.split_once("://") {
        let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            out.push(
                userinfo
                    .split_once(':')
                    .map_or(userinfo, |(_, p)| p)
                    .to_string(),
            );
        }
    }
    let decoded: Vec<String> = out.iter().map(|s| percent_decode(s)).collect();
    out.extend(decoded);
    out
}

/// `%XX` sequences decoded (invalid ones kept as they are), as URL user info is spelled.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The name of an entry in the remote namespace: format version, kind, key.
pub(crate) fn entry_name(kind: Kind, key: &Key) -> String {
    format!(
        "{}/{}/{}",
        store::VERSION_DIR,
        kind.dir_name(),
        store::hex(key)
    )
}

/// An entry fetched from a remote tier and verified.
pub(crate) struct Fetched {
    /// The entry file's bytes, for the local back-fill.
    pub entry: Vec<u8>,
    /// The verified payload.
    pub payload: Vec<u8>,
}

/// The remote tiers as one call sees them: which are down for the rest of the call, which
/// names are known to be missing, and whether anything came from a remote.
pub(crate) struct Session<'a> {
    remotes: &'a Remotes,
    rec: &'a Recorder<'a>,
    /// Tier `i`'s failure marker, shared by the calls using the same store.
    marks: Vec<Option<PathBuf>>,
    /// Tier `i` failed during this call (or recently, says its marker): not asked again.
    down: Vec<Cell<bool>>,
    /// Asked and not found during this call (a manifest is read again before it is updated).
    known_missing: RefCell<Vec<(Kind, Key)>>,
    fetched: Cell<bool>,
    asked: Cell<bool>,
}

impl Session<'_> {
    /// Whether any entry of this call came from a remote tier.
    pub(crate) fn fetched(&self) -> bool {
        self.fetched.get()
    }

    /// Whether a remote tier answered a lookup of this call (found or not): a compile after
    /// that is a remote miss too.
    pub(crate) fn asked(&self) -> bool {
        self.asked.get()
    }

    /// Ask each live tier in order for (kind, key); the first verified value wins. A value
    /// that fails verification is an error of its tier, never served.
    pub(crate) fn get(&self, kind: Kind, key: &Key) -> Option<Fetched> {
        if self.remotes.is_empty() || self.known_missing.borrow().contains(&(kind, *key)) {
            return None;
        }
        let mut answered = false;
        for (i, tier) in self.remotes.tiers.iter().enumerate() {
            if !self.usable(i) {
                continue;
            }
            let started = Instant::now();
            match tier.backend.get(kind, key) {
                Ok(Some(entry)) => match store::decode_entry(kind, key, &entry) {
                    Ok(payload) => {
                        self.fetched.set(true);
                        self.asked.set(true);
                        self.rec.log(&format!(
                            "remote hit {} from {} ({} bytes in {:.1} ms)",
                            entry_name(kind, key),
                            tier.shown,
                            entry.len(),
                            started.elapsed().as_secs_f64() * 1000.0
                        ));
                        return Some(Fetched { entry, payload });
                    }
                    Err(why) => {
                        // The server works; the value is wrong. Not served, counted, and
                        // treated as missing: the compile that follows overwrites it.
                        self.rec.count(&[Counter::RemoteError]);
                        self.rec.log(&format!(
                            "remote_error: {}: bad value for {}: {why}; treated as missing",
                            tier.shown,
                            entry_name(kind, key)
                        ));
                        self.known_missing.borrow_mut().push((kind, *key));
                    }
                },
                Ok(None) => answered = true,
                Err(failure) => self.fail(i, failure),
            }
        }
        if answered {
            self.asked.set(true);
            self.known_missing.borrow_mut().push((kind, *key));
        }
        None
    }

    /// Write an entry file's bytes to every live, writable tier (none with
    /// `ZCC_REMOTE_READONLY`). A failure is counted and logged; the call goes on.
    pub(crate) fn put(&self, kind: Kind, key: &Key, entry: &[u8]) {
        // A value no tier could give back whole is not worth sending.
        if self.remotes.readonly || entry.len() as u64 > MAX_VALUE {
            return;
        }
        for (i, tier) in self.remotes.tiers.iter().enumerate() {
            if tier.readonly || !self.usable(i) {
                continue;
            }
            if let Err(failure) = tier.backend.put(kind, key, entry) {
                self.fail(i, failure);
            }
        }
        self.known_missing
            .borrow_mut()
            .retain(|known| *known != (kind, *key));
    }

    /// Whether tier `i` may be asked: it has not failed during this call, and its marker says
    /// it has not failed within [`BACKOFF`] (checked once per call; a skip is counted).
    fn usable(&self, i: usize) -> bool {
        if self.down[i].get() {
            return false;
        }
        let failed_at = self.marks[i]
            .as_ref()
            .and_then(|mark| fs::symlink_metadata(mark).ok())
            .and_then(|m| m.modified().ok());
        // A marker from the future (a clock step) counts as old.
        let recent = failed_at
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age < BACKOFF);
        if recent {
            self.down[i].set(true);
            self.rec.count(&[Counter::RemoteSkipped]);
            self.rec.log(&format!(
                "remote_skipped: {}: failed less than {} s ago; not asked during this call",
                self.remotes.tiers[i].shown,
                BACKOFF.as_secs()
            ));
        }
        !recent
    }

    /// Count and log a tier's failure, leave it alone for the rest of the call, and mark it
    /// as failed for the other calls using the store.
    fn fail(&self, i: usize, failure: Failure) {
        self.down[i].set(true);
        if let Some(mark) = &self.marks[i] {
            // Best effort: without the marker, other calls just try the tier themselves. Never
            // through a link planted in the store (that would empty the file it points to).
            let _ = crate::safefs::no_follow(
                fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true),
            )
            .open(mark);
        }
        let counter = if failure.timeout {
            Counter::RemoteTimeout
        } else {
            Counter::RemoteError
        };
        self.rec.count(&[counter]);
        self.rec.log(&format!(
            "{}: {}: {}; not asked again during this call",
            counter.name(),
            self.remotes.tiers[i].shown,
            self.remotes.scrub(&failure.message)
        ));
    }
}

/// Fake remote tiers and counting for the tests of the remote tiers and of the storage
/// built on them.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// What a fake backend answers to GET.
    #[derive(Clone, Copy)]
    pub(crate) enum Fake {
        Has,
        Empty,
        Fails,
        Garbage,
    }

    pub(crate) struct FakeBackend {
        answer: Fake,
        /// GETs asked of it.
        pub(crate) gets: AtomicUsize,
        /// Entries PUT into it.
        pub(crate) puts: Mutex<Vec<Vec<u8>>>,
    }

    impl Backend for std::sync::Arc<FakeBackend> {
        fn get(&self, kind: Kind, key: &Key) -> Result<Option<Vec<u8>>, Failure> {
            self.gets.fetch_add(1, Ordering::Relaxed);
            match self.answer {
                Fake::Has => Ok(Some(store::encode_entry(kind, key, b"payload"))),
                Fake::Empty => Ok(None),
                Fake::Garbage => Ok(Some(b"not an entry".to_vec())),
                Fake::Fails => Err(Failure {
                    timeout: true,
                    message: "no answer".into(),
                }),
            }
        }

        fn put(&self, _: Kind, _: &Key, entry: &[u8]) -> Result<(), Failure> {
            match self.answer {
                Fake::Fails => Err(Failure {
                    timeout: true,
                    message: "no answer".into(),
                }),
                _ => {
                    self.puts.lock().unwrap().push(entry.to_vec());
                    Ok(())
                }
            }
        }
    }

    pub(crate) fn fakes(answers: &[Fake]) -> (Remotes, Vec<std::sync::Arc<FakeBackend>>) {
        let backends: Vec<_> = answers
            .iter()
            .map(|&answer| {
                std::sync::Arc::new(FakeBackend {
                    answer,
                    gets: AtomicUsize::new(0),
                    puts: Mutex::new(Vec::new()),
                })
            })
            .collect();
        let tiers = backends
            .iter()
            .enumerate()
            .map(|(i, b)| Tier {
                shown: format!("fake{i}"),
                readonly: false,
                backend: Box::new(b.clone()),
            })
            .collect();
        let remotes = Remotes {
            tiers,
            readonly: false,
            secrets: Vec::new(),
        };
        (remotes, backends)
    }
}

#[cfg(test)]
mod tests {
    use super::fake::{Fake, fakes};
    use super::*;
    use crate::recorder::testing::Counting;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_failed_tier_is_skipped_for_the_rest_of_the_call_and_the_next_one_answers() {
        let counting = Counting::new();
        let rec = counting.recorder();
        let (remotes, backends) = fakes(&[Fake::Fails, Fake::Has]);
        let session = remotes.session(&rec, None);
        let key = [7; 32];
        let got = session.get(Kind::Result, &key).expect("second tier has it");
        assert_eq!(got.payload, b"payload");
        assert_eq!(
            got.entry,
            store::encode_entry(Kind::Result, &key, b"payload")
        );
        assert!(session.fetched() && session.asked());
        assert!(session.get(Kind::Manifest, &key).is_some());
        assert_eq!(
            backends[0].gets.load(Ordering::Relaxed),
            1,
            "asked once, then down"
        );
        assert_eq!(backends[1].gets.load(Ordering::Relaxed), 2);
        session.put(Kind::Result, &key, b"entry");
        assert!(backends[0].puts.lock().unwrap().is_empty());
        assert_eq!(backends[1].puts.lock().unwrap().len(), 1);
        assert_eq!(counting.total("remote_timeout"), Some(1));
        // Without shared markers, a new call asks the failed tier again.
        let next = remotes.session(&rec, None);
        let _ = next.get(Kind::Result, &key);
        assert_eq!(backends[0].gets.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_marker_makes_other_calls_skip_a_failed_tier_for_the_backoff() {
        let counting = Counting::new();
        let rec = counting.recorder();
        let dir = &counting.dir;
        let (remotes, backends) = fakes(&[Fake::Fails, Fake::Empty]);
        let marks = dir.path().join("marks");
        fs::create_dir_all(&marks).unwrap();
        let key = [3; 32];
        assert!(
            remotes
                .session(&rec, Some(&marks))
                .get(Kind::Result, &key)
                .is_none()
        );
        let second = remotes.session(&rec, Some(&marks));
        assert!(second.get(Kind::Result, &key).is_none());
        second.put(Kind::Result, &key, b"entry");
        assert_eq!(
            backends[0].gets.load(Ordering::Relaxed),
            1,
            "skipped by the marker"
        );
        assert_eq!(
            backends[1].gets.load(Ordering::Relaxed),
            2,
            "the healthy tier is asked"
        );
        assert_eq!(counting.total("remote_timeout"), Some(1));
        assert_eq!(
            counting.total("remote_skipped"),
            Some(1),
            "counted once per call"
        );
        // An old marker (or one from the future) does not hold the tier back.
        for mtime in [
            SystemTime::now() - BACKOFF - Duration::from_secs(1),
            SystemTime::now() + Duration::from_secs(3600),
        ] {
            for entry in fs::read_dir(&marks).unwrap() {
                let file = fs::File::options()
                    .write(true)
                    .open(entry.unwrap().path())
                    .unwrap();
                file.set_modified(mtime).unwrap();
            }
            let _ = remotes
                .session(&rec, Some(&marks))
                .get(Kind::Manifest, &key);
        }
        assert_eq!(backends[0].gets.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_bad_value_is_never_served_and_counts_as_missing_for_the_call() {
        let counting = Counting::new();
        let rec = counting.recorder();
        let (remotes, backends) = fakes(&[Fake::Garbage]);
        let session = remotes.session(&rec, None);
        let key = [1; 32];
        assert!(session.get(Kind::Manifest, &key).is_none());
        assert!(session.get(Kind::Manifest, &key).is_none());
        assert_eq!(backends[0].gets.load(Ordering::Relaxed), 1, "known missing");
        assert!(!session.fetched() && !session.asked());
        // The tier is still up: the compile's entry overwrites the bad value.
        session.put(Kind::Manifest, &key, b"good entry");
        assert_eq!(backends[0].puts.lock().unwrap().len(), 1);
        assert_eq!(counting.total("remote_error"), Some(1));
    }

    #[test]
    fn misses_are_remembered_and_readonly_writes_nothing() {
        let counting = Counting::new();
        let rec = counting.recorder();
        let (mut remotes, backends) = fakes(&[Fake::Empty]);
        remotes.readonly = true;
        let session = remotes.session(&rec, None);
        let key = [2; 32];
        assert!(session.get(Kind::Result, &key).is_none());
        assert!(session.get(Kind::Result, &key).is_none());
        assert_eq!(backends[0].gets.load(Ordering::Relaxed), 1);
        assert!(session.asked() && !session.fetched());
        session.put(Kind::Result, &key, b"entry");
        assert!(backends[0].puts.lock().unwrap().is_empty());
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact("redis://127.0.0.1:6379/2"),
            "redis://127.0.0.1:6379/2"
        );
        assert_eq!(
            redact("redis://:hunter2@cache:6379"),
            "redis://:***@cache:6379"
        );
        assert_eq!(
            redact("https://ci:s3cret@cache.example.com/zcc?sig=abc&x"),
            "https://ci:***@cache.example.com/zcc?sig=***&x"
        );
        assert_eq!(
            redact("https://TOKEN@cache.example.com/a@b"),
            "https://***@cache.example.com/a@b"
        );
        assert_eq!(
            redact("redis+unix:///run/redis.sock?db=1&pass=pw"),
            "redis+unix:///run/redis.sock?db=***&pass=***"
        );
        assert_eq!(redact("no url at all"), "no url at all");
        // Unencoded '/', '?', '#' or '@' in a password: still hidden.
        for url in [
            "redis://:q7/z9@cache:6379",
            "redis://:q7?z9@cache:6379",
            "redis://:q7#z9@cache:6379",
            "redis://:q7@z9@cache:6379",
            "https://u:q7/z9@cache/zcc",
        ] {
            let shown = redact(url);
            assert!(
                !shown.contains("q7") && !shown.contains("z9"),
                "{url} → {shown}"
            );
        }
    }

    #[test]
    fn unencoded_characters_in_a_password_are_refused_without_showing_it() {
        for url in [
            "redis://:q7/z9@cache:6379",
            "redis://:q7?z9@cache:6379",
            "redis://:q7#z9@cache:6379#readonly",
            "https://u:q7@z9@cache/zcc",
        ] {
            let err = RemoteUrl::parse(url).unwrap_err();
            assert!(err.contains("percent-encode"), "{url}: {err}");
            assert!(!err.contains("q7") && !err.contains("z9"), "{url}: {err}");
        }
        let ok = RemoteUrl::parse("redis://:q7%2Fz9@cache:6379#readonly").unwrap();
        assert!(ok.readonly);
        assert_eq!(ok.shown(), "redis://:***@cache:6379");
    }

    #[test]
    fn secrets_of_urls() {
        let s = url_secrets("https://ci:p%40ss@h/x?sig=abc");
        assert!(s.contains(&"p%40ss".to_string()));
        assert!(s.contains(&"p@ss".to_string()));
        assert!(s.contains(&"abc".to_string()));
        assert!(url_secrets("http://h:80/x").is_empty());
    }

    #[test]
    fn scrubbing_hides_every_secret() {
        let urls = [RemoteUrl::parse("http://u:pw1@127.0.0.1:1/x").unwrap()];
        let creds = RemoteCredentials {
            token: Some("tok2".into()),
            user: Some("me".into()),
            password: Some("pw3".into()),
        };
        let remotes = Remotes::open(&urls, Duration::from_millis(50), false, &creds);
        let msg = remotes.scrub("pw1 tok2 pw3 http://u:pw1@127.0.0.1:1/x");
        assert!(
            !msg.contains("pw1") && !msg.contains("tok2") && !msg.contains("pw3"),
            "{msg}"
        );
        assert!(!format!("{remotes:?}").contains("pw1"));
        assert!(!format!("{creds:?}").contains("tok2"));
        assert!(!format!("{:?}", urls[0]).contains("pw1"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%40b%2Fc"), "a@b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn parsing() {
        let u = RemoteUrl::parse("redis://127.0.0.1:6379").unwrap();
        assert_eq!(u.scheme(), Scheme::Redis);
        assert!(!u.readonly);
        let u = RemoteUrl::parse("redis://127.0.0.1:6379/3#readonly").unwrap();
        assert!(u.readonly);
        assert_eq!(u.url, "redis://127.0.0.1:6379/3");
        let u = RemoteUrl::parse("redis+unix:///tmp/r.sock").unwrap();
        assert_eq!(u.scheme(), Scheme::RedisUnix);
        let u = RemoteUrl::parse("redis+cluster://a:7000,b:7001").unwrap();
        assert_eq!(u.scheme(), Scheme::RedisCluster);
        let u = RemoteUrl::parse("https://cache.example.com/zcc#layout=bazel,readonly").unwrap();
        assert_eq!(
            (u.scheme(), u.layout, u.readonly),
            (Scheme::Http, Layout::Bazel, true)
        );
        let u = RemoteUrl::parse("HTTP://cache:8080").unwrap();
        assert_eq!(u.scheme(), Scheme::Http);
        for bad in [
            "cache:6379",
            "ftp://h/x",
            "rediss://h:6379",
            "redis://h:6379#layout=bazel",
            "http://h/x#frobnicate",
            "http://",
            "http:///path",
            "redis+cluster://",
            "redis+cluster://a:1,,b:2",
            "redis://h:notaport",
        ] {
            assert!(RemoteUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn entry_names() {
        let key = [0xab; 32];
        assert_eq!(
            entry_name(Kind::Result, &key),
            format!("v1/results/{}", "ab".repeat(32))
        );
        assert_eq!(
            entry_name(Kind::Manifest, &key),
            format!("v1/manifests/{}", "ab".repeat(32))
        );
    }
}
