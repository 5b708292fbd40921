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

/// Milliseconds since the epoch of an RFC 3339 UTC time as Weaviate writes it
/// (`2026-08-20T10:00:12.345Z`); `None` for the zero time or anything unreadable.
pub fn parse_rfc3339_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = rest.strip_suffix('Z').or_else(|| rest.strip_suffix("+00:00"))?;
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut t = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    let ms: i64 = format!("{:0<3}", &frac[..frac.len().min(3)]).parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 || y < 1970 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms).ok()
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
    fn rfc3339() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("2026-11-25T10:00:12.345Z"), Some(1_795_600_812_345));
        assert_eq!(parse_rfc3339_ms("2000-02-29T23:59:59Z"), Some(951_868_799_000));
        assert_eq!(parse_rfc3339_ms("2026-11-25T10:00:12.5Z"), Some(1_795_600_812_500));
        assert_eq!(parse_rfc3339_ms("0001-01-01T00:00:00.000Z"), None);
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-25 10:00:00", "2026-11-25T10:00:00+02:00"] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(0), "0:00");
        assert_eq!(human_duration(7_900), "0:07");
        assert_eq!(human_duration(750_000), "12:30");
        assert_eq!(human_duration(3_723_000), "1:02:03");
    }
}
