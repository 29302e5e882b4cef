//! `POST /document/ocr` (CHK-2, seed 003 §8.2): the MRZ of a document photo
//! read, repaired and validated, with the photo's quality and what to do
//! when it is not good enough.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use veritrail_domain::document::{validate, PrintedFields};
use veritrail_domain::mrz::{Format, Mrz};
use veritrail_domain::ActorKind;
use veritrail_vision::{DocumentReader, MrzReading, PrintedReading, VisionError};

use super::documents::{country, enum_text, CheckView, CountryView, DocumentFields};
use super::error::{ApiError, ErrorBody};
use super::identity::Identity;

/// Largest decoded image accepted.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
/// Largest request body: two images in base64 and the rest.
pub const OCR_BODY_LIMIT: usize = 2 * (MAX_IMAGE_BYTES / 3 * 4 + 4) + 64 * 1024;

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

#[derive(Debug, Serialize, ToSchema)]
pub struct DetectedView {
    /// passport, id_card, residence_permit, visa, other or unknown.
    #[serde(rename = "type")]
    pub kind: String,
    /// TD1, TD2, TD3, MRV_A or MRV_B.
    pub format: Option<String>,
    pub country: Option<CountryView>,
    /// 0–1: OCR confidence × share of check digits verified.
    pub confidence: f64,
    /// front or back.
    pub side: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricView {
    pub name: String,
    pub value: f64,
    pub threshold: f64,
    pub passed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QualityView {
    /// 0–1, edge steepness relative to contrast.
    pub sharpness: f64,
    /// 0–1, share of clipped pixels over the MRZ.
    pub glare: f64,
    /// MRZ character height in pixels.
    pub char_height_px: f64,
    pub mrz_in_frame: bool,
    pub metrics: Vec<MetricView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionView {
    pub line: usize,
    pub column: usize,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MrzView {
    /// As Tesseract read them.
    pub raw_lines: Vec<String>,
    /// Shaped to the format and repaired.
    pub lines: Vec<String>,
    pub corrections: Vec<CorrectionView>,
    /// Page rotation corrected before reading, degrees.
    pub skew_degrees: f64,
    /// Tesseract's confidence per row, 0–1.
    pub row_confidence: Vec<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationView {
    pub document_valid: bool,
    pub checks: Vec<CheckView>,
    pub confidence: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImagesView {
    /// The portrait from the document page (null until face detection runs on
    /// documents).
    pub face_crop_base64: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OcrView {
    /// pass, or requires_action with `hints` saying what to do.
    pub status: String,
    pub detected: DetectedView,
    /// Fields from the MRZ.
    pub fields: Option<DocumentFields>,
    /// Fields from the printed zone, for documents without an MRZ (driver
    /// licences).
    pub printed_fields: Option<PrintedFieldsView>,
    /// 0–1 per field: its row's OCR confidence, halved when its check digit
    /// fails, lowered for every repaired character in its row.
    pub field_confidence: BTreeMap<String, f64>,
    pub mrz: Option<MrzView>,
    pub validation: Option<ValidationView>,
    pub quality: Option<QualityView>,
    pub images: ImagesView,
    pub hints: Vec<String>,
    pub processing_ms: f64,
}

/// Decodes and vets one uploaded image: base64, not empty, at most 10 MB, and
/// a JPEG, PNG or WebP by its leading bytes (not by what the client says).
pub fn decode_image(field: &str, base64_text: &str) -> Result<Vec<u8>, ApiError> {
    let trimmed = base64_text.trim();
    // Accept data URLs as browsers produce them.
    let payload = match trimmed.split_once(";base64,") {
        Some((prefix, data)) if prefix.starts_with("data:") => data,
        _ => trimmed,
    };
    if payload.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_image",
            format!("{field} is empty"),
        )
        .with_details(serde_json::json!({ "field": field })));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload.as_bytes())
        .map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_base64",
                format!("{field} is not base64: {e}"),
            )
            .with_details(serde_json::json!({ "field": field }))
        })?;
    if bytes.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_image",
            format!("{field} is empty"),
        )
        .with_details(serde_json::json!({ "field": field })));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            format!(
                "{field} is {} bytes; at most {MAX_IMAGE_BYTES} are accepted",
                bytes.len()
            ),
        )
        .with_details(
            serde_json::json!({ "field": field, "bytes": bytes.len(), "limit": MAX_IMAGE_BYTES }),
        ));
    }
    let kind = sniff(&bytes);
    if !matches!(kind, "jpeg" | "png" | "webp") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image_type",
            format!("{field} is {kind}; JPEG, PNG or WebP are accepted"),
        )
        .with_details(serde_json::json!({ "field": field, "detected": kind })));
    }
    Ok(bytes)
}

