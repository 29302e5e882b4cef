//! Reading MRZs from the generated evaluation set with real Tesseract
//! (`scripts/gen/mrz_eval_set.py`; `scripts/test.sh` generates it and fetches
//! the model), against the targets, and the quality checks on photos
//! spoiled on purpose.

use image::{DynamicImage, GenericImageView, Rgba};
use time::macros::date;
use veritrail_tests::mrz_eval::{score_lines, EvalSet, Score};
use veritrail_vision::{MrzReader, QualityThresholds, VisionError};

fn reader() -> MrzReader {
    MrzReader::from_env().expect("the MRZ model (scripts/test.sh fetches it)")
}

fn score(level: &str) -> Score {
    let set = EvalSet::from_env();
    let reader = reader();
    let mut score = Score::default();
    for item in set.level(level) {
        let today = date!(2026 - 11 - 22);
        let read = reader.read(&set.image(item), today);
        score_lines(&mut score, item, read.as_ref().ok(), today);
    }
    println!("{level:>5}: {}", score.summary());
    score
}

#[test]
fn clean_document_photos_are_read_exactly() {
    let s = score("none");
    assert!(s.docs >= 20);
    assert_eq!(s.exact, s.docs, "every clean MRZ read exactly");
    assert_eq!(s.wrong_passes, 0, "no wrong reading passes");
}

/// The target on degraded photos: ≥ 99 % characters, ≥ 95 % documents.
fn assert_target(s: &Score, level: &str) {
    assert!(s.docs >= 20);
    assert_eq!(s.wrong_passes, 0, "{level}: a wrong reading passed");
    assert!(
        s.char_accuracy() >= 0.99,
        "{level}: character accuracy {:.4}",
        s.char_accuracy()
    );
    assert!(
        s.doc_accuracy() >= 0.95,
        "{level}: documents exact {:.4}",
        s.doc_accuracy()
    );
}

#[test]
fn mildly_degraded_photos_meet_the_target() {
    assert_target(&score("mild"), "mild");
}

#[test]
fn rotated_sheared_and_degraded_photos_meet_the_target() {
    assert_target(&score("full"), "full");
}

#[test]
fn a_missing_model_names_the_fix() {
    let error =
        MrzReader::from_dir(std::path::Path::new("/nonexistent")).expect_err("no model there");
    assert!(
        error.to_string().contains("scripts/fetch-models.sh"),
        "{error}"
    );
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode");
    out
}

#[test]
fn an_image_without_an_mrz_or_not_an_image_is_refused() {
    let reader = reader();
    assert!(matches!(
        reader.read(b"not an image", date!(2026 - 11 - 22)),
        Err(VisionError::Image(_))
    ));
    let blank =
        DynamicImage::ImageLuma8(image::GrayImage::from_pixel(400, 300, image::Luma([240u8])));
    assert!(matches!(
        reader.read(&png(&blank), date!(2026 - 11 - 22)),
        Err(VisionError::NoMrz)
    ));
}

/// The first clean TD3 page of the set and its truth.
fn clean_passport() -> (DynamicImage, serde_json::Value) {
    let set = EvalSet::from_env();
    let item = set
        .level("none")
        .find(|t| t["format"] == "TD3")
        .expect("a passport in the set")
        .clone();
    let img = image::load_from_memory(&set.image(&item)).expect("decode");
    (img, item)
}

