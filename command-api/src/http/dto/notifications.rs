//! Notification settings and the notification log (issue 18 item 4).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use veritrail_application::notifications::NoticeRow;
use veritrail_domain::case::EmailAddress;
use veritrail_domain::notification::{NoticeKind, NoticeSettings, Template};

use super::field;
use super::views::ms_rfc3339;
use crate::http::error::ApiError;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// One line; `{{variable}}` placeholders.
    #[schema(example = "{{organisation}} asks you to verify your identity")]
    pub subject: String,
    /// Plain text; `{{variable}}` placeholders.
    #[schema(example = "Hello {{name}},\n\nStart here: {{link}}\n")]
    pub body: String,
}

/// `PUT /notifications/settings`: replaces them all.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettingsInput {
    /// Email individuals who have an address (default true).
    #[serde(default = "yes")]
    pub notify_individuals: bool,
    /// Where new submissions and escalations go (at most 20).
    #[serde(default)]
    #[schema(example = json!(["review-team@example.com"]))]
    pub officers: Vec<String>,
    /// The tenant's own templates by kind (invitation, reminder,
    /// action_requested, new_submission, escalation); others use the defaults.
    #[serde(default)]
    pub templates: BTreeMap<NoticeKind, TemplateInput>,
}

fn yes() -> bool {
    true
}

impl NotificationSettingsInput {
    pub fn into_settings(self) -> Result<NoticeSettings, ApiError> {
        let officers = self
            .officers
            .iter()
            .map(|o| field("officers", EmailAddress::parse(o)))
            .collect::<Result<_, _>>()?;
        let mut templates = BTreeMap::new();
        for (kind, t) in self.templates {
            let name = format!("templates.{kind}");
            let template = field(&name, Template::parse(kind, &t.subject, &t.body))?;
            templates.insert(kind, template);
        }
        Ok(NoticeSettings {
            notify_individuals: self.notify_individuals,
            officers,
            templates,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub subject: String,
    pub body: String,
    /// The tenant's own (false: the default).
    pub custom: bool,
    /// The placeholders it may use.
    pub variables: Vec<&'static str>,
}

/// A tenant's notification settings, with the template in force for every kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettingsView {
    pub notify_individuals: bool,
    pub officers: Vec<String>,
    pub templates: BTreeMap<NoticeKind, TemplateView>,
}

impl NotificationSettingsView {
    pub fn of(settings: &NoticeSettings) -> Self {
        let templates = NoticeKind::ALL
            .into_iter()
            .map(|kind| {
                let t = settings.template(kind);
                let view = TemplateView {
                    subject: t.subject,
                    body: t.body,
                    custom: settings.templates.contains_key(&kind),
                    variables: kind.variables().to_vec(),
                };
                (kind, view)
            })
            .collect();
        Self {
            notify_individuals: settings.notify_individuals,
            officers: settings
                .officers
                .iter()
                .map(|o| o.as_str().to_owned())
                .collect(),
            templates,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NoticesQuery {
    /// Only this case's notices.
    pub case_id: Option<uuid::Uuid>,
    /// At most this many (1–500, default 100), newest first.
    pub limit: Option<u32>,
    /// Operators: the tenant whose notices these are.
    pub tenant: Option<String>,
}

/// One notice and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub notice_id: String,
    pub case_id: String,
    /// invitation, reminder, action_requested, new_submission or escalation.
    pub kind: String,
    /// pending, sent, skipped (nobody to send to) or failed.
    pub state: String,
    /// Who it went to, once sent.
    pub recipients: Option<String>,
    pub attempts: i64,
    /// Why it was skipped, or the last error.
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl NoticeView {
    pub fn of(row: NoticeRow) -> Self {
        Self {
            notice_id: row.notice_id,
            case_id: row.case_id,
            kind: row.kind,
            state: row.state,
            recipients: row.recipients,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: ms_rfc3339(row.created_at_ms),
            updated_at: ms_rfc3339(row.updated_at_ms),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeList {
    pub notices: Vec<NoticeView>,
}