/// The image type by its magic bytes.
fn sniff(bytes: &[u8]) -> &'static str {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "jpeg",
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "png",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "webp",
        [b'G', b'I', b'F', b'8', ..] => "gif",
        [b'%', b'P', b'D', b'F', ..] => "pdf",
        [b'B', b'M', ..] => "bmp",
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => "tiff",
        [_, _, _, _, b'f', b't', b'y', b'p', b'h', b'e', b'i', b'c', ..] => "heic",
        _ => "not an image",
    }
}

/// The rows holding each field, by format.
fn field_rows(format: Format) -> &'static [(&'static str, usize, Option<&'static str>)] {
    match format {
        Format::Td1 => &[
            ("document_number", 0, Some("document_number_check_digit")),
            ("issuing_state", 0, None),
            ("birth_date", 1, Some("birth_date_check_digit")),
            ("sex", 1, None),
            ("expiry_date", 1, Some("expiry_date_check_digit")),
            ("nationality", 1, None),
            ("surname", 2, None),
            ("given_names", 2, None),
        ],
        _ => &[
            ("issuing_state", 0, None),
            ("surname", 0, None),
            ("given_names", 0, None),
            ("document_number", 1, Some("document_number_check_digit")),
            ("nationality", 1, None),
            ("birth_date", 1, Some("birth_date_check_digit")),
            ("sex", 1, None),
            ("expiry_date", 1, Some("expiry_date_check_digit")),
        ],
    }
}

fn field_confidence(reading: &MrzReading, mrz: &Mrz) -> BTreeMap<String, f64> {
    field_rows(mrz.format)
        .iter()
        .map(|(name, row, check)| {
            let base = reading.row_confidence.get(*row).copied().unwrap_or(0.0);
            let failed = check.is_some_and(|c| mrz.checks.iter().any(|k| k.name == c && !k.passed));
            let repairs = reading
                .corrections
                .iter()
                .filter(|c| c.line == row + 1)
                .count();
            let value = base * if failed { 0.5 } else { 1.0 } * 0.97f64.powi(repairs as i32);
            ((*name).to_owned(), (value * 1000.0).round() / 1000.0)
        })
        .collect()
}

fn quality_view(reading: &MrzReading) -> QualityView {
    let q = &reading.quality;
    QualityView {
        sharpness: q.sharpness,
        glare: q.glare,
        char_height_px: q.char_height_px,
        mrz_in_frame: q.mrz_in_frame,
        metrics: q
            .metrics
            .iter()
            .map(|m| MetricView {
                name: m.name.to_owned(),
                value: m.value,
                threshold: m.threshold,
                passed: m.passed,
            })
            .collect(),
    }
}

const NO_MRZ_HINT: &str = "no machine-readable zone found: photograph the whole data page (passport) or the side of the card with the two or three lines of <<< characters, flat, in good light";

