//! Which face to compare, and whether it can be compared at all (issue 15,
//! item 5). The largest box is not the best face: a spurious detection at
//! the image's edge, a face cut by the frame or turned away can be larger
//! than the person's. Each face gets a quality — detector score × size ×
//! frontality — and the best usable one is compared; when none is usable the
//! answer is a reason to retake the photo, never a similarity.

use serde::Serialize;

use crate::detect::Face;

/// Below this many pixels between the eyes a face holds too little detail
/// to compare (the aligned template has about 38): the photo must be retaken.
pub const MIN_USABLE_EYE_DISTANCE: f32 = 12.0;
/// Eye distance from which size no longer adds to the quality.
const FULL_SIZE_EYE_DISTANCE: f32 = 40.0;

/// A face's fitness for comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// 0–1: detector score × size × frontality.
    pub quality: f32,
    /// Why the face cannot be compared, if it cannot.
    pub problem: Option<String>,
}

/// Where the nose lies between the eyes (0 = on the left eye, 1 = on the
/// right; a frontal face is near 0.5) and how far below the eye line,
/// in eye distances (a face is about 0.4–0.9).
fn pose(face: &Face) -> (f32, f32) {
    let [l, r, nose] = [face.landmarks[0], face.landmarks[1], face.landmarks[2]];
    let (vx, vy) = (r[0] - l[0], r[1] - l[1]);
    let len2 = (vx * vx + vy * vy).max(1e-6);
    let (nx, ny) = (nose[0] - l[0], nose[1] - l[1]);
    let along = (nx * vx + ny * vy) / len2;
    let below = (vx * ny - vy * nx) / len2;
    (along, below)
}

/// The face's quality in a `width` × `height` image, and its problem.
pub fn assess(face: &Face, width: u32, height: u32) -> Assessment {
    let eyes = face.eye_distance();
    let (w, h) = (width as f32, height as f32);
    let [x, y, bw, bh] = face.bbox;
    let slack_x = 0.25 * bw;
    let slack_y = 0.25 * bh;
    let landmarks_inside = face
        .landmarks
        .iter()
        .all(|p| p[0] >= 0.0 && p[1] >= 0.0 && p[0] < w && p[1] < h);
    let box_inside =
        x >= -slack_x && y >= -slack_y && x + bw <= w + slack_x && y + bh <= h + slack_y;
    let (along, below) = pose(face);
    let frontal = (1.0 - 2.0 * (along - 0.5).abs()).clamp(0.0, 1.0);
    let problem = if !landmarks_inside || !box_inside {
        Some("the face is cut by the edge of the image".to_owned())
    } else if eyes < MIN_USABLE_EYE_DISTANCE {
        Some(format!(
            "the face is too small ({eyes:.0} px between the eyes, at least {MIN_USABLE_EYE_DISTANCE:.0})"
        ))
    } else if !(0.15..=1.2).contains(&below) {
        Some(
            "the face's features are not where a face's are (not a face, or upside down)"
                .to_owned(),
        )
    } else if frontal < 0.3 {
        Some("the face is turned away from the camera".to_owned())
    } else {
        None
    };
    let size = (eyes / FULL_SIZE_EYE_DISTANCE).clamp(0.0, 1.0);
    Assessment {
        quality: face.score * size * frontal.max(0.1),
        problem,
    }
}

/// The best usable face (by quality) with its index, or the problem of the
/// best face when none is usable. None when there is no face.
pub fn choose(faces: &[Face], width: u32, height: u32) -> Option<Result<usize, String>> {
    let assessed: Vec<Assessment> = faces.iter().map(|f| assess(f, width, height)).collect();
    let best = |usable: bool| {
        assessed
            .iter()
            .enumerate()
            .filter(|(_, a)| a.problem.is_none() == usable)
            .max_by(|a, b| a.1.quality.total_cmp(&b.1.quality))
            .map(|(i, _)| i)
    };
    if let Some(i) = best(true) {
        return Some(Ok(i));
    }
    best(false).map(|i| Err(assessed[i].problem.clone().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frontal face with eyes `eyes` px apart, its left eye at (x, y).
    fn face(x: f32, y: f32, eyes: f32, score: f32) -> Face {
        Face {
            score,
            bbox: [x - 0.6 * eyes, y - 0.8 * eyes, 2.2 * eyes, 2.6 * eyes],
            landmarks: [
                [x, y],
                [x + eyes, y],
                [x + 0.5 * eyes, y + 0.6 * eyes],
                [x + 0.1 * eyes, y + 1.1 * eyes],
                [x + 0.9 * eyes, y + 1.1 * eyes],
            ],
        }
    }

    #[test]
    fn a_clear_face_beats_a_larger_one_cut_by_the_frame() {
        let cut = face(-5.0, 200.0, 120.0, 0.95);
        let clear = face(300.0, 200.0, 60.0, 0.9);
        assert_eq!(choose(&[cut, clear], 640, 480), Some(Ok(1)));
        let problem = assess(&cut, 640, 480).problem.expect("cut");
        assert!(problem.contains("cut by the edge"), "{problem}");
    }

    #[test]
    fn a_tiny_spurious_face_is_not_compared() {
        let speck = face(630.0, 10.0, 2.0, 0.7);
        assert_eq!(
            choose(&[speck], 640, 480),
            Some(Err(
                "the face is too small (2 px between the eyes, at least 12)".into()
            ))
        );
        // Beside a real face, the real face is chosen whatever the scores.
        let person = face(200.0, 200.0, 30.0, 0.65);
        assert_eq!(choose(&[speck, person], 640, 480), Some(Ok(1)));
        assert_eq!(choose(&[], 640, 480), None);
    }

    #[test]
    fn a_face_turned_away_is_not_compared_and_frontal_faces_rank_higher() {
        let mut turned = face(200.0, 200.0, 40.0, 0.9);
        turned.landmarks[2][0] = 200.0 + 0.95 * 40.0;
        let problem = assess(&turned, 640, 480).problem.expect("turned");
        assert!(problem.contains("turned away"), "{problem}");
        let mut slightly = face(200.0, 200.0, 40.0, 0.9);
        slightly.landmarks[2][0] = 200.0 + 0.65 * 40.0;
        let straight = face(400.0, 200.0, 40.0, 0.9);
        assert!(assess(&straight, 640, 480).quality > assess(&slightly, 640, 480).quality);
        assert!(assess(&slightly, 640, 480).problem.is_none());
    }
}
