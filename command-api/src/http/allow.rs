//! The `Allow` header of a 405 (RFC 9110 §15.5.6): the methods the matched
//! route serves, read from the OpenAPI document — the one list of routes and
//! methods that Schemathesis also checks. Undocumented routes (the docs page
//! and its assets, the document itself) serve GET only.

use std::collections::HashMap;
use std::sync::OnceLock;

use utoipa::OpenApi;

use super::openapi::ApiDoc;

fn table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ApiDoc::openapi()
            .paths
            .paths
            .into_iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ];
                let allowed: Vec<&str> = methods
                    .iter()
                    .filter(|(_, served)| *served)
                    .map(|(method, _)| *method)
                    .collect();
                (path, allowed.join(", "))
            })
            .collect()
    })
}

/// The methods served at the route `pattern` (as matched, e.g. `/verifications/{id}`).
pub(super) fn allowed(pattern: Option<&str>) -> &'static str {
    pattern
        .and_then(|p| table().get(p))
        .map_or("GET", String::as_str)
}

/// Whether the route `pattern` serves `method` (a documented route only).
pub(super) fn serves(pattern: Option<&str>, method: &actix_web::http::Method) -> bool {
    pattern
        .and_then(|p| table().get(p))
        .is_some_and(|methods| methods.split(", ").any(|m| m == method.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_lists_exactly_the_methods_it_serves() {
        assert_eq!(allowed(Some("/verifications")), "POST");
        assert_eq!(allowed(Some("/admin/verifications/{id}")), "GET, PATCH");
        assert_eq!(allowed(Some("/docs")), "GET");
        assert!(serves(
            Some("/verifications"),
            &actix_web::http::Method::POST
        ));
        assert!(!serves(
            Some("/verifications"),
            &actix_web::http::Method::PUT
        ));
        assert!(!serves(None, &actix_web::http::Method::POST));
    }
}
