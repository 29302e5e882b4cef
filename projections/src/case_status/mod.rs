//! READ-1, READ-2, CASE-7: a row per case, a row per check, and which cases
//! affect which entities — maintained incrementally from case events.

use veritrail_domain::case::{upcasters, CaseEvent, CheckState};
use veritrail_event_store::RecordedEvent;

use crate::runtime::{Projection, ProjectionError, Tx};
use crate::{millis, run};

mod bulk;
mod change;
mod fold;
mod in_memory;
mod rows;

pub use bulk::rebuild_bulk;
use change::apply_change;

pub const NAME: &str = "case_status";

/// The case-status read model.
#[derive(Debug, Default, Clone, Copy)]
pub struct CaseStatusProjection;

/// Reads a stored case event, upgrading old versions as the write side does.
pub fn decode(event: &RecordedEvent) -> Result<CaseEvent, ProjectionError> {
    veritrail_event_store::subscription::decode(event, &upcasters())
}

/// A new case's checks, requested, in one statement (a kind named twice
/// keeps its first position, as in the fold).
async fn insert_checks(
    tx: &mut Tx<'_>,
    case_id: &str,
    checks: &[veritrail_domain::case::CheckKind],
) -> Result<(), sqlx::Error> {
    if checks.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..checks.len())
        .map(|i| format!("($1, ${}, 'requested', 1, ${})", 2 * i + 2, 2 * i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO case_checks (case_id, check_kind, state, attempt, position) VALUES {}
         ON CONFLICT DO NOTHING",
        values.join(", ")
    );
    macro_rules! bind_checks {
        ($query:expr) => {{
            let mut query = $query.bind(case_id);
            for (position, check) in checks.iter().enumerate() {
                query = query
                    .bind(check.as_str())
                    .bind(i64::try_from(position).unwrap_or_default());
            }
            query
        }};
    }
    run!(tx, bind_checks!(sqlx::query(&sql)))?;
    Ok(())
}

async fn set_check_state(
    tx: &mut Tx<'_>,
    case_id: &str,
    check: &str,
    state: CheckState,
) -> Result<(), sqlx::Error> {
    run!(
        tx,
        sqlx::query("UPDATE case_checks SET state = $3 WHERE case_id = $1 AND check_kind = $2")
            .bind(case_id)
            .bind(check)
            .bind(state.as_str())
    )?;
    Ok(())
}

/// Recomputes the queue's check summary of one case.
async fn summarise_checks(tx: &mut Tx<'_>, case_id: &str) -> Result<(), sqlx::Error> {
    let sql = "UPDATE case_status SET check_outcome = (
                 SELECT CASE
                   WHEN SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) > 0 THEN 'failed'
                   WHEN SUM(CASE WHEN state IN ('requires_action', 'expired') THEN 1 ELSE 0 END) > 0 THEN 'requires_action'
                   WHEN SUM(CASE WHEN state IN ('verified', 'bypassed') THEN 0 ELSE 1 END) = 0 THEN 'all_cleared'
                   ELSE 'pending' END
                 FROM case_checks WHERE case_id = $1)
               WHERE case_id = $1";
    run!(tx, sqlx::query(sql).bind(case_id))?;
    Ok(())
}

impl Projection for CaseStatusProjection {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "case_status",
            "case_checks",
            "case_entities",
            "dashboard_money",
        ]
    }

    fn wants(&self, event: &RecordedEvent) -> bool {
        event.aggregate_type == "VerificationCase"
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if !self.wants(event) {
            return Ok(());
        }
        let id = event.aggregate_id.as_str();
        let at = millis(crate::occurred_at(event));
        let version = event.sequence;
        let case_event = decode(event)?;
        match case_event {
            CaseEvent::CaseOpened {
                case_id: _,
                tenant,
                subject,
                checks,
                entities,
                restart,
                opened_at,
            } => {
                let entities_json =
                    serde_json::to_string(&entities).unwrap_or_else(|_| "[]".into());
                let restart_json = restart.as_ref().and_then(|r| serde_json::to_string(r).ok());
                let inserted = run!(
                    tx,
                    sqlx::query(
                        "INSERT INTO case_status (case_id, tenant_id, subject_id, subject_name, status, entities, restart,
                                                  opened_at_ms, updated_at_ms, version, check_outcome, opened_day)
                         VALUES ($1, $2, $3, $4, 'PENDING_ORG', $5, $6, $7, $8, $9, 'pending', $10)
                         ON CONFLICT (case_id) DO NOTHING"
                    )
                    .bind(id)
                    .bind(tenant.as_str())
                    .bind(subject.id.as_str())
                    .bind(subject.display_name.as_ref().map(|n| n.to_string()))
                    .bind(&entities_json)
                    .bind(restart_json)
                    .bind(millis(opened_at))
                    .bind(at)
                    .bind(version)
                    .bind(crate::day(opened_at))
                )?;
                if inserted == 0 {
                    return Ok(());
                }
                insert_checks(tx, id, &checks).await?;
                for entity in &entities {
                    let opened = millis(opened_at);
                    crate::case_entities::insert(tx, tenant.as_str(), entity.as_str(), id, opened)
                        .await?;
                }
                return Ok(());
            }
            other => {
                // Every event bumps the version; the guard makes a replayed event a no-op.
                let bumped = run!(
                    tx,
                    sqlx::query(
                        "UPDATE case_status SET version = $2, updated_at_ms = $3 WHERE case_id = $1 AND version < $2"
                    )
                    .bind(id)
                    .bind(version)
                    .bind(at)
                )?;
                if bumped == 0 {
                    // Already applied (or the case row is missing): nothing to do.
                    return Ok(());
                }
                apply_change(tx, id, at, other).await?;
            }
        }
        Ok(())
    }
}
