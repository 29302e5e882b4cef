//! An uploaded image made safe to keep: decoded under the pixel and memory
//! limits, turned upright as its EXIF orientation says, and re-encoded from
//! pixels alone, so no metadata block (EXIF with GPS and device, XMP, ICC,
//! comments) and nothing hidden after the image survives. Photos stay JPEG
//! (quality 92); PNG and WebP become PNG (lossless).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::DynamicImage;
use veritrail_domain::case::MediaType;
use veritrail_imaging::{Format, ImageRefusal};

/// JPEG quality of re-encoded photos: visually lossless for documents.
const JPEG_QUALITY: u8 = 92;

/// The bytes to store and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitised {
    pub bytes: Vec<u8>,
    pub media_type: MediaType,
    pub width: u32,
    pub height: u32,
}

/// See the module documentation (CPU-heavy: run it on the compute pool).
pub fn sanitise(bytes: &[u8]) -> Result<Sanitised, ImageRefusal> {
    let format = veritrail_imaging::header(bytes)?.format;
    let image = veritrail_imaging::decode(bytes)?;
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::new();
    let encoded = match format {
        Format::Jpeg => {
            let pixels = match image {
                DynamicImage::ImageLuma8(_) => image,
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            let encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            pixels.write_with_encoder(encoder).map(|()| MediaType::Jpeg)
        }
        Format::Png | Format::Webp => {
            let pixels = if image.color().has_alpha() {
                DynamicImage::ImageRgba8(image.to_rgba8())
            } else {
                DynamicImage::ImageRgb8(image.to_rgb8())
            };
            let encoder = PngEncoder::new(Cursor::new(&mut out));
            pixels.write_with_encoder(encoder).map(|()| MediaType::Png)
        }
    };
    let media_type = encoded.map_err(|_| ImageRefusal::Unreadable("data"))?;
    Ok(Sanitised {
        bytes: out,
        media_type,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use image::{ImageFormat, RgbImage};
    use veritrail_imaging::crafted;

    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, _| image::Rgb([(x * 8) as u8, 90, 200]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
            .expect("encode");
        bytes
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn exif_is_applied_then_stripped() {
        let phone = crafted::with_exif(&jpeg(32, 16), 6, "PhoneMaker");
        assert!(contains(&phone, b"Exif\0\0") && contains(&phone, b"PhoneMaker"));
        let kept = sanitise(&phone).expect("sanitised");
        // Orientation 6: stored landscape, shown (and kept) portrait.
        assert_eq!((kept.width, kept.height), (16, 32));
        assert_eq!(kept.media_type, MediaType::Jpeg);
        assert!(!contains(&kept.bytes, b"Exif") && !contains(&kept.bytes, b"PhoneMaker"));
        let header = veritrail_imaging::header(&kept.bytes).expect("a JPEG");
        assert_eq!((header.width, header.height), (16, 32));
    }

    #[test]
    fn png_and_webp_become_png_and_trailing_bytes_are_dropped() {
        for format in [ImageFormat::Png, ImageFormat::WebP] {
            let mut bytes = crafted::encoded(format);
            bytes.extend_from_slice(b"<script>hidden after the image</script>");
            let kept = sanitise(&bytes).expect("sanitised");
            assert_eq!(kept.media_type, MediaType::Png, "{format:?}");
            assert_eq!((kept.width, kept.height), (16, 16));
            assert!(!contains(&kept.bytes, b"hidden"));
        }
    }

    #[test]
    fn what_is_not_an_accepted_image_is_refused() {
        assert!(matches!(
            sanitise(b"GIF89a...."),
            Err(ImageRefusal::Unsupported(_))
        ));
        assert!(matches!(
            sanitise(&crafted::png_bomb(50_000, 50_000)),
            Err(ImageRefusal::TooLarge { .. })
        ));
    }
}
