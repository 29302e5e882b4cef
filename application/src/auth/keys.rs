//! Token signing keys: Ed25519, kept in the `signing_keys` table so every
//! instance signs and verifies with the same set, the private halves sealed
//! by the vault (AES-256-GCM under `secrets_key`, the kid bound in). The newest key signs;
//! every key verifies and is published as a JWK set. Rotating adds a key;
//! tokens signed by the older one keep verifying until they expire, after
//! which the older key is retired.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use time::OffsetDateTime;
use veritrail_event_store::EventDatabase;

use super::vault::Vault;
use veritrail_event_store::sql::{execute, fetch, Param};

/// One key pair.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    /// PKCS#8 DER.
    pub private_key: Vec<u8>,
    /// The raw 32-byte public key.
    pub public_key: Vec<u8>,
    pub created_at: i64,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key storage: {0}")]
    Store(#[from] sqlx::Error),
    #[error("key generation failed")]
    Generate,
    #[error("signing key {0} cannot be unsealed: is secrets_key the key it was sealed with?")]
    Unseal(String),
}

impl From<KeyError> for crate::ServiceError {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::Store(e) => e.into(),
            other => crate::ServiceError::store(other),
        }
    }
}

/// The key set, cached; reloaded when a token names an unknown key (another
/// instance rotated), at most once per `REFRESH_EVERY`.
#[derive(Debug)]
pub struct SigningKeys {
    db: EventDatabase,
    vault: Arc<Vault>,
    keys: RwLock<Vec<SigningKey>>,
    refreshed: RwLock<Instant>,
}

/// kid, private key (sealed or not yet), public key, created at, sealed.
type KeyRow = (String, Vec<u8>, Vec<u8>, i64, i64);

const REFRESH_EVERY: Duration = Duration::from_secs(5);

fn generate() -> Result<SigningKey, KeyError> {
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Generate)?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| KeyError::Generate)?;
    let public_key = pair.public_key().as_ref().to_vec();
    // The kid: a short fingerprint of the public key.
    let digest = ring::digest::digest(&ring::digest::SHA256, &public_key);
    let kid = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]);
    Ok(SigningKey {
        kid,
        private_key: pkcs8.as_ref().to_vec(),
        public_key,
        created_at: OffsetDateTime::now_utc().unix_timestamp(),
    })
}

impl SigningKeys {
    /// Loads the stored keys, creating the first one if there is none.
    pub async fn load_or_create(db: EventDatabase, vault: Arc<Vault>) -> Result<Self, KeyError> {
        let keys = Self {
            db,
            vault,
            keys: RwLock::new(Vec::new()),
            refreshed: RwLock::new(Instant::now()),
        };
        keys.reload().await?;
        if keys.all().is_empty() {
            keys.rotate().await?;
        }
        Ok(keys)
    }

    fn aad(kid: &str) -> String {
        format!("signing-key/{kid}")
    }

    async fn reload(&self) -> Result<(), KeyError> {
        let rows: Vec<KeyRow> = fetch(
            &self.db,
            "SELECT kid, private_key, public_key, created_at, sealed FROM signing_keys ORDER BY created_at DESC, kid",
            &[],
        )
        .await?;
        let mut loaded = Vec::with_capacity(rows.len());
        for (kid, stored, public_key, created_at, sealed) in rows {
            let private_key = if sealed == 1 {
                self.vault
                    .unseal(&stored, &Self::aad(&kid))
                    .ok_or_else(|| KeyError::Unseal(kid.clone()))?
            } else {
                // Written before keys were sealed: seal it in place now.
                execute(
                    &self.db,
                    "UPDATE signing_keys SET private_key = $2, sealed = 1 WHERE kid = $1 AND sealed = 0",
                    &[
                        Param::Text(kid.clone()),
                        Param::Bytes(self.vault.seal(&stored, &Self::aad(&kid))),
                    ],
                )
                .await?;
                stored
            };
            loaded.push(SigningKey {
                kid,
                private_key,
                public_key,
                created_at,
            });
        }
        if let Ok(mut keys) = self.keys.write() {
            *keys = loaded;
        }
        if let Ok(mut at) = self.refreshed.write() {
            *at = Instant::now();
        }
        Ok(())
    }

    /// Adds a new key, which signs from now on. Returns its kid.
    pub async fn rotate(&self) -> Result<String, KeyError> {
        let mut key = generate()?;
        // Keys are ordered by their second of creation: a key made in the
        // same second as the newest must still sort after it, or the old
        // key would keep signing (a rotation right after start did).
        if let Some(newest) = self.current() {
            key.created_at = key.created_at.max(newest.created_at + 1);
        }
        execute(
            &self.db,
            "INSERT INTO signing_keys (kid, private_key, public_key, created_at, sealed) VALUES ($1, $2, $3, $4, 1)",
            &[
                Param::Text(key.kid.clone()),
                Param::Bytes(self.vault.seal(&key.private_key, &Self::aad(&key.kid))),
                Param::Bytes(key.public_key.clone()),
                Param::Int(key.created_at),
            ],
        )
        .await?;
        self.reload().await?;
        Ok(key.kid)
    }

    /// Rotates, then retires (deletes) keys whose successor has signed for
    /// longer than a token lives: nothing they signed can still be valid.
    pub async fn rotate_and_retire(&self, token_ttl: time::Duration) -> Result<String, KeyError> {
        let kid = self.rotate().await?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let keys = self.all();
        let margin = token_ttl.whole_seconds() + 60;
        let retired: Vec<&SigningKey> = keys
            .windows(2)
            .filter(|pair| pair[0].created_at + margin < now)
            .map(|pair| &pair[1])
            .collect();
        for key in &retired {
            execute(
                &self.db,
                "DELETE FROM signing_keys WHERE kid = $1",
                &[Param::Text(key.kid.clone())],
            )
            .await?;
        }
        if !retired.is_empty() {
            self.reload().await?;
        }
        Ok(kid)
    }

    pub fn all(&self) -> Vec<SigningKey> {
        self.keys.read().map(|k| k.clone()).unwrap_or_default()
    }

    /// The key that signs: the newest.
    pub fn current(&self) -> Option<SigningKey> {
        self.all().into_iter().next()
    }

    /// The key named `kid`, reloading the set if it is unknown here.
    pub async fn find(&self, kid: &str) -> Option<SigningKey> {
        if let Some(key) = self.all().into_iter().find(|k| k.kid == kid) {
            return Some(key);
        }
        let stale = self
            .refreshed
            .read()
            .map(|at| at.elapsed() >= REFRESH_EVERY)
            .unwrap_or(false);
        if stale && self.reload().await.is_ok() {
            return self.all().into_iter().find(|k| k.kid == kid);
        }
        None
    }

    /// The public keys as a JWK set (RFC 7517, OKP/Ed25519 per RFC 8037).
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .all()
            .iter()
            .map(|k| {
                json!({
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "alg": "EdDSA",
                    "use": "sig",
                    "kid": k.kid,
                    "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&k.public_key),
                })
            })
            .collect();
        json!({ "keys": keys })
    }
}
