//! Request and response bodies of Weaviate's backup API and the discovery endpoints,
//! as documented in `openapi-v1.39.0.json`. Unknown response fields are ignored and optional
//! ones default, so older and newer servers both parse.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::status::Status;

/// `config` of a create (`BackupConfig`); unset fields are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupConfig {
    #[serde(rename = "CPUPercentage", skip_serializing_if = "Option::is_none", default)]
    pub cpu_percentage: Option<u32>,
    #[serde(rename = "CompressionLevel", skip_serializing_if = "Option::is_none", default)]
    pub compression_level: Option<String>,
    #[serde(rename = "Bucket", skip_serializing_if = "Option::is_none", default)]
    pub bucket: Option<String>,
    #[serde(rename = "Path", skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
}

/// Body of `POST /v1/backups/{backend}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupCreateRequest {
    pub id: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exclude: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<BackupConfig>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub incremental_base_backup_id: Option<String>,
    /// RBAC roles to back up (v1.39.1+); absent: the whole RBAC state.
    #[serde(rename = "includeRoles", skip_serializing_if = "Vec::is_empty", default)]
    pub include_roles: Vec<String>,
}

/// `config` of a restore (`RestoreConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreConfig {
    #[serde(rename = "CPUPercentage", skip_serializing_if = "Option::is_none", default)]
    pub cpu_percentage: Option<u32>,
    #[serde(rename = "Bucket", skip_serializing_if = "Option::is_none", default)]
    pub bucket: Option<String>,
    #[serde(rename = "Path", skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    #[serde(rename = "rolesOptions", skip_serializing_if = "Option::is_none", default)]
    pub roles_options: Option<String>,
    #[serde(rename = "usersOptions", skip_serializing_if = "Option::is_none", default)]
    pub users_options: Option<String>,
}

/// Body of `POST /v1/backups/{backend}/{id}/restore`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupRestoreRequest {
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exclude: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<RestoreConfig>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub node_mapping: Option<BTreeMap<String, String>>,
    #[serde(rename = "overwriteAlias", skip_serializing_if = "Option::is_none", default)]
    pub overwrite_alias: Option<bool>,
}

/// 200 answer of create and restore: the job has started; `classes` is what the server selected.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StartedResponse {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub backend: String,
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub error: Option<String>,
}

/// 200 answer of create-status and restore-status. Restore status carries no timestamps or size.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StatusResponse {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub backend: String,
    #[serde(default)]
    pub path: Option<String>,
    pub status: Status,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default, rename = "startedAt")]
    pub started_at: Option<String>,
    #[serde(default, rename = "completedAt")]
    pub completed_at: Option<String>,
    /// GiB of pre-compression data; absent while 0.
    #[serde(default)]
    pub size: Option<f64>,
}

impl StatusResponse {
    /// `completedAt` is serialized as the zero time while a backup runs.
    pub fn completed_at(&self) -> Option<&str> {
        self.completed_at
            .as_deref()
            .filter(|t| !t.starts_with("0001-01-01"))
    }
}

/// One item of `GET /v1/backups/{backend}` (v1.32+): create status only.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct BackupListItem {
    pub id: String,
    #[serde(default)]
    pub classes: Vec<String>,
    pub status: Status,
    #[serde(default, rename = "startedAt")]
    pub started_at: Option<String>,
    #[serde(default, rename = "completedAt")]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub size: Option<f64>,
    /// Shown to RBAC root users only (v1.38.0, v1.37.6): absent means "full" or "hidden".
    #[serde(default)]
    pub incremental_base_backup_id: Option<String>,
}

/// `GET /v1/meta`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub modules: serde_json::Map<String, serde_json::Value>,
}

impl Meta {
    /// Enabled backup backends, by the short name the API takes (`backup-s3` → `s3`), sorted.
    pub fn backup_backends(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .modules
            .keys()
            .filter_map(|k| k.strip_prefix("backup-"))
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }
}

/// `GET /v1/nodes`, reduced to the node names.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Nodes {
    #[serde(default)]
    pub nodes: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Node {
    pub name: String,
}

/// `GET /v1/schema`, reduced to what the console needs.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Schema {
    #[serde(default)]
    pub classes: Vec<SchemaClass>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SchemaClass {
    pub class: String,
}

