//! One rigid head turning in 3-D, or a flat picture moved in 2-D (issue 15,
//! CHK-1)? The eyes and mouth corners lie nearly in one plane and the nose
//! tip stands out of it, so when a real head turns, the nose moves against
//! the other four landmarks (parallax) by about as much as the pose
//! changes. A photo is a plane: every view of it — held and turned like a
//! card, sheared, squeezed, any 2-D projective warp — moves its points by
//! one homography, which the four landmarks determine, and that homography
//! puts the nose exactly where it shows: no parallax however far the pose
//! reads.

pub use super::homography::Homography;
use super::pose::Step;
use crate::detect::Face;

/// The nose must move against the eyes and mouth by at least this share of
/// the pose change the step shows (a real head: about 0.8–1.0; any 2-D
/// warp: about 0).
pub const PARALLAX_SHARE: f32 = 0.5;

/// The eyes and mouth corners: the landmarks that lie nearly in one plane.
fn flat(face: &Face) -> [[f32; 2]; 4] {
    let [l, r, _, ml, mr] = face.landmarks;
    [l, r, ml, mr]
}

/// The homography taking the neutral frame's eyes and mouth corners onto
/// `frame`'s: how the face's plane moved.
pub fn face_motion(neutral: &Face, frame: &Face) -> Option<Homography> {
    Homography::fit(&flat(neutral), &flat(frame))
}

/// How far `frame`'s nose tip lies from where the motion of the eyes and
/// mouth corners (their plane) puts the neutral nose, in the units of `Pose`: along the
/// eye line per eye distance (positive where yaw grows), and down the face
/// per eye–mouth distance (positive where pitch grows).
pub fn parallax(neutral: &Face, frame: &Face) -> Option<[f32; 2]> {
    let motion = face_motion(neutral, frame)?;
    let predicted = motion.apply(neutral.landmarks[2]);
    let [l, r, nose, ml, mr] = frame.landmarks;
    let (ux, uy) = (r[0] - l[0], r[1] - l[1]);
    let eye_distance = (ux * ux + uy * uy).sqrt().max(1e-3);
    let (ux, uy) = (ux / eye_distance, uy / eye_distance);
    let (vx, vy) = (-uy, ux);
    let eye_mid = [(l[0] + r[0]) / 2.0, (l[1] + r[1]) / 2.0];
    let mouth_mid = [(ml[0] + mr[0]) / 2.0, (ml[1] + mr[1]) / 2.0];
    let down_to_mouth =
        ((mouth_mid[0] - eye_mid[0]) * vx + (mouth_mid[1] - eye_mid[1]) * vy).max(1e-3);
    let (dx, dy) = (nose[0] - predicted[0], nose[1] - predicted[1]);
    Some([
        (dx * ux + dy * uy) / eye_distance,
        (dx * vx + dy * vy) / down_to_mouth,
    ])
}

/// The parallax in the direction `step` moves the nose, and the pose
/// change the step shows in that direction.
pub fn along_step(step: Step, parallax: [f32; 2], yaw: f32, pitch: f32) -> (f32, f32) {
    match step {
        Step::TurnLeft => (parallax[0], yaw),
        Step::TurnRight => (-parallax[0], -yaw),
        Step::LookUp => (-parallax[1], -pitch),
        Step::LookDown => (parallax[1], pitch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(landmarks: [[f32; 2]; 5]) -> Face {
        Face {
            score: 1.0,
            bbox: [0.0, 0.0, 100.0, 100.0],
            landmarks,
        }
    }

    const NEUTRAL: [[f32; 2]; 5] = [
        [30.0, 40.0],
        [70.0, 40.0],
        [50.0, 60.0],
        [35.0, 80.0],
        [65.0, 80.0],
    ];

    #[test]
    fn a_sheared_photo_shows_no_parallax_and_a_turned_head_does() {
        // A shear moves the nose sideways against the eyes (the yaw reads
        // as a turn) but moves the mouth along with it.
        let shear = Homography([1.0, 0.3, -12.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        let sheared = face(NEUTRAL.map(|p| shear.apply(p)));
        let p = parallax(&face(NEUTRAL), &sheared).expect("parallax");
        assert!(p[0].abs() < 1e-3 && p[1].abs() < 1e-3, "{p:?}");
        // The photo tilted back like a card, in strong perspective: the
        // nose moves towards the eyes (the pitch reads "look up") but stays
        // in the photo's plane.
        let card = Homography([1.0, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0, 0.004, 1.0]);
        let tilted = face(NEUTRAL.map(|p| card.apply(p)));
        let p = parallax(&face(NEUTRAL), &tilted).expect("parallax");
        assert!(p[0].abs() < 1e-3 && p[1].abs() < 1e-3, "{p:?}");
        // A turn: the nose, nearer the camera, moves 10 px; the eyes and
        // mouth 4 px and squeeze a little.
        let mut turned = NEUTRAL.map(|[x, y]| [50.0 + (x - 50.0) * 0.95 + 4.0, y]);
        turned[2][0] += 6.0;
        let p = parallax(&face(NEUTRAL), &face(turned)).expect("parallax");
        assert!(
            (p[0] - 6.0 / 38.0).abs() < 0.01 && p[1].abs() < 0.01,
            "{p:?}"
        );
        let (moved, _) = along_step(Step::TurnLeft, p, 0.25, 0.0);
        assert!(moved > 0.1);
        let (moved, _) = along_step(Step::TurnRight, p, 0.25, 0.0);
        assert!(moved < 0.0);
    }
}
