//! The audit log's queries (READ-4).

use veritrail_event_store::sql::{fetch, Param};

use super::{AuditRow, ReadModels};
use crate::ServiceError;

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

const AUDIT_COLUMNS: &str =
    "global_tx, global_position, tenant_id, aggregate_type, aggregate_id, sequence, \
    event_type, actor_kind, actor_id, recorded_at_ms, correlation_id, summary";

impl ReadModels {
    /// Every audit row of one stream, oldest first.
    pub async fn stream_audit(
        &self,
        tenant: &str,
        aggregate_id: &str,
    ) -> Result<Vec<AuditRow>, ServiceError> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE aggregate_id = $1 AND tenant_id = $2 ORDER BY sequence"
        );
        Ok(fetch(
            &self.db,
            &sql,
            &[
                Param::Text(aggregate_id.to_owned()),
                Param::Text(tenant.to_owned()),
            ],
        )
        .await?)
    }

    /// The global audit log, newest first, one page (`limit + 1` rows).
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, ServiceError> {
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
        Ok(fetch(&self.db, &sql, &params).await?)
    }
}
