//! The `case_jobs` work list: claim under a lease (PostgreSQL skips rows
//! another instance has locked, so N instances share the work and never
//! take the same case at once), renew, complete, or release after a
//! failure with a growing delay, parking the job after too many.

use std::time::Duration;

use veritrail_event_store::sql::{execute, fetch, millis, Param};
use veritrail_event_store::EventDatabase;

/// A trigger: the case has work (again). A job being worked on stays
/// claimed; its worker sees the new generation when it completes.
pub(crate) const UPSERT: &str =
    "INSERT INTO case_jobs (case_id, tenant_id, created_at_ms, updated_at_ms)
     VALUES ($1, $2, $3, $3)
     ON CONFLICT (case_id) DO UPDATE
        SET generation = case_jobs.generation + 1, state = 'pending', failures = 0,
            not_before_ms = 0, last_error = NULL, updated_at_ms = $3";

/// A claimed job: run the case's pending work, then complete or release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub case_id: String,
    pub tenant_id: String,
    /// Which trigger this claim covers (a later one keeps the job pending).
    pub generation: i64,
    /// Earlier failed claims of the job.
    pub failures: i64,
}

/// Where a job stands (for tests and status).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub case_id: String,
    pub state: String,
    pub generation: i64,
    pub failures: i64,
    pub last_error: Option<String>,
}

/// The work list of one store.
#[derive(Debug, Clone)]
pub struct Jobs {
    db: EventDatabase,
    lease: Duration,
}

fn now_ms() -> i64 {
    millis(time::OffsetDateTime::now_utc())
}

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Jobs {
    pub fn new(db: EventDatabase, lease: Duration) -> Self {
        Self { db, lease }
    }

    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Takes the oldest pending job nobody holds, for `owner`.
    pub async fn claim(&self, owner: &str) -> Result<Option<Job>, sqlx::Error> {
        let pick = match self.db {
            EventDatabase::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            // One writer at a time: the UPDATE is atomic as it is.
            EventDatabase::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE case_jobs SET owner = $1, lease_until_ms = $2, updated_at_ms = $3
              WHERE case_id = (SELECT case_id FROM case_jobs
                                WHERE state = 'pending' AND lease_until_ms < $3 AND not_before_ms <= $3
                                ORDER BY updated_at_ms LIMIT 1 {pick})
                AND state = 'pending' AND lease_until_ms < $3
          RETURNING case_id, tenant_id, generation, failures"
        );
        let now = now_ms();
        let rows: Vec<(String, String, i64, i64)> = fetch(
            &self.db,
            &sql,
            &[
                Param::Text(owner.to_owned()),
                Param::Int(now + ms(self.lease)),
                Param::Int(now),
            ],
        )
        .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(|(case_id, tenant_id, generation, failures)| Job {
                case_id,
                tenant_id,
                generation,
                failures,
            }))
    }

    /// Extends `owner`'s lease; false if the job is no longer theirs.
    pub async fn renew(&self, job: &Job, owner: &str) -> Result<bool, sqlx::Error> {
        let rows = execute(
            &self.db,
            "UPDATE case_jobs SET lease_until_ms = $3 WHERE case_id = $1 AND owner = $2",
            &[
                Param::Text(job.case_id.clone()),
                Param::Text(owner.to_owned()),
                Param::Int(now_ms() + ms(self.lease)),
            ],
        )
        .await?;
        Ok(rows == 1)
    }

    /// Done with the claimed generation: the job is done, or pending again
    /// if a trigger arrived while it ran.
    pub async fn complete(&self, job: &Job, owner: &str) -> Result<(), sqlx::Error> {
        execute(
            &self.db,
            "UPDATE case_jobs
                SET state = CASE WHEN generation = $3 THEN 'done' ELSE 'pending' END,
                    owner = NULL, lease_until_ms = 0, failures = 0, last_error = NULL,
                    updated_at_ms = $4
              WHERE case_id = $1 AND owner = $2",
            &[
                Param::Text(job.case_id.clone()),
                Param::Text(owner.to_owned()),
                Param::Int(job.generation),
                Param::Int(now_ms()),
            ],
        )
        .await?;
        Ok(())
    }

    /// Gives the job back after a failure, to be retried after `delay`, or
    /// parks it when this was failure number `park_after`.
    pub async fn release(
        &self,
        job: &Job,
        owner: &str,
        error: &str,
        delay: Duration,
        park: bool,
    ) -> Result<(), sqlx::Error> {
        let now = now_ms();
        execute(
            &self.db,
            "UPDATE case_jobs
                SET state = $6, owner = NULL, lease_until_ms = 0, failures = failures + 1,
                    last_error = $3, not_before_ms = $4, updated_at_ms = $5
              WHERE case_id = $1 AND owner = $2",
            &[
                Param::Text(job.case_id.clone()),
                Param::Text(owner.to_owned()),
                Param::Text(error.chars().take(2000).collect()),
                Param::Int(now + ms(delay)),
                Param::Int(now),
                Param::Text(if park { "parked" } else { "pending" }.to_owned()),
            ],
        )
        .await?;
        Ok(())
    }

    /// One job's row.
    pub async fn get(&self, case_id: &str) -> Result<Option<JobRow>, sqlx::Error> {
        let rows: Vec<JobRow> = fetch(
            &self.db,
            "SELECT case_id, state, generation, failures, last_error FROM case_jobs WHERE case_id = $1",
            &[Param::Text(case_id.to_owned())],
        )
        .await?;
        Ok(rows.into_iter().next())
    }
}
