//! The aggregates' refusals as API errors.

use actix_web::http::StatusCode;
use serde_json::json;
use veritrail_domain::case::{rfc3339, CaseError};

use super::ApiError;

impl From<CaseError> for ApiError {
    fn from(error: CaseError) -> Self {
        let message = error.to_string();
        match &error {
            CaseError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "case_not_found", message),
            CaseError::AlreadyOpened => ApiError::new(StatusCode::CONFLICT, "case_exists", message),
            CaseError::IllegalTransition { command, status } => {
                ApiError::new(StatusCode::CONFLICT, "illegal_transition", message)
                    .with_details(json!({"command": command, "status": status}))
            }
            CaseError::CheckNotRequested { check } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "check_not_requested",
                message,
            )
            .with_details(json!({"check": check})),
            CaseError::IllegalCheckTransition {
                command,
                check,
                state,
            } => ApiError::new(StatusCode::CONFLICT, "illegal_check_transition", message)
                .with_details(json!({"command": command, "check": check, "state": state})),
            CaseError::ChecksOutstanding { checks } => {
                ApiError::new(StatusCode::CONFLICT, "checks_outstanding", message)
                    .with_details(json!({"checks": checks}))
            }
            CaseError::RetryLimitReached { check, attempts } => {
                ApiError::new(StatusCode::CONFLICT, "retry_limit_reached", message)
                    .with_details(json!({"check": check, "attempts": attempts}))
            }
            CaseError::ActionDeadlineNotReached { check, deadline } => {
                ApiError::new(StatusCode::CONFLICT, "deadline_not_reached", message)
                    .with_details(json!({"check": check, "deadline": rfc3339(*deadline)}))
            }
            CaseError::NothingToRemind => {
                ApiError::new(StatusCode::CONFLICT, "nothing_to_remind", message)
            }
            CaseError::ReminderLimitReached { max } => {
                ApiError::new(StatusCode::CONFLICT, "reminder_limit_reached", message)
                    .with_details(json!({"max": max}))
            }
            CaseError::ReminderNotDue { at } => {
                ApiError::new(StatusCode::CONFLICT, "reminder_not_due", message)
                    .with_details(json!({"next_at": rfc3339(*at)}))
            }
            CaseError::ActiveCaseLacksChecks { case_id, checks } => {
                ApiError::new(StatusCode::CONFLICT, "active_case_lacks_checks", message)
                    .with_details(json!({"case_id": case_id.to_string(), "checks": checks}))
            }
            CaseError::SubjectHasActiveCase { case_id } => {
                ApiError::new(StatusCode::CONFLICT, "active_case_exists", message)
                    .with_details(json!({"case_id": case_id.to_string()}))
            }
            CaseError::NonPositiveResponsePeriod => {
                ApiError::validation("respond_within_hours", message)
            }
            CaseError::DateOfBirthInFuture => ApiError::validation("date_of_birth", message),
            CaseError::TooManyUploads { limit } => {
                ApiError::new(StatusCode::CONFLICT, "too_many_uploads", message)
                    .with_details(json!({"limit": limit}))
            }
            CaseError::UnknownMedia { media_id } => {
                ApiError::new(StatusCode::NOT_FOUND, "media_not_found", message)
                    .with_details(json!({"media_id": media_id.to_string()}))
            }
            CaseError::MediaExists { media_id } => {
                ApiError::new(StatusCode::CONFLICT, "media_exists", message)
                    .with_details(json!({"media_id": media_id.to_string()}))
            }
            // Only processors send runs; over HTTP it is a conflict like any other.
            CaseError::StaleRun { check, run } => {
                ApiError::new(StatusCode::CONFLICT, "stale_run", message)
                    .with_details(json!({"check": check, "run": run}))
            }
            CaseError::LivenessFrames { .. } => ApiError::validation("evidence", message),
            CaseError::ProviderNotAwaited { check } => {
                ApiError::new(StatusCode::CONFLICT, "provider_report_not_awaited", message)
                    .with_details(json!({"check": check}))
            }
            CaseError::ProviderAnswered { check, status } => {
                ApiError::new(StatusCode::CONFLICT, "provider_already_answered", message)
                    .with_details(json!({"check": check, "status": status}))
            }
            CaseError::ReplacementIsSelf | CaseError::RestartOfSelf => {
                ApiError::validation("restart", message)
            }
        }
    }
}

