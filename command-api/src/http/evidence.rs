//! Evidence uploads (AUD-5): `POST /verifications/{id}/evidence` as
//! multipart (`kind`, `file`) or JSON (`kind`, `image_base64`), and
//! `GET /verifications/{id}/evidence/{media_id}` for the stored image.

use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt as _;
use serde::Deserialize;
use utoipa::ToSchema;
use veritrail_application::checks::evidence::{from_base64, MAX_IMAGE_BYTES};
use veritrail_application::checks::{CheckError, EvidenceProblem};
use veritrail_application::media::Upload;
use veritrail_application::RequestContext;
use veritrail_domain::case::EvidenceKind;
use veritrail_domain::{ActorKind, CaseId, MediaId};

use super::body::Body;
use super::dto::{EvidenceView, MediaView};
use super::error::{ApiError, ErrorBody};
use super::etag::{etag, if_match};
use super::identity::Identity;
use super::respond::parse_case_id;
use super::AppState;

use ActorKind::{Individual, Officer, Operator, Organisation};

/// The individual (its invitation) and the organisation upload evidence.
const UPLOADERS: &[ActorKind] = &[Individual, Organisation];

/// An image for the case, base64 (or a data URL).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceUploadJson {
    pub kind: EvidenceKind,
    /// JPEG, PNG or WebP by its bytes, ≤ 10 MB.
    pub image_base64: String,
}

/// The same as a form: `kind`, then `file`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the multipart body only
pub struct EvidenceUploadForm {
    kind: EvidenceKind,
    /// JPEG, PNG or WebP by its bytes, ≤ 10 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// An image's bytes (the download's body).
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // documents the download's body only
pub struct ImageBytes(Vec<u8>);

/// Whether a request carries a multipart form (the route's guard).
pub fn is_multipart(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

// Traces to: AUD-5, seed 003 §9
/// Upload an image to the case: a document page, a selfie, a certificate.
/// The type is decided from the bytes; the image is turned upright and
/// re-encoded without EXIF or any other metadata before it is stored.
#[utoipa::path(
    post, path = "/verifications/{id}/evidence", tag = "verifications",
    request_body(content(
        (EvidenceUploadJson = "application/json"),
        (EvidenceUploadForm = "multipart/form-data"),
    )),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, body = EvidenceView, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "empty_image, invalid_base64 or malformed_multipart", body = ErrorBody),
        (status = 409, description = "The case is closed, or too_many_uploads", body = ErrorBody),
        (status = 413, description = "image_too_large or image_dimensions_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_image_type or unsupported_media_type", body = ErrorBody),
        (status = 422, description = "unreadable_image or invalid_body", body = ErrorBody),
    )
)]
pub async fn upload_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: Body<EvidenceUploadJson>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let ctx = identity.require(UPLOADERS)?;
    let bytes = from_base64("image_base64", &body.image_base64)?;
    store(&state, &req, ctx, &id, body.kind, bytes).await
}

/// The multipart form of [`upload_json`] (documented there).
pub async fn upload_multipart(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    // Who may upload is settled before the body is read.
    let ctx = identity.require(UPLOADERS)?;
    let (kind, bytes) = read_form(form).await?;
    store(&state, &req, ctx, &id, kind, bytes).await
}

async fn store(
    state: &AppState,
    req: &HttpRequest,
    ctx: &RequestContext,
    id: &str,
    kind: EvidenceKind,
    bytes: Vec<u8>,
) -> Result<HttpResponse, ApiError> {
    let case_id = parse_case_id(id)?;
    let upload = Upload {
        kind,
        bytes,
        expected: if_match(req)?,
    };
    let (media, version) = state.services.upload_evidence(ctx, case_id, upload).await?;
    Ok(HttpResponse::Created()
        .insert_header(etag(version))
        .insert_header((header::LOCATION, location(case_id, media.media_id)))
        .json(EvidenceView {
            media: MediaView::of(&media),
            case_version: version,
        }))
}

fn location(case_id: CaseId, media_id: MediaId) -> String {
    format!("/verifications/{case_id}/evidence/{media_id}")
}

fn malformed(reason: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_multipart",
        "send a multipart/form-data body with the fields kind and file",
    )
    .with_details(serde_json::json!({ "reason": reason.to_string() }))
}

/// `kind` and `file` from the form, the file read up to the size limit.
async fn read_form(mut form: Multipart) -> Result<(EvidenceKind, Vec<u8>), ApiError> {
    let (mut kind, mut file) = (None, None);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        let limit = match name.as_str() {
            "file" => MAX_IMAGE_BYTES,
            "kind" => 64,
            other => return Err(malformed(format!("unexpected field {other:?}"))),
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            bytes.extend_from_slice(&chunk.map_err(malformed)?);
            if bytes.len() > limit {
                return Err(too_large(&name, bytes.len(), limit));
            }
        }
        if name == "file" {
            file = Some(bytes);
        } else {
            let text = String::from_utf8(bytes).map_err(|_| malformed("kind is not text"))?;
            let parsed = serde_json::from_value(serde_json::Value::String(text.trim().to_owned()))
                .map_err(|e| ApiError::validation("kind", e))?;
            kind = Some(parsed);
        }
    }
    match (kind, file) {
        (Some(kind), Some(file)) => Ok((kind, file)),
        (None, _) => Err(malformed("the field kind is missing")),
        (_, None) => Err(malformed("the field file is missing")),
    }
}

fn too_large(field: &str, bytes: usize, limit: usize) -> ApiError {
    if field == "file" {
        CheckError::evidence(field, EvidenceProblem::TooLarge { bytes, limit }).into()
    } else {
        malformed(format!("the field {field} is longer than {limit} bytes"))
    }
}

// Traces to: AUD-5, PLAT-8
/// One uploaded image, as stored (upright, without metadata).
#[utoipa::path(
    get, path = "/verifications/{id}/evidence/{media_id}", tag = "verifications",
    params(("id" = String, Path), ("media_id" = String, Path)),
    responses(
        (status = 200, description = "The image", content(
            (ImageBytes = "image/jpeg"),
            (ImageBytes = "image/png"),
        ), headers(("ETag" = String, description = "The image's SHA-256"))),
        (status = 404, description = "case_not_found or media_not_found", body = ErrorBody),
    )
)]
pub async fn download(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Individual, Organisation, Officer, Operator])?;
    let (id, media) = path.into_inner();
    let case_id = parse_case_id(&id)?;
    let media_id: MediaId = media.parse().map_err(|_| ApiError::not_found("media"))?;
    let (media, bytes) = state.services.evidence(ctx, case_id, media_id).await?;
    Ok(HttpResponse::Ok()
        .content_type(media.media_type.mime())
        .insert_header((header::ETAG, format!("\"{}\"", media.sha256)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}
