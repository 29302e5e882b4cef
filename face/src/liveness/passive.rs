//! The passive evidence of every frame: patterns in the skin (moiré,
//! halftone), a print's flat tones, a picture's edges around the face, more
//! than one face, blur, a face too small to judge, and the anti-spoofing
//! model's doubt.

use super::{
    reason, Frame, Reason, SpoofType, FLAT, FRAMED, LATTICE, MIN_EYE_DISTANCE, PERIODIC, SOFT,
    SPOOF_SCORE,
};

/// Passive evidence of every frame: (hard evidence, soft evidence, hints, spoof type).
pub(super) fn evidence(frames: &[Frame]) -> (Vec<Reason>, Vec<Reason>, Vec<String>, SpoofType) {
    let (mut hard, mut soft, mut hints) = (Vec::new(), Vec::new(), Vec::new());
    let mut spoof = SpoofType::None;
    for (i, f) in frames.iter().enumerate() {
        let at = Some(i);
        if f.cues.periodicity > PERIODIC || f.cues.lattice > LATTICE {
            // A lattice of dots or flat tones: a halftone print; a beat
            // pattern in full tones: a screen filmed again.
            let (kind, what) = if f.cues.lattice > LATTICE || f.cues.dynamic_range < FLAT {
                (SpoofType::Paper, "a printed halftone")
            } else {
                (SpoofType::Screen, "a screen's moiré")
            };
            hard.push(reason(
                "periodic_pattern",
                format!(
                    "the skin shows a regular pattern like {what} (spectral peak {:.0}, limit \
                     {PERIODIC:.0}; its quarter-turn partner {:.0}, limit {LATTICE:.0})",
                    f.cues.periodicity, f.cues.lattice
                ),
                at,
            ));
            spoof = kind;
        } else if i == 0 && f.cues.dynamic_range < FLAT {
            // Judged facing the camera: a turned head shows less of its lit
            // side, and a print is a print in every frame.
            hard.push(reason(
                "flat_tones",
                format!(
                    "the face's tones are as flat as a print's (spread {:.2} < {FLAT:.2})",
                    f.cues.dynamic_range
                ),
                at,
            ));
            if spoof == SpoofType::None {
                spoof = SpoofType::Paper;
            }
        }
        if let Some(sides) = f.framed_sides.filter(|n| *n >= FRAMED) {
            hard.push(reason(
                "framed_face",
                format!(
                    "straight edges run along {sides} sides of the face, like the edges of a \
                     photo or a phone held up to the camera"
                ),
                at,
            ));
            // A print's edge or a phone's bezel: which one, the edges
            // alone cannot tell.
            if spoof == SpoofType::None {
                spoof = SpoofType::Unknown;
            }
        }
        if let Some(score) = f.model_score.filter(|s| *s > SPOOF_SCORE) {
            soft.push(reason(
                "model_suspects_spoof",
                format!("the anti-spoofing model scores {score:.2} (> {SPOOF_SCORE})"),
                at,
            ));
        }
        if f.faces > 1 {
            hard.push(reason(
                "several_faces",
                format!("{} faces are in the frame", f.faces),
                at,
            ));
            if spoof == SpoofType::None {
                spoof = SpoofType::Unknown;
            }
        }
        if f.cues.sharpness < SOFT {
            soft.push(reason("soft_image", "the frame is blurred", at));
            hints.push("Hold the camera still, in good light.".to_owned());
        }
        // A turned head shows the eyes closer: the size is judged facing the camera.
        if i == 0 && f.face.eye_distance() < MIN_EYE_DISTANCE {
            hard.push(reason(
                "face_too_small",
                format!(
                    "the face is too small to judge ({:.0} px between the eyes, at least {MIN_EYE_DISTANCE:.0})",
                    f.face.eye_distance()
                ),
                at,
            ));
            hints.push("Move closer to the camera.".to_owned());
        }
    }
    if frames.iter().any(|f| f.faces > 1) {
        hints.push("Only the person being verified should be in the picture.".to_owned());
    }
    hints.dedup();
    (hard, soft, hints, spoof)
}
