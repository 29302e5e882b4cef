//! Typed configuration, layered: defaults → TOML file → `VERITRAIL_*`
//! environment variables → command-line flags.

use std::path::Path;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// The embedded database's file name inside the data directory.
pub const DATABASE_FILE: &str = "veritrail.db";

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `postgres://…` or `sqlite://FILE`; empty = the embedded SQLite file
    /// `veritrail.db` in `data_dir`. Kept out of logs (it may hold a password).
    pub database_url: String,
    /// Where the embedded database lives; empty = `$XDG_DATA_HOME/veritrail`,
    /// else `~/.local/share/veritrail` — the same whatever the working
    /// directory, so `serve` and `bootstrap` find the same database.
    pub data_dir: String,
    /// Where uploaded images are kept; empty = `media/` in `data_dir`.
    /// Unused when `s3_bucket` is set.
    pub media_dir: String,
    /// Keep uploaded images in this S3-compatible bucket instead of
    /// `media_dir`.
    pub s3_bucket: String,
    /// The S3-compatible server (`http://127.0.0.1:9000`); empty = AWS.
    pub s3_endpoint: String,
    /// The bucket's region; empty = `AWS_REGION`, else us-east-1.
    pub s3_region: String,
    /// Allow an `http://` endpoint.
    pub s3_allow_http: bool,
    /// The bucket's credentials; empty = the standard `AWS_*` variables.
    /// Kept out of logs.
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    pub database_max_connections: u32,
    /// Address to listen on.
    pub bind: String,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// How long an Idempotency-Key is remembered.
    pub idempotency_ttl_hours: u32,
    /// Run the projection runners in this process (a lease keeps one active
    /// runner per projection across processes).
    pub projections: bool,
    /// Run the processors in this process: the pipeline feed and
    /// `processor_workers` workers that run submitted cases' checks, score
    /// and decide them (jobs are leased, so instances share the work).
    pub processors: bool,
    /// Cases this instance processes at once.
    pub processor_workers: usize,
    /// Accept `X-Tenant-Id`/`X-Actor-Kind`/`X-Actor-Id` headers (falling
    /// back to the `dev_*` identity below) from requests without a token.
    /// Development and tests only: anyone can then act as anyone.
    pub dev_identity_headers: bool,
    /// Lifetime of access tokens from `/oauth2/token`.
    pub token_ttl_minutes: u32,
    /// The key that seals API secrets for HMAC request signing: 32 bytes,
    /// base64. Empty = a key generated once and kept in the database (set
    /// one in production to keep key and data apart).
    pub secrets_key: String,
    /// How long an individual's invitation works.
    pub invitation_ttl_hours: u32,
    /// Where individuals open their invitation (the link's base); empty =
    /// `http://<the bound address>/invitations`. Set it to the public URL
    /// behind a proxy.
    pub invitation_url: String,
    /// Log each full invitation link at INFO (a stand-in for email in
    /// development). Off by default: a link grants access to its case.
    pub log_invitation_links: bool,
    /// Development identity used when a request names none (with `dev_identity_headers`).
    pub dev_tenant: String,
    pub dev_actor_kind: String,
    pub dev_actor_id: String,
    /// Where the models are (`mrz_int.traineddata`, …); empty = the
    /// `VERITRAIL_TESSDATA` variable or `~/.cache/veritrail/models`.
    pub models_dir: String,
    /// Tesseract engines created at start (more are made on demand).
    pub ocr_engines: usize,
    /// Where the face models and ONNX Runtime's library are; empty = the
    /// `VERITRAIL_FACE_MODELS` variable or `~/.cache/veritrail/models/face`.
    pub face_models_dir: String,
    /// ONNX Runtime sessions per face model (requests run on them in turn).
    pub face_sessions: usize,
    /// Pass/fail limits of the document photo quality checks.
    pub document_quality: veritrail_vision::QualityThresholds,
    /// Threads decoding images and running OCR and inference at once; 0 =
    /// one per core.
    pub compute_workers: usize,
    /// Image requests waiting for a worker before new ones get 503 `busy`.
    pub compute_queue: usize,
    /// Longest an image request waits and works before 503 `check_timed_out`.
    pub compute_budget_secs: u32,
    /// This instance's stable name: leases it held before a restart (the
    /// projection runners') are resumed at once. Empty = `HOSTNAME:PORT`.
    /// Give every instance its own.
    pub instance_id: String,
    /// The service's public address (`https://verify.example.com`), for
    /// links given to third parties: providers' callback URLs. Empty =
    /// `http://<the bound address>`.
    pub public_url: String,
    /// External check providers a tenant's workflow may route checks to
    /// (`[[providers]]` tables in the file: name, url, token,
    /// callback_secret, timeout_secs, poll_interval_secs, send_evidence).
    pub providers: Vec<veritrail_application::providers::ProviderSettings>,
    /// How long a check may process before it is escalated for an officer.
    pub check_escalation_secs: u64,
    /// Notices by email and reminders (`smtp_url`, `mail_from`,
    /// `notice_attempts`, `reminder_after_secs`, `reminder_interval_secs`,
    /// `reminder_max`).
    #[serde(flatten)]
    pub mail: veritrail_application::notifications::MailSettings,
    /// Webhook delivery (`webhook_*` keys: allow_private_targets, attempts,
    /// retry_window_secs, timeout_secs, disable_after_secs, concurrency).
    #[serde(flatten)]
    pub webhooks: veritrail_application::webhooks::WebhookSettings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: String::new(),
            data_dir: String::new(),
            media_dir: String::new(),
            s3_bucket: String::new(),
            s3_endpoint: String::new(),
            s3_region: String::new(),
            s3_allow_http: false,
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            database_max_connections: 10,
            bind: "127.0.0.1:8080".to_owned(),
            workers: 0,
            idempotency_ttl_hours: 24,
            projections: true,
            processors: true,
            processor_workers: 2,
            dev_identity_headers: false,
            token_ttl_minutes: 15,
            secrets_key: String::new(),
            invitation_ttl_hours: 168,
            invitation_url: String::new(),
            log_invitation_links: false,
            dev_tenant: "demo".to_owned(),
            dev_actor_kind: "organisation".to_owned(),
            dev_actor_id: "dev-client".to_owned(),
            models_dir: String::new(),
            ocr_engines: 2,
            face_models_dir: String::new(),
            face_sessions: 2,
            document_quality: veritrail_vision::QualityThresholds::default(),
            compute_workers: 0,
            compute_queue: 16,
            compute_budget_secs: 30,
            instance_id: String::new(),
            public_url: String::new(),
            providers: Vec::new(),
            webhooks: Default::default(),
            mail: Default::default(),
            check_escalation_secs: 900,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = match self.database_url.split_once('@') {
            Some((scheme_user, host)) => {
                let scheme = scheme_user.split("://").next().unwrap_or("db");
                format!("{scheme}://***@{host}")
            }
            None => self.database_url.clone(),
        };
        f.debug_struct("Config")
            .field("database_url", &redacted)
            .field("database_max_connections", &self.database_max_connections)
            .field("bind", &self.bind)
            .field("workers", &self.workers)
            .field("idempotency_ttl_hours", &self.idempotency_ttl_hours)
            .field("dev_tenant", &self.dev_tenant)
            .finish_non_exhaustive()
    }
}

