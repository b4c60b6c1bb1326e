//! What the call running on a thread may write into its store's files, from its cache's
//! configuration (`ZCC_READONLY`, `ZCC_JOB_START`).

use std::cell::Cell;
use std::time::SystemTime;

/// How the call running on a thread may write into its store's files, from its cache's
/// configuration. Memos are written, and uses recorded, from deep inside a call (hashing,
/// probes, reads), so the call's [`Policy`] is set for its thread while it runs rather than
/// passed to every function on the way. A thread the call starts does not inherit it: such
/// threads only run programs (the preprocessor beside a compile) or talk to a remote tier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Policy {
    /// The store is read-only (`ZCC_READONLY`): [`crate::memo::write`] and [`crate::memo::write_once`] do nothing,
    /// and no use is recorded ([`crate::lastuse::record`]).
    pub(crate) read_only: bool,
    /// When the current job started (`ZCC_JOB_START`), for [`crate::lastuse`].
    pub(crate) job_start: Option<SystemTime>,
}

thread_local! {
    static POLICY: Cell<Policy> = const {
        Cell::new(Policy {
            read_only: false,
            job_start: None,
        })
    };
}

/// The policy of the call running on this thread (the default outside a call).
pub(crate) fn current() -> Policy {
    POLICY.with(Cell::get)
}

/// Sets this thread's policy until the returned guard is dropped (the previous one is then
/// restored, also when the call panics).
pub(crate) fn set(policy: Policy) -> PolicyGuard {
    PolicyGuard(POLICY.with(|p| p.replace(policy)))
}

/// Restores the policy a [`set`] replaced.
pub(crate) struct PolicyGuard(Policy);

impl Drop for PolicyGuard {
    fn drop(&mut self) {
        POLICY.with(|p| p.set(self.0));
    }
}
