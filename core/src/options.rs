//! The "Advanced" options of the create and restore forms: checked, gated on the server
//! version, and turned into request fields. An option the server lacks is never sent (older
//! servers silently ignore unknown fields).

use std::collections::BTreeMap;

use crate::api::{BackupConfig, BackupCreateRequest, BackupRestoreRequest, RestoreConfig};
use crate::validate::{check_backup_id, Field, FieldErrors, Selection, SelectionForm};
use crate::version::{Capabilities, Feature};

/// Compression levels (`BackupConfig.CompressionLevel`) and the feature each needs.
pub const COMPRESSION_LEVELS: [(&str, Feature); 7] = [
    ("DefaultCompression", Feature::CpuPercentage),
    ("BestSpeed", Feature::CpuPercentage),
    ("BestCompression", Feature::CpuPercentage),
    ("ZstdDefaultCompression", Feature::ZstdCompression),
    ("ZstdBestSpeed", Feature::ZstdCompression),
    ("ZstdBestCompression", Feature::ZstdCompression),
    ("NoCompression", Feature::ZstdCompression),
];

/// Where a backup lives when not in the backend's default place; every later call about it
/// must send the same `?bucket=&path=`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub bucket: Option<String>,
    pub path: Option<String>,
}

impl Location {
    /// `?bucket=…&path=…` (values percent-encoded), or empty.
    pub fn query(&self) -> String {
        let parts: Vec<String> = [("bucket", &self.bucket), ("path", &self.path)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", encode(v))))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn cpu(text: &str, caps: Capabilities, errs: &mut FieldErrors) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() || !caps.has(Feature::CpuPercentage) {
        return None;
    }
    match t.parse::<u32>() {
        Ok(n) if (1..=80).contains(&n) => Some(n),
        _ => {
            errs.add(Field::Cpu, "CPU percentage must be a whole number from 1 to 80.");
            None
        }
    }
}

fn location(bucket: &str, path: &str, caps: Capabilities) -> Location {
    if !caps.has(Feature::BucketPath) {
        return Location::default();
    }
    Location { bucket: opt(bucket), path: opt(path) }
}

/// The create form's advanced options, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateOptions {
    pub cpu: String,
    pub compression: String,
    pub bucket: String,
    pub path: String,
    pub base_id: String,
    /// `includeRoles` selectors, comma- or space-separated.
    pub roles: String,
}

/// Weaviate's built-in roles: `includeRoles` refuses them by name and wildcards skip them
/// (`usecases/auth/authorization/types.go` `BuiltInRoles` at v1.39.3).
pub const BUILT_IN_ROLES: [&str; 4] = ["viewer", "admin", "root", "read-only"];

/// `includeRoles` by the server's rules (`resolveRoleSelectors` in `usecases/backup/scheduler.go`
/// at v1.39.3; role names `[A-Za-z][-_0-9A-Za-z]*`, at most 64, in
/// `adapters/handlers/rest/authz/handlers_authz.go`). Whether an exact name exists only the
/// server knows: it answers 422 "does not exist".
pub fn check_roles(selectors: &[String]) -> Result<(), String> {
    if let Some(d) = selectors.iter().enumerate().find(|(i, r)| selectors[..*i].contains(r)).map(|(_, r)| r) {
        return Err(format!("{d} is listed twice."));
    }
    for r in selectors {
        if BUILT_IN_ROLES.contains(&r.as_str()) {
            return Err(format!("{r} is a built-in role: Weaviate never backs those up (a restore re-applies them)."));
        }
        let wild = r.contains(['*', '?']);
        let bad = r.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*' | '?')));
        if let Some(c) = bad {
            return Err(format!("{r:?} is not a role name (found {c:?}); use letters, digits, '-', '_' and the wildcards * and ?."));
        }
        if !wild && (r.len() > 64 || !r.starts_with(|c: char| c.is_ascii_alphabetic())) {
            return Err(format!("{r} is not a role name: it starts with a letter and has at most 64 characters."));
        }
    }
    Ok(())
}

