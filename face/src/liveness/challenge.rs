//! Whether the frames answer the challenge: the first faces the camera,
//! each next one performs the next step as a rigid head turning in 3-D
//! would (`rigid`), in front of the same background (`scene`), and every
//! frame shows the same person.

use super::rigid::{self, PARALLAX_SHARE};
use super::scene;
use super::{reason, Frame, Reason, Step, SAME_PERSON};

/// A background that moved less than this (mean absolute difference, 0–1)
/// is the same scene; more, and it must be explained by the camera.
pub const SCENE_CHANGE: f32 = 0.07;
/// A background whose unfiltered values equal the first frame's at this
/// share of its points was not captured again: the face was edited in.
pub const FROZEN: f32 = 0.9;
/// The background follows the face when moving it with the face's motion
/// explains it at least this much better than leaving it still.
pub const FOLLOWS: f32 = 0.5;

/// Why the frames do not answer `steps` (empty when they do).
pub(super) fn failures(steps: &[Step], frames: &[Frame]) -> Vec<Reason> {
    let mut failed = Vec::new();
    if frames.len() != steps.len() + 1 {
        failed.push(reason(
            "wrong_frame_count",
            format!(
                "the challenge needs {} frames (a neutral one, then one per step), got {}",
                steps.len() + 1,
                frames.len()
            ),
            None,
        ));
        return failed;
    }
    let neutral = &frames[0];
    if !neutral.pose.is_frontal() {
        failed.push(reason(
            "not_facing_camera",
            "the first frame must face the camera",
            Some(0),
        ));
    }
    // Front cameras often mirror what they save: a sequence whose every
    // turn reads the other way round is the same sequence, mirrored.
    let performed = |steps: &[Step]| {
        steps
            .iter()
            .zip(&frames[1..])
            .all(|(step, frame)| frame.pose.performs(*step, &neutral.pose))
    };
    let mirrored: Vec<Step> = steps.iter().map(|s| s.mirrored()).collect();
    let steps = if !performed(steps) && performed(&mirrored) {
        &mirrored[..]
    } else {
        steps
    };
    for (i, (step, frame)) in steps.iter().zip(&frames[1..]).enumerate() {
        let at = Some(i + 1);
        if !frame.pose.performs(*step, &neutral.pose) {
            failed.push(reason(
                "step_not_performed",
                format!(
                    "frame {} does not show \"{}\" (yaw {:+.2}, pitch {:+.2} from the first frame)",
                    i + 1,
                    step.as_str(),
                    frame.pose.yaw - neutral.pose.yaw,
                    frame.pose.pitch - neutral.pose.pitch
                ),
                at,
            ));
        } else {
            failed.extend(rigid_turn(*step, neutral, frame, i + 1));
        }
        failed.extend(same_scene(neutral, frame, i + 1));
        let same = frame.embedding.cosine(&neutral.embedding);
        if same < SAME_PERSON {
            failed.push(reason(
                "different_person",
                format!(
                    "frame {} shows another person (similarity {same:.2})",
                    i + 1
                ),
                at,
            ));
        }
    }
    failed
}

/// A performed step must show the nose moving against the eyes and mouth.
fn rigid_turn(step: Step, neutral: &Frame, frame: &Frame, at: usize) -> Option<Reason> {
    let parallax = rigid::parallax(&neutral.face, &frame.face)?;
    let (moved, change) = rigid::along_step(
        step,
        parallax,
        frame.pose.yaw - neutral.pose.yaw,
        frame.pose.pitch - neutral.pose.pitch,
    );
    (moved < PARALLAX_SHARE * change).then(|| {
        reason(
            "flat_motion",
            format!(
                "frame {at} moves like a flat picture, not a head: the nose moved {moved:+.2} \
                 against the eyes and mouth for a pose change of {change:.2}"
            ),
            Some(at),
        )
    })
}

/// The background stays where the neutral frame shows it, rather than
/// moving with the face (a warped photo) or changing (another capture).
fn same_scene(neutral: &Frame, frame: &Frame, at: usize) -> Option<Reason> {
    if neutral.scene.size() != frame.scene.size() {
        return Some(reason(
            "scene_changed",
            format!("frame {at} has another size than the first: not one capture"),
            Some(at),
        ));
    }
    let frozen = scene::frozen((&neutral.scene, &neutral.face), (&frame.scene, &frame.face));
    if let Some(share) = frozen.filter(|s| *s >= FROZEN) {
        return Some(reason(
            "frozen_background",
            format!(
                "the background of frame {at} repeats the first frame's pixel for pixel \
                 ({:.0} % of it): the frame was edited from the first, not captured",
                share * 100.0
            ),
            Some(at),
        ));
    }
    let motion = rigid::face_motion(&neutral.face, &frame.face)?;
    // No comparison when too little background shows.
    let c = scene::compare(
        (&neutral.scene, &neutral.face),
        (&frame.scene, &frame.face),
        &motion,
    )?;
    if c.displacement >= 1.0 && c.still >= 0.02 && c.moved <= FOLLOWS * c.still {
        return Some(reason(
            "background_follows_face",
            format!(
                "the background of frame {at} moved with the face (difference {:.3} moved \
                 with it, {:.3} left still): a picture moved, not a head",
                c.moved, c.still
            ),
            Some(at),
        ));
    }
    (c.still > SCENE_CHANGE).then(|| {
        reason(
            "scene_changed",
            format!(
                "the background of frame {at} differs from the first ({:.3} > {SCENE_CHANGE}): \
                 not one capture",
                c.still
            ),
            Some(at),
        )
    })
}
