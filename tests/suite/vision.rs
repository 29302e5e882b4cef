//! Reading MRZs from the generated evaluation set with real Tesseract
//! (`scripts/gen/mrz_eval_set.py`; `scripts/test.sh` generates it and fetches
//! the MRZ traineddata). Prints character and document accuracy per level.

use std::path::PathBuf;

use serde_json::Value;
use time::macros::date;
use veritrail_vision::MrzReader;

fn eval_dir() -> PathBuf {
    let dir = std::env::var_os("VERITRAIL_MRZ_EVAL_DIR").map(PathBuf::from).unwrap_or_else(|| {
        panic!("VERITRAIL_MRZ_EVAL_DIR is not set: run `bash scripts/test.sh`, which generates the set")
    });
    assert!(
        dir.join("truth.json").exists(),
        "no truth.json in {}",
        dir.display()
    );
    dir
}

struct Score {
    chars: usize,
    correct: usize,
    docs: usize,
    exact: usize,
    valid: usize,
}

fn score(level: &str) -> Score {
    let dir = eval_dir();
    let reader = MrzReader::from_env().expect("the MRZ traineddata (scripts/test.sh fetches it)");
    let truth: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).expect("truth"))
            .expect("json");
    let mut s = Score {
        chars: 0,
        correct: 0,
        docs: 0,
        exact: 0,
        valid: 0,
    };
    for item in truth.iter().filter(|t| t["level"] == level) {
        let expected: Vec<String> = item["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .map(|l| l.as_str().expect("line").to_owned())
            .collect();
        let image = std::fs::read(dir.join(item["file"].as_str().expect("file"))).expect("image");
        let read = reader.read(&image, date!(2026 - 11 - 22));
        let got = read.as_ref().map(|r| r.lines.clone()).unwrap_or_default();
        s.docs += 1;
        for (i, line) in expected.iter().enumerate() {
            let other = got.get(i).map(String::as_bytes).unwrap_or_default();
            s.chars += line.len();
            s.correct += line
                .bytes()
                .zip(other.iter())
                .filter(|(a, b)| a == *b)
                .count();
        }
        if got == expected {
            s.exact += 1;
        }
        if read.ok().and_then(|r| r.mrz).is_some_and(|m| {
            m.checks
                .iter()
                .filter(|c| c.name.ends_with("check_digit"))
                .all(|c| c.passed)
        }) {
            s.valid += 1;
        }
    }
    println!(
        "{level:>5}: {} documents, characters {:.2} %, documents exact {:.1} %, check digits all valid {:.1} %",
        s.docs,
        100.0 * s.correct as f64 / s.chars.max(1) as f64,
        100.0 * s.exact as f64 / s.docs.max(1) as f64,
        100.0 * s.valid as f64 / s.docs.max(1) as f64
    );
    s
}

#[test]
fn clean_document_photos_are_read_exactly() {
    let s = score("none");
    assert!(s.docs >= 10);
    assert_eq!(s.exact, s.docs, "every clean MRZ read exactly");
}

/// A floor, not the target: the issue's >= 99 % characters / >= 95 % documents
/// on degraded photos is not reached yet (figures in docs/accuracy.md).
#[test]
fn mildly_degraded_photos_are_read_mostly() {
    let s = score("mild");
    assert!(s.docs >= 10);
    let chars = s.correct as f64 / s.chars as f64;
    assert!(
        chars >= 0.85,
        "character accuracy {chars:.4} on mild degradations"
    );
}

#[test]
fn a_missing_model_names_the_fix() {
    let error = veritrail_vision::MrzReader::from_dir(std::path::Path::new("/nonexistent"))
        .expect_err("no model there");
    assert!(error.to_string().contains("scripts/test.sh"), "{error}");
}

#[test]
fn an_image_without_an_mrz_or_not_an_image_is_refused() {
    let reader = MrzReader::from_env().expect("model");
    assert!(matches!(
        reader.read(b"not an image", date!(2026 - 11 - 22)),
        Err(veritrail_vision::VisionError::Image(_))
    ));
    // A blank page has no text lines at all.
    let mut png = Vec::new();
    let blank = image::GrayImage::from_pixel(400, 300, image::Luma([240u8]));
    image::DynamicImage::ImageLuma8(blank)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    assert!(matches!(
        reader.read(&png, date!(2026 - 11 - 22)),
        Err(veritrail_vision::VisionError::NoMrz)
    ));
}
