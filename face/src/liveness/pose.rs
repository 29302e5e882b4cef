//! Head pose from the five landmarks, measured in the frame of the eye line
//! (so a tilted head reads the same): yaw is how far the nose tip sits from
//! the eyes' midpoint along the eye line, per eye distance; pitch is where
//! the nose tip sits between the eyes (0) and the mouth (1).

use serde::{Deserialize, Serialize};

use crate::detect::Face;

/// What a challenge asks the person to do. Directions are the person's own:
/// turning to their left moves the nose towards the right of an unmirrored
/// camera image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    TurnLeft,
    TurnRight,
    LookUp,
    LookDown,
}

impl Step {
    pub const ALL: [Step; 4] = [
        Step::TurnLeft,
        Step::TurnRight,
        Step::LookUp,
        Step::LookDown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::TurnLeft => "turn_left",
            Step::TurnRight => "turn_right",
            Step::LookUp => "look_up",
            Step::LookDown => "look_down",
        }
    }

    pub fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The same movement seen in a mirrored image (left and right swap).
    pub fn mirrored(self) -> Step {
        match self {
            Step::TurnLeft => Step::TurnRight,
            Step::TurnRight => Step::TurnLeft,
            other => other,
        }
    }

    /// What to tell the person.
    pub fn instruction(self) -> &'static str {
        match self {
            Step::TurnLeft => "Turn your head to your left.",
            Step::TurnRight => "Turn your head to your right.",
            Step::LookUp => "Tilt your head up.",
            Step::LookDown => "Tilt your head down.",
        }
    }
}

/// Yaw change beyond this (per eye distance) is a turn (a 30° turn moves
/// the nose about 0.3 eye distances).
pub const TURN: f32 = 0.10;
/// A neutral frame faces the camera within this yaw.
pub const FRONTAL: f32 = 0.10;
/// Pitch change from the neutral frame that counts as looking up or down.
pub const TILT: f32 = 0.04;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    pub yaw: f32,
    pub pitch: f32,
}

impl Pose {
    pub fn of(face: &Face) -> Pose {
        let [l, r, nose, ml, mr] = face.landmarks;
        let eye_mid = [(l[0] + r[0]) / 2.0, (l[1] + r[1]) / 2.0];
        let mouth_mid = [(ml[0] + mr[0]) / 2.0, (ml[1] + mr[1]) / 2.0];
        let (ux, uy) = (r[0] - l[0], r[1] - l[1]);
        let eye_distance = (ux * ux + uy * uy).sqrt().max(1e-3);
        let (ux, uy) = (ux / eye_distance, uy / eye_distance);
        // Perpendicular, pointing down the face.
        let (vx, vy) = (-uy, ux);
        let (nx, ny) = (nose[0] - eye_mid[0], nose[1] - eye_mid[1]);
        let (mx, my) = (mouth_mid[0] - eye_mid[0], mouth_mid[1] - eye_mid[1]);
        let down_to_mouth = (mx * vx + my * vy).max(1e-3);
        Pose {
            yaw: (nx * ux + ny * uy) / eye_distance,
            pitch: (nx * vx + ny * vy) / down_to_mouth,
        }
    }

    pub fn is_frontal(&self) -> bool {
        self.yaw.abs() < FRONTAL
    }

    /// Whether this pose performs `step`, compared with the neutral pose.
    pub fn performs(&self, step: Step, neutral: &Pose) -> bool {
        match step {
            Step::TurnLeft => self.yaw - neutral.yaw > TURN,
            Step::TurnRight => neutral.yaw - self.yaw > TURN,
            Step::LookUp => neutral.pitch - self.pitch > TILT,
            Step::LookDown => self.pitch - neutral.pitch > TILT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(nose: [f32; 2]) -> Face {
        Face {
            score: 1.0,
            bbox: [0.0, 0.0, 100.0, 100.0],
            landmarks: [[30.0, 40.0], [70.0, 40.0], nose, [35.0, 80.0], [65.0, 80.0]],
        }
    }

    #[test]
    fn the_nose_tip_gives_yaw_and_pitch() {
        let neutral = Pose::of(&face([50.0, 60.0]));
        assert!(neutral.is_frontal());
        assert!((neutral.pitch - 0.5).abs() < 1e-6);
        let left = Pose::of(&face([60.0, 60.0]));
        assert!((left.yaw - 0.25).abs() < 1e-6);
        assert!(!Pose::of(&face([53.0, 60.0])).performs(Step::TurnLeft, &neutral));
        assert!(left.performs(Step::TurnLeft, &neutral));
        assert!(!left.performs(Step::TurnRight, &neutral));
        let up = Pose::of(&face([50.0, 56.0]));
        assert!(up.performs(Step::LookUp, &neutral));
        assert!(!up.performs(Step::LookDown, &neutral));
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()), Some(s));
            assert_eq!(s.mirrored().mirrored(), s);
        }
        assert_eq!(Step::TurnLeft.mirrored(), Step::TurnRight);
        assert_eq!(Step::LookUp.mirrored(), Step::LookUp);
    }

    #[test]
    fn a_tilted_head_keeps_its_yaw() {
        // The same face rotated by 30°: yaw stays 0.
        let r = 30f32.to_radians();
        let rot = |[x, y]: [f32; 2]| [x * r.cos() - y * r.sin(), x * r.sin() + y * r.cos()];
        let mut f = face([50.0, 60.0]);
        f.landmarks = f.landmarks.map(rot);
        assert!(Pose::of(&f).yaw.abs() < 1e-4);
    }
}
