//! The error responses every operation can give, added to the OpenAPI
//! document from what the operation is (authenticated, with a body, path or
//! query parameters, `If-Match`, a write), so the contract lists each status
//! the service really answers — Schemathesis checks it in CI
//! (`tests/live/contract.py`). Specific descriptions written on an operation win.
//! Path parameters named in a template but not declared are declared here
//! as strings, so the document stays valid OpenAPI.

use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, Required, Type};
use utoipa::Modify;

/// Adds the standard error responses and undeclared path parameters.
#[derive(Debug)]
pub(super) struct StandardResponses;

const BAD_REQUEST: &str = "The request could not be read (malformed JSON, header or query)";
const UNAUTHORIZED: &str = "Missing, malformed, expired or revoked credentials";
const FORBIDDEN: &str = "The credentials do not allow this operation";
const NOT_FOUND: &str = "No such resource for the caller's tenant";
const NO_TENANT: &str = "No such tenant (an operator named one in `tenant`)";
const CONFLICT: &str =
    "Illegal in the resource's state, or a request with this Idempotency-Key is still running";
const PRECONDITION: &str = "If-Match names another version";
const TOO_LARGE: &str = "The body is too large";
const MEDIA_TYPE: &str = "The body's content type is not supported";
const INVALID: &str =
    "Well-formed but invalid (field, query, or Idempotency-Key reused with another body)";
const TOO_MANY: &str = "Rate limit or monthly quota exceeded; retry after `Retry-After` seconds";
const UNAVAILABLE: &str =
    "Temporarily unavailable (database unreachable, workers saturated); retry after `Retry-After` seconds";

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                (false, item.get.as_mut()),
                (true, item.put.as_mut()),
                (true, item.post.as_mut()),
                (true, item.delete.as_mut()),
                (true, item.patch.as_mut()),
            ];
            for (writes, operation) in operations {
                if let Some(operation) = operation {
                    declare_path_parameters(path, operation);
                    add_responses(operation, writes);
                }
            }
        }
    }
}

fn declare_path_parameters(path: &str, operation: &mut Operation) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    let names = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'));
    for name in names {
        let declared = parameters
            .iter()
            .any(|p| p.name == name && p.parameter_in == ParameterIn::Path);
        if !declared {
            parameters.push(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .build(),
            );
        }
    }
}

fn has(operation: &Operation, location: ParameterIn, name: Option<&str>) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == location && name.is_none_or(|n| p.name.eq_ignore_ascii_case(n)))
}

fn authenticated(operation: &Operation) -> bool {
    // Public operations opt out with one empty requirement.
    operation.security.as_ref().is_none_or(|requirements| {
        requirements
            .iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v != serde_json::json!({})))
    })
}

fn add_responses(operation: &mut Operation, writes: bool) {
    let mut codes = vec![("400", BAD_REQUEST), ("503", UNAVAILABLE)];
    let authenticated = authenticated(operation);
    if authenticated {
        codes.extend([("401", UNAUTHORIZED), ("403", FORBIDDEN), ("429", TOO_MANY)]);
    }
    if has(operation, ParameterIn::Path, None) {
        codes.push(("404", NOT_FOUND));
    }
    if has(operation, ParameterIn::Query, Some("tenant")) {
        codes.push(("404", NO_TENANT));
    }
    if has(operation, ParameterIn::Query, None) {
        codes.push(("422", INVALID));
    }
    if operation.request_body.is_some() {
        codes.extend([("413", TOO_LARGE), ("415", MEDIA_TYPE), ("422", INVALID)]);
    }
    if writes && authenticated {
        codes.extend([("409", CONFLICT), ("422", INVALID)]);
    }
    if has(operation, ParameterIn::Header, Some("If-Match")) {
        codes.push(("412", PRECONDITION));
    }
    for (code, description) in codes {
        operation
            .responses
            .responses
            .entry(code.to_owned())
            .or_insert_with(|| error_response(code, description).into());
    }
}

fn error_response(code: &str, description: &str) -> utoipa::openapi::Response {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content);
    match code {
        "429" | "503" => response
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(Type::Integer))
                    .description(Some("Seconds to wait before retrying"))
                    .build(),
            )
            .build(),
        _ => response.build(),
    }
}