/// The keys a `VERITRAIL_*` variable may set. Other `VERITRAIL_*` variables
/// (the scripts' `VERITRAIL_CACHE`, the tests' `VERITRAIL_TEST_DATABASE_URL`)
/// are not configuration and are ignored.
const KEYS: [&str; 47] = [
    "check_escalation_secs",
    "smtp_url",
    "mail_from",
    "notice_attempts",
    "reminder_after_secs",
    "reminder_interval_secs",
    "reminder_max",
    "webhook_allow_private_targets",
    "webhook_attempts",
    "webhook_retry_window_secs",
    "webhook_timeout_secs",
    "webhook_disable_after_secs",
    "webhook_concurrency",
    "s3_access_key_id",
    "s3_secret_access_key",
    "instance_id",
    "s3_bucket",
    "s3_endpoint",
    "s3_region",
    "s3_allow_http",
    "public_url",
    "processors",
    "processor_workers",
    "compute_workers",
    "compute_queue",
    "compute_budget_secs",
    "dev_identity_headers",
    "token_ttl_minutes",
    "secrets_key",
    "invitation_ttl_hours",
    "invitation_url",
    "log_invitation_links",
    "models_dir",
    "face_models_dir",
    "face_sessions",
    "ocr_engines",
    "projections",
    "database_url",
    "data_dir",
    "media_dir",
    "database_max_connections",
    "bind",
    "workers",
    "idempotency_ttl_hours",
    "dev_tenant",
    "dev_actor_kind",
    "dev_actor_id",
];