impl From<veritrail_domain::tenant::TenantError> for ApiError {
    fn from(error: veritrail_domain::tenant::TenantError) -> Self {
        use veritrail_domain::tenant::TenantError;
        let message = error.to_string();
        match error {
            TenantError::NotFound => ApiError::not_found("tenant"),
            TenantError::UnknownClient(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "client_not_found", message)
            }
            TenantError::AlreadyOpened => {
                ApiError::new(StatusCode::CONFLICT, "tenant_exists", message)
            }
            TenantError::ClientExists(_) => {
                ApiError::new(StatusCode::CONFLICT, "client_exists", message)
            }
            TenantError::ClientRevoked(_) => {
                ApiError::new(StatusCode::CONFLICT, "client_revoked", message)
            }
            TenantError::RoleNotForClients(_) => ApiError::validation("role", message),
            TenantError::UnknownPlan(_) => ApiError::validation("plan", message),
            TenantError::InvalidThreshold => ApiError::validation("face_match_threshold", message),
            TenantError::InvalidWorkflow(invalid) => {
                use veritrail_domain::workflow::WorkflowError as W;
                let field = match invalid {
                    W::NotAutomatic(_) | W::Repeated(_) => "order",
                    W::MandatoryNotRun(_) => "mandatory_checks",
                    W::ProviderNotRun(_) => "providers",
                    W::Threshold => "face_match_threshold",
                    W::RespondWithin => "respond_within_hours",
                    W::Timeout => "check_timeout_secs",
                };
                ApiError::validation(field, message)
            }
            TenantError::LastOperatorClient(client_id) => {
                ApiError::new(StatusCode::CONFLICT, "last_operator_client", message)
                    .with_details(json!({"client_id": client_id}))
            }
        }
    }
}

impl From<veritrail_domain::invitation::InvitationError> for ApiError {
    fn from(error: veritrail_domain::invitation::InvitationError) -> Self {
        use veritrail_domain::invitation::InvitationError;
        let message = error.to_string();
        match error {
            InvitationError::NotFound => ApiError::not_found("invitation"),
            InvitationError::AlreadyIssued => {
                ApiError::new(StatusCode::CONFLICT, "invitation_exists", message)
            }
            InvitationError::AlreadyRevoked => {
                ApiError::new(StatusCode::CONFLICT, "invitation_revoked", message)
            }
        }
    }
}

impl From<veritrail_domain::webhook::WebhookError> for ApiError {
    fn from(error: veritrail_domain::webhook::WebhookError) -> Self {
        use veritrail_domain::webhook::WebhookError;
        let message = error.to_string();
        match error {
            WebhookError::NotFound => ApiError::not_found("webhook endpoint"),
            WebhookError::MessageNotFound => ApiError::not_found("webhook message"),
            WebhookError::AlreadyExists => {
                ApiError::new(StatusCode::CONFLICT, "endpoint_exists", message)
            }
            WebhookError::AlreadyEnabled => {
                ApiError::new(StatusCode::CONFLICT, "endpoint_enabled", message)
            }
            WebhookError::Disabled => {
                ApiError::new(StatusCode::CONFLICT, "endpoint_disabled", message)
            }
            WebhookError::TooMany => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "too_many_endpoints",
                message,
            ),
            WebhookError::UnknownEventType(_) => ApiError::validation("event_types", message),
            WebhookError::TooLong { field, .. } => ApiError::validation(field, message),
        }
    }
}

impl From<veritrail_domain::notification::NotificationError> for ApiError {
    fn from(error: veritrail_domain::notification::NotificationError) -> Self {
        // Every refusal is about the officers' list.
        ApiError::validation("officers", error.to_string())
    }
}
