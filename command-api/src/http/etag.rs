//! `ETag` (the stream version) and `If-Match` (CASE-10).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpRequest;

use super::error::ApiError;

/// `"7"` for version 7: a strong validator.
pub fn etag(version: usize) -> (header::HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&format!("\"{version}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    (header::ETAG, value)
}

/// The version `If-Match` demands, if any. `*` matches any existing version.
pub fn if_match(req: &HttpRequest) -> Result<Option<usize>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_if_match",
            "If-Match must be an ETag from this API, e.g. \"3\"",
        )
    };
    let text = value.to_str().map_err(|_| invalid())?.trim();
    if text == "*" {
        return Ok(None);
    }
    let tag = text.strip_prefix("W/").unwrap_or(text);
    let version = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or_else(invalid)?;
    version.parse::<usize>().map(Some).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_accepts_strong_weak_and_star() {
        let req = |v: &str| {
            TestRequest::default()
                .insert_header((header::IF_MATCH, v))
                .to_http_request()
        };
        assert_eq!(if_match(&req("\"3\"")).ok(), Some(Some(3)));
        assert_eq!(if_match(&req("W/\"12\"")).ok(), Some(Some(12)));
        assert_eq!(if_match(&req("*")).ok(), Some(None));
        assert!(if_match(&req("3")).is_err());
        assert!(if_match(&req("\"x\"")).is_err());
        assert_eq!(
            if_match(&TestRequest::default().to_http_request()).ok(),
            Some(None)
        );
    }
}