impl CreateOptions {
    /// Adds the options to `req` (its `id` already set), or says which are wrong.
    pub fn apply(&self, req: &mut BackupCreateRequest, caps: Capabilities) -> Result<Location, FieldErrors> {
        let mut errs = FieldErrors::default();
        let cpu_percentage = cpu(&self.cpu, caps, &mut errs);
        let compression_level = opt(&self.compression).filter(|_| caps.has(Feature::CpuPercentage));
        if let Some(level) = &compression_level {
            match COMPRESSION_LEVELS.iter().find(|(l, _)| l == level) {
                None => errs.add(Field::Compression, format!("Unknown compression level {level}.")),
                Some((_, f)) if !caps.has(*f) => {
                    errs.add(Field::Compression, format!("{level} needs Weaviate {} or newer.", f.since()))
                }
                _ => {}
            }
        }
        let loc = location(&self.bucket, &self.path, caps);
        let base = opt(&self.base_id).filter(|_| caps.has(Feature::IncrementalBase));
        if let Some(b) = &base {
            if let Err(e) = check_backup_id(b) {
                errs.add(Field::BaseId, e.replace("Backup ID", "Base backup ID"));
            } else if *b == req.id {
                errs.add(Field::BaseId, "The base backup must be another backup.");
            }
        }
        let roles = if caps.has(Feature::IncludeRoles) { crate::validate::parse_collection_list(&self.roles) } else { vec![] };
        if let Err(e) = check_roles(&roles) {
            errs.add(Field::Roles, e);
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        req.include_roles = roles;
        let config = BackupConfig { cpu_percentage, compression_level, bucket: loc.bucket.clone(), path: loc.path.clone() };
        req.config = (config != BackupConfig::default()).then_some(config);
        req.incremental_base_backup_id = base;
        Ok(loc)
    }
}

/// The restore form's advanced options, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    pub cpu: String,
    pub bucket: String,
    pub path: String,
    /// `noRestore` (default) or `all`.
    pub roles: String,
    pub users: String,
    pub overwrite_alias: bool,
    /// `old=new` pairs, comma- or newline-separated.
    pub node_mapping: String,
}

/// Parses `old=new, old2=new2`.
pub fn parse_node_mapping(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for pair in text.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (old, new) = pair
            .split_once('=')
            .map(|(a, b)| (a.trim(), b.trim()))
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .ok_or_else(|| format!("'{pair}' is not old-node=new-node."))?;
        if map.insert(old.to_string(), new.to_string()).is_some() {
            return Err(format!("{old} is mapped twice."));
        }
    }
    Ok(map)
}

