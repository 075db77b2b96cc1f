//! Which rows of a long list to put in the page: those in view plus a margin, with
//! spacers standing in for the rest at their measured (or estimated) heights. Rows have
//! different heights, so each is measured once shown. Plain Rust, tested natively.

/// The height assumed for a row not measured yet, in CSS pixels.
pub const ESTIMATE: f64 = 56.0;

/// The rows to render, `start..end`, and the space to leave above and below them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub top: f64,
    pub bottom: f64,
}

/// For rows of `heights` (`None`: not measured), a viewport `height` tall scrolled to
/// `scroll_top`, rendering `overscan` pixels beyond each edge.
pub fn window(heights: &[Option<f64>], scroll_top: f64, height: f64, overscan: f64) -> Window {
    let from = (scroll_top - overscan).max(0.0);
    let to = scroll_top + height + overscan;
    let mut offset = 0.0;
    let mut start = heights.len();
    let mut top = 0.0;
    let mut end = heights.len();
    for (i, h) in heights.iter().enumerate() {
        let h = h.unwrap_or(ESTIMATE);
        if start == heights.len() && offset + h > from {
            start = i;
            top = offset;
        }
        if offset >= to {
            end = i;
            break;
        }
        offset += h;
    }
    if start == heights.len() {
        // Scrolled past the end (the list shrank): show the last rows.
        start = heights.len().saturating_sub(1);
        top = total(&heights[..start]);
    }
    let end = end
        .max(start + usize::from(!heights.is_empty()))
        .min(heights.len());
    Window {
        start,
        end,
        top,
        bottom: total(&heights[end..]),
    }
}

/// Where row `index` starts.
pub fn offset_of(heights: &[Option<f64>], index: usize) -> f64 {
    total(&heights[..index.min(heights.len())])
}

fn total(heights: &[Option<f64>]) -> f64 {
    heights.iter().map(|h| h.unwrap_or(ESTIMATE)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rows_near_the_view_are_rendered_with_spacers_for_the_rest() {
        let heights = vec![Some(100.0); 10_000];
        let w = window(&heights, 500_000.0, 800.0, 200.0);
        assert_eq!((w.start, w.end), (4_998, 5_010));
        assert_eq!(w.top, 499_800.0);
        assert_eq!(
            w.top + (w.end - w.start) as f64 * 100.0 + w.bottom,
            1_000_000.0
        );
    }

    #[test]
    fn unmeasured_rows_count_at_the_estimate_and_measured_ones_as_measured() {
        let heights = vec![Some(300.0), None, Some(20.0), None];
        let w = window(&heights, 0.0, 320.0, 0.0);
        assert_eq!((w.start, w.end), (0, 2));
        assert_eq!(w.bottom, 20.0 + ESTIMATE);
        assert_eq!(offset_of(&heights, 3), 300.0 + ESTIMATE + 20.0);
    }

    #[test]
    fn the_bottom_of_the_list_and_empty_lists_are_safe() {
        let heights = vec![Some(50.0); 100];
        let w = window(&heights, 4_800.0, 400.0, 100.0);
        assert_eq!(w.end, 100);
        assert_eq!(w.bottom, 0.0);
        let w = window(&heights, 99_999.0, 400.0, 100.0);
        assert_eq!(
            (w.start, w.end),
            (99, 100),
            "scrolled past a list that shrank"
        );
        let w = window(&[], 0.0, 400.0, 100.0);
        assert_eq!((w.start, w.end, w.top, w.bottom), (0, 0, 0.0, 0.0));
    }
}
