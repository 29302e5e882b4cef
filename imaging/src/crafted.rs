//! Crafted hostile images for tests and fuzzing: valid small images whose
//! headers declare huge dimensions (the shape of a decompression bomb: a
//! few hundred bytes that ask for gigabytes once decoded).

use std::io::Cursor;

use image::{ImageFormat, RgbImage};

/// A small, valid 16 × 16 image in `format`.
pub fn encoded(format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(16, 16, |x, y| image::Rgb([x as u8 * 16, y as u8 * 16, 128]));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .expect("encoding to memory does not fail");
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid 16 × 16 PNG whose IHDR (with a correct CRC) declares `w` × `h`.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = encoded(ImageFormat::Png);
    // Signature (8), length (4), "IHDR" (4), then width and height.
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A valid 16 × 16 JPEG whose start-of-frame declares `w` × `h`.
pub fn jpeg_bomb(w: u16, h: u16) -> Vec<u8> {
    let mut bytes = encoded(ImageFormat::Jpeg);
    let sof = bytes
        .windows(2)
        .position(|m| m[0] == 0xFF && (0xC0..=0xC2).contains(&m[1]))
        .expect("a start of frame");
    // Marker (2), length (2), precision (1), height (2), width (2).
    bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    bytes
}

/// A valid 16 × 16 lossless WebP whose VP8L header declares 16,000 ×
/// 16,000 (256 MP; the format states at most 16,384 per side).
pub fn webp_bomb() -> Vec<u8> {
    let mut bytes = encoded(ImageFormat::WebP);
    let chunk = bytes
        .windows(4)
        .position(|m| m == b"VP8L")
        .expect("a VP8L chunk");
    // "VP8L" (4), size (4), signature 0x2f (1), then 14 + 14 bits.
    let at = chunk + 9;
    let mut bits = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    bits = (bits & !0x0FFF_FFFF) | 15_999 | (15_999 << 14);
    bytes[at..at + 4].copy_from_slice(&bits.to_le_bytes());
    bytes
}

/// A JPEG with an EXIF block saying `orientation` (6: rotate 90° clockwise
/// to view) and naming a camera `make`, as a phone writes it: `jpeg` with an
/// APP1 segment inserted after the start-of-image marker.
pub fn with_exif(jpeg: &[u8], orientation: u16, make: &str) -> Vec<u8> {
    let make = format!("{make}\0");
    let make_len = u32::try_from(make.len()).expect("a short make");
    // TIFF header (big-endian), one IFD of two entries, then the make text.
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    // 0x010F Make: ASCII, stored after the IFD (8 + 2 + 2 × 12 + 4 = 38).
    tiff.extend_from_slice(&[0x01, 0x0f, 0, 2]);
    tiff.extend_from_slice(&make_len.to_be_bytes());
    tiff.extend_from_slice(&38u32.to_be_bytes());
    // 0x0112 Orientation: one SHORT, in the value field.
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(make.as_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let length = u16::try_from(app1.len() + 2).expect("a small segment");
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}
