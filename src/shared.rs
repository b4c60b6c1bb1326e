//! What the parts of one call (lookup, miss, storage, links) are given instead of the whole
//! cache.

use crate::config::Config;
use crate::recorder::Recorder;
use crate::remote::Remotes;

/// What the parts of one call share: the configuration, the remote tiers, and the call's
/// counting and logging.
#[derive(Clone, Copy)]
pub(crate) struct Shared<'a> {
    pub(crate) config: &'a Config,
    pub(crate) remotes: &'a Remotes,
    pub(crate) rec: &'a Recorder<'a>,
}
