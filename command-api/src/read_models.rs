//! Queries over the read models the projections maintain (READ-1, READ-2,
//! READ-4). The API reads these tables and the event store, never the
//! projections crate.

use std::time::Duration;

use sqlx::FromRow;
use veritrail_event_store::EventDatabase;

use crate::sql::{fetch, Param};

#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub case_id: String,
    pub tenant_id: String,
    pub subject_id: String,
    pub subject_name: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub decided_by_kind: Option<String>,
    pub decided_by_id: Option<String>,
    pub entities: String,
    pub restart: Option<String>,
    pub replaced_by: Option<String>,
    pub opened_at_ms: i64,
    pub submitted_at_ms: Option<i64>,
    pub decided_at_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub version: i64,
    pub check_outcome: String,
    pub reviewer: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct CheckRow {
    pub check_kind: String,
    pub state: String,
    pub attempt: i64,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub score: Option<i64>,
    pub hint: Option<String>,
    pub action_deadline_ms: Option<i64>,
    pub bypassed_by_kind: Option<String>,
    pub bypassed_by_id: Option<String>,
    pub bypass_comment: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub global_tx: i64,
    pub global_position: i64,
    pub tenant_id: Option<String>,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
    pub recorded_at_ms: i64,
    pub correlation_id: Option<String>,
    pub summary: String,
}

/// Review-queue filters (READ-2).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `None` = every tenant (operators only).
    pub tenant: Option<String>,
    pub status: Option<String>,
    pub check_outcome: Option<String>,
    pub subject: Option<String>,
    pub entity: Option<String>,
    /// `Some(None)`: unassigned cases; `Some(Some(id))`: that officer's.
    pub reviewer: Option<Option<String>>,
    /// Only cases opened at or before this time (epoch ms): "older than".
    pub opened_before_ms: Option<i64>,
    pub newest_first: bool,
    /// Resume after this `(opened_at_ms, case_id)`.
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

/// Audit-log filters (READ-4); newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub tenant: Option<String>,
    pub actor_id: Option<String>,
    pub actor_kind: Option<String>,
    pub aggregate_id: Option<String>,
    pub event_type: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    /// Resume before this `(global_tx, global_position)`.
    pub before: Option<(i64, i64)>,
    pub limit: u32,
}

const CASE_COLUMNS: &str = "c.case_id, c.tenant_id, c.subject_id, c.subject_name, c.status, c.outcome, c.reason, \
    c.decided_by_kind, c.decided_by_id, c.entities, c.restart, c.replaced_by, c.opened_at_ms, c.submitted_at_ms, \
    c.decided_at_ms, c.updated_at_ms, c.version, c.check_outcome, c.reviewer";

const AUDIT_COLUMNS: &str =
    "global_tx, global_position, tenant_id, aggregate_type, aggregate_id, sequence, \
    event_type, actor_kind, actor_id, recorded_at_ms, correlation_id, summary";

/// Read-model queries.
#[derive(Debug, Clone)]
pub struct ReadModels {
    db: EventDatabase,
}

impl ReadModels {
    pub fn new(db: EventDatabase) -> Self {
        Self { db }
    }

