//! Who is asking, and the outside-world services the domain is given.

use time::OffsetDateTime;
use uuid::Uuid;
use veritrail_domain::{Actor, CaseId, Clock, EventMetadata, TenantId};

/// The identity and tracing ids of one request, taken from authentication and
/// middleware — never from a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    pub tenant: TenantId,
    pub actor: Actor,
    /// Shared by everything one original request causes.
    pub correlation_id: Uuid,
    /// This request (the direct cause of the events it appends).
    pub request_id: Uuid,
    /// A retry of an idempotent request whose process died mid-way: it
    /// carries the interrupted request's id, and a command whose events that
    /// request already recorded is not decided again (see `execute`).
    pub recovering: bool,
}

impl RequestContext {
    pub fn new(tenant: TenantId, actor: Actor) -> Self {
        let id = Uuid::now_v7();
        Self {
            tenant,
            actor,
            correlation_id: id,
            request_id: id,
            recovering: false,
        }
    }

    /// This context continuing the interrupted request `original`.
    pub fn recovering(mut self, original: Uuid) -> Self {
        self.correlation_id = original;
        self.request_id = original;
        self.recovering = true;
        self
    }

    pub fn metadata(&self, occurred_at: OffsetDateTime) -> EventMetadata {
        EventMetadata {
            tenant: self.tenant.clone(),
            actor: self.actor.clone(),
            occurred_at,
            correlation_id: self.correlation_id,
            causation_id: self.request_id,
        }
    }
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Where new case ids come from (random in production, scripted in tests).
pub trait IdGenerator: Send + Sync + std::fmt::Debug {
    fn case_id(&self) -> CaseId;
}

/// Time-ordered random UUIDv7 ids.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn case_id(&self) -> CaseId {
        CaseId::from_uuid(Uuid::now_v7())
    }
}
