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
        })
    }

    /// The configuration of this process's environment.
    pub fn from_process_env() -> Result<Config, ConfigError> {
        Config::from_env(&|name| std::env::var_os(name))
    }
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
}
