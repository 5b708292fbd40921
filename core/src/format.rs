//! Human-readable sizes and durations for the job table.

/// `size` from the API is GiB of pre-compression data.
pub fn human_size_gib(gib: f64) -> String {
    if !gib.is_finite() || gib < 0.0 {
        return "—".into();
    }
    let bytes = gib * 1024.0 * 1024.0 * 1024.0;
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", v.round() as u64)
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `0:07`, `12:30`, `1:02:03`.
pub fn human_duration(ms: u64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size_gib(0.0), "0 B");
        assert_eq!(human_size_gib(1.0 / 1024.0 / 1024.0), "1.0 KiB");
        assert_eq!(human_size_gib(0.0123), "12.6 MiB");
        assert_eq!(human_size_gib(2.5), "2.5 GiB");
        assert_eq!(human_size_gib(2048.0), "2.0 TiB");
        assert_eq!(human_size_gib(f64::NAN), "—");
        assert_eq!(human_size_gib(-1.0), "—");
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(0), "0:00");
        assert_eq!(human_duration(7_900), "0:07");
        assert_eq!(human_duration(750_000), "12:30");
        assert_eq!(human_duration(3_723_000), "1:02:03");
    }
}