    /// A case of `tenant` with its checks in requested order.
    pub async fn case(
        &self,
        tenant: &str,
        case_id: &str,
    ) -> Result<Option<(CaseRow, Vec<CheckRow>)>, sqlx::Error> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM case_status c WHERE c.case_id = $1 AND c.tenant_id = $2"
        );
        let params = [
            Param::Text(case_id.to_owned()),
            Param::Text(tenant.to_owned()),
        ];
        let Some(case) = fetch::<CaseRow>(&self.db, &sql, &params)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let checks = fetch::<CheckRow>(
            &self.db,
            "SELECT check_kind, state, attempt, outcome, reason, score, hint, action_deadline_ms,
                    bypassed_by_kind, bypassed_by_id, bypass_comment
               FROM case_checks WHERE case_id = $1 ORDER BY position",
            &[Param::Text(case_id.to_owned())],
        )
        .await?;
        Ok(Some((case, checks)))
    }

    /// Waits (bounded) until the read model shows `case_id` at `version` or
    /// later, so a client reads its own writes. `false` on timeout.
    pub async fn wait_for_version(&self, case_id: &str, version: i64, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let rows: Result<Vec<(i64,)>, _> = fetch(
                &self.db,
                "SELECT version FROM case_status WHERE case_id = $1",
                &[Param::Text(case_id.to_owned())],
            )
            .await;
            if let Ok(rows) = rows {
                if rows.first().is_some_and(|(v,)| *v >= version) {
                    return true;
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    }

    /// The review queue, one page; `limit + 1` rows are read to know if there is more.
    pub async fn queue(&self, filter: &QueueFilter) -> Result<Vec<CaseRow>, sqlx::Error> {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        let mut param = |p: Param| {
            params.push(p);
            format!("${}", params.len())
        };
        let mut from = "case_status c".to_owned();
        if let Some(entity) = &filter.entity {
            let p = param(Param::Text(entity.clone()));
            from.push_str(&format!(
                " JOIN case_entities e ON e.case_id = c.case_id AND e.tenant_id = c.tenant_id AND e.entity_id = {p}"
            ));
        }
        if let Some(tenant) = &filter.tenant {
            conditions.push(format!(
                "c.tenant_id = {}",
                param(Param::Text(tenant.clone()))
            ));
        }
        if let Some(status) = &filter.status {
            conditions.push(format!("c.status = {}", param(Param::Text(status.clone()))));
        }
        if let Some(outcome) = &filter.check_outcome {
            conditions.push(format!(
                "c.check_outcome = {}",
                param(Param::Text(outcome.clone()))
            ));
        }
        if let Some(subject) = &filter.subject {
            conditions.push(format!(
                "c.subject_id = {}",
                param(Param::Text(subject.clone()))
            ));
        }
        match &filter.reviewer {
            Some(Some(reviewer)) => conditions.push(format!(
                "c.reviewer = {}",
                param(Param::Text(reviewer.clone()))
            )),
            Some(None) => conditions.push("c.reviewer IS NULL".to_owned()),
            None => {}
        }
        if let Some(before) = filter.opened_before_ms {
            conditions.push(format!("c.opened_at_ms <= {}", param(Param::Int(before))));
        }
        let op = if filter.newest_first { "<" } else { ">" };
        if let Some((at, id)) = &filter.after {
            let (a, b) = (param(Param::Int(*at)), param(Param::Text(id.clone())));
            conditions.push(format!("(c.opened_at_ms, c.case_id) {op} ({a}, {b})"));
        }
        let limit = param(Param::Int(i64::from(filter.limit) + 1));
        let order = if filter.newest_first { "DESC" } else { "ASC" };
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM {from} {where_clause}
              ORDER BY c.opened_at_ms {order}, c.case_id {order} LIMIT {limit}"
        );
        fetch(&self.db, &sql, &params).await
    }

    /// Every audit row of one stream, oldest first.
    pub async fn stream_audit(
        &self,
        tenant: &str,
        aggregate_id: &str,
    ) -> Result<Vec<AuditRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE aggregate_id = $1 AND tenant_id = $2 ORDER BY sequence"
        );
        fetch(
            &self.db,
            &sql,
            &[
                Param::Text(aggregate_id.to_owned()),
                Param::Text(tenant.to_owned()),
            ],
        )
        .await
    }

    /// The global audit log, newest first, one page (`limit + 1` rows).
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, sqlx::Error> {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        let mut param = |p: Param| {
            params.push(p);
            format!("${}", params.len())
        };
        let text_filters = [
            ("tenant_id", &filter.tenant),
            ("actor_id", &filter.actor_id),
            ("actor_kind", &filter.actor_kind),
            ("aggregate_id", &filter.aggregate_id),
            ("event_type", &filter.event_type),
        ];
        for (column, value) in text_filters {
            if let Some(value) = value {
                conditions.push(format!("{column} = {}", param(Param::Text(value.clone()))));
            }
        }
        if let Some(since) = filter.since_ms {
            conditions.push(format!("recorded_at_ms >= {}", param(Param::Int(since))));
        }
        if let Some(until) = filter.until_ms {
            conditions.push(format!("recorded_at_ms <= {}", param(Param::Int(until))));
        }
        if let Some((tx, pos)) = filter.before {
            let (a, b) = (param(Param::Int(tx)), param(Param::Int(pos)));
            conditions.push(format!("(global_tx, global_position) < ({a}, {b})"));
        }
        let limit = param(Param::Int(i64::from(filter.limit) + 1));
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log {where_clause}
              ORDER BY global_tx DESC, global_position DESC LIMIT {limit}"
        );
        fetch(&self.db, &sql, &params).await
    }
}

