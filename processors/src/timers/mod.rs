//! Durable timers (issue 18 item 5): the timer feed schedules them from the
//! event log; any instance fires a due one once, through the application.
//! Today: a check whose requested action was not taken by its deadline is
//! expired by the system, and a check processing past the limit is
//! escalated for an officer (each then goes out as a webhook).

mod feed;
mod store;
mod worker;

pub use feed::TimerFeed;
pub use store::{TimerRow, Timers};
pub use worker::{Fired, TimerWorker};
