//! READ-4: the audit trail — who did what, when, why — one row per event of
//! every stream, filterable by tenant, actor, case, type and time.

use serde_json::Value;
use veritrail_event_store::RecordedEvent;

use crate::rebuild::Cell;
use crate::runtime::{Projection, ProjectionError, Tx};
use crate::{millis, run};

mod bulk;
pub use bulk::rebuild_bulk;

pub const NAME: &str = "audit_log";

/// The audit log's columns, in the order of [`cells`].
const COLUMNS: [&str; 12] = [
    "global_tx",
    "global_position",
    "tenant_id",
    "aggregate_type",
    "aggregate_id",
    "sequence",
    "event_type",
    "actor_kind",
    "actor_id",
    "recorded_at_ms",
    "correlation_id",
    "summary",
];

/// A text field of an event's metadata.
fn meta(event: &RecordedEvent, key: &str) -> Option<String> {
    event
        .metadata
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// An event's audit row, for bulk writes.
fn cells(event: &RecordedEvent) -> Vec<Cell> {
    vec![
        i64::try_from(event.global.transaction)
            .unwrap_or(i64::MAX)
            .into(),
        event.global.position.into(),
        event.tenant_id.clone().into(),
        event.aggregate_type.as_str().into(),
        event.aggregate_id.as_str().into(),
        event.sequence.into(),
        event.event_type.as_str().into(),
        meta(event, "actor_kind").into(),
        meta(event, "actor_id").into(),
        millis(event.recorded_at).into(),
        meta(event, "correlation_id").into(),
        summarise(&event.event_type, &event.payload).into(),
    ]
}

#[derive(Debug, Default, Clone, Copy)]
pub struct AuditLogProjection;

/// A one-line human summary of an event: its type and the why/what fields.
pub fn summarise(event_type: &str, payload: &Value) -> String {
    let body = payload.get(event_type).unwrap_or(payload);
    let mut parts = vec![event_type.to_owned()];
    for key in [
        "check",
        "result",
        "reason",
        "comment",
        "hint",
        "outcome",
        "case_id",
        "replaced_by",
        "reviewer",
        "module",
        "percent",
        "entities",
        "resource",
        "media",
        "card",
        "report",
    ] {
        match body.get(key) {
            Some(Value::String(s)) => parts.push(format!("{key}={s}")),
            Some(Value::Number(n)) => parts.push(format!("{key}={n}")),
            Some(Value::Array(items)) => {
                let texts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                if !texts.is_empty() {
                    parts.push(format!("{key}={}", texts.join(",")));
                }
            }
            Some(Value::Object(o)) => {
                if let (Some(Value::String(p)), Some(Value::String(st))) =
                    (o.get("provider"), o.get("status"))
                {
                    parts.push(format!("provider={p}"));
                    parts.push(format!("status={st}"));
                }
                if let Some(Value::String(s)) = o.get("outcome") {
                    parts.push(format!("{key}={s}"));
                }
                if let Some(Value::String(s)) = o.get("reason") {
                    parts.push(format!("reason={s}"));
                }
                if let Some(Value::String(s)) = o.get("kind") {
                    parts.push(format!("kind={s}"));
                }
                if let (Some(Value::Number(n)), Some(Value::String(v))) =
                    (o.get("total"), o.get("verdict"))
                {
                    parts.push(format!("score={n}"));
                    parts.push(format!("verdict={v}"));
                }
            }
            _ => {}
        }
    }
    let summary = parts.join(" ");
    summary.chars().take(500).collect()
}

/// Rows per multi-row INSERT (12 parameters each, well under the 65,535
/// PostgreSQL and 32,766 SQLite bind limits).
const ROWS_PER_INSERT: usize = 500;

impl Projection for AuditLogProjection {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static str] {
        &["audit_log"]
    }

    async fn apply_batch(
        &self,
        tx: &mut Tx<'_>,
        events: &[RecordedEvent],
    ) -> Result<(), ProjectionError> {
        for chunk in events.chunks(ROWS_PER_INSERT) {
            let mut sql = String::from(
                "INSERT INTO audit_log (global_tx, global_position, tenant_id, aggregate_type, aggregate_id, sequence,
                                        event_type, actor_kind, actor_id, recorded_at_ms, correlation_id, summary) VALUES ",
            );
            for i in 0..chunk.len() {
                let b = i * 12;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "(${},${},${},${},${},${},${},${},${},${},${},${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11,
                    b + 12
                ));
            }
            sql.push_str(" ON CONFLICT DO NOTHING");
            macro_rules! bind_rows {
                ($query:expr) => {{
                    let mut query = $query;
                    for event in chunk {
                        query = query
                            .bind(i64::try_from(event.global.transaction).unwrap_or(i64::MAX))
                            .bind(event.global.position)
                            .bind(event.tenant_id.clone())
                            .bind(event.aggregate_type.clone())
                            .bind(event.aggregate_id.clone())
                            .bind(event.sequence)
                            .bind(event.event_type.clone())
                            .bind(meta(event, "actor_kind"))
                            .bind(meta(event, "actor_id"))
                            .bind(millis(event.recorded_at))
                            .bind(meta(event, "correlation_id"))
                            .bind(summarise(&event.event_type, &event.payload));
                    }
                    query
                }};
            }
            match tx {
                Tx::Postgres(t) => bind_rows!(sqlx::query(&sql)).execute(&mut **t).await?,
                Tx::Sqlite(t) => {
                    bind_rows!(sqlx::query(&sql)).execute(&mut **t).await?;
                    continue;
                }
            };
        }
        Ok(())
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        let transaction = i64::try_from(event.global.transaction).unwrap_or(i64::MAX);
        run!(
            tx,
            sqlx::query(
                "INSERT INTO audit_log (global_tx, global_position, tenant_id, aggregate_type, aggregate_id, sequence,
                                        event_type, actor_kind, actor_id, recorded_at_ms, correlation_id, summary)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT DO NOTHING"
            )
            .bind(transaction)
            .bind(event.global.position)
            .bind(event.tenant_id.clone())
            .bind(&event.aggregate_type)
            .bind(&event.aggregate_id)
            .bind(event.sequence)
            .bind(&event.event_type)
            .bind(meta(event, "actor_kind"))
            .bind(meta(event, "actor_id"))
            .bind(millis(event.recorded_at))
            .bind(meta(event, "correlation_id"))
            .bind(summarise(&event.event_type, &event.payload))
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_upload_names_its_kind() {
        let payload = json!({"EvidenceUploaded": {"media": {"kind": "passport", "sha256": "ab"}}});
        assert_eq!(
            summarise("EvidenceUploaded", &payload),
            "EvidenceUploaded kind=passport"
        );
    }

    #[test]
    fn a_quota_alert_names_its_module_and_percentage() {
        let payload = json!({"QuotaThresholdReached": {"module": "ocr", "period": "2026-12", "percent": 80, "used": 8, "quota": 10}});
        assert_eq!(
            summarise("QuotaThresholdReached", &payload),
            "QuotaThresholdReached module=ocr percent=80"
        );
    }

    #[test]
    fn summaries_name_the_event_and_its_reasons() {
        let payload =
            json!({"CaseFailed": {"by": {"kind": "officer", "id": "vo"}, "reason": "forged"}});
        assert_eq!(
            summarise("CaseFailed", &payload),
            "CaseFailed reason=forged"
        );
        let payload = json!({"CheckResultRecorded": {"check": "document", "result": {"outcome": "failed", "reason": "expired"}}});
        assert_eq!(
            summarise("CheckResultRecorded", &payload),
            "CheckResultRecorded check=document result=failed reason=expired"
        );
        let payload = json!({"CheckProviderUpdated": {"check": "compliance", "run_number": 1,
            "since": "2026-01-01T00:00:00Z", "report": {"provider": "screening", "reference": "p-1",
            "status": "failed", "reason": "listed"}}});
        assert_eq!(
            summarise("CheckProviderUpdated", &payload),
            "CheckProviderUpdated check=compliance provider=screening status=failed reason=listed"
        );
        let payload = json!({"CaseScored": {"card": {"total": 42, "verdict": "rejected", "factors": []}, "policy_version": 0}});
        assert_eq!(
            summarise("CaseScored", &payload),
            "CaseScored score=42 verdict=rejected"
        );
    }
}
