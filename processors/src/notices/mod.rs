//! Notifications (issue 18 item 4): the notice feed queues them from the
//! event log; any instance sends a due one through the mailer (SMTP, or
//! the log in the embedded default).

mod feed;
mod mailer;
mod sender;

pub use feed::NoticeFeed;
pub use mailer::{mailer, LogMailer, Mail, MailError, Mailer, SmtpMailer};
pub use sender::{NoticeSender, Sent};
