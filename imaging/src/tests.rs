//! Crafted decompression bombs of each accepted format are refused from
//! their header, before any pixel is decoded, with bounded memory.

use image::ImageFormat;

use super::crafted::{encoded, jpeg_bomb, png_bomb, webp_bomb};
use super::*;

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmHWM/VmRSS line")
}

#[test]
fn small_images_of_each_format_decode() {
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
        let bytes = encoded(format);
        let head = header(&bytes).expect("header");
        assert_eq!((head.width, head.height), (16, 16), "{format:?}");
        let image = decode(&bytes).expect("decode");
        assert_eq!((image.width(), image.height()), (16, 16));
    }
}

#[test]
fn bombs_are_refused_from_the_header_with_bounded_memory() {
    let bombs: Vec<(&str, Vec<u8>, (u32, u32))> = vec![
        ("png 50,000²", png_bomb(50_000, 50_000), (50_000, 50_000)),
        ("png 20,000²", png_bomb(20_000, 20_000), (20_000, 20_000)),
        (
            "png 16,000 × 4,000",
            png_bomb(16_000, 4_000),
            (16_000, 4_000),
        ),
        ("jpeg 65,000²", jpeg_bomb(65_000, 65_000), (65_000, 65_000)),
        ("jpeg 9,000²", jpeg_bomb(9_000, 9_000), (9_000, 9_000)),
        ("webp 16,000²", webp_bomb(), (16_000, 16_000)),
    ];
    // Peak memory from here on (Linux: writing 5 resets VmHWM to VmRSS).
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    let before = status_kib("VmRSS:");
    for (name, bytes, (width, height)) in &bombs {
        assert_eq!(
            header(bytes),
            Err(ImageRefusal::TooLarge {
                width: *width,
                height: *height
            }),
            "{name}: header"
        );
        assert_eq!(
            decode(bytes).err(),
            Some(ImageRefusal::TooLarge {
                width: *width,
                height: *height
            }),
            "{name}: decode"
        );
    }
    let grown = status_kib("VmHWM:").saturating_sub(before);
    assert!(grown < 32 * 1024, "refusing the bombs took {grown} KiB");
}

#[test]
fn the_limits_are_inclusive() {
    // 6,000 × 6,000 = 36 MP is accepted by the header check.
    let head = header(&png_bomb(6_000, 6_000)).expect("36 MP is accepted");
    assert_eq!((head.width, head.height), (6_000, 6_000));
    // Its data is a 16 × 16 image's: decoding fails cleanly, not by panic.
    assert_eq!(
        decode(&png_bomb(6_000, 6_000)).err(),
        Some(ImageRefusal::Unreadable("data"))
    );
}

#[test]
fn damaged_and_foreign_bytes_are_refused_plainly() {
    assert_eq!(header(b"GIF89a...."), Err(ImageRefusal::Unsupported("gif")));
    assert_eq!(
        header(b"hello"),
        Err(ImageRefusal::Unsupported("not an image"))
    );
    let mut truncated = encoded(ImageFormat::Png);
    truncated.truncate(20);
    assert_eq!(header(&truncated), Err(ImageRefusal::Unreadable("header")));
    let mut png = encoded(ImageFormat::Png);
    let last = png.len() - 20;
    png.truncate(last);
    let refusal = decode(&png).expect_err("truncated data");
    assert_eq!(refusal, ImageRefusal::Unreadable("data"));
    assert!(!refusal.to_string().contains("Format"), "{refusal}");
}

#[test]
fn types_are_known_by_their_bytes() {
    assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(Format::Jpeg));
    assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Ok(Format::Png));
    assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(Format::Webp));
    assert_eq!(sniff(b"%PDF-1.7"), Err("pdf"));
}
