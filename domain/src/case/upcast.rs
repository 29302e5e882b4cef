//! Upcasters: stored events of older versions are upgraded when read, never rewritten.

use cqrs_es::persist::{EventUpcaster, SemanticVersionEventUpcaster};
use serde_json::Value;

/// `CaseOpened` 1.0 predates business entities (CASE-7) and restart contexts
/// (CASE-5); 1.1 has both. A 1.0 event affected no entity and was no restart.
fn case_opened_1_0_to_1_1(payload: Value) -> Value {
    match payload {
        Value::Object(mut outer) => {
            if let Some(Value::Object(inner)) = outer.get_mut("CaseOpened") {
                inner
                    .entry("entities")
                    .or_insert_with(|| Value::Array(vec![]));
                inner.entry("restart").or_insert(Value::Null);
            }
            Value::Object(outer)
        }
        other => other,
    }
}

/// Every upcaster the case stream needs, for the event store to apply on load.
pub fn upcasters() -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(SemanticVersionEventUpcaster::new(
        "CaseOpened",
        "1.1",
        Box::new(case_opened_1_0_to_1_1),
    ))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::persist::SerializedEvent;
    use serde_json::json;

    #[test]
    fn case_opened_1_0_gains_empty_entities_and_no_restart() {
        let old = SerializedEvent::new(
            "id".into(),
            1,
            "VerificationCase".into(),
            "CaseOpened".into(),
            "1.0".into(),
            json!({"CaseOpened": {"case_id": "x"}}),
            json!({}),
        );
        let ups = upcasters();
        let up = ups
            .iter()
            .find(|u| u.can_upcast("CaseOpened", "1.0"))
            .expect("an upcaster for 1.0");
        assert!(!up.can_upcast("CaseOpened", "1.1"));
        let new = up.upcast(old);
        // cqrs-es writes the full semantic version.
        assert_eq!(new.event_version, "1.1.0");
        assert_eq!(
            new.payload,
            json!({"CaseOpened": {"case_id": "x", "entities": [], "restart": null}})
        );
    }
}
