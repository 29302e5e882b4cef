//! Liveness on the generated presentations (`veritrail_tests::liveness_eval`):
//! the cues of every frame, APCER per attack and BPCER (ISO/IEC 30107-3), and
//! the latency of a challenge of 4 frames. `bash scripts/bench-liveness.sh`.

use std::time::Instant;

use veritrail_face::liveness;
use veritrail_tests::liveness_eval;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verbose = std::env::args().any(|a| a == "--frames");
    let engine = veritrail_face::FaceEngine::load(&veritrail_face::model_dir(), 1)?;
    let started = Instant::now();
    let presentations = liveness_eval::presentations(&engine);
    let mut people: Vec<&str> = presentations.iter().map(|p| p.person.as_str()).collect();
    people.dedup();
    println!(
        "{} presentations of {} subjects ({:?}) generated in {:.1} s",
        presentations.len(),
        people.len(),
        people,
        started.elapsed().as_secs_f64()
    );
    if let Ok(dir) = std::env::var("DUMP_FRAMES") {
        for p in presentations
            .iter()
            .filter(|p| p.person == "obama" || p.person == "biden")
        {
            for (i, f) in p.frames.iter().enumerate() {
                f.save(format!("{dir}/{}-{}-{i}.jpg", p.person, p.kind))?;
            }
        }
    }
    let mut results = Vec::new();
    let mut latencies = Vec::new();
    for p in &presentations {
        let t = Instant::now();
        let frames = engine.frames(&p.frames).unwrap_or_default();
        let verdict = if frames.len() == p.frames.len() {
            liveness::verdict(Some(&p.steps), &frames)
        } else {
            liveness::Verdict {
                is_live: false,
                spoof_type: liveness::SpoofType::Unknown,
                confidence: 0.5,
                reasons: Vec::new(),
                hints: Vec::new(),
            }
        };
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        if verbose
            || (p.kind == "genuine" && !verdict.is_live)
            || (p.kind != "genuine" && verdict.is_live)
        {
            println!(
                "{:<10} {:<12} live={} {:?} {:?}",
                p.person,
                p.kind,
                verdict.is_live,
                verdict.spoof_type,
                verdict.reasons.iter().map(|r| r.code).collect::<Vec<_>>()
            );
            if verbose {
                for f in &frames {
                    let n = &frames[0];
                    let parallax = liveness::rigid::parallax(&n.face, &f.face);
                    let scene = liveness::rigid::face_motion(&n.face, &f.face).and_then(|m| {
                        liveness::scene::compare((&n.scene, &n.face), (&f.scene, &f.face), &m)
                    });
                    println!(
                        "      yaw {:+.2} pitch {:.2} parallax {:?} scene {:?} periodic {:6.1} range {:.2} sharp {:.3} model {:?}",
                        f.pose.yaw, f.pose.pitch, parallax.map(|p| p.map(|v| (v * 100.0).round() / 100.0)),
                        scene.map(|c| [c.still, c.moved, c.displacement].map(|v| (v * 1000.0).round() / 1000.0)),
                        f.cues.periodicity, f.cues.dynamic_range, f.cues.sharpness, f.model_score
                    );
                }
            }
        }
        results.push((p.kind, verdict.is_live));
    }
    println!("kind          wrong / total   rate");
    for kind in liveness_eval::KINDS {
        let (wrong, total) = liveness_eval::error_rate(&results, kind);
        let name = if kind == "genuine" { "BPCER" } else { "APCER" };
        println!(
            "{kind:<12} {wrong:>5} / {total:<5}  {name} {:.1} %",
            100.0 * wrong as f64 / total.max(1) as f64
        );
    }
    passive(&engine, verbose);
    let selfie = veritrail_tests::face_eval::load("obama.jpg");
    let mut single = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let frames = engine
            .frames(std::slice::from_ref(&selfie))
            .map_err(|(_, e)| e)?;
        liveness::verdict(None, &frames);
        single.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    single.sort_by(f64::total_cmp);
    println!(
        "single selfie, passive (910x1137): p50 {:.0} ms, p95 {:.0} ms",
        single[single.len() / 2],
        single[(single.len() as f64 * 0.95) as usize - 1]
    );
    latencies.sort_by(f64::total_cmp);
    println!(
        "challenge verdict (4 frames: detection, alignment, cues each; embeddings in pairs; anti-spoof model on the first; 2 threads): p50 {:.0} ms, p95 {:.0} ms",
        latencies[latencies.len() / 2],
        latencies[(latencies.len() as f64 * 0.95) as usize - 1]
    );
    Ok(())
}

/// Passive mode (one selfie, no challenge): BPCER on the real photos and
/// their capture conditions, APCER per attack kind.
fn passive(engine: &veritrail_face::FaceEngine, verbose: bool) {
    let singles = liveness_eval::passive::presentations(engine);
    let mut results = Vec::new();
    for p in &singles {
        let frames = engine.frames(std::slice::from_ref(&p.image));
        let (live, detail) = match &frames {
            Ok(frames) => {
                let v = liveness::verdict(None, frames);
                let f = &frames[0];
                let detail = format!(
                    "{:?} {:?} periodic {:.1} lattice {:.1} range {:.2} sharp {:.3} eyes {:.0} framed {:?} model {:?}",
                    v.spoof_type,
                    v.reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
                    f.cues.periodicity,
                    f.cues.lattice,
                    f.cues.dynamic_range,
                    f.cues.sharpness,
                    f.face.eye_distance(),
                    f.framed_sides,
                    f.model_score
                );
                (v.is_live, detail)
            }
            Err((_, e)) => (false, format!("no face: {e}")),
        };
        if verbose || (p.kind == "genuine") != live {
            println!(
                "passive {:<15} {:<40} live={live} {detail}",
                p.kind, p.label
            );
        }
        results.push((p.kind, live));
    }
    println!("passive kind     wrong / total   rate");
    for kind in liveness_eval::passive::KINDS {
        let (wrong, total) = liveness_eval::error_rate(&results, kind);
        let name = if kind == "genuine" { "BPCER" } else { "APCER" };
        println!(
            "{kind:<16} {wrong:>5} / {total:<5}  {name} {:.1} %",
            100.0 * wrong as f64 / total.max(1) as f64
        );
    }
}
