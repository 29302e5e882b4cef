//! Face models on the labelled photos (`veritrail_tests::face_eval`): the
//! ROC of face match with its equal error rate, and the latency of each
//! stage. `bash scripts/bench-face.sh [RUNS]`.

use std::time::Instant;

use veritrail_tests::face_eval;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{name:<28} n={:<4} p50 {:7.1} ms  p95 {:7.1} ms  max {:7.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms[ms.len() - 1]
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20);
    let engine = veritrail_face::FaceEngine::load(&veritrail_face::model_dir(), 1)?;

    let started = Instant::now();
    let (samples, failed) = face_eval::enrol(&engine);
    let (genuine, impostor) = face_eval::pair_scores(&samples);
    println!(
        "enrolled {} images of {} people ({} without a usable face: {:?}) in {:.1} s",
        samples.len(),
        {
            let mut people: Vec<&str> = samples.iter().map(|s| s.person.as_str()).collect();
            people.sort_unstable();
            people.dedup();
            people.len()
        },
        failed.len(),
        failed,
        started.elapsed().as_secs_f64()
    );
    println!(
        "{} genuine pairs, {} impostor pairs",
        genuine.len(),
        impostor.len()
    );
    let (eer, at) = face_eval::equal_error_rate(&genuine, &impostor);
    println!("EER {:.2} % at similarity {at:.3}", eer * 100.0);
    println!("threshold   FMR %  (95 % CI, exact)     FNMR %  (95 % CI)");
    for t in [
        0.25f32, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70,
    ] {
        let (fmr, fnmr) = face_eval::rates(&genuine, &impostor, t);
        let count = |rate: f64, n: usize| (rate * n as f64).round() as u64;
        let (f_lo, f_hi) =
            face_eval::clopper_pearson(count(fmr, impostor.len()), impostor.len() as u64);
        let (n_lo, n_hi) =
            face_eval::clopper_pearson(count(fnmr, genuine.len()), genuine.len() as u64);
        println!(
            "  {t:.2}    {:7.3} ({:.3}–{:.3})   {:7.3} ({:.2}–{:.2})",
            fmr * 100.0,
            f_lo * 100.0,
            f_hi * 100.0,
            fnmr * 100.0,
            n_lo * 100.0,
            n_hi * 100.0
        );
    }
    let max_impostor = impostor.iter().copied().fold(0.0f32, f32::max);
    let mut g = genuine.clone();
    g.sort_by(f32::total_cmp);
    println!(
        "highest impostor {max_impostor:.3}; genuine p1 {:.3} p5 {:.3} median {:.3}",
        g[(g.len() as f64 * 0.01) as usize],
        g[(g.len() as f64 * 0.05) as usize],
        g[g.len() / 2]
    );

    // Latency on a selfie-sized photo and a document portrait.
    let selfie = face_eval::load("obama2.jpg");
    let other = face_eval::load("obama.jpg");
    let (mut detect, mut align, mut embed, mut matched) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let t = Instant::now();
        let faces = engine
            .detector
            .detect(&selfie, veritrail_face::MIN_DETECTION_SCORE)?;
        detect.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let aligned = veritrail_face::align::align(&selfie, &faces[0].landmarks).ok_or("align")?;
        align.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        engine.embedder.embed_pair(&aligned, &aligned)?;
        embed.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        engine.compare(&selfie, "selfie", &other, "document")?;
        matched.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("latency over {runs} runs (626×1200 selfie vs 910×1137 photo):");
    report("detect (YuNet)", detect);
    report("align", align);
    report("embed pair (MobileFaceNet)", embed);
    report("face match end to end", matched);
    Ok(())
}
