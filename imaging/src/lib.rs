//! Reading untrusted images (uploads, evidence) without trusting them.
//!
//! A 300 KB PNG may declare 50,000 × 50,000 pixels and ask for gigabytes
//! when decoded. Every image the service reads goes through [`decode`]:
//! the type comes from the leading bytes (JPEG, PNG or WebP, whatever the
//! client says), the dimensions from the header before any pixel is
//! decoded, and anything above [`MAX_PIXELS`] or [`MAX_SIDE`] is refused;
//! decoding itself runs under a memory limit ([`MAX_DECODE_BYTES`]).

pub mod crafted;

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// At most this many pixels per image (40 MP: a phone photo of a document
/// or a selfie is 2–16 MP; the checks downscale far below this anyway).
pub const MAX_PIXELS: u64 = 40_000_000;
/// At most this many pixels along either side.
pub const MAX_SIDE: u32 = 16_384;
/// The decoder may allocate at most this much for one image (40 MP of
/// 8-bit RGBA plus headroom; a 16-bit 40 MP image is refused).
pub const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// An accepted image type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

impl Format {
    fn image_format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
            Self::Webp => ImageFormat::WebP,
        }
    }
}

/// What an image's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// Why an image is not read. Messages are for API users: no decoder
/// internals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefusal {
    /// Not a JPEG, PNG or WebP by its bytes; names what it looks like.
    #[error("it is {0}; JPEG, PNG or WebP are accepted")]
    Unsupported(&'static str),
    /// The header declares more pixels than accepted.
    #[error("it declares {width} × {height} pixels; at most {MAX_PIXELS} pixels and {MAX_SIDE} per side are accepted")]
    TooLarge { width: u32, height: u32 },
    /// Decoding would need more memory than one image may take.
    #[error("decoding it would need more than {} MiB", MAX_DECODE_BYTES / (1024 * 1024))]
    TooMuchMemory,
    /// The header or the data is damaged or truncated.
    #[error("its {0} is damaged or truncated")]
    Unreadable(&'static str),
}

/// The type by the leading bytes: an accepted format, or the name of what
/// the bytes look like.
pub fn sniff(bytes: &[u8]) -> Result<Format, &'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Ok(Format::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Ok(Format::Png),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Ok(Format::Webp),
        [b'G', b'I', b'F', b'8', ..] => Err("gif"),
        [b'%', b'P', b'D', b'F', ..] => Err("pdf"),
        [b'B', b'M', ..] => Err("bmp"),
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => Err("tiff"),
        [_, _, _, _, b'f', b't', b'y', b'p', b'h', b'e', b'i', b'c', ..] => Err("heic"),
        _ => Err("not an image"),
    }
}

/// The decoder's limits: the sides only when decoding (the header is read
/// without them, so a refusal can name the declared size).
fn limits(decoding: bool) -> Limits {
    let mut limits = Limits::default();
    if decoding {
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
    }
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn reader(bytes: &[u8], format: Format, decoding: bool) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits(decoding));
    reader
}

fn refusal(error: &image::ImageError, part: &'static str) -> ImageRefusal {
    match error {
        image::ImageError::Limits(limit) => match limit.kind() {
            image::error::LimitErrorKind::InsufficientMemory => ImageRefusal::TooMuchMemory,
            _ => ImageRefusal::TooLarge {
                width: 0,
                height: 0,
            },
        },
        _ => ImageRefusal::Unreadable(part),
    }
}

/// Reads the type and dimensions from the header only (no pixel is
/// decoded) and refuses what is not accepted.
pub fn header(bytes: &[u8]) -> Result<Header, ImageRefusal> {
    let format = sniff(bytes).map_err(ImageRefusal::Unsupported)?;
    let (width, height) = reader(bytes, format, false)
        .into_dimensions()
        .map_err(|e| refusal(&e, "header"))?;
    if width == 0 || height == 0 {
        return Err(ImageRefusal::Unreadable("header"));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageRefusal::TooLarge { width, height });
    }
    Ok(Header {
        format,
        width,
        height,
    })
}

/// Decodes an image after [`header`] accepted it, under the memory limit,
/// and turns it upright as its EXIF orientation says (phone photos are
/// often stored sideways).
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, ImageRefusal> {
    let header = header(bytes)?;
    let too_large = |e: ImageRefusal| match e {
        ImageRefusal::TooLarge { .. } => ImageRefusal::TooLarge {
            width: header.width,
            height: header.height,
        },
        other => other,
    };
    let mut decoder = reader(bytes, header.format, true)
        .into_decoder()
        .map_err(|e| too_large(refusal(&e, "header")))?;
    let orientation = decoder
        .orientation()
        .map_err(|e| too_large(refusal(&e, "metadata")))?;
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| too_large(refusal(&e, "data")))?;
    image.apply_orientation(orientation);
    Ok(image)
}

#[cfg(test)]
mod tests;
