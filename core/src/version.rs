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

/// A backup-API feature that arrived in some release (and was backported to some older lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    NodeMapping,
    CpuPercentage,
    Cancel,
    BucketPath,
    List,
    RolesUsersOptions,
    OverwriteAlias,
    ListOrderAndSize,
    ZstdCompression,
    RestoreCancel,
    Wildcards,
    IncrementalBase,
    IncludeUsers,
    IncludeRoles,
}

/// A `&'static [Version]` from `(major, minor, patch)` triples.
macro_rules! releases {
    ($(($a:expr, $b:expr, $c:expr)),+) => {{
        const R: &[Version] = &[$(Version::new($a, $b, $c)),+];
        R
    }};
}

impl Feature {
    /// Every feature, oldest first.
    pub const ALL: [Feature; 14] = [
        Feature::NodeMapping,
        Feature::CpuPercentage,
        Feature::Cancel,
        Feature::BucketPath,
        Feature::List,
        Feature::RolesUsersOptions,
        Feature::OverwriteAlias,
        Feature::ListOrderAndSize,
        Feature::ZstdCompression,
        Feature::RestoreCancel,
        Feature::Wildcards,
        Feature::IncrementalBase,
        Feature::IncludeUsers,
        Feature::IncludeRoles,
    ];

    /// The first mainline release with the feature, then the first patch of each older line
    /// that got it as a backport (`backup-api.md` §4).
    fn releases(self) -> &'static [Version] {
        match self {
            Feature::NodeMapping => releases!((1, 22, 0)),
            Feature::CpuPercentage => releases!((1, 24, 0)),
            Feature::Cancel => releases!((1, 27, 0), (1, 24, 25), (1, 25, 17), (1, 26, 5)),
            Feature::BucketPath => releases!((1, 28, 0), (1, 27, 2)),
            Feature::List => releases!((1, 32, 0), (1, 30, 12), (1, 31, 5)),
            Feature::RolesUsersOptions => releases!((1, 32, 0), (1, 30, 9), (1, 31, 2)),
            Feature::OverwriteAlias => releases!((1, 33, 0), (1, 32, 5)),
            Feature::ListOrderAndSize => releases!((1, 34, 0), (1, 32, 14), (1, 33, 2)),
            Feature::ZstdCompression => releases!((1, 35, 0), (1, 32, 18), (1, 33, 6), (1, 34, 1)),
            Feature::RestoreCancel => releases!((1, 36, 0)),
            Feature::Wildcards => releases!((1, 36, 0)),
            Feature::IncrementalBase => releases!((1, 37, 0), (1, 34, 18), (1, 35, 13), (1, 36, 3)),
            Feature::IncludeUsers => releases!((1, 39, 0), (1, 38, 3)),
            // `includeRoles` in `entities/models/backup_create_request.go` at v1.39.1, not v1.39.0.
            Feature::IncludeRoles => releases!((1, 39, 1)),
        }
    }

    /// The mainline release that added it, for "needs Weaviate X" tooltips.
    pub fn since(self) -> Version {
        self.releases()[0]
    }

    pub fn available_in(self, version: Version) -> bool {
        let r = self.releases();
        version >= r[0]
            || r[1..].iter().any(|b| b.major == version.major && b.minor == version.minor && version.patch >= b.patch)
    }
}

/// What the connected server supports. An unparsable version counts as the oldest server
/// (v1.15): never send what the server might silently ignore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub version: Version,
}

impl Capabilities {
    pub fn for_version(version: &str) -> Capabilities {
        Capabilities { version: Version::parse(version).unwrap_or(Version::new(1, 15, 0)) }
    }

    pub fn has(self, f: Feature) -> bool {
        f.available_in(self.version)
    }

    /// Why a control is unavailable, or `None` when it is. Names the patch of the server's
    /// own release line when the feature was backported there.
    pub fn lacks(self, f: Feature) -> Option<String> {
        let v = self.version;
        let needed = f.releases()[1..]
            .iter()
            .find(|b| b.major == v.major && b.minor == v.minor)
            .copied()
            .unwrap_or(f.since());
        (!self.has(f)).then(|| format!("Needs Weaviate {needed} or newer (this server is {v})."))
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

    use Feature::*;
    const ALL: [Feature; 14] = Feature::ALL;

    fn has(version: &str) -> Vec<Feature> {
        let c = Capabilities::for_version(version);
        ALL.into_iter().filter(|f| c.has(*f)).collect()
    }

    #[test]
    fn capability_table_by_version() {
        assert_eq!(has("1.15.0"), vec![]);
        assert_eq!(has("1.27.0"), vec![NodeMapping, CpuPercentage, Cancel]);
        assert_eq!(has("1.27.2"), vec![NodeMapping, CpuPercentage, Cancel, BucketPath]);
        assert_eq!(has("1.32.0"), vec![NodeMapping, CpuPercentage, Cancel, BucketPath, List, RolesUsersOptions]);
        assert_eq!(
            has("1.36.0"),
            vec![NodeMapping, CpuPercentage, Cancel, BucketPath, List, RolesUsersOptions, OverwriteAlias,
                 ListOrderAndSize, ZstdCompression, RestoreCancel, Wildcards]
        );
        assert_eq!(has("1.39.0"), ALL[..13].to_vec());
        assert_eq!(has("1.39.1"), ALL.to_vec());
        assert_eq!(has("garbage"), vec![]);
    }

    #[test]
    fn backports_count_only_in_their_own_line() {
        assert!(Capabilities::for_version("1.36.3").has(IncrementalBase));
        assert!(!Capabilities::for_version("1.36.2").has(IncrementalBase));
        assert!(Capabilities::for_version("1.34.18").has(IncrementalBase));
        assert!(!Capabilities::for_version("1.34.17").has(IncrementalBase));
        assert!(Capabilities::for_version("1.31.5").has(List));
        assert!(!Capabilities::for_version("1.29.99").has(List));
        assert!(Capabilities::for_version("1.24.25").has(Cancel));
        assert!(!Capabilities::for_version("1.24.24").has(Cancel));
    }

    #[test]
    fn tooltip_names_the_version() {
        let c = Capabilities::for_version("1.27.0");
        assert_eq!(c.lacks(Cancel), None);
        assert_eq!(c.lacks(Wildcards).unwrap(), "Needs Weaviate 1.36.0 or newer (this server is 1.27.0).");
        assert_eq!(c.lacks(BucketPath).unwrap(), "Needs Weaviate 1.27.2 or newer (this server is 1.27.0).");
    }
}
