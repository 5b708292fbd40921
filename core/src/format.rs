//! Human-readable sizes and durations for the job table.

/// `size` from the API is GiB of pre-compression data. The text stays short whatever a server
/// sends: NaN, infinite and negative sizes are "—", and a size beyond the largest unit is
/// written in scientific notation.
pub fn human_size_gib(gib: f64) -> String {
    if !gib.is_finite() || gib < 0.0 {
        return "—".into();
    }
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    // Scaled from GiB rather than from bytes: bytes overflow to infinity near f64::MAX.
    // Multiplying and dividing by 1024 is exact, so both directions agree.
    let (mut v, mut unit) = (gib, 3usize);
    while v < 1.0 && unit > 0 {
        v *= 1024.0;
        unit -= 1;
    }
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        return format!("{} B", v.round() as u64);
    }
    // Beyond the largest unit: scientific, one decimal (`1.7e299 EiB`).
    let mut exp = 0;
    if v >= 1024.0 {
        while v >= 10.0 {
            v /= 10.0;
            exp += 1;
        }
    }
    let mut t = tenths(v);
    if exp > 0 && t >= 100 {
        t /= 10;
        exp += 1;
    }
    let sci = if exp > 0 { format!("e{exp}") } else { String::new() };
    format!("{}.{}{sci} {}", t / 10, t % 10, UNITS[unit])
}

/// `v * 10` rounded half to even, for `1 <= v < 2^49`: what `format!("{v:.1}")` shows, from
/// the float's bits, so the wasm carries no float formatting.
fn tenths(v: f64) -> u64 {
    let bits = v.to_bits();
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    // v = mantissa * 2^-shift, and 1 <= v < 2^49 keeps the shift in 4..=52.
    let shift = 1075 - ((bits >> 52) & 0x7ff) as u32;
    let scaled = mantissa * 10;
    let (q, rest, half) = (scaled >> shift, scaled & ((1 << shift) - 1), 1 << (shift - 1));
    q + u64::from(rest > half || (rest == half && q % 2 == 1))
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
/// (`2026-08-20T10:00:12.345Z`); `None` for the zero time, a time before 1970, a date that does
/// not exist, or anything unreadable. Fields have RFC 3339's fixed widths and only ASCII digits,
/// which also bounds every number below, so the arithmetic cannot overflow.
pub fn parse_rfc3339_ms(s: &str) -> Option<u64> {
    let (date, rest) = s.trim().split_once('T')?;
    let time = rest.strip_suffix('Z').or_else(|| rest.strip_suffix("+00:00"))?;
    let (hms, frac) = match time.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (time, None),
    };
    let [y, m, day] = fields(date, '-', [4, 2, 2])?;
    let [hh, mm, ss] = fields(hms, ':', [2, 2, 2])?;
    // Weaviate writes up to nanoseconds; digits past the milliseconds are dropped.
    let ms = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.bytes().chain([b'0'; 3]).take(3).fold(0, |ms, b| ms * 10 + i64::from(b - b'0'))
        }
        Some(_) => return None,
    };
    if y < 1970 || !(1..=12).contains(&m) || day < 1 || day > days_in_month(y, m) || hh > 23 || mm > 59 || ss > 60 {
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

/// `N` decimal fields of the given widths separated by `sep`, nothing more.
fn fields<const N: usize>(s: &str, sep: char, widths: [usize; N]) -> Option<[i64; N]> {
    let mut parts = s.split(sep);
    let mut out = [0; N];
    for (slot, width) in out.iter_mut().zip(widths) {
        let p = parts.next()?;
        if p.len() != width || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = p.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
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
        assert_eq!(human_size_gib(f64::INFINITY), "—");
        assert_eq!(human_size_gib(-0.0), "0 B");
        assert_eq!(human_size_gib(5e-324), "0 B");
        assert_eq!(human_size_gib(3.0 * 1024.0 * 1024.0), "3.0 PiB");
        assert_eq!(human_size_gib(1024.0_f64.powi(4)), "1.0e3 EiB");
        assert_eq!(human_size_gib(1e308), "9.3e298 EiB");
        assert_eq!(human_size_gib(f64::MAX), "1.7e299 EiB");
    }

    #[test]
    fn one_decimal_agrees_with_format() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Uniform in [1, 1024), plus every tie x.x5 and its neighbours.
            let v = if i % 2 == 0 { 1.0 + (x >> 11) as f64 / (1u64 << 53) as f64 * 1023.0 } else { 1.0 + (i % 10_230) as f64 / 10.0 + 0.05 };
            for v in [v, f64::from_bits(v.to_bits() - 1), f64::from_bits(v.to_bits() + 1)] {
                let (t, want) = (tenths(v), format!("{v:.1}"));
                assert_eq!(format!("{}.{}", t / 10, t % 10), want, "{v:?}");
            }
        }
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("2026-11-25T10:00:12.345Z"), Some(1_795_600_812_345));
        assert_eq!(parse_rfc3339_ms("2000-02-29T23:59:59Z"), Some(951_868_799_000));
        assert_eq!(parse_rfc3339_ms("2026-11-25T10:00:12.5Z"), Some(1_795_600_812_500));
        assert_eq!(parse_rfc3339_ms("0001-01-01T00:00:00.000Z"), None);
        assert_eq!(parse_rfc3339_ms(" 2026-11-25T10:00:12.345678901+00:00 "), Some(1_795_600_812_345));
        assert_eq!(parse_rfc3339_ms("9999-12-31T23:59:59.999Z"), Some(253_402_300_799_999));
        assert_eq!(parse_rfc3339_ms("2024-02-29T00:00:00Z"), Some(1_709_164_800_000));
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-25 10:00:00", "2026-11-25T10:00:00+02:00",
                    "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z", "1900-02-29T00:00:00Z",
                    "2026-1-5T10:00:00Z", "+2026-01-05T10:00:00Z", "2026-01-05T-1:00:00Z", "2026-01-05T10:+1:00Z",
                    "2026-01-05T10:00:00.Z", "2026-01-05T10:00:00.-5Z", "2026-01-05T10:00:00.+5Z", "2026-01-05T10:00:00.1 Z",
                    "2026-01-05-01T10:00:00Z", "2026-01-05T10:00:00:00Z", "99999999999999999-01-01T00:00:00Z",
                    "٢٠٢٦-01-05T10:00:00Z", "2026-01-05T10:00:00.12éZ", "2026-01-05T10:00:00.éZ", "2026-01-05T24:00:00Z"] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(0), "0:00");
        assert_eq!(human_duration(7_900), "0:07");
        assert_eq!(human_duration(750_000), "12:30");
        assert_eq!(human_duration(3_723_000), "1:02:03");
        assert_eq!(human_duration(u64::MAX), "5124095576030:25:51");
    }
}
