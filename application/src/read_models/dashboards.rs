//! The dashboards' aggregate queries (seed 004).

use veritrail_event_store::sql::{fetch, Param};

use super::ReadModels;
use crate::ServiceError;

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
    pub async fn overview(&self, tenant: Option<&str>) -> Result<StatusCounts, ServiceError> {
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
    ) -> Result<Vec<(Option<String>, StatusCounts)>, ServiceError> {
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
    ) -> Result<Vec<(String, StatusCounts)>, ServiceError> {
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
    ) -> Result<((i64, i64, i64, i64), Vec<CheckCounts>), ServiceError> {
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
    ) -> Result<Vec<(String, String, i64, String)>, ServiceError> {
        let mut params = Vec::new();
        let condition = tenant_condition(tenant, "tenant_id", &mut params);
        let sql = format!(
            "SELECT metric, currency, cases, total FROM dashboard_money {condition} ORDER BY metric, currency"
        );
        Ok(fetch(&self.db, &sql, &params).await?)
    }

    /// Opened and decided counts per UTC day from `since_day` (YYYY-MM-DD) on.
    pub async fn timeline(
        &self,
        tenant: Option<&str>,
        since_day: &str,
    ) -> Result<std::collections::BTreeMap<String, DayCounts>, ServiceError> {
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
