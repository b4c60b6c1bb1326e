//! The HTTP tier: plain `GET` and `PUT` of entry files under a URL prefix, so any server that
//! stores what is PUT works (nginx with WebDAV `PUT`, bazel-remote, a CDN or object store
//! behind a signed URL).
//!
//! `GET` 200 is a value, 404 is "not there"; anything else, and a `PUT` answered with
//! anything but 2xx, is an error. Each request (connect, send, receive) is bounded by the
//! timeout as a whole. The agent keeps connections alive between requests.

use std::time::Duration;

use super::{Backend, Failure, Layout, MAX_VALUE, RemoteCredentials, entry_name, percent_decode};
use crate::store::{self, Key, Kind};

/// Check an `http://` or `https://` URL: a host is required.
pub(super) fn check(url: &str) -> Result<(), String> {
    let parts = split(url)?;
    if parts.host.is_empty() {
        return Err("no host".into());
    }
    Ok(())
}

/// The parts of an HTTP URL that matter here.
#[derive(Debug, PartialEq, Eq)]
struct Parts<'a> {
    /// `http` or `https`, lowercase.
    scheme: String,
    /// Percent-decoded user and password from the user info, if any.
    user: Option<String>,
    password: Option<String>,
    /// `host[:port]`.
    host: &'a str,
    /// The path prefix without a trailing `/` (may be empty).
    path: &'a str,
    /// The query, without `?` (appended to every entry's URL), if any.
    query: Option<&'a str>,
}

fn split(url: &str) -> Result<Parts<'_>, String> {
    let (scheme, rest) = url.split_once("://").ok_or("not a URL")?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((user, password)) => (Some(percent_decode(user)), Some(percent_decode(password))),
            None => (Some(percent_decode(u)), None),
        },
    };
    Ok(Parts {
        scheme: scheme.to_ascii_lowercase(),
        user,
        password,
        host,
        path: path.trim_end_matches('/'),
        query,
    })
}

pub(super) struct HttpBackend {
    agent: ureq::Agent,
    /// `scheme://host[:port]/prefix`, without user info.
    base: String,
    query: Option<String>,
    layout: Layout,
    /// The `Authorization` header value, if any.
    authorization: Option<String>,
}

impl HttpBackend {
    pub(super) fn new(
        url: &str,
        layout: Layout,
        timeout: Duration,
        credentials: &RemoteCredentials,
    ) -> HttpBackend {
        // `check` accepted the URL; a failure here leaves an empty base that every request
        // reports as an error.
        let parts = split(url).unwrap_or(Parts {
            scheme: String::new(),
            user: None,
            password: None,
            host: "",
            path: "",
            query: None,
        });
        let authorization = match (&parts.user, &parts.password) {
            // A lone user-info word is a token (`https://TOKEN@host/…`).
            (Some(token), None) => Some(format!("Bearer {token}")),
            (Some(user), Some(password)) => Some(basic(user, password)),
            _ => match (&credentials.token, &credentials.user, &credentials.password) {
                (Some(token), _, _) => Some(format!("Bearer {token}")),
                (None, Some(user), password) => {
                    Some(basic(user, password.as_deref().unwrap_or("")))
                }
                _ => None,
            },
        };
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(format!("zcc/{}", env!("CARGO_PKG_VERSION")))
            .build();
        HttpBackend {
            agent: ureq::Agent::new_with_config(config),
            base: format!("{}://{}{}", parts.scheme, parts.host, parts.path),
            query: parts.query.map(str::to_string),
            layout,
            authorization,
        }
    }

    fn url(&self, kind: Kind, key: &Key) -> String {
        let path = match self.layout {
            Layout::Zcc => {
                let name = entry_name(kind, key);
                let (dir, hex) = name.rsplit_once('/').unwrap_or(("", &name));
                format!("{dir}/{}/{hex}", &hex[..2])
            }
            Layout::Bazel => {
                let mut h = blake3::Hasher::new();
                h.update(format!("zcc/{}/", entry_name(kind, key)).as_bytes());
                format!("ac/{}", store::hex(h.finalize().as_bytes()))
            }
        };
        match &self.query {
            Some(q) => format!("{}/{path}?{q}", self.base),
            None => format!("{}/{path}", self.base),
        }
    }
}

/// `Basic base64(user:password)`.
fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

/// Standard base64 with padding (RFC 4648), for the basic-auth header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn failure(what: &str, e: ureq::Error) -> Failure {
    let timeout = match &e {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ),
        _ => false,
    };
    Failure {
        timeout,
        message: format!("{what}: {e}"),
    }
}

