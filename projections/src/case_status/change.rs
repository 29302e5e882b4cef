//! The live projection's change for each case event after the version bump
//! (statements on the case's rows), the decision, and the money totals.

use veritrail_domain::case::{CaseEvent, CheckResult, CheckState};

use super::{set_check_state, summarise_checks};
use crate::runtime::{ProjectionError, Tx};
use crate::{fetch_optional, millis, run};

pub(super) async fn apply_change(
    tx: &mut Tx<'_>,
    id: &str,
    at: i64,
    event: CaseEvent,
) -> Result<(), ProjectionError> {
    match event {
        // Uploads are listed, and the score, providers' statuses and
        // escalations shown, from the case itself (the review view).
        CaseEvent::CaseOpened { .. }
        | CaseEvent::EvidenceUploaded { .. }
        | CaseEvent::CheckProviderUpdated { .. }
        | CaseEvent::CheckEscalated { .. }
        | CaseEvent::IndividualReminded { .. }
        | CaseEvent::CaseScored { .. } => {}
        CaseEvent::DataSubmitted {
            submitted_at,
            submission,
        } => {
            let fields = super::rows::Submitted::of(&submission);
            let (requested, requested_currency) = fields.requested;
            let (income, income_currency) = fields.income;
            run!(
                tx,
                sqlx::query(
                    "UPDATE case_status SET status = 'PENDING_ADMIN', submitted_at_ms = $2, nationality = $3,
                            region = $4, requested_amount = $5, requested_currency = $6, declared_income = $7,
                            income_currency = $8
                     WHERE case_id = $1"
                )
                .bind(id)
                .bind(millis(submitted_at))
                .bind(fields.nationality)
                .bind(fields.region)
                .bind(requested)
                .bind(requested_currency)
                .bind(income)
                .bind(income_currency)
            )?;
            run!(
                tx,
                sqlx::query("UPDATE case_checks SET state = 'submitted' WHERE case_id = $1 AND state = 'requested'")
                    .bind(id)
            )?;
            summarise_checks(tx, id).await?;
        }
        CaseEvent::CheckStarted { check, .. } => {
            // submitted/resubmitted → processing keeps the summary ("pending").
            set_check_state(tx, id, check.as_str(), CheckState::Processing).await?;
        }
        CaseEvent::CheckResultRecorded { check, result, .. } => {
            let (state, outcome, reason, score) = match result {
                CheckResult::Verified { score } => (CheckState::Verified, "verified", None, score),
                CheckResult::Failed { reason, score } => (
                    CheckState::Failed,
                    "failed",
                    Some(reason.to_string()),
                    score,
                ),
            };
            run!(
                tx,
                sqlx::query(
                    "UPDATE case_checks SET state = $3, outcome = $4, reason = $5, score = $6
                     WHERE case_id = $1 AND check_kind = $2"
                )
                .bind(id)
                .bind(check.as_str())
                .bind(state.as_str())
                .bind(outcome)
                .bind(reason)
                .bind(score.map(|s| i64::from(s.value())))
            )?;
            summarise_checks(tx, id).await?;
        }
        CaseEvent::CheckActionRequested {
            check,
            hint,
            deadline,
        } => {
            run!(
                tx,
                sqlx::query(
                    "UPDATE case_checks SET state = 'requires_action', hint = $3, action_deadline_ms = $4
                     WHERE case_id = $1 AND check_kind = $2"
                )
                .bind(id)
                .bind(check.as_str())
                .bind(hint.to_string())
                .bind(millis(deadline))
            )?;
            summarise_checks(tx, id).await?;
        }
        CaseEvent::CheckResubmitted { check, .. } => {
            run!(
                tx,
                sqlx::query(
                    "UPDATE case_checks SET state = 'resubmitted', action_deadline_ms = NULL
                     WHERE case_id = $1 AND check_kind = $2"
                )
                .bind(id)
                .bind(check.as_str())
            )?;
            summarise_checks(tx, id).await?;
        }
        CaseEvent::CheckExpired { check } => {
            set_check_state(tx, id, check.as_str(), CheckState::Expired).await?;
            summarise_checks(tx, id).await?;
        }
        CaseEvent::CheckRetried { check, attempt } => {
            run!(
                tx,
                sqlx::query(
                    "UPDATE case_checks SET state = 'submitted', attempt = $3, outcome = NULL, reason = NULL,
                            score = NULL, hint = NULL, action_deadline_ms = NULL
                     WHERE case_id = $1 AND check_kind = $2"
                )
                .bind(id)
                .bind(check.as_str())
                .bind(i64::from(attempt))
            )?;
            summarise_checks(tx, id).await?;
        }
        CaseEvent::CheckBypassed { check, by, comment } => {
            run!(
                tx,
                sqlx::query(
                    "UPDATE case_checks SET state = 'bypassed', bypassed_by_kind = $3, bypassed_by_id = $4,
                            bypass_comment = $5
                     WHERE case_id = $1 AND check_kind = $2"
                )
                .bind(id)
                .bind(check.as_str())
                .bind(by.kind.as_str())
                .bind(by.id.as_str())
                .bind(comment.to_string())
            )?;
            summarise_checks(tx, id).await?;
        }
        CaseEvent::EntitiesLinked { entities, .. } => {
            crate::case_entities::link(tx, id, &entities).await?;
        }
        CaseEvent::ReviewerAssigned { reviewer, .. } => {
            run!(
                tx,
                sqlx::query("UPDATE case_status SET reviewer = $2 WHERE case_id = $1")
                    .bind(id)
                    .bind(reviewer.as_str())
            )?;
        }
        CaseEvent::CaseCompleted { by, outcome } => {
            let outcome = serde_json::to_value(outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned));
            decide(tx, id, at, "COMPLETED", &by, outcome, None, None).await?;
            add_to_money_totals(tx, id).await?;
        }
        CaseEvent::CaseFailed { by, reason } => {
            decide(
                tx,
                id,
                at,
                "FAILED",
                &by,
                None,
                Some(reason.to_string()),
                None,
            )
            .await?;
        }
        CaseEvent::CaseCancelled {
            by,
            reason,
            replaced_by,
        } => {
            let replaced = replaced_by.map(|c| c.to_string());
            decide(
                tx,
                id,
                at,
                "CANCELLED",
                &by,
                None,
                Some(reason.to_string()),
                replaced,
            )
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    tx: &mut Tx<'_>,
    id: &str,
    at: i64,
    status: &str,
    by: &veritrail_domain::Actor,
    outcome: Option<String>,
    reason: Option<String>,
    replaced_by: Option<String>,
) -> Result<(), sqlx::Error> {
    run!(
        tx,
        sqlx::query(
            "UPDATE case_status SET status = $2, decided_by_kind = $3, decided_by_id = $4, outcome = $5,
                    reason = $6, replaced_by = $7, decided_at_ms = $8, decided_day = $9
             WHERE case_id = $1"
        )
        .bind(id)
        .bind(status)
        .bind(by.kind.as_str())
        .bind(by.id.as_str())
        .bind(outcome)
        .bind(reason)
        .bind(replaced_by)
        .bind(at)
        .bind(
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
                .map(crate::day)
                .unwrap_or_default()
        )
    )?;
    Ok(())
}

/// Adds a completed case's amounts to the tenant's running totals, exactly.
async fn add_to_money_totals(tx: &mut Tx<'_>, id: &str) -> Result<(), ProjectionError> {
    use rust_decimal::Decimal;
    let select =
        "SELECT tenant_id, requested_amount, requested_currency, declared_income, income_currency
                  FROM case_status WHERE case_id = $1";
    type Amounts = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Amounts> = fetch_optional!(tx, sqlx::query_as(select).bind(id))?;
    let Some((tenant, requested, requested_currency, income, income_currency)) = row else {
        return Ok(());
    };
    for (metric, amount, currency) in [
        ("requested_amount", requested, requested_currency),
        ("declared_income", income, income_currency),
    ] {
        let (Some(amount), Some(currency)) = (amount, currency) else {
            continue;
        };
        let amount: Decimal = amount
            .parse()
            .map_err(|e| ProjectionError::Other(format!("stored amount {amount:?}: {e}")))?;
        let select = "SELECT cases, total FROM dashboard_money WHERE tenant_id = $1 AND metric = $2 AND currency = $3";
        let current: Option<(i64, String)> = fetch_optional!(
            tx,
            sqlx::query_as(select)
                .bind(&tenant)
                .bind(metric)
                .bind(&currency)
        )?;
        let (cases, total) = match current {
            Some((cases, total)) => (
                cases + 1,
                total
                    .parse::<Decimal>()
                    .map_err(|e| ProjectionError::Other(e.to_string()))?
                    + amount,
            ),
            None => (1, amount),
        };
        run!(
            tx,
            sqlx::query(
                "INSERT INTO dashboard_money (tenant_id, metric, currency, cases, total) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (tenant_id, metric, currency) DO UPDATE SET cases = excluded.cases, total = excluded.total"
            )
            .bind(&tenant)
            .bind(metric)
            .bind(&currency)
            .bind(cases)
            .bind(total.to_string())
        )?;
    }
    Ok(())
}
