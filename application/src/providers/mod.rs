//! External check providers (CHK-11): the operator configures each one
//! (its URL, credentials and time limits); a tenant's workflow routes a
//! check to it by name. The processors hand a check's run to the provider
//! and wait for its answer, polled or delivered to the callback endpoint;
//! either way the answer is recorded on the case as a provider report.
//!
//! The protocol a provider speaks (docs/providers.md):
//! - `POST {url}/checks` with a [`ProviderRequest`] and an
//!   `Idempotency-Key` (the request's reference), answered with a
//!   [`ProviderAnswer`];
//! - `GET {url}/checks/{id}` answered with a [`ProviderAnswer`] (polling);
//! - `POST /providers/{name}/callbacks` to Veritrail with a
//!   [`ProviderAnswer`] signed `Veritrail-Provider-Signature:
//!   sha256=<hex HMAC-SHA256 of the body with the provider's secret>`.

mod callback;
mod wire;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use callback::{sign, signed, CallbackError};
pub use wire::{
    ProviderAnswer, ProviderDetail, ProviderEvidence, ProviderRequest, ProviderSubject, Reference,
};

/// The name that routes a check to the built-in models.
pub use veritrail_domain::workflow::BUILTIN_PROVIDER as BUILTIN;

/// One external provider, as the operator configures it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// The name a workflow routes checks to (`a-z`, `0-9`, `-`, `_`).
    pub name: String,
    /// The provider's API base (`https://…`); requests go to `{url}/checks`.
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    #[serde(default)]
    pub token: String,
    /// Signs the provider's callbacks (HMAC-SHA256); empty = callbacks refused.
    #[serde(default)]
    pub callback_secret: String,
    /// How long the provider has to answer before the check fails as expired.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u32,
    /// How often to poll for the answer; 0 = wait for the callback only.
    #[serde(default = "default_poll")]
    pub poll_interval_secs: u32,
    /// Send the check's images with the request.
    #[serde(default = "default_true")]
    pub send_evidence: bool,
}

fn default_timeout() -> u32 {
    300
}

fn default_poll() -> u32 {
    5
}

fn default_true() -> bool {
    true
}

impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("timeout_secs", &self.timeout_secs)
            .field("poll_interval_secs", &self.poll_interval_secs)
            .finish_non_exhaustive()
    }
}

/// Why a provider's configuration is refused at start.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("provider name {0:?} must be 1–64 of a-z, 0-9, - and _, and not \"builtin\"")]
    Name(String),
    #[error("provider {0} is configured twice")]
    Repeated(String),
    #[error("provider {0}: url must start with http:// or https://")]
    Url(String),
    #[error("provider {0}: timeout_secs must be 5 to 86400")]
    Timeout(String),
}

/// The configured providers, by name.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    by_name: Arc<BTreeMap<String, ProviderSettings>>,
    /// The service's public address, for callback URLs.
    public_url: String,
}

impl Providers {
    /// `settings` checked; callbacks are addressed under `public_url`.
    pub fn new(settings: Vec<ProviderSettings>, public_url: &str) -> Result<Self, SettingsError> {
        let mut by_name = BTreeMap::new();
        for provider in settings {
            let name = &provider.name;
            let valid = (1..=64).contains(&name.len())
                && name != BUILTIN
                && name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !valid {
                return Err(SettingsError::Name(name.clone()));
            }
            if !(provider.url.starts_with("http://") || provider.url.starts_with("https://")) {
                return Err(SettingsError::Url(name.clone()));
            }
            if !(5..=86_400).contains(&provider.timeout_secs) {
                return Err(SettingsError::Timeout(name.clone()));
            }
            if by_name.insert(name.clone(), provider.clone()).is_some() {
                return Err(SettingsError::Repeated(provider.name));
            }
        }
        Ok(Self {
            by_name: Arc::new(by_name),
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    pub fn all(&self) -> impl Iterator<Item = &ProviderSettings> {
        self.by_name.values()
    }

    /// Where provider `name` delivers its answers, if it may (it has a
    /// callback secret and the service's address is known).
    pub fn callback_url(&self, name: &str) -> Option<String> {
        let provider = self.get(name)?;
        (!provider.callback_secret.is_empty() && !self.public_url.is_empty())
            .then(|| format!("{}/providers/{name}/callbacks", self.public_url))
    }

    pub fn get(&self, name: &str) -> Option<&ProviderSettings> {
        self.by_name.get(name)
    }

    /// Whether a workflow may route a check to `name`.
    pub fn knows(&self, name: &str) -> bool {
        name == BUILTIN || self.by_name.contains_key(name)
    }
}
