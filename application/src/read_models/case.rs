//! One case with its checks (READ-1), in one round trip: the case row
//! joined with each of its checks, so `GET /verifications/{id}` costs a
//! single query (issue 17: its p99 under load is the round trips).

use sqlx::FromRow;
use veritrail_event_store::sql::{fetch, Param};

use super::{CaseRow, CheckRow, ReadModels, CASE_COLUMNS};
use crate::ServiceError;

const CHECK_COLUMNS: &str = "k.check_kind AS k_check_kind, k.state AS k_state, \
    k.attempt AS k_attempt, k.outcome AS k_outcome, k.reason AS k_reason, k.score AS k_score, \
    k.hint AS k_hint, k.action_deadline_ms AS k_action_deadline_ms, \
    k.bypassed_by_kind AS k_bypassed_by_kind, k.bypassed_by_id AS k_bypassed_by_id, \
    k.bypass_comment AS k_bypass_comment";

/// The case row and one of its checks (none for a case without checks).
#[derive(FromRow)]
struct CaseCheckRow {
    #[sqlx(flatten)]
    case: CaseRow,
    k_check_kind: Option<String>,
    k_state: Option<String>,
    k_attempt: Option<i64>,
    k_outcome: Option<String>,
    k_reason: Option<String>,
    k_score: Option<i64>,
    k_hint: Option<String>,
    k_action_deadline_ms: Option<i64>,
    k_bypassed_by_kind: Option<String>,
    k_bypassed_by_id: Option<String>,
    k_bypass_comment: Option<String>,
}

impl CaseCheckRow {
    fn check(self) -> Option<CheckRow> {
        Some(CheckRow {
            check_kind: self.k_check_kind?,
            state: self.k_state?,
            attempt: self.k_attempt?,
            outcome: self.k_outcome,
            reason: self.k_reason,
            score: self.k_score,
            hint: self.k_hint,
            action_deadline_ms: self.k_action_deadline_ms,
            bypassed_by_kind: self.k_bypassed_by_kind,
            bypassed_by_id: self.k_bypassed_by_id,
            bypass_comment: self.k_bypass_comment,
        })
    }
}

impl ReadModels {
    /// A case of `tenant` with its checks in requested order.
    pub async fn case(
        &self,
        tenant: &str,
        case_id: &str,
    ) -> Result<Option<(CaseRow, Vec<CheckRow>)>, ServiceError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS}, {CHECK_COLUMNS}
               FROM case_status c LEFT JOIN case_checks k ON k.case_id = c.case_id
              WHERE c.case_id = $1 AND c.tenant_id = $2
              ORDER BY k.position"
        );
        let params = [
            Param::Text(case_id.to_owned()),
            Param::Text(tenant.to_owned()),
        ];
        let mut rows = fetch::<CaseCheckRow>(&self.db, &sql, &params)
            .await?
            .into_iter();
        let Some(first) = rows.next() else {
            return Ok(None);
        };
        let case = first.case.clone();
        let checks = std::iter::once(first)
            .chain(rows)
            .filter_map(CaseCheckRow::check)
            .collect();
        Ok(Some((case, checks)))
    }

    /// A case's checks, in the order they were requested.
    pub(super) async fn checks(&self, case_id: &str) -> Result<Vec<CheckRow>, ServiceError> {
        Ok(fetch::<CheckRow>(
            &self.db,
            "SELECT check_kind, state, attempt, outcome, reason, score, hint, action_deadline_ms,
                    bypassed_by_kind, bypassed_by_id, bypass_comment
               FROM case_checks WHERE case_id = $1 ORDER BY position",
            &[Param::Text(case_id.to_owned())],
        )
        .await?)
    }
}