impl RestoreOptions {
    pub fn apply(&self, req: &mut BackupRestoreRequest, caps: Capabilities) -> Result<Location, FieldErrors> {
        let mut errs = FieldErrors::default();
        let cpu_percentage = cpu(&self.cpu, caps, &mut errs);
        let loc = location(&self.bucket, &self.path, caps);
        let role_opt = |s: &str| opt(s).filter(|v| v != "noRestore" && caps.has(Feature::RolesUsersOptions));
        let mapping = if caps.has(Feature::NodeMapping) {
            match parse_node_mapping(&self.node_mapping) {
                Ok(m) => Some(m).filter(|m| !m.is_empty()),
                Err(e) => {
                    errs.add(Field::NodeMapping, e);
                    None
                }
            }
        } else {
            None
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let config = RestoreConfig {
            cpu_percentage,
            bucket: loc.bucket.clone(),
            path: loc.path.clone(),
            roles_options: role_opt(&self.roles),
            users_options: role_opt(&self.users),
        };
        req.config = (config != RestoreConfig::default()).then_some(config);
        req.node_mapping = mapping;
        req.overwrite_alias = (self.overwrite_alias && caps.has(Feature::OverwriteAlias)).then_some(true);
        Ok(loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(v: &str) -> Capabilities {
        Capabilities::for_version(v)
    }

    fn req() -> BackupCreateRequest {
        BackupCreateRequest { id: "b".into(), ..Default::default() }
    }

    #[test]
    fn create_options_are_sent_when_supported() {
        let o = CreateOptions { cpu: "20".into(), compression: "ZstdBestSpeed".into(), path: "/data/x".into(), base_id: "base".into(), ..Default::default() };
        let mut r = req();
        let loc = o.apply(&mut r, caps("1.39.0")).unwrap();
        let c = r.config.unwrap();
        assert_eq!(c.cpu_percentage, Some(20));
        assert_eq!(c.compression_level.as_deref(), Some("ZstdBestSpeed"));
        assert_eq!(c.path.as_deref(), Some("/data/x"));
        assert_eq!(r.incremental_base_backup_id.as_deref(), Some("base"));
        assert_eq!(loc.query(), "?path=/data/x");
    }

    #[test]
    fn unsupported_options_are_never_sent() {
        let o = CreateOptions { cpu: "20".into(), path: "/x".into(), base_id: "base".into(), ..Default::default() };
        let mut r = req();
        let loc = o.apply(&mut r, caps("1.15.0")).unwrap();
        assert_eq!(r, req());
        assert_eq!(loc, Location::default());
        let mut r = req();
        o.apply(&mut r, caps("1.27.0")).unwrap();
        assert_eq!(r.incremental_base_backup_id, None);
        assert_eq!(r.config.unwrap().path, None, "bucket/path arrived in 1.27.2");
        let zstd = CreateOptions { compression: "ZstdBestSpeed".into(), ..Default::default() };
        let e = zstd.apply(&mut req(), caps("1.32.0")).unwrap_err();
        assert!(e.get(Field::Compression).unwrap().contains("1.35.0"));
    }

    #[test]
    fn include_roles_from_v1_39_1_by_the_servers_rules() {
        let o = CreateOptions { roles: "editor, team-*  auditor?".into(), ..Default::default() };
        let mut r = req();
        o.apply(&mut r, caps("1.39.1")).unwrap();
        assert_eq!(r.include_roles, ["editor", "team-*", "auditor?"]);
        assert!(serde_json::to_string(&r).unwrap().contains(r#""includeRoles":["editor","team-*","auditor?"]"#));
        let mut r = req();
        o.apply(&mut r, caps("1.39.0")).unwrap();
        assert!(r.include_roles.is_empty(), "v1.39.0 ignores includeRoles: never sent");
        for (bad, why) in [("admin", "built-in"), ("read-only", "built-in"), ("a a,a", "twice"), ("9lives", "starts with a letter"), ("x.y", "not a role name")] {
            let o = CreateOptions { roles: bad.into(), ..Default::default() };
            let e = o.apply(&mut req(), caps("1.39.3")).unwrap_err();
            assert!(e.get(Field::Roles).unwrap().contains(why), "{bad}: {e:?}");
        }
    }

    #[test]
    fn create_option_rules() {
        for bad in ["0", "81", "-1", "x", "2.5"] {
            let o = CreateOptions { cpu: bad.into(), ..Default::default() };
            assert!(o.apply(&mut req(), caps("1.39.0")).unwrap_err().get(Field::Cpu).is_some(), "{bad}");
        }
        let o = CreateOptions { base_id: "b".into(), ..Default::default() };
        assert!(o.apply(&mut req(), caps("1.39.0")).unwrap_err().get(Field::BaseId).is_some());
        let o = CreateOptions { base_id: "Bad Id".into(), ..Default::default() };
        assert!(o.apply(&mut req(), caps("1.39.0")).unwrap_err().get(Field::BaseId).is_some());
        let o = CreateOptions { compression: "Fast".into(), ..Default::default() };
        assert!(o.apply(&mut req(), caps("1.39.0")).is_err());
        let mut r = req();
        CreateOptions::default().apply(&mut r, caps("1.39.0")).unwrap();
        assert_eq!(r.config, None, "no empty config object");
    }

    #[test]
    fn restore_options() {
        let o = RestoreOptions {
            cpu: "10".into(),
            roles: "all".into(),
            users: "noRestore".into(),
            overwrite_alias: true,
            node_mapping: "old-a=node1\nold-b = node2".into(),
            bucket: "bk".into(),
            ..Default::default()
        };
        let mut r = BackupRestoreRequest::default();
        let loc = o.apply(&mut r, caps("1.39.0")).unwrap();
        let c = r.config.clone().unwrap();
        assert_eq!((c.cpu_percentage, c.roles_options.as_deref(), c.users_options), (Some(10), Some("all"), None));
        assert_eq!(r.overwrite_alias, Some(true));
        assert_eq!(r.node_mapping.unwrap()["old-b"], "node2");
        assert_eq!(loc.query(), "?bucket=bk");

        let mut old = BackupRestoreRequest::default();
        o.apply(&mut old, caps("1.28.0")).unwrap();
        assert_eq!(old.overwrite_alias, None);
        assert_eq!(old.config.unwrap().roles_options, None);

        assert!(parse_node_mapping("a").is_err());
        assert!(parse_node_mapping("a=b,a=c").is_err());
        assert!(parse_node_mapping(" , ").unwrap().is_empty());
    }

    #[test]
    fn location_query_is_encoded() {
        let l = Location { bucket: Some("my bucket".into()), path: Some("/a&b".into()) };
        assert_eq!(l.query(), "?bucket=my%20bucket&path=/a%26b");
        assert_eq!(Location::default().query(), "");
    }
}

/// Everything the create form holds: its one validator, every error at once (a wrong CPU
/// percentage shows beside a wrong id, not after it is fixed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateForm {
    pub selection: SelectionForm,
    pub options: CreateOptions,
}

impl CreateForm {
    pub fn validate(&self, known: Option<&[String]>, caps: Capabilities) -> Result<(Selection, BackupCreateRequest, Location), FieldErrors> {
        let mut req = BackupCreateRequest { id: self.selection.id.trim().to_string(), ..Default::default() };
        let options = self.options.apply(&mut req, caps);
        let sel = both(self.selection.validate(known, caps), options)?;
        (req.include, req.exclude) = (sel.0.include.clone(), sel.0.exclude.clone());
        Ok((sel.0, req, sel.1))
    }
}

/// Everything the restore form holds, with its one validator (see [`CreateForm`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreForm {
    pub selection: SelectionForm,
    pub options: RestoreOptions,
}

impl RestoreForm {
    pub fn validate(&self, known: Option<&[String]>, caps: Capabilities) -> Result<(Selection, BackupRestoreRequest, Location), FieldErrors> {
        let mut req = BackupRestoreRequest::default();
        let options = self.options.apply(&mut req, caps);
        let sel = both(self.selection.validate(known, caps), options)?;
        (req.include, req.exclude) = (sel.0.include.clone(), sel.0.exclude.clone());
        Ok((sel.0, req, sel.1))
    }
}

/// Both parts of a form, or every error of both.
fn both<A, B>(a: Result<A, FieldErrors>, b: Result<B, FieldErrors>) -> Result<(A, B), FieldErrors> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => {
            let mut all = a.err().unwrap_or_default();
            all.extend(b.err().unwrap_or_default());
            Err(all)
        }
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn each_form_reports_every_error_at_once() {
        let caps = Capabilities::for_version("1.39.3");
        let selection = SelectionForm { backend: "filesystem".into(), id: "Bad Id".into(), include: "A".into(), exclude: "B".into() };
        let create = CreateForm { selection: selection.clone(), options: CreateOptions { cpu: "95".into(), roles: "admin".into(), ..Default::default() } };
        let errs = create.validate(None, caps).unwrap_err();
        for f in [Field::Id, Field::Include, Field::Exclude, Field::Cpu, Field::Roles] {
            assert!(errs.get(f).is_some(), "{f:?}: {errs:?}");
        }
        let restore = RestoreForm { selection, options: RestoreOptions { cpu: "0".into(), node_mapping: "x".into(), ..Default::default() } };
        let errs = restore.validate(None, caps).unwrap_err();
        for f in [Field::Id, Field::Include, Field::Cpu, Field::NodeMapping] {
            assert!(errs.get(f).is_some(), "{f:?}: {errs:?}");
        }
    }

    #[test]
    fn a_valid_form_is_one_request() {
        let caps = Capabilities::for_version("1.39.3");
        let selection = SelectionForm { backend: "s3".into(), id: "b1".into(), include: "Article".into(), exclude: String::new() };
        let create = CreateForm { selection, options: CreateOptions { cpu: "20".into(), path: "/p".into(), ..Default::default() } };
        let (sel, req, loc) = create.validate(None, caps).unwrap();
        assert_eq!((sel.backend.as_str(), req.id.as_str(), req.include.as_slice()), ("s3", "b1", ["Article".to_string()].as_slice()));
        assert_eq!(req.config.unwrap().cpu_percentage, Some(20));
        assert_eq!(loc.query(), "?path=/p");
    }
}
