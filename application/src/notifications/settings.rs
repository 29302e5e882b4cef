//! How notices are sent and when individuals are reminded (configuration
//! keys `smtp_url`, `mail_from`, `notice_attempts`, `reminder_*`).

use serde::{Deserialize, Serialize};
use veritrail_domain::case::ReminderPolicy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailSettings {
    /// The SMTP server: `smtp://host:port` (plain, as for a local relay),
    /// `smtp://host?tls=required` (STARTTLS) or `smtps://host` (TLS), with
    /// `user:password@` when it asks for them. Empty: notices are written
    /// to the log instead (the embedded default).
    pub smtp_url: String,
    /// The notices' sender.
    pub mail_from: String,
    /// Attempts per notice before it is given up (`failed`).
    pub notice_attempts: u32,
    /// A case's age before its individual is first reminded.
    pub reminder_after_secs: u64,
    /// The least time between two reminders.
    pub reminder_interval_secs: u64,
    /// Reminders per case at most (0: none).
    pub reminder_max: u32,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: String::new(),
            mail_from: "Veritrail <no-reply@localhost>".to_owned(),
            notice_attempts: 6,
            reminder_after_secs: 2 * 24 * 3600,
            reminder_interval_secs: 24 * 3600,
            reminder_max: 3,
        }
    }
}

impl MailSettings {
    pub fn reminders(&self) -> ReminderPolicy {
        let secs = |s: u64| time::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 2));
        ReminderPolicy {
            after: secs(self.reminder_after_secs),
            interval: secs(self.reminder_interval_secs),
            max: self.reminder_max,
        }
    }

    /// The delay after failed attempt `failed` (1-based): 1 min, 4 min,
    /// 16 min … at most 6 h.
    pub fn retry_delay(&self, failed: u32) -> time::Duration {
        let minutes = 4_i64.saturating_pow(failed.saturating_sub(1)).min(360);
        time::Duration::minutes(minutes)
    }
}
