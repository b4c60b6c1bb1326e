//! Every statistics counter zcc keeps: one type, one table of stable names and meanings.
//!
//! A counter is bumped by value ([`Counter`]), never by a string, so a misspelled name cannot
//! create a new counter. The names ([`Counter::name`]) are what the stats files store and what
//! `zcc stats`, `docs/CLI.md` and the tests read; [`TABLE`] gives each one's meaning, and a test
//! checks that `docs/CLI.md` names every one of them.

use std::borrow::Cow;

/// One counter. [`Counter::name`] is its stable name, [`Counter::meaning`] what it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
// Each variant's meaning is in TABLE, the one place `meaning` and the tests read it from.
#[allow(missing_docs)]
pub enum Counter {
    DirectHit,
    PreprocessedHit,
    Miss,
    CompileFailed,
    LinkHit,
    LinkMiss,
    LinkFailed,
    RemoteHit,
    RemoteMiss,
    RemoteError,
    RemoteTimeout,
    RemoteSkipped,
    NotStoredModifiedInput,
    NotStoredNoOutput,
    NotStoredEmptyOutput,
    NotStoredReadonly,
    NotStoredDepfile,
    NotStoredTimeMacro,
    NotStoredEmbeddedFile,
    NotStoredPch,
    NotStoredPreprocessor,
    NotStoredSearchPath,
    NotStoredLinkStdout,
    NotStoredLinkUnreported,
    NotStoredLinkInput,
    ErrorStoreOpen,
    ErrorStoreRead,
    ErrorStoreWrite,
    ErrorReplay,
    ErrorPrefix,
    ErrorAddedArguments,
    ErrorInternal,
    /// `passthrough_<reason>`, with the reason's stable name (`Passthrough::name`, or a link
    /// refusal's).
    Passthrough(&'static str),
}

use Counter::*;

/// Every counter but the passthrough family, with what it counts.
const TABLE: &[(Counter, &str)] = &[
    (DirectHit, "a hit found through a direct-mode manifest"),
    (PreprocessedHit, "a hit keyed on the preprocessed text"),
    (
        Miss,
        "a compile that ran (stored, or not with a not_stored_ reason)",
    ),
    (
        CompileFailed,
        "the compiler exited non-zero; nothing stored",
    ),
    (LinkHit, "a link served from the store"),
    (LinkMiss, "a link that ran"),
    (LinkFailed, "the link failed; nothing stored"),
    (
        RemoteHit,
        "a hit that used an entry fetched from a remote tier",
    ),
    (
        RemoteMiss,
        "a compile or link after a remote tier was asked",
    ),
    (
        RemoteError,
        "a remote operation failed or a value failed verification",
    ),
    (
        RemoteTimeout,
        "a remote operation ran out of ZCC_REMOTE_TIMEOUT",
    ),
    (RemoteSkipped, "a tier left alone after a recent failure"),
    (
        NotStoredModifiedInput,
        "an input changed during the compile",
    ),
    (NotStoredNoOutput, "an output could not be read back"),
    (NotStoredEmptyOutput, "the compiler wrote an empty output"),
    (NotStoredReadonly, "ZCC_READONLY"),
    (
        NotStoredDepfile,
        "a dependency file zcc could not read or parse",
    ),
    (
        NotStoredTimeMacro,
        "__TIME__, __DATE__ or __TIMESTAMP__ used",
    ),
    (NotStoredEmbeddedFile, ".incbin, .include or #embed used"),
    (NotStoredPch, "a precompiled header may be used"),
    (
        NotStoredPreprocessor,
        "the preprocessor run for the key failed",
    ),
    (
        NotStoredSearchPath,
        "no include search path from the compiler",
    ),
    (
        NotStoredLinkStdout,
        "the link printed more than ld's report",
    ),
    (NotStoredLinkUnreported, "ld did not report a -T script"),
    (
        NotStoredLinkInput,
        "a file ld read cannot be read or changed",
    ),
    (ErrorStoreOpen, "the store cannot be created or opened"),
    (ErrorStoreRead, "a corrupt or unreadable entry or manifest"),
    (ErrorStoreWrite, "an entry could not be written"),
    (ErrorReplay, "a hit's outputs could not be written"),
    (ErrorPrefix, "ZCC_PREFIX not found in PATH"),
    (
        ErrorAddedArguments,
        "the compile failed only with zcc's arguments",
    ),
    (ErrorInternal, "any other internal problem"),
];

/// What every `passthrough_<reason>` counter counts.
const PASSTHROUGH_MEANING: &str = "a call run without the cache, for the reason its name gives";

impl Counter {
    /// What the counter counts.
    pub fn meaning(self) -> &'static str {
        match self {
            Passthrough(_) => PASSTHROUGH_MEANING,
            _ => TABLE
                .iter()
                .find(|(c, _)| *c == self)
                .map_or("", |(_, meaning)| meaning),
        }
    }

