//! Package roots found by themselves: a directory holding a package's manifest is a root,
//! labelled after what the package is, so a framework installed anywhere (PlatformIO's
//! `~/.platformio/packages`, another tool's `~/.cache/fbuild/packages`, `/opt` in a container)
//! spells its files alike in every key.
//!
//! A label only has to be a bijection within one call: paths are tokenized with this call's
//! roots and stored text is expanded with the serving call's roots, while content hashes (or
//! the preprocessed text) decide what the files hold. So a wrong guess about what a package is
//! costs hits, never correctness, and the roots of an argument list are memoized without
//! checking that the manifests are still there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::key::KeyBuilder;

/// The manifests that make a directory a package root, asked in this order; the first one
/// found names the package:
/// - `.piopm`: written by PlatformIO for every package it installs (frameworks, toolchains,
///   tools, libraries), JSON with the package's registry `name`;
/// - `package.json`: PlatformIO's package manifest (`name`), shipped inside framework and
///   toolchain packages;
/// - `library.json`: a PlatformIO library (`name`);
/// - `library.properties`: an Arduino library (`name=`);
/// - `platform.txt`: an Arduino core (`name=`), as the Arduino IDE, arduino-cli and
///   PlatformIO's Arduino frameworks install them;
/// - `.git`: a git checkout (a library cloned into `lib/`, a submodule), named by its
///   directory, the name `git clone` gives it.
const MANIFESTS: [(&str, Kind); 6] = [
    (".piopm", Kind::Json),
    ("package.json", Kind::Json),
    ("library.json", Kind::Json),
    ("library.properties", Kind::Properties),
    ("platform.txt", Kind::Properties),
    (".git", Kind::Checkout),
];

/// Manifests are small; a larger file is read only this far.
const MAX_MANIFEST: u64 = 256 * 1024;

/// Labels are capped so a long package name keeps a token short.
const MAX_LABEL: usize = 40;

#[derive(Clone, Copy, Debug)]
enum Kind {
    Json,
    Properties,
    Checkout,
}

/// The package roots above `starts` (absolute paths a call names: include directories, the
/// input), as (label, directory) for [`crate::paths::Roots::new`]. The walk up from each start
/// stops at the first directory holding a manifest, at a directory in `known` (the call's
/// other roots: the workspace, the toolchain, HOME) and at the filesystem root. Labels are
/// `PKG_<NAME>` (`GIT_<NAME>` for a checkout), `_2`, `_3`, … appended when another directory
/// of the same call already has the name. Memoized in `memo_dir` by the starts and `known`.
pub fn find(starts: &[String], known: &[PathBuf], memo_dir: &Path) -> Vec<(String, PathBuf)> {
    let mut k = KeyBuilder::new("zcc-packages-1");
    for start in starts {
        k.field("start", start.as_bytes());
    }
    for dir in known {
        k.field("known", dir.as_os_str().as_encoded_bytes());
    }
    let memo = memo_dir.join(format!("packages-{}", crate::store::hex(&k.finish())));
    if let Some(found) = crate::memo::read(&memo).and_then(|bytes| decode(&bytes)) {
        return found;
    }
    let found = label(discover(starts, known, &mut |dir| package_name(dir)));
    crate::memo::write(&memo, &encode(&found));
    found
}

/// The innermost package directory above each start, with its name, in order of first
/// appearance. `name_of` reads a directory's manifest.
fn discover(
    starts: &[String],
    known: &[PathBuf],
    name_of: &mut dyn FnMut(&Path) -> Option<(String, bool)>,
) -> Vec<(PathBuf, String, bool)> {
    let known: Vec<PathBuf> = known
        .iter()
        .map(|k| PathBuf::from(crate::paths::normalize_lexically(&k.to_string_lossy())))
        .collect();
    let mut asked: HashMap<PathBuf, Option<(String, bool)>> = HashMap::new();
    let mut found: Vec<(PathBuf, String, bool)> = Vec::new();
    for start in starts {
        let start = PathBuf::from(crate::paths::normalize_lexically(start));
        if !start.is_absolute() {
            continue;
        }
        for dir in start.ancestors() {
            if dir.parent().is_none() || known.iter().any(|k| k == dir) {
                break;
            }
            let name = asked
                .entry(dir.to_path_buf())
                .or_insert_with(|| name_of(dir))
                .clone();
            if let Some((name, checkout)) = name {
                if !found.iter().any(|(d, _, _)| d == dir) {
                    found.push((dir.to_path_buf(), name, checkout));
                }
                break;
            }
        }
    }
    found
}

