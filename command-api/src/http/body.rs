//! `Body<T>`: a JSON request body that must be an object. serde's derived
//! `Deserialize` also reads a struct written as an array of its fields —
//! `[]` for a struct whose fields are all optional, `["x"]` for one with a
//! single string — which no client means and the OpenAPI contract forbids
//! (found by the contract run: `[]` rotated a client's secret). Every route
//! takes its body through this extractor instead of `web::Json`; the
//! route's `JsonConfig` (limit, error handler) still applies.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::error::ApiError;

#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T> Body<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Body<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn invalid(message: &str, reason: String) -> actix_web::Error {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", message)
        .with_details(json!({ "reason": reason }))
        .into()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            if !value.is_object() {
                let found = format!("found {}", kind(&value));
                return Err(invalid("the JSON body must be an object", found));
            }
            serde_json::from_value(value).map(Body).map_err(|e| {
                invalid(
                    "the JSON body does not have the expected fields and types",
                    e.to_string(),
                )
            })
        })
    }
}
