//! Body limits, shared by the routes and the middleware that reads bodies
//! (signature checks, idempotency) so that neither imports the other.

use veritrail_application::checks::evidence::MAX_IMAGE_BYTES;
use veritrail_application::checks::liveness::MAX_FRAMES;

/// Largest JSON body accepted where no larger limit is set.
pub const JSON_LIMIT: usize = 256 * 1024;

/// Largest body carrying two images in base64 (document, face match).
pub const IMAGES_BODY_LIMIT: usize = 2 * (MAX_IMAGE_BYTES / 3 * 4 + 4) + 64 * 1024;

/// Largest body carrying one image in base64 (an evidence upload).
pub const UPLOAD_BODY_LIMIT: usize = MAX_IMAGE_BYTES / 3 * 4 + 4 + 64 * 1024;

/// Largest full-workflow request: a document's two sides and a selfie.
pub const KYC_BODY_LIMIT: usize = 3 * UPLOAD_BODY_LIMIT;

/// Largest liveness answer: every frame at the largest image size.
pub const LIVENESS_BODY_LIMIT: usize = MAX_FRAMES * IMAGES_BODY_LIMIT / 2;

/// The largest body any route accepts (what a signed request may carry).
pub const MAX_BODY: usize = LIVENESS_BODY_LIMIT;