/// Dashboard figures (READ-3, seed 004), from the case-status read model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub total: i64,
    pub completed: i64,
    pub failed: i64,
    pub pending: i64,
    pub cancelled: i64,
}

const COUNTS: &str = "COUNT(*),
    COALESCE(SUM(CASE WHEN status = 'COMPLETED' THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status = 'FAILED' THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status IN ('PENDING_ORG', 'PENDING_ADMIN') THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status = 'CANCELLED' THEN 1 ELSE 0 END), 0)";

type CountsRow = (i64, i64, i64, i64, i64);

fn counts((total, completed, failed, pending, cancelled): CountsRow) -> StatusCounts {
    StatusCounts {
        total,
        completed,
        failed,
        pending,
        cancelled,
    }
}

fn tenant_condition(tenant: Option<&str>, column: &str, params: &mut Vec<Param>) -> String {
    match tenant {
        Some(t) => {
            params.push(Param::Text(t.to_owned()));
            format!("WHERE {column} = ${}", params.len())
        }
        None => "WHERE 1 = 1".to_owned(),
    }
}

/// Per-check outcomes for the funnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCounts {
    pub check: String,
    pub total: i64,
    pub verified: i64,
    pub failed: i64,
    pub bypassed: i64,
}

/// One day of the timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub opened: i64,
    pub completed: i64,
    pub failed: i64,
}

