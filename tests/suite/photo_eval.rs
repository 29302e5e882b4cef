//! The independent evaluation (issue 15): phone-like photos made by another
//! generator (`scripts/gen/photo_eval_set.py`: OpenCV, MRZ text from the
//! `mrz` package) read with real Tesseract, and an independent ICAO 9303
//! checker's verdicts (`scripts/gen/mrz_oracle.py`) against our rules.
//! `scripts/test.sh` prepares both.

use std::path::PathBuf;

use serde_json::Value;
use time::macros::date;
use veritrail_domain::mrz;
use veritrail_tests::mrz_eval::{score_lines, EvalSet, Score};
use veritrail_vision::MrzReader;

const TODAY: time::Date = date!(2026 - 11 - 22);

fn dir() -> PathBuf {
    std::env::var_os("VERITRAIL_PHOTO_EVAL_DIR")
        .map(PathBuf::from)
        .expect("VERITRAIL_PHOTO_EVAL_DIR is not set: run `bash scripts/test.sh`, which generates the set")
}

#[test]
fn our_icao_rules_agree_with_an_independent_checker() {
    let text = std::fs::read_to_string(dir().join("oracle.json")).expect("oracle.json");
    let items: Vec<Value> = serde_json::from_str(&text).expect("verdicts");
    assert!(items.len() >= 500, "{} verdicts", items.len());
    let kinds: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|i| i["kind"].as_str()).collect();
    assert!(kinds.len() >= 10, "{kinds:?}");
    let disagreements: Vec<String> = items
        .iter()
        .filter_map(|item| {
            let lines: Vec<&str> = item["lines"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let ours = mrz::parse(&lines.join("\n"), TODAY).is_ok_and(|m| m.mrz_valid());
            let theirs = item["valid"].as_bool()?;
            (ours != theirs)
                .then(|| format!("{} {lines:?}: ours {ours}, theirs {theirs}", item["kind"]))
        })
        .collect();
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// Every photo of the set read on two threads, scored per condition.
fn scores() -> Vec<(String, Score)> {
    let set = EvalSet::load(&dir()).expect("the photo set");
    let reader = MrzReader::from_env().expect("the MRZ model (scripts/test.sh fetches it)");
    let levels = set.levels();
    let halves: Vec<Vec<String>> = vec![
        levels.iter().step_by(2).cloned().collect(),
        levels.iter().skip(1).step_by(2).cloned().collect(),
    ];
    std::thread::scope(|scope| {
        let handles: Vec<_> = halves
            .iter()
            .map(|half| {
                let (set, reader) = (&set, reader.clone());
                scope.spawn(move || {
                    half.iter()
                        .map(|level| {
                            let mut score = Score::default();
                            for item in set.level(level) {
                                let read = reader.read(&set.image(item), TODAY);
                                score_lines(&mut score, item, read.as_ref().ok(), TODAY);
                            }
                            (level.clone(), score)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a reader thread"))
            .collect()
    })
}

#[test]
fn phone_photos_from_another_generator_never_pass_a_wrong_reading() {
    let scores = scores();
    let mut hard = Score::default();
    for (level, score) in &scores {
        println!("{level:>11}: {}", score.summary());
        assert_eq!(score.wrong_passes, 0, "{level}: a wrong reading passed");
        if level != "sharp" {
            hard.docs += score.docs;
            hard.exact += score.exact;
            hard.passes += score.passes;
        }
    }
    assert!(scores.len() >= 10, "every condition is in the set");
    let sharp = &scores
        .iter()
        .find(|(l, _)| l == "sharp")
        .expect("sharp photos")
        .1;
    // Floors under the figures in docs/accuracy.md, so a regression fails.
    assert!(
        sharp.doc_accuracy() >= SHARP_FLOOR,
        "sharp photos: documents exact {:.3}",
        sharp.doc_accuracy()
    );
    assert!(
        hard.doc_accuracy() >= HARD_FLOOR,
        "hard photos: documents exact {:.3}",
        hard.doc_accuracy()
    );
}

const SHARP_FLOOR: f64 = 0.95;
const HARD_FLOOR: f64 = 0.92;
