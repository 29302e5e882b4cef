//! Text lines from connected components: dark blobs of character size are
//! chained left to right into lines, each with its character height and its
//! slope (least squares through the character centres). The slopes give the
//! page's skew; the lines give the MRZ rows.

/// A connected dark blob; `x1`/`y1` exclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Component {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
    pub pixels: usize,
}

impl Component {
    pub fn width(&self) -> usize {
        self.x1 - self.x0
    }
    pub fn height(&self) -> usize {
        self.y1 - self.y0
    }
    pub fn cx(&self) -> f64 {
        (self.x0 + self.x1) as f64 / 2.0
    }
    pub fn cy(&self) -> f64 {
        (self.y0 + self.y1) as f64 / 2.0
    }
}

/// 8-connected components of `mask` (`width` wide), two-pass with union-find.
pub fn components(mask: &[bool], width: usize) -> Vec<Component> {
    fn find(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            parent[i as usize] = parent[parent[i as usize] as usize];
            i = parent[i as usize];
        }
        i
    }
    if width == 0 {
        return Vec::new();
    }
    let height = mask.len() / width;
    let mut labels = vec![0u32; mask.len()];
    let mut parent: Vec<u32> = vec![0];
    for y in 0..height {
        for x in 0..width {
            let i = y * width + x;
            if !mask[i] {
                continue;
            }
            let mut neighbours = [0u32; 4];
            if x > 0 {
                neighbours[0] = labels[i - 1];
            }
            if y > 0 {
                let up = i - width;
                neighbours[1] = labels[up];
                if x > 0 {
                    neighbours[2] = labels[up - 1];
                }
                if x + 1 < width {
                    neighbours[3] = labels[up + 1];
                }
            }
            let mut label = 0;
            for n in neighbours.into_iter().filter(|n| *n != 0) {
                let root = find(&mut parent, n);
                if label == 0 {
                    label = root;
                } else if root != label {
                    let (keep, merge) = (label.min(root), label.max(root));
                    parent[merge as usize] = keep;
                    label = keep;
                }
            }
            if label == 0 {
                label = parent.len() as u32;
                parent.push(label);
            }
            labels[i] = label;
        }
    }
    let mut boxes: Vec<Option<Component>> = vec![None; parent.len()];
    for y in 0..height {
        for x in 0..width {
            let label = labels[y * width + x];
            if label == 0 {
                continue;
            }
            let root = find(&mut parent, label) as usize;
            let b = boxes[root].get_or_insert(Component {
                x0: x,
                y0: y,
                x1: x + 1,
                y1: y + 1,
                pixels: 0,
            });
            b.x0 = b.x0.min(x);
            b.x1 = b.x1.max(x + 1);
            b.y0 = b.y0.min(y);
            b.y1 = b.y1.max(y + 1);
            b.pixels += 1;
        }
    }
    boxes.into_iter().flatten().collect()
}

/// Components chained into one line of text, left to right.
#[derive(Debug, Clone)]
pub struct TextLine {
    pub parts: Vec<Component>,
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
    /// Median height of the character-shaped parts.
    pub char_height: f64,
    /// dy/dx of the character centres (image coordinates, y down).
    pub slope: f64,
}

impl TextLine {
    fn from_parts(parts: Vec<Component>) -> Self {
        let mut heights: Vec<usize> = parts.iter().map(Component::height).collect();
        heights.sort_unstable();
        let char_height = heights[heights.len() / 2] as f64;
        let chars: Vec<&Component> = parts
            .iter()
            .filter(|c| (c.width() as f64) <= 1.5 * char_height)
            .collect();
        let slope = if chars.len() >= 4 {
            let n = chars.len() as f64;
            let mx = chars.iter().map(|c| c.cx()).sum::<f64>() / n;
            let my = chars.iter().map(|c| c.cy()).sum::<f64>() / n;
            let sxx: f64 = chars.iter().map(|c| (c.cx() - mx).powi(2)).sum();
            let sxy: f64 = chars.iter().map(|c| (c.cx() - mx) * (c.cy() - my)).sum();
            if sxx > 0.0 {
                sxy / sxx
            } else {
                0.0
            }
        } else {
            0.0
        };
        Self {
            x0: parts.iter().map(|c| c.x0).min().unwrap_or(0),
            y0: parts.iter().map(|c| c.y0).min().unwrap_or(0),
            x1: parts.iter().map(|c| c.x1).max().unwrap_or(0),
            y1: parts.iter().map(|c| c.y1).max().unwrap_or(0),
            parts,
            char_height,
            slope,
        }
    }

    pub fn width(&self) -> usize {
        self.x1 - self.x0
    }

    pub fn cy(&self) -> f64 {
        (self.y0 + self.y1) as f64 / 2.0
    }

    /// Where the line's middle runs at `x`: through the mean of its parts'
    /// centres, with its slope (the box's `cy` is off at the ends of a
    /// sloping line by half its rise).
    pub fn middle_at(&self, x: f64) -> f64 {
        let n = self.parts.len().max(1) as f64;
        let mx = self.parts.iter().map(Component::cx).sum::<f64>() / n;
        let my = self.parts.iter().map(Component::cy).sum::<f64>() / n;
        my + self.slope * (x - mx)
    }

    /// Character-shaped parts (a run of merged fillers is one wide part).
    pub fn char_count(&self) -> usize {
        self.parts.len()
    }
}