fn view(
    reading: Option<(MrzReading, &'static str)>,
    country_hint: Option<&str>,
    mut hints: Vec<String>,
) -> OcrView {
    let Some((reading, side)) = reading else {
        hints.push(NO_MRZ_HINT.to_owned());
        return OcrView {
            status: "requires_action".into(),
            detected: DetectedView {
                kind: "unknown".into(),
                format: None,
                country: None,
                confidence: 0.0,
                side: None,
            },
            fields: None,
            printed_fields: None,
            field_confidence: BTreeMap::new(),
            mrz: None,
            validation: None,
            quality: None,
            images: ImagesView {
                face_crop_base64: None,
            },
            hints,
            processing_ms: 0.0,
        };
    };
    let today = OffsetDateTime::now_utc().date();
    hints.extend(reading.quality.hints.iter().cloned());
    let validation = validate(&reading.lines.join("\n"), &PrintedFields::default(), today);
    let mut checks: Vec<CheckView> = validation.checks.into_iter().map(CheckView::from).collect();
    let (passed, total) = reading.check_digits();
    if let (Some(hint), Some(m)) = (country_hint, reading.mrz.as_ref()) {
        let matches = country(&m.issuing_state).alpha3 == hint;
        checks.push(CheckView {
            name: "country_hint".into(),
            status: if matches { "pass" } else { "fail" }.into(),
            reason: (!matches).then(|| format!("issued by {}, not {hint}", m.issuing_state)),
        });
    }
    if reading.mrz.is_none() {
        hints.push(
            "the MRZ could not be read: retake the photo straight on, sharp and without glare"
                .into(),
        );
    } else if passed < total {
        hints.push(format!(
            "{} of {total} check digits do not verify: retake the photo, or check the document is genuine",
            total - passed
        ));
    }
    let status = if reading.mrz.is_some() && passed == total && reading.quality.passed() {
        "pass"
    } else {
        "requires_action"
    };
    let detected = DetectedView {
        kind: reading
            .mrz
            .as_ref()
            .map_or("unknown".into(), |m| enum_text(&m.document_type)),
        format: reading.mrz.as_ref().map(|m| enum_text(&m.format)),
        country: reading.mrz.as_ref().map(|m| country(&m.issuing_state)),
        confidence: ((reading.confidence * passed as f64 / total as f64) * 1000.0).round() / 1000.0,
        side: Some(side.to_owned()),
    };
    OcrView {
        status: status.into(),
        detected,
        fields: reading.mrz.as_ref().map(DocumentFields::from),
        printed_fields: None,
        field_confidence: reading
            .mrz
            .as_ref()
            .map(|m| field_confidence(&reading, m))
            .unwrap_or_default(),
        mrz: Some(MrzView {
            raw_lines: reading.raw_lines.clone(),
            lines: reading.lines.clone(),
            corrections: reading
                .corrections
                .iter()
                .map(|c| CorrectionView {
                    line: c.line,
                    column: c.column,
                    from: c.from.to_string(),
                    to: c.to.to_string(),
                })
                .collect(),
            skew_degrees: reading.skew_degrees,
            row_confidence: reading.row_confidence.clone(),
        }),
        validation: Some(ValidationView {
            document_valid: validation.document_valid,
            checks,
            confidence: validation.confidence,
        }),
        quality: Some(quality_view(&reading)),
        images: ImagesView {
            face_crop_base64: None,
        },
        hints,
        processing_ms: 0.0,
    }
}

/// What a photo yielded.
enum Outcome {
    Mrz(Box<MrzReading>, &'static str),
    Printed(PrintedReading),
    Nothing,
}

fn vision_error(side: &str, error: VisionError) -> ApiError {
    match error {
        VisionError::Image(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_image",
            format!("the {side} image cannot be decoded: {e}"),
        ),
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
    front: Vec<u8>,
    back: Option<Vec<u8>>,
    licence: bool,
    today: time::Date,
) -> Result<Outcome, ApiError> {
    if !licence {
        for (side, image) in [("front", Some(&front)), ("back", back.as_ref())] {
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
        .read(&front, today)
        .map_err(|e| vision_error("front", e))?;
    Ok(if printed.fields.found() >= 3 {
        Outcome::Printed(printed)
    } else {
        Outcome::Nothing
    })
}

/// Fields of a printed zone (driver licences).
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintedFieldsView {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    /// ISO 8601.
    pub birth_date: Option<String>,
    /// ISO 8601.
    pub issue_date: Option<String>,
    /// ISO 8601.
    pub expiry_date: Option<String>,
    pub document_number: Option<String>,
    pub categories: Option<String>,
    /// The recognised text, line by line.
    pub text_lines: Vec<String>,
}

fn printed_view(
    reading: &PrintedReading,
    country_hint: Option<&str>,
    today: time::Date,
) -> OcrView {
    let f = &reading.fields;
    let missing: Vec<&str> = [
        ("surname", f.surname.is_none()),
        ("given names", f.given_names.is_none()),
        ("date of birth", f.birth_date.is_none()),
        ("date of expiry", f.expiry_date.is_none()),
        ("licence number", f.document_number.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(n, _)| *n)
    .collect();
    let check = |name: &str, failure: Option<String>| CheckView {
        name: name.to_owned(),
        status: if failure.is_none() { "pass" } else { "fail" }.to_owned(),
        reason: failure,
    };
    let checks = vec![
        check(
            "printed_fields_found",
            (!missing.is_empty()).then(|| format!("not read: {}", missing.join(", "))),
        ),
        check(
            "not_expired",
            f.expiry_date
                .filter(|e| *e < today)
                .map(|e| format!("the document expired on {e}")),
        ),
        check(
            "birth_before_expiry",
            match (f.birth_date, f.expiry_date) {
                (Some(b), Some(e)) if b >= e => {
                    Some("the date of birth is not before the expiry".into())
                }
                _ => None,
            },
        ),
    ];
    let passed = checks.iter().filter(|c| c.status == "pass").count();
    let valid = passed == checks.len();
    let mut hints = Vec::new();
    if !missing.is_empty() {
        hints.push(format!(
            "could not read the {}: retake the photo of the licence front, flat, sharp and without glare",
            missing.join(", ")
        ));
    }
    let confidence = reading.confidence * f.found() as f64 / 5.0;
    OcrView {
        status: if valid { "pass" } else { "requires_action" }.into(),
        detected: DetectedView {
            kind: "driver_license".into(),
            format: None,
            country: country_hint.map(country),
            confidence: (confidence * 1000.0).round() / 1000.0,
            side: Some("front".into()),
        },
        fields: None,
        printed_fields: Some(PrintedFieldsView {
            surname: f.surname.clone(),
            given_names: f.given_names.clone(),
            birth_date: f.birth_date.map(|d| d.to_string()),
            issue_date: f.issue_date.map(|d| d.to_string()),
            expiry_date: f.expiry_date.map(|d| d.to_string()),
            document_number: f.document_number.clone(),
            categories: f.categories.clone(),
            text_lines: reading.text_lines.clone(),
        }),
        field_confidence: BTreeMap::new(),
        mrz: None,
        validation: Some(ValidationView {
            document_valid: valid,
            checks,
            confidence: passed as f64 / 3.0,
        }),
        quality: None,
        images: ImagesView {
            face_crop_base64: None,
        },
        hints,
        processing_ms: 0.0,
    }
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
        (status = 413, description = "Image over 10 MB", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP", body = ErrorBody),
        (status = 422, description = "Invalid request or undecodable image", body = ErrorBody),
    )
)]
pub async fn read_document(
    identity: Identity,
    reader: web::Data<Arc<DocumentReader>>,
    body: web::Json<OcrRequest>,
) -> Result<HttpResponse, ApiError> {
    identity.require(&[
        ActorKind::Organisation,
        ActorKind::Officer,
        ActorKind::Operator,
    ])?;
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
    let today = OffsetDateTime::now_utc().date();
    let licence = body.document_hint.as_deref() == Some("driver_license");
    let outcome = web::block(move || read_sides(&reader, front, back, licence, today))
        .await
        .map_err(|_| ApiError::internal())??;
    let mut view = match outcome {
        Outcome::Mrz(reading, side) => {
            view(Some((*reading, side)), country_hint.as_deref(), Vec::new())
        }
        Outcome::Printed(reading) => printed_view(&reading, country_hint.as_deref(), today),
        Outcome::Nothing => view(None, None, Vec::new()),
    };
    view.processing_ms = (started.elapsed().as_secs_f64() * 1e4).round() / 10.0;
    Ok(HttpResponse::Ok().json(view))
}

#[cfg(test)]
mod tests {
    use super::{decode_image, sniff};

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), "jpeg");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), "png");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), "webp");
        assert_eq!(sniff(b"GIF89a"), "gif");
        assert_eq!(sniff(b"%PDF-1.7"), "pdf");
        assert_eq!(sniff(b"hello"), "not an image");
    }

    #[test]
    fn uploads_are_vetted() {
        let code = |r: Result<Vec<u8>, super::ApiError>| r.err().map(|e| e.code);
        assert_eq!(code(decode_image("f", "")), Some("empty_image"));
        assert_eq!(code(decode_image("f", "***")), Some("invalid_base64"));
        assert_eq!(
            code(decode_image("f", "R0lGODlh")),
            Some("unsupported_image_type")
        );
        assert_eq!(
            code(decode_image("f", "data:image/jpeg;base64,/9j/4A==")),
            None
        );
    }
}
