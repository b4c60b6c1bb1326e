//! Configuration from `ZCC_*` environment variables (documented in `docs/CONFIG.md`).

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

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
    /// Serve hits, write nothing.
    pub readonly: bool,
    /// Never serve a hit; compile and overwrite.
    pub recache: bool,
    /// Size limit of the store in bytes (`ZCC_MAXSIZE`); a store write that pushes the store
    /// over it trims the oldest entries.
    pub max_size: u64,
}

/// `ZCC_MAXSIZE` when unset: 5 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 5 << 30;

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
            readonly: parse_bool("ZCC_READONLY", get("ZCC_READONLY"))?,
            recache: parse_bool("ZCC_RECACHE", get("ZCC_RECACHE"))?,
            max_size: parse_max_size(get("ZCC_MAXSIZE"))?,
        })
    }

    /// The configuration of this process's environment.
    pub fn from_process_env() -> Result<Config, ConfigError> {
        Config::from_env(&|name| std::env::var_os(name))
    }
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
        assert!(!c.disable && !c.nodirect && !c.readonly && !c.recache);
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
}
