//! What a stored event becomes as a webhook: its type in the catalogue
//! (`domain::webhook::CATALOGUE`) and its body — the case's id, status and
//! version, the facts of the change and a link, never the individual's data.

use serde_json::{json, Map, Value};
use veritrail_domain::case::{CaseEvent, CheckResult, VerificationCase};
use veritrail_event_store::RecordedEvent;

/// The catalogue name of a case event, if organisations hear of it.
pub fn case_type(event: &CaseEvent) -> Option<&'static str> {
    Some(match event {
        CaseEvent::CaseOpened { restart, .. } => {
            if restart.is_some() {
                "case.recreated"
            } else {
                "case.opened"
            }
        }
        CaseEvent::DataSubmitted { .. } => "case.submitted",
        CaseEvent::CheckResultRecorded { .. } => "check.completed",
        CaseEvent::CheckActionRequested { .. } => "check.action_required",
        CaseEvent::CheckExpired { .. } => "check.expired",
        CaseEvent::CheckEscalated { .. } => "check.escalated",
        CaseEvent::IndividualReminded { .. } => "case.reminded",
        CaseEvent::CaseCompleted { .. } | CaseEvent::CaseFailed { .. } => "case.decided",
        CaseEvent::CaseCancelled { .. } => "case.cancelled",
        _ => return None,
    })
}

fn as_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// What the event itself says, beyond the case's state.
fn facts(event: &CaseEvent, case: &VerificationCase) -> Map<String, Value> {
    let value = match event {
        CaseEvent::CaseOpened { restart, .. } => {
            json!({"previous_case_id": restart.as_ref().map(|r| as_json(&r.previous_case))})
        }
        CaseEvent::CheckResultRecorded { check, result, .. } => {
            let (outcome, score) = match result {
                CheckResult::Verified { score } => ("verified", score),
                CheckResult::Failed { score, .. } => ("failed", score),
            };
            json!({"check": as_json(check), "outcome": outcome, "score": as_json(score)})
        }
        CaseEvent::CheckActionRequested {
            check, deadline, ..
        } => json!({
            "check": as_json(check),
            "deadline": deadline.format(&time::format_description::well_known::Rfc3339).ok(),
        }),
        CaseEvent::CheckExpired { check } => json!({"check": as_json(check)}),
        CaseEvent::CheckEscalated { check, attempt } => {
            json!({"check": as_json(check), "attempt": attempt})
        }
        CaseEvent::IndividualReminded { number, .. } => json!({"reminder": number}),
        CaseEvent::CaseCompleted { .. } | CaseEvent::CaseFailed { .. } => {
            let outcome = if matches!(event, CaseEvent::CaseCompleted { .. }) {
                "PASS"
            } else {
                "FAIL"
            };
            let score = case.opened().and_then(|c| c.score.as_ref());
            json!({
                "outcome": outcome,
                "score": score.map(|s| as_json(&s.card.total)),
                "verdict": score.map(|s| as_json(&s.card.verdict)),
            })
        }
        CaseEvent::CaseCancelled { replaced_by, .. } => {
            json!({"replaced_by": as_json(replaced_by)})
        }
        _ => json!({}),
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn occurred_at(event: &RecordedEvent) -> Value {
    event
        .metadata
        .get(veritrail_domain::metadata::OCCURRED_AT)
        .cloned()
        .unwrap_or_else(|| as_json(&event.recorded_at.unix_timestamp()))
}

/// The body of a case event's webhook; `case` is the case folded up to
/// and including the event, `link` the case's address in the API.
pub fn case_body(
    kind: &str,
    event: &RecordedEvent,
    decoded: &CaseEvent,
    case: &VerificationCase,
    link: String,
) -> Value {
    let mut data = Map::new();
    data.insert("case_id".into(), json!(event.aggregate_id));
    data.insert("status".into(), as_json(&case.status()));
    data.insert("version".into(), json!(event.sequence));
    data.extend(facts(decoded, case));
    data.insert("link".into(), json!(link));
    json!({"type": kind, "timestamp": occurred_at(event), "data": data})
}

/// The body of a quota threshold (a `Tenant` event), if the event is one.
pub fn quota_body(event: &RecordedEvent) -> Option<Value> {
    let fields = event.payload.get("QuotaThresholdReached")?;
    let pick = |key: &str| fields.get(key).cloned().unwrap_or(Value::Null);
    Some(json!({
        "type": "quota.threshold_reached",
        "timestamp": occurred_at(event),
        "data": {
            "module": pick("module"),
            "period": pick("period"),
            "percent": pick("percent"),
            "used": pick("used"),
            "quota": pick("quota"),
        },
    }))
}
