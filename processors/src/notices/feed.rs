//! The notice feed: a subscription to the event log (checkpoint in the same
//! transaction, so each notice is queued exactly once) that keeps whom a
//! case's notices go to (`notice_contacts`: the individual's address and
//! name from the case, its latest invitation) and queues a notice for
//! every event someone is told of:
//! - the individual: an invitation issued, a reminder, a check asking them
//!   to act — only when the case has their address;
//! - the officers: a submission, an escalation.

use std::sync::Arc;

use serde_json::{json, Value};
use veritrail_application::notifications::{
    DROP_INVITATION, INSERT_CONTACT, INSERT_NOTICE, INSERT_NOTICE_IF_ADDRESSED, SET_INVITATION,
};
use veritrail_domain::case::{rfc3339, upcasters, CaseEvent};
use veritrail_domain::invitation::InvitationEvent;
use veritrail_domain::notification::{Audience, NoticeKind};
use veritrail_domain::Clock;
use veritrail_event_store::sql::millis;
use veritrail_event_store::subscription::{decode, Projection, ProjectionError, Tx};
use veritrail_event_store::{run, RecordedEvent};

/// The feed's checkpoint name.
pub const NAME: &str = "notice_feed";

#[derive(Debug, Clone)]
pub struct NoticeFeed {
    clock: Arc<dyn Clock>,
}

impl NoticeFeed {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }
}

/// The case events that queue a notice (see `notice_of`), and the opening
/// that records whom to write to.
const NOTIFYING: [&str; 5] = [
    "CaseOpened",
    "DataSubmitted",
    "CheckActionRequested",
    "IndividualReminded",
    "CheckEscalated",
];

/// The notice a case event makes, with its values.
fn notice_of(event: CaseEvent) -> Option<(NoticeKind, Value)> {
    Some(match event {
        CaseEvent::DataSubmitted { .. } => (NoticeKind::NewSubmission, json!({})),
        CaseEvent::CheckActionRequested {
            check,
            hint,
            deadline,
        } => (
            NoticeKind::ActionRequested,
            json!({"check": check.as_str(), "hint": hint.as_str(), "deadline": rfc3339(deadline)}),
        ),
        CaseEvent::IndividualReminded { number, .. } => {
            (NoticeKind::Reminder, json!({"number": number.to_string()}))
        }
        CaseEvent::CheckEscalated { check, attempt } => (
            NoticeKind::Escalation,
            json!({"check": check.as_str(), "attempt": attempt.to_string()}),
        ),
        _ => return None,
    })
}

impl NoticeFeed {
    /// Queues `kind` for `case`: an individual's notice only when the case
    /// has their address.
    async fn queue(
        &self,
        tx: &mut Tx<'_>,
        event: &RecordedEvent,
        case_id: &str,
        kind: NoticeKind,
        vars: Value,
    ) -> Result<(), ProjectionError> {
        let tenant = event.tenant_id.as_deref().unwrap_or_default();
        let id = format!("{kind}/{}/{}", event.aggregate_id, event.sequence);
        let now = millis(self.clock.now());
        let sql = match kind.audience() {
            Audience::Officers => INSERT_NOTICE,
            Audience::Individual => INSERT_NOTICE_IF_ADDRESSED,
        };
        run!(
            tx,
            sqlx::query(sql)
                .bind(id)
                .bind(tenant)
                .bind(case_id)
                .bind(kind.as_str())
                .bind(vars.to_string())
                .bind(now)
        )?;
        Ok(())
    }

    async fn case_event(
        &self,
        tx: &mut Tx<'_>,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        let decoded: CaseEvent = decode(event, &upcasters())?;
        if let CaseEvent::CaseOpened {
            case_id,
            tenant,
            subject,
            ..
        } = decoded
        {
            let email = subject.email.map(String::from);
            let name = subject.display_name.map(|n| n.as_str().to_owned());
            run!(
                tx,
                sqlx::query(INSERT_CONTACT)
                    .bind(case_id.to_string())
                    .bind(tenant.as_str())
                    .bind(email)
                    .bind(name)
            )?;
            return Ok(());
        }
        match notice_of(decoded) {
            Some((kind, vars)) => self.queue(tx, event, &event.aggregate_id, kind, vars).await,
            None => Ok(()),
        }
    }

    async fn invitation_event(
        &self,
        tx: &mut Tx<'_>,
        event: &RecordedEvent,
    ) -> Result<(), ProjectionError> {
        match decode::<InvitationEvent>(event, &[])? {
            InvitationEvent::InvitationIssued {
                case_id,
                expires_at,
                ..
            } => {
                let case_id = case_id.to_string();
                run!(
                    tx,
                    sqlx::query(SET_INVITATION)
                        .bind(&case_id)
                        .bind(&event.aggregate_id)
                        .bind(millis(expires_at))
                )?;
                let vars = json!({
                    "invitation_id": event.aggregate_id,
                    "expires_at": rfc3339(expires_at),
                });
                self.queue(tx, event, &case_id, NoticeKind::Invitation, vars)
                    .await
            }
            InvitationEvent::InvitationRevoked => {
                run!(tx, sqlx::query(DROP_INVITATION).bind(&event.aggregate_id))?;
                Ok(())
            }
        }
    }
}

impl Projection for NoticeFeed {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static str] {
        &["notices", "notice_contacts"]
    }

    fn wants(&self, event: &RecordedEvent) -> bool {
        match event.aggregate_type.as_str() {
            "VerificationCase" => NOTIFYING.contains(&event.event_type.as_str()),
            "Invitation" => true,
            _ => false,
        }
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if !self.wants(event) {
            return Ok(());
        }
        match event.aggregate_type.as_str() {
            "VerificationCase" => self.case_event(tx, event).await,
            "Invitation" => self.invitation_event(tx, event).await,
            _ => Ok(()),
        }
    }
}
