//! The one application state every handler and middleware reads: the
//! application's services and what the transport itself needs.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use veritrail_application::auth::signatures::ReplayStore;
use veritrail_application::auth::Tokens;
use veritrail_application::idempotency::IdempotencyStore;
use veritrail_application::Services;
use veritrail_domain::{Actor, TenantId};

#[derive(Debug, Clone)]
pub struct AppState {
    /// Every use case and check.
    pub services: Arc<Services>,
    pub auth: Auth,
    /// The identity of a request that names none (development only).
    pub dev_identity: DevIdentity,
    pub idempotency: IdempotencyStore,
    /// After a command, wait up to this long for the read model to show it,
    /// so the caller reads its own writes (`None` when no projection runs here).
    pub read_your_writes: Option<Duration>,
    /// Set while the read model is known to lag (a wait timed out).
    pub read_model_lagging: Arc<AtomicBool>,
}

/// What authenticating requests and issuing tokens need.
#[derive(Debug, Clone)]
pub struct Auth {
    pub tokens: Tokens,
    /// Signatures already accepted (HMAC request signing).
    pub replays: Arc<ReplayStore>,
    /// The base of invitation links.
    pub invitation_url: String,
    pub log_invitation_links: bool,
    /// Accept `X-Tenant-Id`/`X-Actor-Kind`/`X-Actor-Id` without a token
    /// (development and tests only).
    pub dev_headers: bool,
}

/// The identity used when a request names none (development only).
#[derive(Debug, Clone)]
pub struct DevIdentity {
    pub tenant: TenantId,
    pub actor: Actor,
}
