//! The case service: commands on cases and subjects, over one event database.

use std::sync::Arc;

use cqrs_es::EventStore as _;
use veritrail_domain::case::{CaseCommand, CaseError, CaseServices, VerificationCase};
use veritrail_domain::invitation::Invitation;
use veritrail_domain::subject::SubjectCases;
use veritrail_domain::{CaseId, Clock};
use veritrail_event_store::{EventDatabase, EventStore};

use crate::context::{IdGenerator, RequestContext};
use crate::error::ServiceError;
use crate::execute::{execute, Committed};

/// Commands on verification cases.
pub struct CaseService {
    pub(super) db: EventDatabase,
    pub(super) cases: EventStore<VerificationCase>,
    pub(super) subjects: EventStore<SubjectCases>,
    pub(super) invitations: EventStore<Invitation>,
    pub(super) services: CaseServices,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) ids: Arc<dyn IdGenerator>,
}

impl std::fmt::Debug for CaseService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseService")
            .field("backend", &self.db.backend())
            .finish_non_exhaustive()
    }
}

impl CaseService {
    pub fn new(db: EventDatabase, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Self {
        Self {
            cases: db.event_store(veritrail_domain::case::upcasters()),
            subjects: db.event_store(vec![]),
            invitations: db.event_store(vec![]),
            services: CaseServices::new(clock.clone()),
            db,
            clock,
            ids,
        }
    }

    pub fn database(&self) -> &EventDatabase {
        &self.db
    }

    /// Runs one command against one case.
    pub async fn execute(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        action: veritrail_domain::case::CaseAction,
    ) -> Result<Committed<VerificationCase>, ServiceError> {
        self.execute_expecting(ctx, case_id, action, None).await
    }

    /// Runs one command if the case is still at `expected` version (`If-Match`).
    /// A writer that slips in between is caught by the store's optimistic
    /// concurrency, so the check and the append are atomic.
    pub async fn execute_expecting(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        action: veritrail_domain::case::CaseAction,
        expected: Option<usize>,
    ) -> Result<Committed<VerificationCase>, ServiceError> {
        let command = CaseCommand::new(ctx.tenant.clone(), ctx.actor.clone(), action);
        let metadata = ctx.metadata(self.clock.now());
        execute(
            &self.cases,
            &case_id.to_string(),
            command,
            &self.services,
            &metadata,
            expected,
            ctx.recovering,
        )
        .await
    }

    /// Time travel (READ-6): the case as it stood after its first `version`
    /// events, or after the events recorded up to `at`, by replaying its stream.
    pub async fn load_at(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
        version: Option<usize>,
        at: Option<time::OffsetDateTime>,
    ) -> Result<(VerificationCase, usize), ServiceError> {
        use cqrs_es::Aggregate as _;
        let events = self
            .db
            .read_stream(VerificationCase::TYPE, &case_id.to_string())
            .await
            .map_err(ServiceError::store)?;
        let upcasters = veritrail_domain::case::upcasters();
        let mut case = VerificationCase::default();
        let mut applied = 0;
        for event in events {
            if version.is_some_and(|v| applied >= v) || at.is_some_and(|t| event.recorded_at > t) {
                break;
            }
            let payload = event.decode(&upcasters).map_err(ServiceError::store)?;
            case.apply(payload);
            applied += 1;
        }
        match case.opened() {
            Some(opened) if opened.tenant == ctx.tenant => {}
            _ => return Err(CaseError::NotFound.into()),
        }
        match version {
            // Asked for a version the case has not reached: say so, never
            // answer an older one silently.
            Some(asked) if asked > applied => Err(ServiceError::Invalid {
                field: "version",
                reason: format!("the case has {applied} events; ask for 1 to {applied}"),
            }),
            _ => Ok((case, applied)),
        }
    }

    /// A case stream replayed (upcasting old events), with its version; any tenant.
    pub(super) async fn replay(
        &self,
        case_id: CaseId,
    ) -> Result<(VerificationCase, usize), ServiceError> {
        let context = self
            .cases
            .load_aggregate(&case_id.to_string())
            .await
            .map_err(ServiceError::from)?;
        Ok((context.aggregate, context.current_sequence))
    }

    /// The case as `ctx`'s tenant may see it; another tenant's case is "not found".
    pub async fn load(
        &self,
        ctx: &RequestContext,
        case_id: CaseId,
    ) -> Result<(VerificationCase, usize), ServiceError> {
        let (case, version) = self.replay(case_id).await?;
        match case.opened() {
            Some(opened) if opened.tenant == ctx.tenant => Ok((case, version)),
            _ => Err(CaseError::NotFound.into()),
        }
    }
}
