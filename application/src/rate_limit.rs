//! Request rate limits per API client (AUTH-5): `n` requests per minute as a
//! generic cell rate (a burst of `n`, then one every `60/n` seconds), and a
//! cap per UTC day. Kept in memory: each instance limits the requests it
//! serves (see docs/security.md for what that means behind a balancer).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

use veritrail_domain::Clock;

use crate::auth::TenantService;
use crate::{RequestContext, ServiceError};

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Allowed {
        limit: u32,
        remaining: u32,
        /// Seconds until the full burst is available again.
        reset: u64,
    },
    /// Over the per-minute rate.
    RateLimited { limit: u32, retry_after: u64 },
    /// Over the daily cap.
    DailyCapReached { cap: u32, retry_after: u64 },
}

#[derive(Debug, Clone, Copy, Default)]
struct ClientState {
    /// Theoretical arrival time of the next request, in seconds.
    tat: f64,
    day: i64,
    today: u32,
}

/// The rate limits of the callers' plans (AUTH-5): per client, counted in
/// memory, timed by the injected clock.
#[derive(Debug)]
pub struct RateLimits {
    limiter: RateLimiter,
    tenants: Arc<TenantService>,
    clock: Arc<dyn Clock>,
}

impl RateLimits {
    pub fn new(tenants: Arc<TenantService>, clock: Arc<dyn Clock>) -> Self {
        Self {
            limiter: RateLimiter::new(),
            tenants,
            clock,
        }
    }

    /// Counts one request of the caller; `None` when the caller's tenant has
    /// no plan (development identities only), so nothing limits it.
    pub async fn admit(&self, ctx: &RequestContext) -> Result<Option<Decision>, ServiceError> {
        let Some(limits) = self.tenants.limits(&ctx.tenant).await? else {
            return Ok(None);
        };
        let now = self.clock.now().unix_timestamp_nanos() as f64 / 1e9;
        let client = format!("{}/{}", ctx.tenant, ctx.actor.id);
        Ok(Some(self.limiter.check(
            &client,
            limits.requests_per_minute,
            limits.requests_per_day,
            now,
        )))
    }
}

#[derive(Debug, Default)]
pub struct RateLimiter {
    clients: Mutex<HashMap<String, ClientState>>,
}

const DAY: i64 = 86_400;
/// Forget idle clients once this many are tracked.
const MAX_TRACKED: usize = 100_000;

impl RateLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a request of `client` at `now` (Unix seconds, fractional).
    pub fn check(
        &self,
        client: &str,
        per_minute: Option<u32>,
        per_day: Option<u32>,
        now: f64,
    ) -> Decision {
        // A panic elsewhere while counting leaves counts that are still
        // usable: keep limiting with them rather than let everything through.
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if clients.len() >= MAX_TRACKED {
            clients.retain(|_, s| s.tat > now);
        }
        let state = clients.entry(client.to_owned()).or_default();
        let day = (now as i64).div_euclid(DAY);
        if state.day != day {
            state.day = day;
            state.today = 0;
        }
        if let Some(cap) = per_day {
            if state.today >= cap {
                let retry_after = ((day + 1) * DAY) as f64 - now;
                return Decision::DailyCapReached {
                    cap,
                    retry_after: retry_after.ceil().max(1.0) as u64,
                };
            }
        }
        let Some(limit) = per_minute.filter(|n| *n > 0) else {
            state.today += 1;
            return Decision::Allowed {
                limit: 0,
                remaining: u32::MAX,
                reset: 0,
            };
        };
        let interval = 60.0 / f64::from(limit);
        let window = 60.0;
        let tat = state.tat.max(now);
        let new_tat = tat + interval;
        if new_tat - now > window + 1e-9 {
            // Would exceed the burst: wait until one interval has drained.
            let retry_after = new_tat - window - now;
            return Decision::RateLimited {
                limit,
                retry_after: retry_after.ceil().max(1.0) as u64,
            };
        }
        state.tat = new_tat;
        state.today += 1;
        let remaining = ((window - (new_tat - now)) / interval + 1e-9).floor() as u32;
        Decision::Allowed {
            limit,
            remaining,
            reset: (new_tat - now).ceil() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_the_limit_then_one_per_interval() {
        let limiter = RateLimiter::new();
        let t0 = 1_000_000.0;
        for i in 0..60 {
            match limiter.check("c", Some(60), None, t0) {
                Decision::Allowed { remaining, .. } => assert_eq!(remaining, 59 - i),
                other => panic!("request {i}: {other:?}"),
            }
        }
        assert_eq!(
            limiter.check("c", Some(60), None, t0),
            Decision::RateLimited {
                limit: 60,
                retry_after: 1
            }
        );
        // Another client has its own budget.
        assert!(matches!(
            limiter.check("d", Some(60), None, t0),
            Decision::Allowed { .. }
        ));
        // One second later one request is available again, and only one.
        assert!(matches!(
            limiter.check("c", Some(60), None, t0 + 1.0),
            Decision::Allowed { remaining: 0, .. }
        ));
        assert!(matches!(
            limiter.check("c", Some(60), None, t0 + 1.0),
            Decision::RateLimited { .. }
        ));
        // A minute later the full burst is back.
        assert!(matches!(
            limiter.check("c", Some(60), None, t0 + 62.0),
            Decision::Allowed { remaining: 59, .. }
        ));
    }

    #[test]
    fn the_daily_cap_resets_at_utc_midnight() {
        let limiter = RateLimiter::new();
        let midnight = 20_000.0 * 86_400.0;
        let t = midnight - 10.0;
        for _ in 0..3 {
            assert!(matches!(
                limiter.check("c", None, Some(3), t),
                Decision::Allowed { .. }
            ));
        }
        assert_eq!(
            limiter.check("c", None, Some(3), t),
            Decision::DailyCapReached {
                cap: 3,
                retry_after: 10
            }
        );
        assert!(matches!(
            limiter.check("c", None, Some(3), midnight + 1.0),
            Decision::Allowed { .. }
        ));
    }

    #[test]
    fn refused_requests_do_not_use_up_the_budget() {
        let limiter = RateLimiter::new();
        let t0 = 5_000_000.0;
        for _ in 0..2 {
            limiter.check("c", Some(2), Some(100), t0);
        }
        for _ in 0..10 {
            assert!(matches!(
                limiter.check("c", Some(2), Some(100), t0),
                Decision::RateLimited { .. }
            ));
        }
        // 30 s (one interval at 2/min) later, one is allowed.
        assert!(matches!(
            limiter.check("c", Some(2), Some(100), t0 + 30.0),
            Decision::Allowed { .. }
        ));
    }
}
