//! OAuth 2.0 access tokens: JWTs signed with the service's Ed25519 key
//! (`EdDSA`, `kid` header), short-lived, for one audience. Verification pins
//! the algorithm (so `alg: none` and HMAC-with-the-public-key tricks fail),
//! requires issuer, audience, subject and expiry, honours `nbf`, refuses a
//! lifetime longer than the configured one, and looks the key up by kid.

use std::sync::Arc;

use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use veritrail_domain::tenant::Scope;
use veritrail_domain::{ActorKind, TenantId};

use super::keys::SigningKeys;

pub const ISSUER: &str = "veritrail";
pub const AUDIENCE: &str = "veritrail-api";
/// Clock skew tolerated between instances, in seconds.
const LEEWAY_SECS: u64 = 30;

/// What a token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The client id.
    pub sub: String,
    /// The tenant.
    pub tid: String,
    /// The client's role.
    pub role: ActorKind,
    /// Space-separated scopes (RFC 6749 §3.3).
    pub scope: String,
    pub iat: i64,
    /// Not valid before (RFC 7519 §4.1.5); honoured when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub exp: i64,
    pub jti: String,
}

impl Claims {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scope
            .split_whitespace()
            .filter_map(Scope::parse)
            .collect()
    }

    pub fn tenant(&self) -> Option<TenantId> {
        TenantId::parse(&self.tid).ok()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no signing key")]
    NoKey,
    #[error("the token is malformed or uses another algorithm")]
    Malformed,
    #[error("the token names no known key")]
    UnknownKey,
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

/// Issues and verifies access tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    keys: Arc<SigningKeys>,
    ttl: time::Duration,
}

impl Tokens {
    pub fn new(keys: Arc<SigningKeys>, ttl: time::Duration) -> Self {
        Self { keys, ttl }
    }

    pub fn keys(&self) -> &Arc<SigningKeys> {
        &self.keys
    }

    pub fn ttl(&self) -> time::Duration {
        self.ttl
    }

    pub fn issue(
        &self,
        tenant: &TenantId,
        client_id: &str,
        role: ActorKind,
        scopes: &[Scope],
        now: OffsetDateTime,
    ) -> Result<String, TokenError> {
        let key = self.keys.current().ok_or(TokenError::NoKey)?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: client_id.to_owned(),
            tid: tenant.to_string(),
            role,
            scope: scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            iat: now.unix_timestamp(),
            nbf: Some(now.unix_timestamp()),
            exp: (now + self.ttl).unix_timestamp(),
            jti: Uuid::new_v4().to_string(),
        };
        encode(
            &header,
            &claims,
            &EncodingKey::from_ed_der(&key.private_key),
        )
        .map_err(|e| TokenError::Invalid(e.to_string()))
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Malformed);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self.keys.find(&kid).await.ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let claims = decode::<Claims>(
            token,
            &DecodingKey::from_ed_der(&key.public_key),
            &validation,
        )
        .map(|data| data.claims)
        .map_err(|e| TokenError::Invalid(e.to_string()))?;
        // A token living longer than this service issues was not made by
        // it (or by a configuration that allowed more): refused.
        if claims.exp - claims.iat > self.ttl.whole_seconds() + LEEWAY_SECS as i64 {
            return Err(TokenError::Invalid(format!(
                "its lifetime exceeds the maximum of {} s",
                self.ttl.whole_seconds()
            )));
        }
        if claims.iat > OffsetDateTime::now_utc().unix_timestamp() + LEEWAY_SECS as i64 {
            return Err(TokenError::Invalid("it is issued in the future".into()));
        }
        Ok(claims)
    }
}
