//! What an organisation can subscribe to (PLAT-1): the webhook event types,
//! each naming the stored events it is made from. A message carries the
//! case's id, status, version and a link — never the individual's data.

use serde::Serialize;

/// One subscribable event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WebhookEventType {
    /// `case.opened`, `check.completed`, …
    pub name: &'static str,
    pub description: &'static str,
    /// The stored events (docs/events.md) that produce it.
    pub from: &'static [&'static str],
}

/// Every webhook event type, in the order a case lives them.
pub const CATALOGUE: &[WebhookEventType] = &[
    WebhookEventType {
        name: "case.opened",
        description: "A case was opened for an individual (status PENDING_ORG).",
        from: &["CaseOpened"],
    },
    WebhookEventType {
        name: "case.recreated",
        description: "A case was opened to replace a cancelled one; `previous_case_id` names it.",
        from: &["CaseOpened"],
    },
    WebhookEventType {
        name: "case.submitted",
        description: "The individual submitted their data and evidence (status PENDING_ADMIN).",
        from: &["DataSubmitted"],
    },
    WebhookEventType {
        name: "check.completed",
        description: "A check has a result: `check`, `outcome` (verified or failed), `score`.",
        from: &["CheckResultRecorded"],
    },
    WebhookEventType {
        name: "check.action_required",
        description: "A check needs the individual to act (new photo, missing data) before `deadline`.",
        from: &["CheckActionRequested"],
    },
    WebhookEventType {
        name: "check.expired",
        description: "A check that required action was not answered in time.",
        from: &["CheckExpired"],
    },
    WebhookEventType {
        name: "check.escalated",
        description: "A check has been processing past its time limit and was flagged for an officer.",
        from: &["CheckEscalated"],
    },
    WebhookEventType {
        name: "case.reminded",
        description: "The individual was reminded that the case waits for them; `reminder` counts them.",
        from: &["IndividualReminded"],
    },
    WebhookEventType {
        name: "case.decided",
        description: "The case was decided: `outcome` PASS or FAIL, with the score and verdict when the case was scored.",
        from: &["CaseCompleted", "CaseFailed"],
    },
    WebhookEventType {
        name: "case.cancelled",
        description: "The case was cancelled; `replaced_by` names its replacement, if any.",
        from: &["CaseCancelled"],
    },
    WebhookEventType {
        name: "quota.threshold_reached",
        description: "This month's use of a module reached 80 % or 100 % of its quota.",
        from: &["QuotaThresholdReached"],
    },
];

/// Whether `name` is in the catalogue.
pub fn known(name: &str) -> bool {
    CATALOGUE.iter().any(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_come_from_known_events() {
        let mut names: Vec<_> = CATALOGUE.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        for t in CATALOGUE {
            for stored in t.from {
                assert!(crate::EVENT_TYPES.contains(stored), "{stored}");
            }
        }
        assert!(known("case.decided") && !known("case.exploded"));
    }
}
