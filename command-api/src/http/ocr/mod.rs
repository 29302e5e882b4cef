//! `POST /document/ocr` (CHK-2, seed 003 §8.2): the MRZ of a document photo
//! read, repaired and validated, with the photo's quality and what to do
//! when it is not good enough.

mod upload;
mod views;

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use base64::Engine as _;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use veritrail_domain::tenant::Module;
use veritrail_face::FaceEngine;
use veritrail_vision::{DocumentReader, MrzReading, PrintedReading, VisionError};

pub use upload::OCR_BODY_LIMIT;
pub use upload::{decode_image, image_refusal};
use views::OcrView;
use views::{mrz_view, no_document_view, printed_view};

use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, CLIENTS};
use super::usage::metered;
use crate::compute::ComputePool;
use crate::metering::Metering;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OcrRequest {
    /// The page with the MRZ (passport data page, ID card back or front), as
    /// base64 JPEG, PNG or WebP of at most 10 MB.
    pub image_front_base64: String,
    /// The other side, read when the front has no MRZ.
    #[serde(default)]
    pub image_back_base64: Option<String>,
    /// auto, passport, id_card, residence_permit, visa or driver_license.
    #[serde(default)]
    pub document_hint: Option<String>,
    /// auto or an ISO 3166-1 alpha-3 code the issuing state should have.
    #[serde(default)]
    pub country_hint: Option<String>,
}

/// What a photo yielded.
enum Outcome {
    Mrz(Box<MrzReading>, &'static str),
    Printed(PrintedReading),
    Nothing,
}

fn vision_error(side: &str, error: VisionError) -> ApiError {
    match error {
        VisionError::Image(refusal) => image_refusal(&format!("image_{side}_base64"), refusal),
        e => {
            tracing::error!(error = %e, "document OCR failed");
            ApiError::internal()
        }
    }
}

/// The MRZ on the front, else on the back; else (or for a licence) the
/// front's printed zone when it names enough fields.
fn read_sides(
    reader: &DocumentReader,
    front: &[u8],
    back: Option<&[u8]>,
    licence: bool,
    today: time::Date,
) -> Result<Outcome, ApiError> {
    if !licence {
        for (side, image) in [("front", Some(front)), ("back", back)] {
            let Some(image) = image else { continue };
            match reader.mrz.read(image, today) {
                Ok(reading) => return Ok(Outcome::Mrz(Box::new(reading), side)),
                Err(VisionError::NoMrz) => {}
                Err(e) => return Err(vision_error(side, e)),
            }
        }
    }
    let printed = reader
        .printed
        .read(front, today)
        .map_err(|e| vision_error("front", e))?;
    Ok(if printed.fields.found() >= 3 {
        Outcome::Printed(printed)
    } else {
        Outcome::Nothing
    })
}

const HINTS: [&str; 6] = [
    "auto",
    "passport",
    "id_card",
    "residence_permit",
    "visa",
    "driver_license",
];

/// Read a document photo: locate and read the MRZ (front, then back),
/// repair and validate it, and measure the photo's quality; documents
/// without an MRZ (driver licences) fall back to reading the printed zone.
/// A photo that cannot be used answers 200 with `status: requires_action`
/// and hints.
#[utoipa::path(
    post, path = "/document/ocr", tag = "documents",
    request_body = OcrRequest,
    responses(
        (status = 200, body = OcrView),
        (status = 400, description = "Empty or not base64", body = ErrorBody),
        (status = 413, description = "image_too_large (over 10 MB) or image_dimensions_too_large (over 40 MP)", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP", body = ErrorBody),
        (status = 422, description = "Invalid request or undecodable image", body = ErrorBody),
        (status = 429, description = "quota_exceeded", body = ErrorBody),
        (status = 503, description = "busy or check_timed_out (with Retry-After)", body = ErrorBody),
    )
)]
pub async fn read_document(
    identity: Identity,
    reader: web::Data<Arc<DocumentReader>>,
    metering: web::Data<Arc<Metering>>,
    faces: web::Data<Arc<FaceEngine>>,
    compute: web::Data<ComputePool>,
    body: web::Json<OcrRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let work = read(reader, faces, &compute, body);
    metered(&metering, ctx, Module::Ocr, work).await
}

/// The document's portrait (its largest face, with a margin) as base64 PNG.
fn portrait(faces: &FaceEngine, bytes: &[u8]) -> Option<String> {
    let image = veritrail_face::decode_photo(bytes).ok()?;
    let found = faces.find(&image, "document").ok()?;
    let [x, y, w, h] = found.face.bbox;
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let (cw, ch) = (w * 1.5, h * 1.7);
    let left = (cx - cw / 2.0).max(0.0) as u32;
    let top = (cy - ch / 2.0).max(0.0) as u32;
    let width = (cw as u32).min(image.width().saturating_sub(left)).max(1);
    let height = (ch as u32).min(image.height().saturating_sub(top)).max(1);
    let crop = image::imageops::crop_imm(&image, left, top, width, height).to_image();
    let mut png = Vec::new();
    crop.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(png))
}

async fn read(
    reader: web::Data<Arc<DocumentReader>>,
    faces: web::Data<Arc<FaceEngine>>,
    compute: &ComputePool,
    body: web::Json<OcrRequest>,
) -> Result<HttpResponse, ApiError> {
    let started = std::time::Instant::now();
    let body = body.into_inner();
    if let Some(hint) = body.document_hint.as_deref() {
        if !HINTS.contains(&hint) {
            return Err(ApiError::validation(
                "document_hint",
                format!("one of {}", HINTS.join(", ")),
            ));
        }
    }
    let country_hint = match body.country_hint.as_deref() {
        None | Some("auto") => None,
        Some(code) if veritrail_domain::country::by_alpha3(code).is_some() => Some(code.to_owned()),
        Some(_) => {
            return Err(ApiError::validation(
                "country_hint",
                "auto or an ISO 3166-1 alpha-3 code",
            ))
        }
    };
    let front = decode_image("image_front_base64", &body.image_front_base64)?;
    let back = body
        .image_back_base64
        .as_deref()
        .map(|b| decode_image("image_back_base64", b))
        .transpose()?;
    let reader = reader.get_ref().clone();
    let faces = faces.get_ref().clone();
    let today = OffsetDateTime::now_utc().date();
    let licence = body.document_hint.as_deref() == Some("driver_license");
    let (outcome, portrait) = compute
        .run(move || {
            let outcome = read_sides(&reader, &front, back.as_deref(), licence, today)?;
            // The portrait is usually on the MRZ side (passports), else on the
            // other one (ID cards carry the MRZ on the back).
            let sides = match &outcome {
                Outcome::Mrz(_, "back") => [back.as_deref(), Some(&front[..])],
                _ => [Some(&front[..]), back.as_deref()],
            };
            let portrait = sides
                .into_iter()
                .flatten()
                .find_map(|side| portrait(&faces, side));
            Ok::<_, ApiError>((outcome, portrait))
        })
        .await??;
    let mut view = match outcome {
        Outcome::Mrz(reading, side) => mrz_view(*reading, side, country_hint.as_deref(), today),
        Outcome::Printed(reading) => printed_view(&reading, country_hint.as_deref(), today),
        Outcome::Nothing => no_document_view(),
    };
    view.images.face_crop_base64 = portrait;
    view.processing_ms = super::elapsed_ms(started);
    Ok(HttpResponse::Ok().json(view))
}