/// Chains components of text size into lines. `max_slope` bounds how steeply
/// a line may run (tan of the largest expected skew).
pub fn text_lines(components: &[Component], image_height: usize, max_slope: f64) -> Vec<TextLine> {
    let max_h = (image_height / 6).max(8);
    let mut comps: Vec<Component> = components
        .iter()
        .filter(|c| c.height() >= 6 && c.height() <= max_h && c.pixels >= 10)
        .copied()
        .collect();
    comps.sort_by_key(|c| c.x0);
    let n = comps.len();
    let mut right: Vec<Option<usize>> = vec![None; n];
    let mut left: Vec<Option<(usize, f64)>> = vec![None; n];
    for a in 0..n {
        let ca = comps[a];
        let mut best: Option<(usize, f64)> = None;
        for (b, cb) in comps.iter().enumerate().skip(a + 1) {
            let h = ca.height().max(cb.height()) as f64;
            if cb.x0 as f64 > ca.x1 as f64 + 1.3 * h + 4.0 {
                // Sorted by x0: nothing further can be close enough... unless a
                // taller component comes later; heights are bounded by max_h.
                if cb.x0 > ca.x1 + 2 * max_h {
                    break;
                }
                continue;
            }
            let gap = cb.x0 as f64 - ca.x1 as f64;
            if gap < -0.3 * h || cb.cx() <= ca.cx() {
                continue;
            }
            let ratio = ca.height() as f64 / cb.height() as f64;
            if !(0.4..=2.5).contains(&ratio) {
                continue;
            }
            let dy = (cb.cy() - ca.cy()).abs();
            if dy > 0.35 * h + (cb.cx() - ca.cx()) * max_slope {
                continue;
            }
            let cost = gap.max(0.0) + 2.0 * dy;
            if best.is_none_or(|(_, c)| cost < c) {
                best = Some((b, cost));
            }
        }
        if let Some((b, cost)) = best {
            match left[b] {
                Some((_, existing)) if existing <= cost => {}
                Some((previous, _)) => {
                    right[previous] = None;
                    right[a] = Some(b);
                    left[b] = Some((a, cost));
                }
                None => {
                    right[a] = Some(b);
                    left[b] = Some((a, cost));
                }
            }
        }
    }
    let mut lines = Vec::new();
    for start in 0..n {
        if left[start].is_some() {
            continue;
        }
        let mut parts = vec![comps[start]];
        let mut at = start;
        while let Some(next) = right[at] {
            parts.push(comps[next]);
            at = next;
        }
        if parts.len() >= 3 {
            lines.push(TextLine::from_parts(parts));
        }
    }
    merge_collinear(lines)
}

/// Joins pieces of one row split by a wide gap (a smudge, a lost character).
fn merge_collinear(mut lines: Vec<TextLine>) -> Vec<TextLine> {
    lines.sort_by_key(|l| l.x0);
    let mut merged: Vec<TextLine> = Vec::new();
    'next: for line in lines {
        for existing in merged.iter_mut() {
            let h = existing.char_height.max(line.char_height);
            let expected_cy =
                existing.cy() + existing.slope * (line.x0 as f64 - existing.x1 as f64);
            let gap = line.x0 as f64 - existing.x1 as f64;
            let ratio = existing.char_height / line.char_height;
            if gap >= -0.3 * h
                && gap <= 4.0 * h
                && (line.cy() - expected_cy).abs() <= 0.4 * h
                && (0.6..=1.7).contains(&ratio)
            {
                let mut parts = std::mem::take(&mut existing.parts);
                parts.extend(line.parts);
                *existing = TextLine::from_parts(parts);
                continue 'next;
            }
        }
        merged.push(line);
    }
    merged.sort_by(|a, b| a.cy().total_cmp(&b.cy()));
    merged
}

/// The page skew as dy/dx: the median slope of the longest lines.
pub fn skew(lines: &[TextLine]) -> Option<f64> {
    let mut long: Vec<&TextLine> = lines.iter().filter(|l| l.char_count() >= 8).collect();
    long.sort_by_key(|l| std::cmp::Reverse(l.char_count()));
    long.truncate(7);
    let mut slopes: Vec<f64> = long.iter().map(|l| l.slope).collect();
    slopes.sort_by(f64::total_cmp);
    slopes.get(slopes.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `count` character blobs in a row descending by `slope`.
    fn row(mask: &mut [bool], width: usize, x: usize, y: usize, count: usize, slope: f64) {
        for k in 0..count {
            let cx = x + k * 14;
            let cy = y as f64 + slope * (k * 14) as f64;
            for dy in 0..16 {
                for dx in 0..9 {
                    mask[(cy as usize + dy) * width + cx + dx] = true;
                }
            }
        }
    }

    #[test]
    fn rows_of_blobs_become_lines_with_their_slope() {
        let width = 700;
        let mut mask = vec![false; width * 300];
        row(&mut mask, width, 20, 40, 44, 0.1);
        row(&mut mask, width, 20, 150, 44, 0.1);
        let comps = components(&mask, width);
        assert_eq!(comps.len(), 88);
        let lines = text_lines(&comps, 300, 0.36);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.char_count() == 44));
        assert!((lines[0].slope - 0.1).abs() < 0.01, "{}", lines[0].slope);
        assert!(lines[0].cy() < lines[1].cy());
        let skew = skew(&lines).expect("skew");
        assert!((skew - 0.1).abs() < 0.01);
    }

    #[test]
    fn diagonal_neighbours_join_one_component() {
        let mut mask = vec![false; 16];
        mask[0] = true;
        mask[5] = true;
        mask[10] = true;
        mask[3] = true;
        let comps = components(&mask, 4);
        assert_eq!(comps.len(), 2);
        assert!(comps.iter().any(|c| c.pixels == 3 && c.width() == 3));
    }
}