impl Config {
    /// The data directory: `data_dir`, else `$XDG_DATA_HOME/veritrail`, else
    /// `~/.local/share/veritrail`.
    pub fn data_dir(&self) -> std::path::PathBuf {
        if !self.data_dir.trim().is_empty() {
            return std::path::PathBuf::from(self.data_dir.trim());
        }
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        match (env("XDG_DATA_HOME"), env("HOME")) {
            (Some(data), _) => std::path::PathBuf::from(data).join("veritrail"),
            (None, Some(home)) => std::path::PathBuf::from(home).join(".local/share/veritrail"),
            (None, None) => std::path::PathBuf::from(".veritrail"),
        }
    }

    /// Where uploaded images are kept: `media_dir`, else `media/` in the
    /// data directory.
    pub fn media_dir(&self) -> std::path::PathBuf {
        match self.media_dir.trim() {
            "" => self.data_dir().join("media"),
            dir => std::path::PathBuf::from(dir),
        }
    }

    /// The blob store the configuration names: the S3 bucket, else the
    /// media directory.
    pub fn blob_store(
        &self,
    ) -> Result<
        std::sync::Arc<dyn veritrail_application::media::BlobStore>,
        veritrail_application::media::BlobError,
    > {
        use veritrail_application::media::{LocalBlobs, S3Blobs, S3Settings};
        if self.s3_bucket.trim().is_empty() {
            return Ok(std::sync::Arc::new(LocalBlobs::new(self.media_dir())));
        }
        let settings = S3Settings {
            bucket: self.s3_bucket.trim().to_owned(),
            endpoint: self.s3_endpoint.trim().to_owned(),
            region: self.s3_region.trim().to_owned(),
            allow_http: self.s3_allow_http,
            access_key_id: self.s3_access_key_id.clone(),
            secret_access_key: self.s3_secret_access_key.clone(),
        };
        Ok(std::sync::Arc::new(S3Blobs::new(&settings)?))
    }