    /// What the counter of the stable name `name` counts; `None` for a name zcc does not keep.
    pub fn meaning_of(name: &str) -> Option<&'static str> {
        if name.starts_with("passthrough_") {
            return Some(PASSTHROUGH_MEANING);
        }
        TABLE
            .iter()
            .find(|(c, _)| c.name() == name)
            .map(|(_, meaning)| *meaning)
    }

    /// The name the stats files store (`passthrough_<reason>` for the passthrough family).
    pub fn name(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Passthrough(reason) => return Cow::Owned(format!("passthrough_{reason}")),
            DirectHit => "direct_hit",
            PreprocessedHit => "preprocessed_hit",
            Miss => "miss",
            CompileFailed => "compile_failed",
            LinkHit => "link_hit",
            LinkMiss => "link_miss",
            LinkFailed => "link_failed",
            RemoteHit => "remote_hit",
            RemoteMiss => "remote_miss",
            RemoteError => "remote_error",
            RemoteTimeout => "remote_timeout",
            RemoteSkipped => "remote_skipped",
            NotStoredModifiedInput => "not_stored_modified_input",
            NotStoredNoOutput => "not_stored_no_output",
            NotStoredEmptyOutput => "not_stored_empty_output",
            NotStoredReadonly => "not_stored_readonly",
            NotStoredDepfile => "not_stored_depfile",
            NotStoredTimeMacro => "not_stored_time_macro",
            NotStoredEmbeddedFile => "not_stored_embedded_file",
            NotStoredPch => "not_stored_pch",
            NotStoredPreprocessor => "not_stored_preprocessor",
            NotStoredSearchPath => "not_stored_search_path",
            NotStoredLinkStdout => "not_stored_link_stdout",
            NotStoredLinkUnreported => "not_stored_link_unreported",
            NotStoredLinkInput => "not_stored_link_input",
            ErrorStoreOpen => "error_store_open",
            ErrorStoreRead => "error_store_read",
            ErrorStoreWrite => "error_store_write",
            ErrorReplay => "error_replay",
            ErrorPrefix => "error_prefix",
            ErrorAddedArguments => "error_added_arguments",
            ErrorInternal => "error_internal",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = TABLE.iter().map(|(c, _)| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLE.len(), "a name is listed twice");
        assert_eq!(Passthrough("link").name(), "passthrough_link");
    }

    #[test]
    fn the_cli_doc_names_every_counter() {
        let doc = include_str!("../docs/CLI.md");
        for (counter, _) in TABLE {
            let name = counter.name();
            let family_and_reason = name
                .split_once('_')
                .filter(|(family, _)| matches!(*family, "not" | "error" | "remote"));
            let mentioned = doc.contains(&format!("`{name}`"))
                || family_and_reason.is_some_and(|(_, rest)| {
                    let rest = rest.strip_prefix("stored_").unwrap_or(rest);
                    doc.contains(&format!("`{rest}`"))
                });
            assert!(mentioned, "docs/CLI.md does not name the counter {name}");
        }
    }
}