fn status_failure(what: &str, status: u16) -> Failure {
    Failure {
        timeout: false,
        message: format!("{what}: HTTP status {status}"),
    }
}

impl Backend for HttpBackend {
    fn get(&self, kind: Kind, key: &Key) -> Result<Option<Vec<u8>>, Failure> {
        let mut request = self.agent.get(self.url(kind, key));
        if let Some(auth) = &self.authorization {
            request = request.header("Authorization", auth);
        }
        let response = request.call().map_err(|e| failure("GET", e))?;
        match response.status().as_u16() {
            200 => response
                .into_body()
                .with_config()
                .limit(MAX_VALUE)
                .read_to_vec()
                .map(Some)
                .map_err(|e| failure("GET body", e)),
            404 => Ok(None),
            status => Err(status_failure("GET", status)),
        }
    }

    fn put(&self, kind: Kind, key: &Key, entry: &[u8]) -> Result<(), Failure> {
        let mut request = self
            .agent
            .put(self.url(kind, key))
            .header("Content-Type", "application/octet-stream");
        if let Some(auth) = &self.authorization {
            request = request.header("Authorization", auth);
        }
        let response = request.send(entry).map_err(|e| failure("PUT", e))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            status => Err(status_failure("PUT", status)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split() {
        let p = split("https://ci:p%40ss@cache.example.com:8443/zcc/?sig=1").unwrap();
        assert_eq!(p.scheme, "https");
        assert_eq!(p.user.as_deref(), Some("ci"));
        assert_eq!(p.password.as_deref(), Some("p@ss"));
        assert_eq!(p.host, "cache.example.com:8443");
        assert_eq!(p.path, "/zcc");
        assert_eq!(p.query, Some("sig=1"));
        let p = split("HTTP://h").unwrap();
        assert_eq!((p.scheme.as_str(), p.host, p.path), ("http", "h", ""));
        assert!(check("http:///x").is_err());
        assert!(check("http://u@/x").is_err());
    }

    #[test]
    fn entry_urls() {
        let key = [0x0f; 32];
        let hex = "0f".repeat(32);
        let creds = RemoteCredentials::default();
        let t = Duration::from_millis(100);
        let b = HttpBackend::new("http://h:8080/cache/", Layout::Zcc, t, &creds);
        assert_eq!(
            b.url(Kind::Result, &key),
            format!("http://h:8080/cache/v1/results/0f/{hex}")
        );
        assert_eq!(
            b.url(Kind::Manifest, &key),
            format!("http://h:8080/cache/v1/manifests/0f/{hex}")
        );
        let b = HttpBackend::new("https://u:pw@h?sig=x", Layout::Zcc, t, &creds);
        assert_eq!(
            b.url(Kind::Result, &key),
            format!("https://h/v1/results/0f/{hex}?sig=x")
        );
        let b = HttpBackend::new("http://h:9090", Layout::Bazel, t, &creds);
        let result = b.url(Kind::Result, &key);
        let manifest = b.url(Kind::Manifest, &key);
        assert!(result.starts_with("http://h:9090/ac/"), "{result}");
        assert_eq!(result.len(), "http://h:9090/ac/".len() + 64);
        assert_ne!(result, manifest, "kinds must not share a name");
    }

    #[test]
    fn authorization() {
        let t = Duration::from_millis(100);
        let none = RemoteCredentials::default();
        let b = HttpBackend::new("http://Aladdin:open%20sesame@h", Layout::Zcc, t, &none);
        assert_eq!(
            b.authorization.as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
        let b = HttpBackend::new("http://tok@h", Layout::Zcc, t, &none);
        assert_eq!(b.authorization.as_deref(), Some("Bearer tok"));
        let env = RemoteCredentials {
            token: Some("t2".into()),
            user: None,
            password: None,
        };
        let b = HttpBackend::new("http://h", Layout::Zcc, t, &env);
        assert_eq!(b.authorization.as_deref(), Some("Bearer t2"));
        let env = RemoteCredentials {
            token: None,
            user: Some("u".into()),
            password: Some("p".into()),
        };
        let b = HttpBackend::new("http://h", Layout::Zcc, t, &env);
        assert_eq!(b.authorization.as_deref(), Some("Basic dTpw"));
        assert!(
            HttpBackend::new("http://h", Layout::Zcc, t, &none)
                .authorization
                .is_none()
        );
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }
}
