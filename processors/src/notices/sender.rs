//! Sends due notices, each by one instance at a time (claimed under a
//! lease): addressed and rendered when sent — the tenant's settings and
//! template, the individual's address and current invitation link — then
//! settled: sent, skipped (nobody to send to), retried after a growing
//! delay, or failed when the server refuses it for good or attempts run out.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;
use veritrail_application::notifications::{NoticeRow, Settle};
use veritrail_application::{ServiceError, Services};
use veritrail_domain::notification::{Audience, NoticeKind, NoticeSettings};
use veritrail_domain::TenantId;
use veritrail_event_store::sql::millis;

use super::mailer::{Mail, Mailer};

/// How long a claim lasts.
const LEASE_MS: i64 = 120_000;

/// What became of a due notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Sent,
    Skipped,
    Retrying,
    Failed,
}

#[derive(Debug, Clone)]
pub struct NoticeSender {
    services: Arc<Services>,
    mailer: Arc<dyn Mailer>,
    owner: String,
    poll: Duration,
    /// The API's public address (officers' links).
    public_url: String,
    /// Where invitation links point (`…?token=`).
    invitation_url: String,
}

/// A notice ready to send, or why it is not sent.
type Composed = Result<Mail, String>;

/// What a tenant's notices need: its settings, its name and its support
/// address — read once per batch, however many of its notices are in it.
#[derive(Debug)]
struct TenantNotices {
    settings: NoticeSettings,
    organisation: String,
    reply_to: Option<String>,
}

type Tenants = HashMap<String, TenantNotices>;

impl NoticeSender {
    pub fn new(
        services: Arc<Services>,
        mailer: Arc<dyn Mailer>,
        owner: impl Into<String>,
        poll: Duration,
        public_url: impl Into<String>,
        invitation_url: impl Into<String>,
    ) -> Self {
        Self {
            services,
            mailer,
            owner: owner.into(),
            poll,
            public_url: public_url.into(),
            invitation_url: invitation_url.into(),
        }
    }

