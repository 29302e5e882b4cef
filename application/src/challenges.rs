//! Active liveness challenges (CHK-1): a random sequence of head movements
//! with a nonce and an expiry, stored so any instance can check the answer,
//! and answered at most once (taking a challenge marks it used before
//! anything else is checked, so a guessed nonce burns it).

use std::sync::Arc;

use rand::{Rng, RngCore};
use veritrail_event_store::EventDatabase;
use veritrail_face::liveness::Step;

use crate::auth::secrets::constant_time_eq;
use veritrail_event_store::sql::{execute, fetch, Param, PurgeClock};

/// Steps per challenge.
pub const STEPS: usize = 3;

/// A challenge as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub challenge_id: String,
    pub nonce: String,
    pub steps: Vec<Step>,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A challenge's id and nonce, as a client sends them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeAnswer {
    pub challenge_id: String,
    pub nonce: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ChallengeError {
    #[error("no such challenge")]
    Unknown,
    #[error("the challenge was already answered")]
    Used,
    #[error("the challenge expired")]
    Expired,
    #[error("the nonce does not belong to this challenge")]
    WrongNonce,
    #[error(transparent)]
    Store(#[from] crate::ServiceError),
}

impl From<sqlx::Error> for ChallengeError {
    fn from(error: sqlx::Error) -> Self {
        ChallengeError::Store(error.into())
    }
}

#[derive(Debug, Clone)]
pub struct Challenges {
    db: EventDatabase,
    ttl_seconds: i64,
    purge: Arc<PurgeClock>,
}

/// `STEPS` distinct steps in random order.
fn random_steps() -> Vec<Step> {
    let mut rng = rand::rngs::OsRng;
    let mut all = Step::ALL.to_vec();
    (0..STEPS)
        .map(|_| all.remove(rng.gen_range(0..all.len())))
        .collect()
}

impl Challenges {
    pub fn new(db: EventDatabase, ttl_seconds: i64) -> Self {
        Self {
            db,
            ttl_seconds,
            purge: Arc::default(),
        }
    }

    /// Issues a challenge to `tenant`.
    pub async fn issue(&self, tenant: &str, now: i64) -> Result<Challenge, ChallengeError> {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let challenge = Challenge {
            challenge_id: uuid::Uuid::now_v7().to_string(),
            nonce: hex::encode(bytes),
            steps: random_steps(),
            expires_at: now + self.ttl_seconds,
        };
        let steps: Vec<&str> = challenge.steps.iter().map(|s| s.as_str()).collect();
        // Challenges expired an hour ago go on the way, once a minute.
        if self.purge.due(now) {
            execute(
                &self.db,
                "DELETE FROM liveness_challenges WHERE expires_at < $1",
                &[Param::Int(now - 3600)],
            )
            .await?;
        }
        execute(
            &self.db,
            "INSERT INTO liveness_challenges (challenge_id, tenant_id, steps, nonce, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                Param::Text(challenge.challenge_id.clone()),
                Param::Text(tenant.to_owned()),
                Param::Text(steps.join(",")),
                Param::Text(challenge.nonce.clone()),
                Param::Int(challenge.expires_at),
            ],
        )
        .await?;
        Ok(challenge)
    }

    /// Takes the challenge for an answer: marks it used, then checks the
    /// nonce and the expiry. Another tenant's challenge does not exist.
    pub async fn take(
        &self,
        tenant: &str,
        challenge_id: &str,
        nonce: &str,
        now: i64,
    ) -> Result<Vec<Step>, ChallengeError> {
        let taken = execute(
            &self.db,
            "UPDATE liveness_challenges SET used_at = $3 WHERE challenge_id = $1 AND tenant_id = $2 AND used_at IS NULL",
            &[
                Param::Text(challenge_id.to_owned()),
                Param::Text(tenant.to_owned()),
                Param::Int(now),
            ],
        )
        .await?;
        let rows: Vec<(String, String, i64)> = fetch(
            &self.db,
            "SELECT steps, nonce, expires_at FROM liveness_challenges WHERE challenge_id = $1 AND tenant_id = $2",
            &[
                Param::Text(challenge_id.to_owned()),
                Param::Text(tenant.to_owned()),
            ],
        )
        .await?;
        let Some((steps, stored_nonce, expires_at)) = rows.into_iter().next() else {
            return Err(ChallengeError::Unknown);
        };
        if taken == 0 {
            return Err(ChallengeError::Used);
        }
        if !constant_time_eq(stored_nonce.as_bytes(), nonce.as_bytes()) {
            return Err(ChallengeError::WrongNonce);
        }
        if now > expires_at {
            return Err(ChallengeError::Expired);
        }
        Ok(steps.split(',').filter_map(Step::parse).collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn challenges_have_distinct_steps() {
        for _ in 0..50 {
            let steps = super::random_steps();
            assert_eq!(steps.len(), super::STEPS);
            let unique: std::collections::HashSet<_> = steps.iter().collect();
            assert_eq!(unique.len(), steps.len());
        }
    }
}
