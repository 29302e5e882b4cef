//! Sealed API secrets. An HMAC signature can only be checked with the secret
//! itself, so besides the Argon2id hash (for the token endpoint) each client
//! secret is kept sealed with AES-256-GCM under a key-encryption key: the one
//! configured (`secrets_key`, 32 bytes base64) or, when none is, one generated
//! once and kept in `sealing_keys`. Deleting a client's rows shreds its
//! secrets: the events keep only a reference.

use base64::Engine as _;
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use time::OffsetDateTime;
use veritrail_event_store::EventDatabase;

use veritrail_event_store::sql::{execute, fetch, Param};

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("secret storage: {0}")]
    Store(#[from] sqlx::Error),
    #[error("the secrets key must be 32 bytes, base64-encoded")]
    BadKey,
}

pub struct Vault {
    db: EventDatabase,
    key: LessSafeKey,
    /// Derives per-purpose secrets (kept apart from the sealing key).
    derive: ring::hmac::Key,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").finish_non_exhaustive()
    }
}

/// Parses a configured key: 32 bytes in standard or URL-safe base64.
fn parse_key(text: &str) -> Result<Vec<u8>, VaultError> {
    let text = text.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
        .map_err(|_| VaultError::BadKey)?;
    if bytes.len() == 32 {
        Ok(bytes)
    } else {
        Err(VaultError::BadKey)
    }
}

impl Vault {
    /// The vault with the configured key, or the stored one (created once).
    pub async fn open(db: EventDatabase, configured: Option<&str>) -> Result<Self, VaultError> {
        let bytes = match configured {
            Some(text) => parse_key(text)?,
            None => Self::stored_key(&db).await?,
        };
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| VaultError::BadKey)?;
        let root = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &bytes);
        let derive_key = ring::hmac::sign(&root, b"veritrail/derive/v1");
        Ok(Self {
            db,
            key: LessSafeKey::new(key),
            derive: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derive_key.as_ref()),
        })
    }

    async fn stored_key(db: &EventDatabase) -> Result<Vec<u8>, VaultError> {
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        // Concurrent first starts: the first insert wins, everyone reads it.
        execute(
            db,
            "INSERT INTO sealing_keys (name, key, created_at) VALUES ('api-secrets', $1, $2) ON CONFLICT (name) DO NOTHING",
            &[
                Param::Bytes(fresh.to_vec()),
                Param::Int(OffsetDateTime::now_utc().unix_timestamp()),
            ],
        )
        .await?;
        let rows: Vec<(Vec<u8>,)> = fetch(
            db,
            "SELECT key FROM sealing_keys WHERE name = 'api-secrets'",
            &[],
        )
        .await?;
        rows.into_iter()
            .next()
            .map(|(k,)| k)
            .ok_or(VaultError::BadKey)
    }

    /// A secret for `label`, the same every time under the same key and
    /// unguessable without it (HMAC-SHA256 under a key derived from the
    /// vault's).
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let tag = ring::hmac::sign(&self.derive, label.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Seals `plain` with a fresh nonce; `aad` (what the bytes belong to)
    /// is bound in, so sealed bytes cannot be moved to another owner.
    pub fn seal(&self, plain: &[u8], aad: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut data = plain.to_vec();
        // Sealing a short buffer with a fresh nonce does not fail.
        let _ = self.key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad.as_bytes()),
            &mut data,
        );
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&data);
        sealed
    }

    /// Opens what [`Self::seal`] sealed for the same `aad`; `None` if the
    /// key or the owner differs or the bytes were altered.
    pub fn unseal(&self, sealed: &[u8], aad: &str) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut data)
            .ok()?;
        Some(plain.to_vec())
    }

    /// Keeps `secret` sealed; returns its reference. The reference and the
    /// client id are bound into the seal, so a row cannot be moved.
    pub async fn store(&self, client_id: &str, secret: &str) -> Result<String, VaultError> {
        let secret_ref = uuid::Uuid::now_v7().to_string();
        let sealed = self.seal(secret.as_bytes(), &format!("{client_id}/{secret_ref}"));
        execute(
            &self.db,
            "INSERT INTO api_secrets (secret_ref, client_id, sealed, created_at) VALUES ($1, $2, $3, $4)",
            &[
                Param::Text(secret_ref.clone()),
                Param::Text(client_id.to_owned()),
                Param::Bytes(sealed),
                Param::Int(OffsetDateTime::now_utc().unix_timestamp()),
            ],
        )
        .await?;
        Ok(secret_ref)
    }

    /// The secrets behind `refs` that still exist and belong to `client_id`.
    pub async fn secrets(&self, client_id: &str, refs: &[&str]) -> Result<Vec<String>, VaultError> {
        let rows: Vec<(String, Vec<u8>)> = fetch(
            &self.db,
            "SELECT secret_ref, sealed FROM api_secrets WHERE client_id = $1",
            &[Param::Text(client_id.to_owned())],
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter(|(r, _)| refs.contains(&r.as_str()))
            .filter_map(|(r, sealed)| self.unseal(&sealed, &format!("{client_id}/{r}")))
            .filter_map(|plain| String::from_utf8(plain).ok())
            .collect())
    }

    /// Destroys every sealed secret of a client (revocation).
    pub async fn shred(&self, client_id: &str) -> Result<(), VaultError> {
        execute(
            &self.db,
            "DELETE FROM api_secrets WHERE client_id = $1",
            &[Param::Text(client_id.to_owned())],
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn configured_keys_must_be_32_bytes() {
        assert!(super::parse_key(&"A".repeat(43)).is_ok());
        assert!(super::parse_key("c2hvcnQ=").is_err());
        assert!(super::parse_key("not base64!").is_err());
    }
}
