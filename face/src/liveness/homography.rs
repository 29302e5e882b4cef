//! Plane-to-plane maps: how any view of a flat picture moves its points.

/// A 3×3 homography, row-major: `(x, y) → ((h0·x + h1·y + h2) / w,
/// (h3·x + h4·y + h5) / w)` with `w = h6·x + h7·y + h8`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(pub [f32; 9]);

type M3 = [f64; 9];

fn mul(a: &M3, b: &M3) -> M3 {
    std::array::from_fn(|i| {
        let (r, c) = (i / 3, i % 3);
        (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum()
    })
}

fn invert(m: &M3) -> Option<M3> {
    let cof = |r0: usize, r1: usize, c0: usize, c1: usize| {
        m[r0 * 3 + c0] * m[r1 * 3 + c1] - m[r0 * 3 + c1] * m[r1 * 3 + c0]
    };
    let adj = [
        cof(1, 2, 1, 2),
        -cof(0, 2, 1, 2),
        cof(0, 1, 1, 2),
        -cof(1, 2, 0, 2),
        cof(0, 2, 0, 2),
        -cof(0, 1, 0, 2),
        cof(1, 2, 0, 1),
        -cof(0, 2, 0, 1),
        cof(0, 1, 0, 1),
    ];
    let det = m[0] * adj[0] + m[1] * adj[3] + m[2] * adj[6];
    (det.abs() > 1e-12).then(|| adj.map(|v| v / det))
}

/// Moves the points' centroid to the origin and their mean distance from it
/// to √2 (conditioning for the solve).
fn normaliser(points: &[[f32; 2]]) -> M3 {
    let n = points.len() as f64;
    let (mx, my) = points.iter().fold((0.0, 0.0), |(x, y), p| {
        (x + f64::from(p[0]) / n, y + f64::from(p[1]) / n)
    });
    let spread = points
        .iter()
        .map(|p| ((f64::from(p[0]) - mx).powi(2) + (f64::from(p[1]) - my).powi(2)).sqrt())
        .sum::<f64>()
        / n;
    let s = std::f64::consts::SQRT_2 / spread.max(1e-9);
    [s, 0.0, -s * mx, 0.0, s, -s * my, 0.0, 0.0, 1.0]
}

/// Solves the square system `a·x = b` by Gaussian elimination with partial
/// pivoting.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let f = a[row][col] / a[col][col];
            let (upper, lower) = a.split_at_mut(row);
            for (target, p) in lower[0][col..].iter_mut().zip(&upper[col][col..]) {
                *target -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; N];
    for row in (0..N).rev() {
        let tail: f64 = (row + 1..N).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    Some(x)
}

impl Homography {
    /// The homography taking four points `from` onto `to` (least squares
    /// over more), or `None` when three of them lie on one line.
    pub fn fit(from: &[[f32; 2]], to: &[[f32; 2]]) -> Option<Homography> {
        let (tf, tt) = (normaliser(from), normaliser(to));
        let norm = |t: &M3, p: &[f32; 2]| {
            let (x, y) = (f64::from(p[0]), f64::from(p[1]));
            [t[0] * x + t[2], t[4] * y + t[5]]
        };
        // Normal equations of the 2n linear equations in h0..h7 (h8 = 1).
        let (mut ata, mut atb) = ([[0.0f64; 8]; 8], [0.0f64; 8]);
        for (p, q) in from.iter().zip(to) {
            let ([x, y], [u, v]) = (norm(&tf, p), norm(&tt, q));
            for (row, rhs) in [
                ([x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y], u),
                ([0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y], v),
            ] {
                for i in 0..8 {
                    for j in 0..8 {
                        ata[i][j] += row[i] * row[j];
                    }
                    atb[i] += row[i] * rhs;
                }
            }
        }
        let h = solve(ata, atb)?;
        let hn: M3 = [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0];
        let m = mul(&invert(&tt)?, &mul(&hn, &tf));
        let scale = if m[8].abs() > 1e-12 { m[8] } else { 1.0 };
        Some(Homography(m.map(|v| (v / scale) as f32)))
    }

    pub fn apply(&self, [x, y]: [f32; 2]) -> [f32; 2] {
        let h = self.0;
        let w = h[6] * x + h[7] * y + h[8];
        let w = if w.abs() < 1e-9 { 1e-9 } else { w };
        [
            (h[0] * x + h[1] * y + h[2]) / w,
            (h[3] * x + h[4] * y + h[5]) / w,
        ]
    }

    pub fn inverse(&self) -> Option<Homography> {
        let m: M3 = self.0.map(f64::from);
        invert(&m).map(|i| Homography(i.map(|v| v as f32)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: [[f32; 2]; 4] = [[30.0, 40.0], [70.0, 40.0], [35.0, 80.0], [65.0, 80.0]];

    #[test]
    fn a_perspective_map_is_recovered_from_four_points_and_inverted() {
        let map = Homography([0.9, 0.2, 5.0, -0.1, 1.1, -3.0, 0.002, -0.001, 1.0]);
        let to = SQUARE.map(|p| map.apply(p));
        let fitted = Homography::fit(&SQUARE, &to).expect("a map");
        for p in [[50.0, 60.0], [0.0, 0.0], [100.0, 20.0]] {
            let (a, b) = (fitted.apply(p), map.apply(p));
            assert!(
                (a[0] - b[0]).abs() < 1e-2 && (a[1] - b[1]).abs() < 1e-2,
                "{a:?} {b:?}"
            );
        }
        let back = fitted.inverse().expect("invertible").apply(to[0]);
        assert!((back[0] - 30.0).abs() < 1e-2 && (back[1] - 40.0).abs() < 1e-2);
        let line = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        assert!(Homography::fit(&line, &SQUARE).is_none());
    }
}