#[test]
fn a_good_photo_passes_every_quality_check() {
    let (img, item) = clean_passport();
    let read = reader()
        .read(&png(&img), date!(2026 - 11 - 22))
        .expect("read");
    assert!(read.quality.passed(), "{:?}", read.quality);
    assert!(read.quality.hints.is_empty());
    assert_eq!(
        read.lines,
        item["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| l.as_str().expect("str").to_owned())
            .collect::<Vec<_>>()
    );
}

fn assert_cut_off_at_the_bottom(read: &veritrail_vision::MrzReading) {
    assert!(!read.quality.mrz_in_frame, "{:?}", read.quality);
    assert!(
        read.quality
            .hints
            .iter()
            .any(|h| h.contains("cut off at the bottom")),
        "{:?}",
        read.quality.hints
    );
}

#[test]
fn an_mrz_cut_off_at_the_bottom_is_reported_as_such() {
    let (img, _) = clean_passport();
    let (w, h) = img.dimensions();
    // Keep the page down to the middle of the last MRZ row's characters.
    let cut = img.crop_imm(0, 0, w, h - 52);
    let read = reader()
        .read(&png(&cut), date!(2026 - 11 - 22))
        .expect("two rows are found");
    assert_cut_off_at_the_bottom(&read);
}

#[test]
fn a_row_cut_by_a_tilted_edge_is_reported_as_cut_not_as_missing() {
    let (img, _) = clean_passport();
    let page = veritrail_vision::GrayImage::decode(&png(&img)).expect("decode");
    // Turned 6° so the rows run down to the left, then cut through the last
    // row: its start is outside the photo, its end inside.
    let turned = page.rotate(-6.0, 230);
    let cut = turned.crop(0, 0, turned.width, turned.height - 104);
    let read = reader()
        .read_gray(&cut, date!(2026 - 11 - 22))
        .expect("the rows are found, the second one right-aligned with the first");
    assert_cut_off_at_the_bottom(&read);
}

#[test]
fn a_blurred_photo_fails_sharpness_with_a_hint() {
    let (img, _) = clean_passport();
    let blurred = img.blur(4.0);
    let read = reader().read(&png(&blurred), date!(2026 - 11 - 22));
    let quality = read.expect("the MRZ is still found").quality;
    assert!(
        quality.sharpness < QualityThresholds::default().min_sharpness,
        "{quality:?}"
    );
    assert!(!quality.passed());
    assert!(
        quality.hints.iter().any(|h| h.contains("blurred")),
        "{quality:?}"
    );
}

#[test]
fn glare_over_the_mrz_is_measured_and_reported() {
    let (img, item) = clean_passport();
    let mut rgba = img.to_rgba8();
    // A clipped highlight over the left part of the MRZ.
    let top = item["mrz_box"][1].as_u64().expect("box") as u32;
    for y in top..top + 90 {
        for x in 20..260 {
            rgba.put_pixel(x, y, Rgba([255, 255, 255, 255]));
        }
    }
    let read = reader().read(&png(&DynamicImage::ImageRgba8(rgba)), date!(2026 - 11 - 22));
    let quality = read.expect("the rest of the MRZ is found").quality;
    assert!(quality.glare > 0.05, "{quality:?}");
    assert!(
        quality.hints.iter().any(|h| h.contains("glare")),
        "{quality:?}"
    );
}

#[test]
fn a_tiny_photo_fails_resolution_with_a_hint() {
    let (img, _) = clean_passport();
    let small = img.resize(480, 338, image::imageops::FilterType::Triangle);
    let read = reader()
        .read(&png(&small), date!(2026 - 11 - 22))
        .expect("the rows are found");
    assert!(read.quality.char_height_px < 12.0, "{:?}", read.quality);
    assert!(read.quality.hints.iter().any(|h| h.contains("resolution")));
}

/// Latin letters without their diacritics (the English model drops them on
/// capitals), upper case.
fn fold(text: &str) -> String {
    text.to_uppercase()
        .chars()
        .map(|c| match c {
            'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
            'É' | 'È' | 'Ê' | 'Ë' | 'Ễ' => 'E',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' | 'Ơ' => 'O',
            'Ú' | 'Ù' | 'Û' | 'Ü' | 'Ư' => 'U',
            'Ç' => 'C',
            'Ñ' => 'N',
            'Ł' => 'L',
            'Ś' | 'Ş' => 'S',
            'Ž' => 'Z',
            'Ý' => 'Y',
            other => other,
        })
        .collect()
}

/// Driver licences have no MRZ: the printed zone is read instead. Prints and
/// asserts the share of fields read exactly: names (compared without
/// diacritics) and dates, and licence numbers, which have no check digit to
/// catch an O/0, S/5 or I/1 confusion.
#[test]
fn driver_licences_are_read_from_the_printed_zone() {
    let set = EvalSet::from_env();
    let readers = veritrail_vision::DocumentReader::from_dir(&veritrail_vision::model_dir())
        .expect("the models");
    let (mut identity, mut identity_right) = (0usize, 0usize);
    let (mut numbers, mut numbers_right, mut numbers_similar) = (0usize, 0usize, 0usize);
    for item in set.level("licence") {
        let image = set.image(item);
        assert!(matches!(
            readers.mrz.read(&image, date!(2026 - 11 - 22)),
            Err(VisionError::NoMrz)
        ));
        let read = readers
            .printed
            .read(&image, date!(2026 - 11 - 22))
            .expect("read");
        let truth = &item["fields"];
        let f = &read.fields;
        let got = [
            ("surname", f.surname.clone()),
            ("given_names", f.given_names.clone()),
            ("birth_date", f.birth_date.map(|d| d.to_string())),
            ("expiry_date", f.expiry_date.map(|d| d.to_string())),
        ];
        for (name, value) in got {
            identity += 1;
            if value.as_deref().map(fold) == truth[name].as_str().map(fold) {
                identity_right += 1;
            } else {
                println!(
                    "{}: {name} expected {} got {value:?} in {:?}",
                    item["file"], truth[name], read.text_lines
                );
            }
        }
        numbers += 1;
        let confusable = |t: &str| t.replace('O', "0").replace('I', "1").replace('S', "5");
        if f.document_number.as_deref().map(confusable)
            == truth["document_number"].as_str().map(confusable)
        {
            numbers_similar += 1;
        }
        if f.document_number.as_deref() == truth["document_number"].as_str() {
            numbers_right += 1;
        } else {
            println!(
                "{}: number expected {} got {:?}",
                item["file"], truth["document_number"], f.document_number
            );
        }
    }
    let identity_share = identity_right as f64 / identity.max(1) as f64;
    let number_share = numbers_right as f64 / numbers.max(1) as f64;
    let similar_share = numbers_similar as f64 / numbers.max(1) as f64;
    println!(
        "licences: {numbers} documents, names and dates exact {:.1} %, licence numbers exact {:.1} % (up to O/0, I/1, S/5: {:.1} %)",
        100.0 * identity_share,
        100.0 * number_share,
        100.0 * similar_share
    );
    assert!(numbers >= 4);
    assert!(
        identity_share >= 0.95,
        "names and dates read exactly: {identity_share:.3}"
    );
    // Every character found; only glyphs a sans-serif font draws alike may differ.
    assert!(
        similar_share >= 0.75,
        "licence numbers up to O/0, I/1, S/5: {similar_share:.3}"
    );
}
