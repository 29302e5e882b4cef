//! Notice kinds and their templates: plain text with `{{variable}}`
//! placeholders, checked when a tenant sets them (a placeholder the kind
//! does not offer, an unclosed `{{`, a subject on several lines or too long
//! are refused), with a default for every kind.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NoticeKind {
    /// To the individual: their invitation link.
    Invitation,
    /// To the individual: the case still waits for them.
    Reminder,
    /// To the individual: a check needs them to act.
    ActionRequested,
    /// To the officers: a case was submitted for review.
    NewSubmission,
    /// To the officers: a check is processing past its limit.
    Escalation,
}

/// Who a notice goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Individual,
    Officers,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::Invitation,
        NoticeKind::Reminder,
        NoticeKind::ActionRequested,
        NoticeKind::NewSubmission,
        NoticeKind::Escalation,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            NoticeKind::Invitation => "invitation",
            NoticeKind::Reminder => "reminder",
            NoticeKind::ActionRequested => "action_requested",
            NoticeKind::NewSubmission => "new_submission",
            NoticeKind::Escalation => "escalation",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == code)
    }

    pub fn audience(&self) -> Audience {
        match self {
            NoticeKind::NewSubmission | NoticeKind::Escalation => Audience::Officers,
            _ => Audience::Individual,
        }
    }

    /// The placeholders its templates may use.
    pub fn variables(&self) -> &'static [&'static str] {
        match self {
            NoticeKind::Invitation => &["name", "organisation", "case_id", "link", "expires_at"],
            NoticeKind::Reminder => &["name", "organisation", "case_id", "link", "number"],
            NoticeKind::ActionRequested => &[
                "name",
                "organisation",
                "case_id",
                "link",
                "check",
                "hint",
                "deadline",
            ],
            NoticeKind::NewSubmission => &["organisation", "case_id", "link"],
            NoticeKind::Escalation => &["organisation", "case_id", "link", "check", "attempt"],
        }
    }

    /// The template used when the tenant set none.
    pub fn default_template(&self) -> Template {
        let (subject, body) = match self {
            NoticeKind::Invitation => (
                "{{organisation}} asks you to verify your identity",
                "Hello {{name}},\n\n{{organisation}} asks you to verify your identity. \
                 Open this link to start (it is personal; do not share it):\n\n{{link}}\n\n\
                 The link works until {{expires_at}}.\n",
            ),
            NoticeKind::Reminder => (
                "Reminder: your identity verification for {{organisation}}",
                "Hello {{name}},\n\nYour identity verification for {{organisation}} is not \
                 finished yet. You can continue here:\n\n{{link}}\n",
            ),
            NoticeKind::ActionRequested => (
                "Action needed on your identity verification",
                "Hello {{name}},\n\nTo finish your identity verification for {{organisation}}, \
                 please act on the {{check}} check: {{hint}}\n\nDo it before {{deadline}} \
                 here:\n\n{{link}}\n",
            ),
            NoticeKind::NewSubmission => (
                "Case {{case_id}} is ready for review",
                "A verification case was submitted and waits for review:\n\n{{link}}\n",
            ),
            NoticeKind::Escalation => (
                "Case {{case_id}}: check {{check}} needs attention",
                "The {{check}} check of case {{case_id}} (attempt {{attempt}}) has been \
                 processing longer than allowed:\n\n{{link}}\n",
            ),
        };
        Template {
            subject: subject.to_owned(),
            body: body.to_owned(),
        }
    }
}

impl fmt::Display for NoticeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject line and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the subject must be one line of 1 to 200 characters")]
    BadSubject,
    #[error("the body must be 1 to 20000 characters")]
    BadBody,
    #[error("`{{{{` without a closing `}}}}`")]
    Unclosed,
    #[error("{{{{{name}}}}} is not offered; use {}", .offered.join(", "))]
    UnknownVariable {
        name: String,
        offered: Vec<&'static str>,
    },
}

/// The text between `{{` and `}}`, in order; `Err` on an unclosed one.
fn placeholders(text: &str) -> Result<Vec<&str>, TemplateError> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        found.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    Ok(found)
}

impl Template {
    /// A tenant's template for `kind`, checked.
    pub fn parse(kind: NoticeKind, subject: &str, body: &str) -> Result<Self, TemplateError> {
        let subject = subject.trim();
        let subject_len = subject.chars().count();
        if subject_len == 0 || subject_len > 200 || subject.chars().any(char::is_control) {
            return Err(TemplateError::BadSubject);
        }
        if body.trim().is_empty() || body.chars().count() > 20_000 {
            return Err(TemplateError::BadBody);
        }
        let offered = kind.variables();
        for name in placeholders(subject)?
            .into_iter()
            .chain(placeholders(body)?)
        {
            if !offered.contains(&name) {
                return Err(TemplateError::UnknownVariable {
                    name: name.to_owned(),
                    offered: offered.to_vec(),
                });
            }
        }
        Ok(Self {
            subject: subject.to_owned(),
            body: body.to_owned(),
        })
    }

    /// The subject and body with every placeholder replaced (an unknown one
    /// by nothing). Values in the subject lose their control characters.
    pub fn render(&self, values: &BTreeMap<&str, String>) -> (String, String) {
        let fill = |text: &str, one_line: bool| {
            let mut out = String::with_capacity(text.len());
            let mut rest = text;
            while let Some(start) = rest.find("{{") {
                out.push_str(&rest[..start]);
                let after = &rest[start + 2..];
                let Some(end) = after.find("}}") else {
                    rest = &rest[start..];
                    break;
                };
                let value = values.get(after[..end].trim()).map_or("", String::as_str);
                if one_line {
                    out.extend(value.chars().filter(|c| !c.is_control()));
                } else {
                    out.push_str(value);
                }
                rest = &after[end + 2..];
            }
            out.push_str(rest);
            out
        };
        (fill(&self.subject, true), fill(&self.body, false))
    }
}
