//! Configuration from `ZCC_*` environment variables (documented in `docs/CONFIG.md`).

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::remote::{RemoteCredentials, RemoteUrl};

/// Everything a user can set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The store directory.
    pub dir: PathBuf,
    /// Run the compiler untouched.
    pub disable: bool,
    /// Append a line per call here.
    pub logfile: Option<PathBuf>,
    /// Workspace roots; empty means "detect from the working directory".
    pub basedirs: Vec<PathBuf>,
    /// Preprocessor-mode keys only.
    pub nodirect: bool,
    /// `ZCC_PREPROCESS_MISSES`: a direct-mode miss that runs no preprocessor otherwise (the
    /// first compile of a source) runs it alongside the compile and stores the result under
    /// the preprocessor-mode key too, so that the first header edit that leaves the
    /// preprocessed text as it was is a hit.
    pub preprocess_misses: bool,
    /// `ZCC_PORTABLE_DEBUG`: debug builds get a `-fdebug-prefix-map=<root>=@<NAME>` per root,
    /// so their objects hold root-relative paths and hit on any layout.
    pub portable_debug: bool,
    /// Run links as they are, never cached (`ZCC_NOLINK`).
    pub nolink: bool,
    /// Serve hits, write nothing.
    pub readonly: bool,
    /// Never serve a hit; compile and overwrite.
    pub recache: bool,
    /// Size limit of the store in bytes (`ZCC_MAXSIZE`); a store write that pushes the store
    /// over it trims the oldest entries.
    pub max_size: u64,
    /// Remote tiers tried, in order, after the local store (`ZCC_REMOTE`).
    pub remotes: Vec<RemoteUrl>,
    /// Read the remote tiers, never write them (`ZCC_REMOTE_READONLY`).
    pub remote_readonly: bool,
    /// Bound on each remote operation (`ZCC_REMOTE_TIMEOUT`).
    pub remote_timeout: Duration,
    /// RemoteCredentials for the remote tiers from the environment (never logged).
    pub remote_credentials: RemoteCredentials,
    /// Words run before the compiler on a miss (`ZCC_PREFIX`, e.g. `distcc`).
    pub prefix: Vec<String>,
    /// When the current CI job started (`ZCC_JOB_START`): a hit then records its use of every
    /// file last used before it, so that `zcc gc --unused-since` that time is exact.
    pub job_start: Option<SystemTime>,
    /// A program never run as the compiler: the zcc executable itself, so that a compiler
    /// name found in `PATH` through a masquerade link (`gcc` → zcc) is skipped rather than
    /// called again. [`Config::from_process_env`] sets it to this process's executable.
    pub launcher: Option<PathBuf>,
}

/// `ZCC_MAXSIZE` when unset: 5 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 5 << 30;

/// `ZCC_REMOTE_TIMEOUT` when unset: what one remote operation may cost at most. Loopback and
/// LAN answers take about a millisecond; a TLS handshake to a nearby server well under 100 ms.
pub const DEFAULT_REMOTE_TIMEOUT: Duration = Duration::from_millis(300);

/// The largest `ZCC_REMOTE_TIMEOUT` accepted: a longer one would stall builds on a dead server.
pub const MAX_REMOTE_TIMEOUT: Duration = Duration::from_secs(60);

/// Parse a timeout: milliseconds (`250`, `250ms`) or seconds (`1s`, `0.5s`). Zero and
/// anything else is `None`.
pub fn parse_timeout(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, millis_per) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    if number.is_empty()
        || number.starts_with('.')
        || number.ends_with('.')
        || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return None;
    }
    let millis: f64 = number.parse().ok()?;
    let millis = millis * millis_per;
    if millis < 1.0 || millis > MAX_REMOTE_TIMEOUT.as_millis() as f64 {
        return None;
    }
    Some(Duration::from_micros((millis * 1000.0) as u64))
}

/// Parse a size: a number (a decimal point is allowed) with an optional suffix `K`, `M`, `G`
/// or `T` (powers of 1024, either case, optionally followed by `B` or `iB`): `500M`, `1.5G`,
/// `2GiB`, `1048576`. Zero, negative and non-finite sizes are `None`.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(digits_end);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let unit = suffix
        .strip_suffix("iB")
        .or_else(|| suffix.strip_suffix('B'))
        .unwrap_or(suffix);
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" if suffix.is_empty() => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    let bytes = if number.contains('.') {
        let value: f64 = number.parse().ok()?;
        let bytes = value * (1u64 << shift) as f64;
        // The float-to-int cast saturates; anything at or past 2^64 is not a size we can hold.
        (bytes < u64::MAX as f64).then_some(bytes as u64)?
    } else {
        number.parse::<u64>().ok()?.checked_mul(1 << shift)?
    };
    (bytes > 0).then_some(bytes)
}

