//! Client secrets: 256 random bits shown once, stored as Argon2id hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine as _;
use rand::RngCore;

/// A new secret: 32 random bytes, base64url without padding.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The PHC string of an Argon2id hash with a random salt.
pub fn hash(secret: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing with default parameters and a fresh salt does not fail.
        .unwrap_or_default()
}

/// Whether `secret` matches any of `hashes` (Argon2 compares in constant time).
pub fn verify(secret: &str, hashes: &[impl AsRef<str>]) -> bool {
    hashes.iter().any(|h| {
        PasswordHash::new(h.as_ref())
            .map(|parsed| {
                Argon2::default()
                    .verify_password(secret.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
}

/// Byte strings compared without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_verify_against_their_hash_only() {
        let secret = super::generate();
        assert_eq!(secret.len(), 43);
        let hash = super::hash(&secret);
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains(&secret));
        assert!(super::verify(&secret, &["garbage", hash.as_str()]));
        assert!(!super::verify("wrong", &[hash.as_str()]));
        assert_ne!(super::hash(&secret), hash, "salted");
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