impl Schema {
    /// The collections, sorted, each once.
    pub fn collection_names(&self) -> Vec<String> {
        let mut v = distinct(self.classes.iter().map(|c| c.class.clone()));
        v.sort();
        v
    }
}

/// `names` without repeats, in the order each first appears: the collection pickers key their
/// buttons by name, and a server (or a tampered journal's backup) may name one twice.
pub fn distinct(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().filter(|n| seen.insert(n.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_request_omits_empty_lists() {
        let r = BackupCreateRequest {
            id: "b1".into(),
            include: vec!["Article".into()],
            exclude: vec![],
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"id":"b1","include":["Article"]}"#
        );
    }

    #[test]
    fn options_use_the_spec_field_names() {
        let r = BackupCreateRequest {
            id: "b".into(),
            config: Some(BackupConfig {
                cpu_percentage: Some(20),
                compression_level: Some("BestSpeed".into()),
                path: Some("/x".into()),
                ..Default::default()
            }),
            incremental_base_backup_id: Some("base".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"id":"b","config":{"CPUPercentage":20,"CompressionLevel":"BestSpeed","Path":"/x"},"incremental_base_backup_id":"base"}"#
        );
        let r = BackupRestoreRequest {
            config: Some(RestoreConfig { roles_options: Some("all".into()), ..Default::default() }),
            node_mapping: Some([("old".to_string(), "node1".to_string())].into()),
            overwrite_alias: Some(true),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"config":{"rolesOptions":"all"},"node_mapping":{"old":"node1"},"overwriteAlias":true}"#
        );
    }

    #[test]
    fn status_response_with_zero_completed_time() {
        let s: StatusResponse = serde_json::from_str(
            r#"{"backend":"filesystem","id":"b1","path":"/x/b1","status":"STARTED",
                "startedAt":"2026-08-20T10:00:01.002Z","completedAt":"0001-01-01T00:00:00.000Z"}"#,
        )
        .unwrap();
        assert_eq!(s.status, Status::Started);
        assert_eq!(s.completed_at(), None);
        assert_eq!(s.size, None);
    }

    #[test]
    fn finished_status_response() {
        let s: StatusResponse = serde_json::from_str(
            r#"{"backend":"filesystem","completedAt":"2026-08-20T10:00:12.345Z","id":"nightly-1",
                "path":"/var/lib/weaviate/backups/nightly-1","size":0.0123,
                "startedAt":"2026-08-20T10:00:01.002Z","status":"SUCCESS"}"#,
        )
        .unwrap();
        assert_eq!(s.completed_at(), Some("2026-08-20T10:00:12.345Z"));
        assert_eq!(s.size, Some(0.0123));
    }

    #[test]
    fn meta_lists_backup_backends_only() {
        let m: Meta = serde_json::from_str(
            r#"{"version":"1.39.0","modules":{"backup-filesystem":{"backupsPath":"/b"},
                "backup-s3":{},"text2vec-openai":{}}}"#,
        )
        .unwrap();
        assert_eq!(m.backup_backends(), vec!["filesystem", "s3"]);
    }

    #[test]
    fn list_items_parse_with_missing_fields() {
        let l: Vec<BackupListItem> = serde_json::from_str(
            r#"[{"id":"a","classes":["Article"],"status":"SUCCESS","size":0.1},{"id":"b","status":"STARTED"}]"#,
        )
        .unwrap();
        assert_eq!(l[0].classes, vec!["Article"]);
        assert!(l[1].classes.is_empty());
    }

    #[test]
    fn schema_collection_names() {
        let s: Schema =
            serde_json::from_str(r#"{"classes":[{"class":"Paragraph","properties":[]},{"class":"Article"}]}"#)
                .unwrap();
        assert_eq!(s.collection_names(), vec!["Article", "Paragraph"]);
    }

    #[test]
    fn duplicate_collection_names_are_offered_once() {
        let s: Schema =
            serde_json::from_str(r#"{"classes":[{"class":"B"},{"class":"A"},{"class":"B"},{"class":"A"},{"class":"a"}]}"#).unwrap();
        assert_eq!(s.collection_names(), vec!["A", "B", "a"]);
        assert_eq!(distinct(["B", "A", "B", "C", "A"].map(String::from)), vec!["B", "A", "C"], "first order kept");
    }
}