/// Parse an age: a whole number followed by `s`, `m`, `h` or `d` (`30m`, `12h`, `7d`).
pub fn parse_age(text: &str) -> Option<std::time::Duration> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let seconds_per = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds = number.parse::<u64>().ok()?.checked_mul(seconds_per)?;
    Some(std::time::Duration::from_secs(seconds))
}

/// What [`parse_time`] accepts, for error messages.
pub const TIME_FORMS: &str =
    "@<unix seconds>, e.g. @1767225600, or RFC 3339, e.g. 2026-01-01T00:00:00Z";

/// Parse a point in time: `@` and whole seconds since the Unix epoch (`@$(date +%s)`), or an
/// RFC 3339 date and time (`2026-01-01T12:00:00Z`, `2026-01-01 12:00:00.5+01:00`). Times
/// before the epoch are `None`.
pub fn parse_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if let Some(secs) = text.strip_prefix('@') {
        if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs.parse().ok()?));
    }
    parse_rfc3339(text)
}

/// `YYYY-MM-DD(T| )HH:MM:SS(.fraction)?(Z|±HH:MM)`, case-insensitive `T` and `Z`.
fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(digits).ok()?.parse().ok())?
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        // Nanoseconds: the first nine digits, padded.
        let kept: String = fraction[..digits.min(9)].to_string();
        nanos = format!("{kept:0<9}").parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()) =>
        {
            let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if hours > 23 || minutes > 59 {
                return None;
            }
            let secs = hours * 3600 + minutes * 60;
            if *sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    // Second 60: a leap second, as RFC 3339 allows; it is the next second's start.
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    let secs = u64::try_from(secs).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (Howard
/// Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A bad `ZCC_*` value: the message names the variable and what it accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn parse_bool(name: &str, value: Option<OsString>) -> Result<bool, ConfigError> {
    let Some(value) = value else {
        return Ok(false);
    };
    let v = value.to_string_lossy().to_ascii_lowercase();
    match v.as_str() {
        "" | "0" | "false" | "no" | "off" => Ok(false),
        "1" | "true" | "yes" | "on" => Ok(true),
        _ => Err(ConfigError(format!(
            "{name}={} is not a boolean (use 1/0, true/false, yes/no, on/off)",
            value.to_string_lossy()
        ))),
    }
}

fn non_empty(value: Option<OsString>) -> Option<OsString> {
    value.filter(|v| !v.is_empty())
}

impl Config {
    /// Every setting at its default, with the store at `dir` (for a library user who builds a
    /// configuration in code: `Config { readonly: true, ..Config::defaults(dir) }`).
    pub fn defaults(dir: PathBuf) -> Config {
        Config {
            dir,
            disable: false,
            logfile: None,
            basedirs: Vec::new(),
            nodirect: false,
            preprocess_misses: false,
            portable_debug: false,
            nolink: false,
            readonly: false,
            recache: false,
            max_size: DEFAULT_MAX_SIZE,
            remotes: Vec::new(),
            remote_readonly: false,
            remote_timeout: DEFAULT_REMOTE_TIMEOUT,
            remote_credentials: RemoteCredentials::default(),
            prefix: Vec::new(),
            job_start: None,
            launcher: None,
        }
    }

    /// Read the configuration through `get` (the process environment, or a request's).
    pub fn from_env(get: &dyn Fn(&str) -> Option<OsString>) -> Result<Config, ConfigError> {
        let dir = match non_empty(get("ZCC_DIR")) {
            Some(d) => PathBuf::from(d),
            None => default_dir(get)?,
        };
        if dir.is_relative() {
            return Err(ConfigError(format!(
                "ZCC_DIR={} must be an absolute path",
                dir.display()
            )));
        }
        let mut basedirs = Vec::new();
        if let Some(list) = non_empty(get("ZCC_BASEDIR")) {
            for part in list.to_string_lossy().split(':').filter(|p| !p.is_empty()) {
                let p = PathBuf::from(part);
                if p.is_relative() {
                    return Err(ConfigError(format!(
                        "ZCC_BASEDIR entry {part} must be an absolute path"
                    )));
                }
                basedirs.push(p);
            }
        }
        Ok(Config {
            dir,
            disable: parse_bool("ZCC_DISABLE", get("ZCC_DISABLE"))?,
            logfile: non_empty(get("ZCC_LOGFILE")).map(PathBuf::from),
            basedirs,
            nodirect: parse_bool("ZCC_NODIRECT", get("ZCC_NODIRECT"))?,
            preprocess_misses: parse_bool("ZCC_PREPROCESS_MISSES", get("ZCC_PREPROCESS_MISSES"))?,
            portable_debug: parse_bool("ZCC_PORTABLE_DEBUG", get("ZCC_PORTABLE_DEBUG"))?,
            nolink: parse_bool("ZCC_NOLINK", get("ZCC_NOLINK"))?,
            readonly: parse_bool("ZCC_READONLY", get("ZCC_READONLY"))?,
            recache: parse_bool("ZCC_RECACHE", get("ZCC_RECACHE"))?,
            max_size: parse_max_size(get("ZCC_MAXSIZE"))?,
            remotes: parse_remotes(get("ZCC_REMOTE"))?,
            remote_readonly: parse_bool("ZCC_REMOTE_READONLY", get("ZCC_REMOTE_READONLY"))?,
            remote_timeout: parse_remote_timeout(get("ZCC_REMOTE_TIMEOUT"))?,
            remote_credentials: RemoteCredentials::from_env(get),
            prefix: non_empty(get("ZCC_PREFIX"))
                .map(|p| {
                    p.to_string_lossy()
                        .split_whitespace()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            job_start: parse_job_start(get("ZCC_JOB_START"))?,
            launcher: None,
        })
    }

    /// The configuration of this process's environment, with this process's executable as
    /// the [`launcher`](Config::launcher).
    pub fn from_process_env() -> Result<Config, ConfigError> {
        let config = Config::from_env(&|name| std::env::var_os(name))?;
        Ok(Config {
            launcher: std::env::current_exe().ok(),
            ..config
        })
    }
}

fn parse_job_start(value: Option<OsString>) -> Result<Option<SystemTime>, ConfigError> {
    let Some(value) = non_empty(value) else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    parse_time(&text).map(Some).ok_or_else(|| {
        ConfigError(format!(
            "ZCC_JOB_START={text} is not a time (use {TIME_FORMS})"
        ))
    })
}

fn parse_max_size(value: Option<OsString>) -> Result<u64, ConfigError> {
    let Some(value) = non_empty(value) else {
        return Ok(DEFAULT_MAX_SIZE);
    };
    let text = value.to_string_lossy();
    parse_size(&text).ok_or_else(|| {
        ConfigError(format!(
            "ZCC_MAXSIZE={text} is not a size (use e.g. 500M, 2G, 1.5G or a number of bytes; \
             K/M/G/T are powers of 1024)"
        ))
    })
}

/// `ZCC_REMOTE`: URLs separated by whitespace. The error names the variable and the URL with
/// its secrets redacted.
fn parse_remotes(value: Option<OsString>) -> Result<Vec<RemoteUrl>, ConfigError> {
    let Some(value) = non_empty(value) else {
        return Ok(Vec::new());
    };
    let text = value.to_string_lossy();
    // A word that is not a URL is most likely the rest of a password with an unencoded space:
    // say so without showing any of it.
    if text.split_whitespace().any(|word| !word.contains("://")) {
        return Err(ConfigError(
            "ZCC_REMOTE: not a list of URLs separated by spaces (a space in a password must be \
             percent-encoded as %20)"
                .into(),
        ));
    }
    text.split_whitespace()
        .map(|url| {
            RemoteUrl::parse(url).map_err(|e| {
                ConfigError(format!("ZCC_REMOTE: {}: {e}", crate::remote::redact(url)))
            })
        })
        .collect()
}

fn parse_remote_timeout(value: Option<OsString>) -> Result<Duration, ConfigError> {
    let Some(value) = non_empty(value) else {
        return Ok(DEFAULT_REMOTE_TIMEOUT);
    };
    let text = value.to_string_lossy();
    parse_timeout(&text).ok_or_else(|| {
        ConfigError(format!(
            "ZCC_REMOTE_TIMEOUT={text} is not a timeout (use milliseconds, e.g. 250 or 250ms, \
             or seconds, e.g. 1s; at least 1 ms, at most 60 s)"
        ))
    })
}

fn default_dir(get: &dyn Fn(&str) -> Option<OsString>) -> Result<PathBuf, ConfigError> {
    if let Some(xdg) = non_empty(get("XDG_CACHE_HOME")) {
        let xdg = PathBuf::from(xdg);
        if xdg.is_absolute() {
            return Ok(xdg.join("zcc"));
        }
    }
    match non_empty(get("HOME")) {
        Some(home) => Ok(PathBuf::from(home).join(".cache").join("zcc")),
        None => Err(ConfigError(
            "no store directory: set ZCC_DIR (HOME is not set)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Config::from_env(&|name| map.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[("HOME", "/home/u")]).unwrap();
        assert_eq!(c.dir, PathBuf::from("/home/u/.cache/zcc"));
        assert!(!c.disable && !c.nodirect && !c.nolink && !c.readonly && !c.recache);
        assert!(!c.preprocess_misses);
        assert!(
            config(&[("HOME", "/h"), ("ZCC_PREPROCESS_MISSES", "1")])
                .unwrap()
                .preprocess_misses
        );
        assert!(
            config(&[("HOME", "/h"), ("ZCC_NOLINK", "1")])
                .unwrap()
                .nolink
        );
        assert!(c.basedirs.is_empty());
        assert_eq!(c.max_size, 5 * 1024 * 1024 * 1024);
        let c = config(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "/xdg")]).unwrap();
        assert_eq!(c.dir, PathBuf::from("/xdg/zcc"));
        let c = config(&[("HOME", "/home/u"), ("ZCC_DIR", "/s")]).unwrap();
        assert_eq!(c.dir, PathBuf::from("/s"));
    }

    #[test]
    fn booleans() {
        for (v, want) in [
            ("1", true),
            ("yes", true),
            ("TRUE", true),
            ("On", true),
            ("0", false),
            ("", false),
            ("no", false),
            ("off", false),
        ] {
            let c = config(&[("ZCC_DIR", "/s"), ("ZCC_DISABLE", v)]).unwrap();
            assert_eq!(c.disable, want, "{v}");
        }
        let err = config(&[("ZCC_DIR", "/s"), ("ZCC_READONLY", "maybe")]).unwrap_err();
        assert!(err.0.contains("ZCC_READONLY=maybe"), "{err}");
    }

    #[test]
    fn bad_values() {
        assert!(config(&[("ZCC_DIR", "relative/dir")]).is_err());
        assert!(config(&[]).is_err());
        assert!(config(&[("ZCC_DIR", "/s"), ("ZCC_BASEDIR", "/a:rel")]).is_err());
        let c = config(&[("ZCC_DIR", "/s"), ("ZCC_BASEDIR", "/a::/b/c")]).unwrap();
        assert_eq!(c.basedirs, vec![PathBuf::from("/a"), PathBuf::from("/b/c")]);
    }

    #[test]
    fn max_size_from_env() {
        let c = config(&[("ZCC_DIR", "/s"), ("ZCC_MAXSIZE", "500M")]).unwrap();
        assert_eq!(c.max_size, 500 << 20);
        let c = config(&[("ZCC_DIR", "/s"), ("ZCC_MAXSIZE", "")]).unwrap();
        assert_eq!(c.max_size, DEFAULT_MAX_SIZE);
        let err = config(&[("ZCC_DIR", "/s"), ("ZCC_MAXSIZE", "lots")]).unwrap_err();
        assert!(err.0.starts_with("ZCC_MAXSIZE=lots is not a size"), "{err}");
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("250"), Some(Duration::from_millis(250)));
        assert_eq!(parse_timeout("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_timeout("1s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_timeout("0.5s"), Some(Duration::from_millis(500)));
        assert_eq!(parse_timeout(" 60s "), Some(Duration::from_secs(60)));
        for bad in [
            "", "0", "0ms", "0.5", "61s", "ms", "s", "-1", "1m", "1.s", ".5s", "1e3", "nan",
        ] {
            assert_eq!(parse_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn remote_settings() {
        let c = config(&[("ZCC_DIR", "/s")]).unwrap();
        assert_eq!(c, Config::defaults(PathBuf::from("/s")));
        assert!(c.remotes.is_empty() && !c.remote_readonly && c.prefix.is_empty());
        assert_eq!(c.remote_timeout, DEFAULT_REMOTE_TIMEOUT);
        let c = config(&[
            ("ZCC_DIR", "/s"),
            (
                "ZCC_REMOTE",
                " redis://127.0.0.1:6379  http://cache:8080/zcc ",
            ),
            ("ZCC_REMOTE_TIMEOUT", "80ms"),
            ("ZCC_REMOTE_READONLY", "1"),
            ("ZCC_PREFIX", "distcc  --x"),
        ])
        .unwrap();
        assert_eq!(c.remotes.len(), 2);
        assert_eq!(c.remote_timeout, Duration::from_millis(80));
        assert!(c.remote_readonly);
        assert_eq!(c.prefix, vec!["distcc".to_string(), "--x".to_string()]);
        let err = config(&[("ZCC_DIR", "/s"), ("ZCC_REMOTE", "ftp://u:secret@h/x")]).unwrap_err();
        assert!(err.0.starts_with("ZCC_REMOTE: ftp://u:***@h/x: "), "{err}");
        assert!(!err.0.contains("secret"), "{err}");
        let err = config(&[("ZCC_DIR", "/s"), ("ZCC_REMOTE", "redis://:q7 z9@h:1")]).unwrap_err();
        assert!(err.0.contains("%20") && !err.0.contains("q7"), "{err}");
        assert!(!err.0.contains("z9"), "{err}");
        let err = config(&[("ZCC_DIR", "/s"), ("ZCC_REMOTE_TIMEOUT", "forever")]).unwrap_err();
        assert!(err.0.starts_with("ZCC_REMOTE_TIMEOUT=forever"), "{err}");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("12345"), Some(12345));
        assert_eq!(parse_size("1K"), Some(1024));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("500m"), Some(500 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(parse_size("2GB"), Some(2 << 30));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size(" 7M "), Some(7 << 20));
    }

    #[test]
    fn bad_sizes() {
        for bad in [
            "",
            "0",
            "0M",
            "M",
            "-1",
            "1.",
            ".5G",
            "1..5G",
            "1.2.3",
            "5X",
            "5 M",
            "1e9",
            "5MM",
            "B",
            "99999999999999999999",
            "16777216T",
            "nan",
            "inf",
        ] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ages() {
        use std::time::Duration;
        assert_eq!(parse_age("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_age("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_age("12h"), Some(Duration::from_secs(12 * 3600)));
        assert_eq!(parse_age("7d"), Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_age("0d"), Some(Duration::ZERO));
        for bad in [
            "",
            "d",
            "7",
            "7w",
            "-1d",
            "1.5d",
            "7 d",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_age(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn times() {
        let at = |secs: u64| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(parse_time("@0"), at(0));
        assert_eq!(parse_time(" @1767225600 "), at(1_767_225_600));
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), at(0));
        assert_eq!(parse_time("2026-01-01T00:00:00Z"), at(1_767_225_600));
        assert_eq!(parse_time("2026-01-01t00:00:00z"), at(1_767_225_600));
        assert_eq!(parse_time("2026-01-01 01:00:00+01:00"), at(1_767_225_600));
        assert_eq!(parse_time("2025-12-31T19:30:00-04:30"), at(1_767_225_600));
        assert_eq!(parse_time("2024-02-29T12:00:00Z"), at(1_709_208_000));
        assert_eq!(parse_time("2000-03-01T00:00:00Z"), at(951_868_800));
        assert_eq!(
            parse_time("2026-01-01T00:00:00.25Z"),
            Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_767_225_600_250))
        );
        assert_eq!(
            parse_time("2026-01-01T00:00:00.1234567891Z"),
            Some(SystemTime::UNIX_EPOCH + Duration::new(1_767_225_600, 123_456_789))
        );
        for bad in [
            "",
            "@",
            "@-5",
            "@1.5",
            "1767225600",
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+1:00",
            "2026-01-01T00:00:00+24:00",
            "1969-12-31T23:59:59Z",
            "+026-01-01T00:00:00Z",
            "2026/01/01T00:00:00Z",
            "2026-01-01T00:00:00é",
            "2026-01-01T00:00:0é",
            "2026-01-01T00:00:00.é",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn job_start() {
        let c = config(&[("HOME", "/h"), ("ZCC_JOB_START", "@100")]).unwrap();
        assert_eq!(
            c.job_start,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(100))
        );
        assert_eq!(config(&[("HOME", "/h")]).unwrap().job_start, None);
        assert_eq!(
            config(&[("HOME", "/h"), ("ZCC_JOB_START", "")])
                .unwrap()
                .job_start,
            None
        );
        let e = config(&[("HOME", "/h"), ("ZCC_JOB_START", "yesterday")]).unwrap_err();
        assert!(e.0.contains("ZCC_JOB_START=yesterday"), "{e}");
    }
}