    /// The database to use: `database_url`, else the embedded SQLite file
    /// in the data directory.
    pub fn database_url(&self) -> String {
        if self.database_url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir().join(DATABASE_FILE).display())
        } else {
            self.database_url.trim().to_owned()
        }
    }

    /// The database URL without its password, for messages.
    pub fn database_shown(&self) -> String {
        let url = self.database_url();
        match (url.split_once("://"), url.rsplit_once('@')) {
            (Some((scheme, rest)), Some((_, host))) => {
                let user = rest.split(['@', ':']).next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            _ => url,
        }
    }

    /// Invitation links' base: `invitation_url`, else the bound address.
    pub fn invitation_url(&self, port: u16) -> String {
        if !self.invitation_url.trim().is_empty() {
            return self.invitation_url.trim().trim_end_matches('/').to_owned();
        }
        format!("{}/invitations", self.base_url(port))
    }

    /// The service's public address: `public_url`, else the bound address.
    pub fn public_url(&self, port: u16) -> String {
        match self.public_url.trim() {
            "" => self.base_url(port),
            url => url.trim_end_matches('/').to_owned(),
        }
    }

    /// The configured `bind` port (8080 when it names none).
    pub fn bind_port(&self) -> u16 {
        self.bind
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or(8080)
    }

    /// The service's address as a local client reaches it: the bound host
    /// (loopback for a wildcard) and `port`.
    pub fn base_url(&self, port: u16) -> String {
        let host = self
            .bind
            .rsplit_once(':')
            .map_or(self.bind.as_str(), |(host, _)| host);
        let host = match host {
            "0.0.0.0" | "" => "127.0.0.1",
            "[::]" => "[::1]",
            other => other,
        };
        format!("http://{host}:{port}")
    }

    /// The models directory this configuration names.
    pub fn models_dir(&self) -> std::path::PathBuf {
        if self.models_dir.is_empty() {
            veritrail_vision::model_dir()
        } else {
            std::path::PathBuf::from(&self.models_dir)
        }
    }

    /// The face models directory this configuration names.
    pub fn face_models_dir(&self) -> std::path::PathBuf {
        if self.face_models_dir.is_empty() {
            veritrail_face::model_dir()
        } else {
            std::path::PathBuf::from(&self.face_models_dir)
        }
    }

    /// The instance's name: the configured one, else `HOSTNAME:PORT`.
    pub fn instance_id(&self, port: u16) -> String {
        if !self.instance_id.trim().is_empty() {
            return self.instance_id.trim().to_owned();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".to_owned());
        format!("{host}:{port}")
    }

    /// The configured sealing key, if one is.
    pub fn secrets_key(&self) -> Option<&str> {
        Some(self.secrets_key.as_str()).filter(|k| !k.trim().is_empty())
    }

    /// Defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment
            .merge(Env::prefixed("VERITRAIL_").only(&KEYS))
            .extract()
            .map_err(Box::new)
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
mod tests {
    use super::*;

    #[test]
    fn file_overrides_defaults_and_environment_overrides_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("veritrail.toml", "bind = \"127.0.0.1:9000\"\nworkers = 3\n")?;
            jail.set_env("VERITRAIL_WORKERS", "5");
            jail.set_env("VERITRAIL_SOMETHING_ELSE", "ignored");
            let config = Config::load(Some(Path::new("veritrail.toml"))).map_err(|e| *e)?;
            assert_eq!(config.bind, "127.0.0.1:9000");
            assert_eq!(config.workers, 5);
            assert_eq!(config.database_url, "");
            jail.set_env("VERITRAIL_DATA_DIR", "/srv/veritrail");
            let config = Config::load(None).map_err(|e| *e)?;
            assert_eq!(
                config.database_url(),
                "sqlite:///srv/veritrail/veritrail.db"
            );
            Ok(())
        });
    }

    #[test]
    fn invitation_links_follow_the_bound_address_unless_configured() {
        let mut config = Config {
            bind: "0.0.0.0:0".to_owned(),
            ..Config::default()
        };
        assert_eq!(
            config.invitation_url(9123),
            "http://127.0.0.1:9123/invitations"
        );
        config.bind = "10.1.2.3:8443".to_owned();
        assert_eq!(
            config.invitation_url(8443),
            "http://10.1.2.3:8443/invitations"
        );
        config.invitation_url = "https://verify.example.com/invitations/".to_owned();
        assert_eq!(
            config.invitation_url(1),
            "https://verify.example.com/invitations"
        );
        assert!(
            !Config::default().log_invitation_links,
            "full links are not logged by default"
        );
    }

    #[test]
    fn the_database_password_is_not_shown() {
        let config = Config {
            database_url: "postgres://vt:s3cret@db:5432/v".to_owned(),
            ..Config::default()
        };
        assert_eq!(config.database_shown(), "postgres://vt:***@db:5432/v");
        assert!(!config.database_shown().contains("s3cret"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "bnd = \"x\"\n")?;
            assert!(Config::load(Some(Path::new("bad.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn debug_output_hides_database_credentials() {
        let config = Config {
            database_url: "postgres://user:secret@db:5432/v".to_owned(),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
