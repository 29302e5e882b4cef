//! HMAC request signing (AUTH-2, seed 003): `X-API-KEY` names the client,
//! `X-API-TIMESTAMP` is Unix time in seconds, and
//! `X-API-SIGN = hex(hmac_sha256(secret, ts + "\n" + METHOD + "\n" + path + "\n" + hex(sha256(body))))`
//! where `path` is the request path with its query string, if any, exactly
//! as sent (for GET and HEAD the path alone is accepted too, as some clients
//! sign it so). A timestamp more than five minutes away is refused, and each
//! signature is accepted once (the replay store remembers it until it could
//! no longer pass the timestamp check anyway). Two identical requests in the
//! same second would sign the same text: send the timestamp in milliseconds,
//! or an `X-API-NONCE` (1–64 letters, digits, `-` or `_`), which is then
//! signed too: `ts + "\n" + nonce + "\n" + METHOD + "\n" + path + "\n" + hex(sha256(body))`.

use ring::hmac;
use sha2::{Digest, Sha256};
use veritrail_event_store::EventDatabase;

use crate::ServiceError;
use veritrail_event_store::sql::{execute, Param, PurgeClock};

/// How far a request's timestamp may be from the server's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// The text that is signed.
pub fn canonical(timestamp: &str, method: &str, path: &str, body: &[u8]) -> String {
    format!(
        "{timestamp}\n{}\n{path}\n{}",
        method.to_ascii_uppercase(),
        hex::encode(Sha256::digest(body))
    )
}

/// The text that is signed when the request carries `X-API-NONCE`.
pub fn canonical_with_nonce(
    timestamp: &str,
    nonce: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> String {
    format!(
        "{timestamp}\n{nonce}\n{}\n{path}\n{}",
        method.to_ascii_uppercase(),
        hex::encode(Sha256::digest(body))
    )
}

/// Whether `nonce` is acceptable: 1–64 ASCII letters, digits, `-` or `_`.
pub fn valid_nonce(nonce: &str) -> bool {
    (1..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The hex signature of `canonical` with `secret` (what clients send).
pub fn sign(secret: &str, canonical: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hex::encode(hmac::sign(&key, canonical.as_bytes()).as_ref())
}

/// Whether `signature_hex` is `canonical` signed with one of `secrets`;
/// compared in constant time.
pub fn verify(secrets: &[String], canonical: &str, signature_hex: &str) -> bool {
    let Ok(signature) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    secrets.iter().any(|secret| {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        hmac::verify(&key, canonical.as_bytes(), &signature).is_ok()
    })
}

/// Parses `X-API-TIMESTAMP`: Unix seconds (milliseconds are accepted too).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let value: i64 = text.trim().parse().ok()?;
    Some(if value > 100_000_000_000 {
        value / 1000
    } else {
        value
    })
}

/// Signatures already accepted, in the database so every instance sees them.
#[derive(Debug)]
pub struct ReplayStore {
    db: EventDatabase,
    purge: PurgeClock,
}

impl ReplayStore {
    pub fn new(db: EventDatabase) -> Self {
        Self {
            db,
            purge: PurgeClock::default(),
        }
    }

    /// Remembers a signature; `false` if it was seen before.
    pub async fn first_use(&self, signature: &str, now: i64) -> Result<bool, ServiceError> {
        if self.purge.due(now) {
            execute(
                &self.db,
                "DELETE FROM request_signatures WHERE expires_at < $1",
                &[Param::Int(now)],
            )
            .await?;
        }
        let inserted = execute(
            &self.db,
            "INSERT INTO request_signatures (signature, expires_at) VALUES ($1, $2) ON CONFLICT (signature) DO NOTHING",
            &[
                Param::Text(signature.trim().to_ascii_lowercase()),
                Param::Int(now + 2 * MAX_SKEW_SECONDS + 1),
            ],
        )
        .await?;
        Ok(inserted == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_timestamp_method_path_and_body() {
        let c = canonical("1700000000", "post", "/verifications", b"{}");
        assert_eq!(
            c,
            "1700000000\nPOST\n/verifications\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        let secrets = vec!["s3cret".to_owned()];
        let signature = sign("s3cret", &c);
        assert_eq!(signature.len(), 64);
        assert!(verify(&secrets, &c, &signature));
        assert!(verify(&secrets, &c, &signature.to_uppercase()));
        let other_body = canonical("1700000000", "POST", "/verifications", b"{ }");
        assert!(!verify(&secrets, &other_body, &signature));
        assert!(!verify(&["other".to_owned()], &c, &signature));
        assert!(!verify(&secrets, &c, "zz"));
    }

    #[test]
    fn timestamps_are_seconds_or_milliseconds() {
        assert_eq!(parse_timestamp("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_timestamp("1700000000123"), Some(1_700_000_000));
        assert_eq!(parse_timestamp("soon"), None);
    }
}
