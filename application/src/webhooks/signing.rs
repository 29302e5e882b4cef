//! Standard Webhooks signatures (<https://www.standardwebhooks.com>): a
//! secret is `whsec_` + base64 of 32 random bytes; a message is signed as
//! `v1,` + base64(HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}")),
//! and the `webhook-signature` header lists one signature per secret in
//! force, separated by spaces, so receivers roll over during a rotation.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngCore;
use ring::hmac;

pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh secret, as shown to the organisation once.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a secret; `None` if it is not one of ours.
fn key_bytes(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()
}

/// One `v1,…` signature of a message.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key_bytes(secret)?);
    let content = format!("{id}.{timestamp}.{body}");
    let tag = hmac::sign(&key, content.as_bytes());
    Some(format!("v1,{}", STANDARD.encode(tag.as_ref())))
}

/// The `webhook-signature` header: a signature per secret.
pub fn signature_header(secrets: &[String], id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|s| sign(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_specifications_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn every_secret_signs_and_foreign_secrets_do_not() {
        let (a, b) = (new_secret(), new_secret());
        let header = signature_header(&[a.clone(), b.clone()], "msg_1", 1, "{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(Some(parts[0].to_owned()), sign(&a, "msg_1", 1, "{}"));
        assert_ne!(parts[0], parts[1]);
        assert_eq!(sign("not-a-secret", "msg_1", 1, "{}"), None);
    }
}
