//! How webhooks are delivered (configuration keys `webhook_*`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Deliver to loopback, private, link-local and other non-public
    /// addresses, and over plain http (development and tests only).
    pub webhook_allow_private_targets: bool,
    /// Attempts per message before it is dead-lettered.
    pub webhook_attempts: u32,
    /// The span the retries cover, from the first attempt to the last.
    pub webhook_retry_window_secs: u64,
    /// How long one attempt may take.
    pub webhook_timeout_secs: u64,
    /// An endpoint whose every delivery failed for this long is disabled.
    pub webhook_disable_after_secs: u64,
    /// Messages sent at once by one instance.
    pub webhook_concurrency: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            webhook_allow_private_targets: false,
            webhook_attempts: 8,
            webhook_retry_window_secs: 24 * 3600,
            webhook_timeout_secs: 15,
            webhook_disable_after_secs: 5 * 24 * 3600,
            webhook_concurrency: 16,
        }
    }
}

/// Growth of the delay between attempts.
const FACTOR: f64 = 3.0;

impl WebhookSettings {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.webhook_timeout_secs.max(1))
    }

    pub fn disable_after(&self) -> Duration {
        Duration::from_secs(self.webhook_disable_after_secs)
    }

    /// The delay after failed attempt number `failed` (1-based) before the
    /// next one, before jitter: delays grow threefold and add up to the
    /// retry window over all attempts (default 8 attempts over 24 h: 79 s,
    /// 4 min, 12 min, 36 min, 1.8 h, 5.4 h, 16.2 h). `jitter` in [-1, 1]
    /// moves it by up to a fifth either way, so receivers coming back are
    /// not hit by every sender at once.
    pub fn retry_delay(&self, failed: u32, jitter: f64) -> Duration {
        let gaps = self.webhook_attempts.saturating_sub(1).max(1);
        let window = self.webhook_retry_window_secs as f64;
        let first = window * (FACTOR - 1.0) / (FACTOR.powi(gaps as i32) - 1.0);
        let step = failed.clamp(1, gaps) - 1;
        let base = first * FACTOR.powi(step as i32);
        let jittered = base * (1.0 + 0.2 * jitter.clamp(-1.0, 1.0));
        Duration::from_secs_f64(jittered.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_covers_about_a_day_in_eight_attempts() {
        let settings = WebhookSettings::default();
        let delays: Vec<f64> = (1..8)
            .map(|n| settings.retry_delay(n, 0.0).as_secs_f64())
            .collect();
        let total: f64 = delays.iter().sum();
        assert!((total - 86_400.0).abs() < 1.0, "{total}");
        assert!((delays[0] - 79.0).abs() < 1.0, "{delays:?}");
        assert!(delays.windows(2).all(|w| w[1] > w[0]));
        let early = settings.retry_delay(1, -1.0).as_secs_f64();
        let late = settings.retry_delay(1, 1.0).as_secs_f64();
        assert!((early - delays[0] * 0.8).abs() < 0.01 && (late - delays[0] * 1.2).abs() < 0.01);
    }
}
