//! The provider protocol over HTTP: submit a request, poll its answer.
//! A provider that cannot be reached or answers 5xx is unavailable (the
//! job is retried); one that refuses the request (4xx) or answers what
//! does not parse ends the run with the reason.

use std::time::Duration;

use veritrail_application::providers::{ProviderAnswer, ProviderRequest, ProviderSettings};

/// How a call to the provider went wrong.
#[derive(Debug)]
pub(super) enum CallError {
    /// Unreachable, timed out or 5xx: try again later.
    Unavailable(String),
    /// It refused the request or answered nonsense.
    Refused(String),
}

/// One client for every provider: 15 s per call, no redirects.
pub(super) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

fn endpoint(settings: &ProviderSettings, path: &str) -> String {
    format!("{}/{path}", settings.url.trim_end_matches('/'))
}

fn authorised(
    builder: reqwest::RequestBuilder,
    settings: &ProviderSettings,
) -> reqwest::RequestBuilder {
    if settings.token.is_empty() {
        builder
    } else {
        builder.bearer_auth(&settings.token)
    }
}

async fn answer(
    settings: &ProviderSettings,
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<ProviderAnswer, CallError> {
    let name = &settings.name;
    let response = sent.map_err(|e| CallError::Unavailable(format!("provider {name}: {e}")))?;
    let status = response.status();
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(CallError::Unavailable(format!(
            "provider {name} answered {status}"
        )));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| CallError::Unavailable(format!("provider {name}: {e}")))?;
    if !status.is_success() {
        let excerpt: String = String::from_utf8_lossy(&body).chars().take(200).collect();
        return Err(CallError::Refused(format!(
            "provider {name} refused the request ({status}: {excerpt})"
        )));
    }
    serde_json::from_slice(&body).map_err(|e| {
        CallError::Refused(format!("provider {name} answered what does not parse: {e}"))
    })
}

/// `POST {url}/checks`, with the reference as idempotency key: a request
/// sent again after a crash is the same request to the provider.
pub(super) async fn submit(
    client: &reqwest::Client,
    settings: &ProviderSettings,
    request: &ProviderRequest,
) -> Result<ProviderAnswer, CallError> {
    let builder = client
        .post(endpoint(settings, "checks"))
        .header("Idempotency-Key", &request.reference)
        .json(request);
    answer(settings, authorised(builder, settings).send().await).await
}

/// `GET {url}/checks/{id}`.
pub(super) async fn poll(
    client: &reqwest::Client,
    settings: &ProviderSettings,
    id: &str,
) -> Result<ProviderAnswer, CallError> {
    let mut url = reqwest::Url::parse(&endpoint(settings, "checks/"))
        .map_err(|e| CallError::Refused(format!("provider {}: {e}", settings.name)))?;
    url.path_segments_mut()
        .map_err(|()| CallError::Refused(format!("provider {}: bad url", settings.name)))?
        .pop_if_empty()
        .push(id);
    let builder = client.get(url);
    answer(settings, authorised(builder, settings).send().await).await
}
