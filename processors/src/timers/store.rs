//! The `timers` table: scheduled by the feed, claimed under a lease when
//! due (PostgreSQL skips rows another instance holds), then settled.

use veritrail_event_store::sql::{claim_due, execute, fetch, Param};
use veritrail_event_store::EventDatabase;

/// Expire a check whose requested action was not taken in time.
pub const EXPIRE_ACTION: &str = "expire_action";
/// Escalate a check processing for too long (target `{check}#{attempt}`).
pub const ESCALATE_PROCESSING: &str = "escalate_processing";
/// Remind the individual that the case waits for them (target `case`).
pub const REMIND: &str = "remind";

/// Schedules (or moves) a timer: id, kind, tenant, case, target, due, now.
pub(super) const SCHEDULE: &str = "INSERT INTO timers
    (timer_id, kind, tenant_id, case_id, target, due_ms, updated_at_ms)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (timer_id) DO UPDATE
       SET due_ms = $6, state = 'pending', failures = 0, last_error = NULL, updated_at_ms = $7";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TimerRow {
    pub timer_id: String,
    pub kind: String,
    pub tenant_id: String,
    pub case_id: String,
    pub target: String,
    pub due_ms: i64,
    pub state: String,
    pub failures: i64,
}

const COLUMNS: &str = "timer_id, kind, tenant_id, case_id, target, due_ms, state, failures";

#[derive(Debug, Clone)]
pub struct Timers {
    db: EventDatabase,
}

impl Timers {
    pub fn new(db: EventDatabase) -> Self {
        Self { db }
    }

    /// Takes up to `limit` due timers nobody holds, for `owner`.
    pub async fn claim(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<TimerRow>, sqlx::Error> {
        let table = ("timers", "timer_id", "due_ms", COLUMNS);
        claim_due(&self.db, table, owner, now_ms, lease_ms, limit).await
    }

    /// Ends `owner`'s claim of a timer that was not moved meanwhile:
    /// `state` fired, obsolete or parked, or pending again after `retry_at`.
    pub async fn settle(
        &self,
        timer: &TimerRow,
        owner: &str,
        state: &str,
        error: Option<String>,
        retry_at: i64,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let failed = i64::from(error.is_some());
        execute(
            &self.db,
            "UPDATE timers SET state = $3, owner = NULL, lease_until_ms = $4,
                    failures = failures + $5, last_error = $6, updated_at_ms = $7
              WHERE timer_id = $1 AND owner = $2 AND due_ms = $8",
            &[
                Param::Text(timer.timer_id.clone()),
                Param::Text(owner.to_owned()),
                Param::Text(state.to_owned()),
                Param::Int(retry_at),
                Param::Int(failed),
                Param::OptText(error),
                Param::Int(now_ms),
                Param::Int(timer.due_ms),
            ],
        )
        .await?;
        Ok(())
    }

    /// Every timer of a case (tests, status).
    pub async fn of_case(&self, case_id: &str) -> Result<Vec<TimerRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM timers WHERE case_id = $1 ORDER BY timer_id");
        fetch(&self.db, &sql, &[Param::Text(case_id.to_owned())]).await
    }
}