/// Labels for the found packages: unique within the list, first come first named.
fn label(found: Vec<(PathBuf, String, bool)>) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    for (dir, name, checkout) in found {
        let base = format!("{}_{name}", if checkout { "GIT" } else { "PKG" });
        let label = (1..)
            .map(|n| {
                if n == 1 {
                    base.clone()
                } else {
                    format!("{base}_{n}")
                }
            })
            .find(|l| !out.iter().any(|(used, _)| used == l))
            .unwrap_or(base);
        out.push((label, dir));
    }
    out
}

/// The package name `dir`'s first manifest gives, as a label part, and whether it is a git
/// checkout.
fn package_name(dir: &Path) -> Option<(String, bool)> {
    MANIFESTS.iter().find_map(|(file, kind)| {
        let path = dir.join(file);
        let name = match kind {
            Kind::Checkout => path
                .symlink_metadata()
                .ok()
                .and(dir.file_name())
                .map(|n| n.to_string_lossy().into_owned()),
            Kind::Json => crate::safefs::read_regular(&path, MAX_MANIFEST)
                .ok()
                .and_then(|bytes| json_name(&bytes)),
            Kind::Properties => crate::safefs::read_regular(&path, MAX_MANIFEST)
                .ok()
                .and_then(|bytes| properties_name(&bytes)),
        }?;
        let name = label_part(&name)?;
        Some((name, matches!(kind, Kind::Checkout)))
    })
}

/// `name` of a JSON manifest's top-level object.
fn json_name(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    value.get("name")?.as_str().map(str::to_string)
}

/// The first `name=` of an Arduino properties file.
fn properties_name(bytes: &[u8]) -> Option<String> {
    String::from_utf8_lossy(bytes).lines().find_map(|line| {
        let value = line.trim_start().strip_prefix("name")?.trim_start();
        Some(value.strip_prefix('=')?.trim().to_string())
    })
}

/// A package name as the part of a label: ASCII letters and digits upper-cased, every other
/// character `_`, at most [`MAX_LABEL`] characters; `None` when nothing is left.
fn label_part(name: &str) -> Option<String> {
    let part: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .take(MAX_LABEL)
        .collect();
    part.bytes().any(|b| b != b'_').then_some(part)
}

