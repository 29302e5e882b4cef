//! Tenants' notification settings (`NotificationSettings` events) and
//! their notification log.

use std::sync::Arc;

use cqrs_es::EventStore as _;
use veritrail_domain::notification::{NoticeSettings, NotificationCommand, NotificationSettings};
use veritrail_domain::{Clock, TenantId};
use veritrail_event_store::{EventDatabase, EventStore};

use super::outbox::{NoticeRow, Notices};
use super::MailSettings;
use crate::{execute, RequestContext, ServiceError};

pub struct NotificationService {
    store: EventStore<NotificationSettings>,
    clock: Arc<dyn Clock>,
    pub settings: MailSettings,
    pub notices: Notices,
}

impl std::fmt::Debug for NotificationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationService")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl NotificationService {
    pub fn new(db: &EventDatabase, clock: Arc<dyn Clock>, settings: MailSettings) -> Self {
        Self {
            store: db.event_store(vec![]),
            clock,
            settings,
            notices: Notices::new(db.clone()),
        }
    }

    /// A tenant's settings (the defaults until it changes them).
    pub async fn settings_of(&self, tenant: &TenantId) -> Result<NoticeSettings, ServiceError> {
        let loaded = self.store.load_aggregate(tenant.as_str()).await?;
        Ok(loaded.aggregate.settings)
    }

    /// Replaces the caller's tenant's settings; returns them as they now are.
    pub async fn replace(
        &self,
        ctx: &RequestContext,
        settings: NoticeSettings,
    ) -> Result<NoticeSettings, ServiceError> {
        let command = NotificationCommand::Replace {
            tenant: ctx.tenant.clone(),
            settings,
        };
        execute(
            &self.store,
            ctx.tenant.as_str(),
            command,
            &(),
            &ctx.metadata(self.clock.now()),
            None,
            ctx.recovering,
        )
        .await?;
        self.settings_of(&ctx.tenant).await
    }

    /// The caller's tenant's notices, newest first (of one case if named).
    pub async fn log(
        &self,
        ctx: &RequestContext,
        case_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<NoticeRow>, ServiceError> {
        let rows = self
            .notices
            .of_tenant(ctx.tenant.as_str(), case_id, limit.clamp(1, 500))
            .await?;
        Ok(rows)
    }
}