impl ReadModels {
    pub async fn overview(&self, tenant: Option<&str>) -> Result<StatusCounts, sqlx::Error> {
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "tenant_id", &mut params);
        let sql = format!("SELECT {COUNTS} FROM case_status {condition}");
        let rows: Vec<CountsRow> = fetch(&self.db, &sql, &params).await?;
        Ok(rows.into_iter().next().map(counts).unwrap_or_default())
    }

    /// Counts per region (`None` region: nothing submitted yet).
    pub async fn by_region(
        &self,
        tenant: Option<&str>,
    ) -> Result<Vec<(Option<String>, StatusCounts)>, sqlx::Error> {
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "tenant_id", &mut params);
        let sql = format!(
            "SELECT region, {COUNTS} FROM case_status {condition} GROUP BY region ORDER BY region"
        );
        let rows: Vec<(Option<String>, i64, i64, i64, i64, i64)> =
            fetch(&self.db, &sql, &params).await?;
        Ok(rows
            .into_iter()
            .map(|(region, a, b, c, d, e)| (region, counts((a, b, c, d, e))))
            .collect())
    }

    /// Counts per nationality (submitted cases only).
    pub async fn by_country(
        &self,
        tenant: Option<&str>,
    ) -> Result<Vec<(String, StatusCounts)>, sqlx::Error> {
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "tenant_id", &mut params);
        let sql = format!(
            "SELECT nationality, {COUNTS} FROM case_status {condition} AND nationality IS NOT NULL
              GROUP BY nationality ORDER BY nationality"
        );
        let rows: Vec<(String, i64, i64, i64, i64, i64)> = fetch(&self.db, &sql, &params).await?;
        Ok(rows
            .into_iter()
            .map(|(country, a, b, c, d, e)| (country, counts((a, b, c, d, e))))
            .collect())
    }

    /// (opened, submitted, decided, completed) and per-check outcomes.
    pub async fn funnel(
        &self,
        tenant: Option<&str>,
    ) -> Result<((i64, i64, i64, i64), Vec<CheckCounts>), sqlx::Error> {
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "tenant_id", &mut params);
        let sql = format!(
            "SELECT COUNT(*), COUNT(submitted_at_ms),
                    COALESCE(SUM(CASE WHEN status IN ('COMPLETED', 'FAILED') THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN status = 'COMPLETED' THEN 1 ELSE 0 END), 0)
               FROM case_status {condition}"
        );
        let stages: Vec<(i64, i64, i64, i64)> = fetch(&self.db, &sql, &params).await?;
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "s.tenant_id", &mut params);
        let sql = format!(
            "SELECT k.check_kind, COUNT(*),
                    COALESCE(SUM(CASE WHEN k.state = 'verified' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN k.state = 'failed' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN k.state = 'bypassed' THEN 1 ELSE 0 END), 0)
               FROM case_checks k JOIN case_status s ON s.case_id = k.case_id
               {condition}
              GROUP BY k.check_kind ORDER BY k.check_kind"
        );
        let checks: Vec<(String, i64, i64, i64, i64)> = fetch(&self.db, &sql, &params).await?;
        Ok((
            stages.into_iter().next().unwrap_or_default(),
            checks
                .into_iter()
                .map(|(check, total, verified, failed, bypassed)| CheckCounts {
                    check,
                    total,
                    verified,
                    failed,
                    bypassed,
                })
                .collect(),
        ))
    }

    /// (metric, currency, cases, exact total) over completed cases.
    pub async fn money(
        &self,
        tenant: Option<&str>,
    ) -> Result<Vec<(String, String, i64, String)>, sqlx::Error> {
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "tenant_id", &mut params);
        let sql = format!(
            "SELECT metric, currency, cases, total FROM dashboard_money {condition} ORDER BY metric, currency"
        );
        fetch(&self.db, &sql, &params).await
    }

    /// Opened and decided counts per UTC day from `since_day` (YYYY-MM-DD) on.
    pub async fn timeline(
        &self,
        tenant: Option<&str>,
        since_day: &str,
    ) -> Result<std::collections::BTreeMap<String, DayCounts>, sqlx::Error> {
        let mut days = std::collections::BTreeMap::<String, DayCounts>::new();
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "tenant_id", &mut params);
        params.push(Param::Text(since_day.to_owned()));
        let since = params.len();
        let opened: Vec<(String, i64)> = fetch(
            &self.db,
            &format!(
                "SELECT opened_day, COUNT(*) FROM case_status {condition} AND opened_day >= ${since}
                  GROUP BY opened_day"
            ),
            &params,
        )
        .await?;
        for (day, n) in opened {
            days.entry(day).or_default().opened = n;
        }
        let decided: Vec<(String, i64, i64)> = fetch(
            &self.db,
            &format!(
                "SELECT decided_day,
                        COALESCE(SUM(CASE WHEN status = 'COMPLETED' THEN 1 ELSE 0 END), 0),
                        COALESCE(SUM(CASE WHEN status = 'FAILED' THEN 1 ELSE 0 END), 0)
                   FROM case_status {condition} AND decided_day >= ${since}
                  GROUP BY decided_day"
            ),
            &params,
        )
        .await?;
        for (day, completed, failed) in decided {
            let entry = days.entry(day).or_default();
            entry.completed = completed;
            entry.failed = failed;
        }
        Ok(days)
    }
}

impl ReadModels {
    /// The "last active case" of a subject or an entity (CASE-7, seed 002):
    /// a passed case wins whenever it happened; otherwise the most recent one
    /// (open or failed). Cancelled cases were superseded and do not count.
    pub async fn last_active(
        &self,
        tenant: &str,
        subject: Option<&str>,
        entity: Option<&str>,
    ) -> Result<Option<(CaseRow, Vec<CheckRow>)>, sqlx::Error> {
        let mut params = vec![Param::Text(tenant.to_owned())];
        let (join, condition) = match (subject, entity) {
            (Some(subject), _) => {
                params.push(Param::Text(subject.to_owned()));
                (String::new(), "c.subject_id = $2".to_owned())
            }
            (None, Some(entity)) => {
                params.push(Param::Text(entity.to_owned()));
                (
                    "JOIN case_entities e ON e.case_id = c.case_id AND e.tenant_id = c.tenant_id"
                        .to_owned(),
                    "e.entity_id = $2".to_owned(),
                )
            }
            (None, None) => return Ok(None),
        };
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM case_status c {join}
              WHERE c.tenant_id = $1 AND {condition} AND c.status <> 'CANCELLED'
              ORDER BY CASE WHEN c.status = 'COMPLETED' THEN 0 ELSE 1 END, c.opened_at_ms DESC, c.case_id DESC
              LIMIT 1"
        );
        let Some(case) = fetch::<CaseRow>(&self.db, &sql, &params)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let found = self.case(tenant, &case.case_id).await?;
        Ok(found)
    }
}