    /// Sends every notice due now; what became of each.
    pub async fn send_due(&self) -> Result<Vec<Sent>, sqlx::Error> {
        let notices = &self.services.notifications.notices;
        let now = millis(self.services.clock.now());
        let due = notices.claim(&self.owner, now, LEASE_MS, 16).await?;
        let mut outcomes = Vec::with_capacity(due.len());
        let mut tenants = Tenants::new();
        for notice in due {
            let (settle, outcome) = match self.compose(&notice, &mut tenants).await {
                Ok(Ok(mail)) => match self.mailer.send(&mail).await {
                    Ok(()) => {
                        let recipients = mail.to.join(", ");
                        (Settle::Sent { recipients }, Sent::Sent)
                    }
                    Err(error) => self.failed(&notice, error.message, error.permanent, now),
                },
                Ok(Err(reason)) => (Settle::Skipped { reason }, Sent::Skipped),
                Err(error) => self.failed(&notice, error.to_string(), false, now),
            };
            notices.settle(&notice, &self.owner, settle, now).await?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    fn failed(
        &self,
        notice: &NoticeRow,
        error: String,
        permanent: bool,
        now: i64,
    ) -> (Settle, Sent) {
        let settings = &self.services.notifications.settings;
        let failed = u32::try_from(notice.attempts + 1).unwrap_or(u32::MAX);
        tracing::warn!(notice = %notice.notice_id, %error, permanent, "a notice was not sent");
        if permanent || failed >= settings.notice_attempts.max(1) {
            let settle = Settle::Failed {
                error,
                retry_at: None,
            };
            return (settle, Sent::Failed);
        }
        let retry_at = now + settings.retry_delay(failed).whole_milliseconds() as i64;
        let settle = Settle::Failed {
            error,
            retry_at: Some(retry_at),
        };
        (settle, Sent::Retrying)
    }

    /// Runs until the task is dropped.
    pub async fn run(self) {
        loop {
            match self.send_due().await {
                Ok(sent) if !sent.is_empty() => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "notices are unavailable"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// What `tenant`'s notices need, read from its streams.
    async fn tenant(&self, tenant: &TenantId) -> Result<TenantNotices, ServiceError> {
        let settings = self.services.notifications.settings_of(tenant).await?;
        let loaded = self.services.tenants.load(tenant).await?;
        let organisation = match loaded.name.trim() {
            "" => tenant.to_string(),
            name => name.to_owned(),
        };
        let support = loaded.support_email.trim();
        Ok(TenantNotices {
            settings,
            organisation,
            reply_to: (!support.is_empty()).then(|| support.to_owned()),
        })
    }

    /// The mail for `notice`, or why nobody gets it; `tenants` holds what
    /// this batch already read of its tenants.
    async fn compose(
        &self,
        notice: &NoticeRow,
        tenants: &mut Tenants,
    ) -> Result<Composed, ServiceError> {
        let corrupt = || ServiceError::Forbidden(format!("notice {} is corrupt", notice.notice_id));
        let kind = NoticeKind::from_code(&notice.kind).ok_or_else(corrupt)?;
        let tenant = TenantId::parse(&notice.tenant_id).map_err(|_| corrupt())?;
        let vars: Value = serde_json::from_str(&notice.vars).map_err(|_| corrupt())?;
        if !tenants.contains_key(&notice.tenant_id) {
            let read = self.tenant(&tenant).await?;
            tenants.insert(notice.tenant_id.clone(), read);
        }
        let TenantNotices {
            settings,
            organisation,
            reply_to,
        } = &tenants[&notice.tenant_id];
        let mut values: BTreeMap<&str, String> = BTreeMap::new();
        if let Value::Object(map) = &vars {
            for name in kind.variables() {
                if let Some(Value::String(v)) = map.get(*name) {
                    values.insert(name, v.clone());
                }
            }
        }
        values.insert("case_id", notice.case_id.clone());
        values.insert("organisation", organisation.clone());
        let to = match kind.audience() {
            Audience::Officers => {
                if settings.officers.is_empty() {
                    return Ok(Err("the tenant has no officer addresses".to_owned()));
                }
                let link = format!("{}/admin/verifications/{}", self.public_url, notice.case_id);
                values.insert("link", link);
                settings
                    .officers
                    .iter()
                    .map(|o| o.as_str().to_owned())
                    .collect()
            }
            Audience::Individual => {
                if !settings.notify_individuals {
                    return Ok(Err("the tenant does not email individuals".to_owned()));
                }
                match self.individual(notice, kind, &vars, &mut values).await? {
                    Ok(to) => vec![to],
                    Err(reason) => return Ok(Err(reason)),
                }
            }
        };
        let (subject, body) = settings.template(kind).render(&values);
        Ok(Ok(Mail {
            message_id: format!("<{}@veritrail>", notice.notice_id.replace('/', ".")),
            to,
            reply_to: reply_to.clone(),
            subject,
            body,
        }))
    }

    /// The individual's address, with their name and link filled in; or
    /// why they get nothing.
    async fn individual(
        &self,
        notice: &NoticeRow,
        kind: NoticeKind,
        vars: &Value,
        values: &mut BTreeMap<&str, String>,
    ) -> Result<Result<String, String>, ServiceError> {
        let notices = &self.services.notifications.notices;
        let Some(contact) = notices.contact(&notice.case_id).await? else {
            return Ok(Err("the case is unknown".to_owned()));
        };
        let Some(email) = contact.email else {
            return Ok(Err("the individual has no address".to_owned()));
        };
        let now = millis(self.services.clock.now());
        let current = contact
            .invitation_id
            .filter(|_| contact.invitation_expires_ms.is_some_and(|at| at > now));
        // An invitation notice links its own invitation, while it is the
        // case's current one; other notices link the current one.
        let wanted = match kind {
            NoticeKind::Invitation => vars.get("invitation_id").and_then(Value::as_str),
            _ => current.as_deref(),
        };
        let Some(invitation) = wanted.filter(|w| current.as_deref() == Some(*w)) else {
            return Ok(Err("no usable invitation to link to".to_owned()));
        };
        let Ok(invitation) = Uuid::parse_str(invitation) else {
            return Ok(Err("no usable invitation to link to".to_owned()));
        };
        let token = self.services.invitations.token(invitation);
        values.insert("link", format!("{}?token={token}", self.invitation_url));
        let name = contact.name.unwrap_or_else(|| "there".to_owned());
        values.insert("name", name);
        Ok(Ok(email))
    }
}
