//! One HTTP attempt at a webhook: POSTed with the Standard Webhooks
//! headers, within the timeout, never following redirects, and connecting
//! only to public addresses (names are resolved here, so a name that
//! resolves to a private address at delivery time is refused too).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use veritrail_application::webhooks::{target, Attempt};

/// Longest part of a receiver's answer kept in the delivery log.
const EXCERPT: usize = 1024;

/// Resolves names, keeping only public addresses.
#[derive(Debug)]
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| target::is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// What a message is sent with.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub url: &'a str,
    pub id: &'a str,
    pub timestamp: i64,
    pub signature: String,
    pub body: &'a str,
}

#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(timeout: Duration, allow_private: bool) -> reqwest::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Veritrail-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private,
        })
    }

    /// Sends once; the attempt as the log records it (`at_ms` is the
    /// caller's clock).
    pub async fn send(&self, message: &Outgoing<'_>, at_ms: i64) -> Attempt {
        let started = Instant::now();
        let result = self.post(message).await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match result {
            Ok((status, excerpt)) => Attempt {
                at_ms,
                status: Some(status),
                latency_ms,
                error: (!(200..300).contains(&status)).then(|| format!("HTTP {status}")),
                response_excerpt: Some(excerpt),
            },
            Err(error) => Attempt {
                at_ms,
                status: None,
                latency_ms,
                error: Some(error),
                response_excerpt: None,
            },
        }
    }

    async fn post(&self, message: &Outgoing<'_>) -> Result<(u16, String), String> {
        // IP literals never reach the resolver: check them here.
        target::check(message.url, self.allow_private)
            .await
            .map_err(|e| e.to_string())?;
        let response = self
            .client
            .post(message.url)
            .header("content-type", "application/json")
            .header("webhook-id", message.id)
            .header("webhook-timestamp", message.timestamp.to_string())
            .header("webhook-signature", &message.signature)
            .body(message.body.to_owned())
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap_or_default();
        let cut = bytes.len().min(EXCERPT);
        Ok((status, String::from_utf8_lossy(&bytes[..cut]).into_owned()))
    }
}

/// The error with its causes ("error sending request: connection refused").
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}
