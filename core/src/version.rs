//! The server version from `/v1/meta` and what it can do (`backup-api.md` §4).

/// A Weaviate release version; pre-release suffixes (`-rc.0`) are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version { major, minor, patch }
    }

    /// `1.39.0`, `v1.36.0-rc.0`; `None` for anything else.
    pub fn parse(s: &str) -> Option<Version> {
        let core = s.trim().trim_start_matches('v').split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        let major = parts.next()??;
        let minor = parts.next().unwrap_or(Some(0))?;
        let patch = parts.next().unwrap_or(Some(0))?;
        Some(Version { major, minor, patch })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Features the console gates on the server version. An unparsable version is treated as
/// the oldest supported server: never send what the server might silently ignore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// `*` and `?` in include/exclude (v1.36.0).
    pub wildcards: bool,
}

/// The release that added wildcards.
pub const WILDCARDS_SINCE: Version = Version::new(1, 36, 0);

impl Capabilities {
    pub fn for_version(version: &str) -> Capabilities {
        let v = Version::parse(version).unwrap_or(Version::new(1, 15, 0));
        Capabilities { wildcards: v >= WILDCARDS_SINCE }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_release_and_rc_versions() {
        assert_eq!(Version::parse("1.39.0"), Some(Version::new(1, 39, 0)));
        assert_eq!(Version::parse("v1.36.0-rc.0"), Some(Version::new(1, 36, 0)));
        assert_eq!(Version::parse("1.27"), Some(Version::new(1, 27, 0)));
        assert_eq!(Version::parse(""), None);
        assert_eq!(Version::parse("latest"), None);
        assert!(Version::new(1, 100, 0) > Version::new(1, 39, 9));
    }

    #[test]
    fn wildcards_from_1_36() {
        assert!(!Capabilities::for_version("1.35.13").wildcards);
        assert!(Capabilities::for_version("1.36.0").wildcards);
        assert!(Capabilities::for_version("1.39.0").wildcards);
        assert!(!Capabilities::for_version("garbage").wildcards);
    }
}
