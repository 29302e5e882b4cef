//! Where notices go out: an SMTP server (`lettre`), or — in the embedded
//! default, with no `smtp_url` — the service's log.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use veritrail_application::notifications::MailSettings;

/// One email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Stable across retries, so a receiver can drop a repeat.
    pub message_id: String,
    pub to: Vec<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body: String,
}

/// Why a mail did not go: `permanent` when trying again cannot help (a
/// refused address, a malformed message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MailError {
    pub message: String,
    pub permanent: bool,
}

impl MailError {
    fn permanent(message: impl ToString) -> Self {
        Self {
            message: message.to_string(),
            permanent: true,
        }
    }
}

#[async_trait::async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

/// Sends through an SMTP server.
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> Result<Self, MailError> {
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailError::permanent(format!("mail_from: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::permanent(format!("smtp_url: {e}")))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Self { transport, from })
    }

    fn message(&self, mail: &Mail) -> Result<Message, MailError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .header(ContentType::TEXT_PLAIN);
        for to in &mail.to {
            let to = to.parse::<Mailbox>().map_err(MailError::permanent)?;
            builder = builder.to(to);
        }
        if let Some(reply_to) = mail.reply_to.as_deref().and_then(|r| r.parse().ok()) {
            builder = builder.reply_to(reply_to);
        }
        builder
            .body(mail.body.clone())
            .map_err(MailError::permanent)
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = self.message(mail)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError {
                message: e.to_string(),
                permanent: e.is_permanent(),
            })
    }
}

/// Writes notices to the log (development: no mail server).
#[derive(Debug)]
pub struct LogMailer;

#[async_trait::async_trait]
impl Mailer for LogMailer {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        tracing::info!(
            to = ?mail.to,
            subject = %mail.subject,
            body = %mail.body,
            "notice (no smtp_url: logged, not sent)"
        );
        Ok(())
    }
}

/// The mailer `settings` name.
pub fn mailer(settings: &MailSettings) -> Result<Arc<dyn Mailer>, MailError> {
    match settings.smtp_url.trim() {
        "" => Ok(Arc::new(LogMailer)),
        url => Ok(Arc::new(SmtpMailer::new(url, &settings.mail_from)?)),
    }
}