/// Memo format: one `label\0dir` per line.
fn encode(found: &[(String, PathBuf)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (label, dir) in found {
        out.extend_from_slice(label.as_bytes());
        out.push(0);
        out.extend_from_slice(dir.as_os_str().as_encoded_bytes());
        out.push(b'\n');
    }
    out
}

fn decode(bytes: &[u8]) -> Option<Vec<(String, PathBuf)>> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines()
        .map(|line| {
            let (label, dir) = line.split_once('\0')?;
            Some((label.to_string(), PathBuf::from(dir)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_manifests() {
        assert_eq!(
            json_name(br#"{"name": "framework-arduinoavr", "version": "5.2.0"}"#).as_deref(),
            Some("framework-arduinoavr")
        );
        assert_eq!(json_name(br#"{"version": "1"}"#), None);
        assert_eq!(json_name(br#"["name"]"#), None);
        assert_eq!(json_name(b"not json"), None);
        assert_eq!(
            properties_name(b"# c\nname=Arduino AVR Boards\nversion=1.8.6\n").as_deref(),
            Some("Arduino AVR Boards")
        );
        assert_eq!(
            properties_name(b"  name = Wire \n").as_deref(),
            Some("Wire")
        );
        assert_eq!(properties_name(b"names=x\nversion=1\n"), None);
        assert_eq!(properties_name(b""), None);
    }

    #[test]
    fn label_parts() {
        assert_eq!(
            label_part("framework-arduinoavr").as_deref(),
            Some("FRAMEWORK_ARDUINOAVR")
        );
        assert_eq!(
            label_part("Arduino AVR Boards").as_deref(),
            Some("ARDUINO_AVR_BOARDS")
        );
        assert_eq!(label_part("ü-1").as_deref(), Some("__1"));
        assert_eq!(label_part("--"), None);
        assert_eq!(label_part(""), None);
        assert_eq!(label_part(&"a".repeat(100)).unwrap().len(), MAX_LABEL);
    }

    #[test]
    fn discovery_walks_up_to_the_innermost_package_and_stops_at_known_roots() {
        let packages: HashMap<&str, (&str, bool)> = [
            (
                "/h/.platformio/packages/framework-arduinoavr",
                ("FW", false),
            ),
            (
                "/h/.platformio/packages/framework-arduinoavr/libraries/Wire",
                ("WIRE", false),
            ),
            ("/opt/other/Wire", ("WIRE", false)),
            ("/h", ("HOME_IS_A_PACKAGE", false)),
            ("/ws/lib/dep", ("DEP", true)),
        ]
        .into_iter()
        .collect();
        let mut asked = Vec::new();
        let mut name_of = |dir: &Path| {
            asked.push(dir.to_path_buf());
            packages
                .get(dir.to_str().unwrap())
                .map(|(n, c)| (n.to_string(), *c))
        };
        let starts: Vec<String> = [
            "/h/.platformio/packages/framework-arduinoavr/cores/arduino",
            "/h/.platformio/packages/framework-arduinoavr/variants/standard",
            "/h/.platformio/packages/framework-arduinoavr/libraries/Wire/src",
            "/opt/other/Wire/src/../src",
            "/h/elsewhere/inc",
            "/ws/lib/dep/include",
            "relative/inc",
        ]
        .map(String::from)
        .to_vec();
        let known = [PathBuf::from("/h"), PathBuf::from("/ws")];
        let found = label(discover(&starts, &known, &mut name_of));
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|(l, d)| (l.as_str(), d.to_str().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                ("PKG_FW", "/h/.platformio/packages/framework-arduinoavr"),
                (
                    "PKG_WIRE",
                    "/h/.platformio/packages/framework-arduinoavr/libraries/Wire"
                ),
                // Another package of the same name in the same call: its own label.
                ("PKG_WIRE_2", "/opt/other/Wire"),
                ("GIT_DEP", "/ws/lib/dep"),
            ]
        );
        // The walk stopped below the known roots and never asked `/` or a directory twice.
        assert!(
            !asked
                .iter()
                .any(|d| d == Path::new("/h") || d == Path::new("/"))
        );
        let mut unique = asked.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), asked.len());
    }

    #[test]
    fn found_packages_are_memoized() {
        let tmp = tempfile::tempdir().unwrap();
        let pkg = tmp.path().join("pkgs/framework-x");
        std::fs::create_dir_all(pkg.join("include")).unwrap();
        std::fs::write(pkg.join("package.json"), r#"{"name": "framework-x"}"#).unwrap();
        let memo = tmp.path().join("memo");
        std::fs::create_dir(&memo).unwrap();
        let starts = vec![pkg.join("include").to_str().unwrap().to_string()];
        let want = vec![("PKG_FRAMEWORK_X".to_string(), pkg.clone())];
        assert_eq!(find(&starts, &[], &memo), want);
        // The memo answers without the manifest.
        std::fs::remove_file(pkg.join("package.json")).unwrap();
        assert_eq!(find(&starts, &[], &memo), want);
        assert!(find(&starts, &[tmp.path().join("other")], &memo).is_empty());
    }
}
