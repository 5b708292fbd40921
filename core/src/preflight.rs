//! Findings of the create and restore pre-flight checks, each saying what will happen and how to
//! fix it.

use crate::access::{Access, Narrowing};
use crate::validate::{expand, restore_conflicts, Selection};

/// What the console knows about the cluster and the backup before a restore.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Collections that exist now.
    pub existing: Vec<String>,
    /// The backup's collections, when the list endpoint told.
    pub backup_classes: Option<Vec<String>>,
    /// Keys (`kind:backend:id`) of jobs still running.
    pub running: Vec<String>,
    /// Node names of the cluster.
    pub nodes: Vec<String>,
    /// What the key may do, when the server has RBAC.
    pub access: Option<Access>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// Must be confirmed: the restore will end FAILED for these.
    ExistingCollections(Vec<String>),
    /// Another job runs: Weaviate refuses a second restore, and a backup may hold classes.
    OtherJobRunning(Vec<String>),
    /// The filesystem backend is refused on a multi-node cluster.
    FilesystemOnCluster(usize),
    /// Without `include`, the server will quietly leave out what the key may not touch.
    Narrowed { narrowing: Narrowing, restore: bool },
    /// The selection names collections the key may not touch: the server answers 403.
    Forbidden(String),
}

impl Finding {
    /// Only existing collections can be overridden; the rest will be refused by the server.
    pub fn blocks(&self) -> bool {
        matches!(self, Finding::FilesystemOnCluster(_) | Finding::Forbidden(_))
            || matches!(self, Finding::Narrowed { narrowing, .. } if narrowing.allowed.is_empty())
    }

    pub fn message(&self) -> String {
        match self {
            Finding::ExistingCollections(c) => format!(
                "These collections already exist: {}. Weaviate will accept the restore, then end it FAILED for them \
                 (other collections are still restored). Delete them first, or exclude them.",
                c.join(", ")
            ),
            Finding::OtherJobRunning(k) => format!(
                "Another job is still running ({}). Weaviate runs one restore at a time: wait for it or cancel it.",
                k.join(", ")
            ),
            Finding::FilesystemOnCluster(n) => format!(
                "This cluster has {n} nodes: Weaviate refuses the filesystem backend on more than one node. Use s3, gcs or azure."
            ),
            Finding::Narrowed { narrowing, restore } => narrowing.message(if *restore { "restore" } else { "back up" }),
            Finding::Forbidden(why) => why.clone(),
        }
    }
}

/// Every finding for restoring `sel` given `facts`.
pub fn check(sel: &Selection, facts: &Facts) -> Vec<Finding> {
    let mut out = vec![];
    out.extend(check_create(&sel.backend, facts.nodes.len()));
    let known = facts.backup_classes.as_deref().unwrap_or(&facts.existing);
    out.extend(check_access(sel, facts.access.as_ref(), known, true));
    if !facts.running.is_empty() {
        out.push(Finding::OtherJobRunning(facts.running.clone()));
    }
    let conflicts = restore_conflicts(sel, facts.backup_classes.as_deref(), &facts.existing);
    if !conflicts.is_empty() {
        out.push(Finding::ExistingCollections(conflicts));
    }
    out
}

/// Findings for creating a backup on `backend` in a cluster of `nodes` nodes (0: unknown).
pub fn check_create(backend: &str, nodes: usize) -> Vec<Finding> {
    if backend == "filesystem" && nodes > 1 {
        vec![Finding::FilesystemOnCluster(nodes)]
    } else {
        vec![]
    }
}

/// What the key's permissions make of `sel` over `known` collections (the schema for a
/// create, the backup's for a restore): a 403 for a named collection, or a quiet narrowing.
pub fn check_access(sel: &Selection, access: Option<&Access>, known: &[String], restore: bool) -> Vec<Finding> {
    let Some(access) = access else { return vec![] };
    let named = expand(&sel.include, known);
    if let Some(why) = access.missing(&named) {
        return vec![Finding::Forbidden(why)];
    }
    access.narrowing(known, &sel.include, &sel.exclude).map(|narrowing| Finding::Narrowed { narrowing, restore }).into_iter().collect()
}

/// What a restore will do, in one sentence, for the confirmation every restore needs: nothing
/// that recreates collections runs from one click, a deep link or a host message.
pub fn summary(sel: &Selection, facts: &Facts, server: &str) -> String {
    let what = match (&facts.backup_classes, sel.include.is_empty()) {
        (Some(classes), false) => expand(&sel.include, classes).join(", "),
        (Some(classes), true) => {
            let excluded = expand(&sel.exclude, classes);
            classes.iter().filter(|c| !excluded.contains(c)).cloned().collect::<Vec<_>>().join(", ")
        }
        (None, false) => sel.include.join(", "),
        (None, true) if sel.exclude.is_empty() => "every collection in the backup".into(),
        (None, true) => format!("every collection in the backup except {}", sel.exclude.join(", ")),
    };
    format!("Restore backup {} from {} into {server}: recreates {what}.", sel.id, sel.backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(backend: &str) -> Selection {
        Selection { backend: backend.into(), id: "b".into(), include: vec![], exclude: vec![] }
    }

    #[test]
    fn clean_restore_has_no_findings() {
        let facts = Facts { existing: vec!["Other".into()], backup_classes: Some(vec!["A".into()]), nodes: vec!["node1".into()], ..Default::default() };
        assert!(check(&sel("filesystem"), &facts).is_empty());
    }

    #[test]
    fn each_finding() {
        let facts = Facts {
            existing: vec!["A".into()],
            backup_classes: Some(vec!["A".into()]),
            running: vec!["backup:s3:x".into()],
            nodes: vec!["n1".into(), "n2".into()],
            access: None,
        };
        let f = check(&sel("filesystem"), &facts);
        assert_eq!(f.len(), 3);
        assert!(f[0].blocks() && f[0].message().contains("2 nodes"));
        assert!(!f[1].blocks() && f[1].message().contains("backup:s3:x"));
        assert_eq!(f[2], Finding::ExistingCollections(vec!["A".into()]));
        assert!(f[2].message().contains("FAILED"));
        assert_eq!(check(&sel("s3"), &facts).len(), 2, "object stores work on clusters");
    }

    #[test]
    fn summary_says_what_will_be_recreated_where() {
        let facts = Facts { backup_classes: Some(vec!["A".into(), "B".into()]), ..Default::default() };
        assert_eq!(summary(&sel("s3"), &facts, "http://h:8080"), "Restore backup b from s3 into http://h:8080: recreates A, B.");
        let mut only = sel("s3");
        only.exclude = vec!["B".into()];
        assert!(summary(&only, &facts, "x").ends_with("recreates A."));
        assert!(summary(&only, &Facts::default(), "x").ends_with("every collection in the backup except B."));
        assert!(summary(&sel("s3"), &Facts::default(), "x").ends_with("every collection in the backup."));
    }

    #[test]
    fn a_scoped_key_is_told_what_the_server_would_leave_out_or_refuse() {
        let info = r#"{"roles":[{"name":"r","permissions":[{"action":"manage_backups","backups":{"collection":"A"}}]}],"username":"u"}"#;
        let access = Access::from_own_info(serde_json::from_str(info).unwrap());
        let known: Vec<String> = vec!["A".into(), "B".into()];
        let f = check_access(&sel("s3"), access.as_ref(), &known, false);
        assert!(matches!(&f[..], [Finding::Narrowed { narrowing, restore: false }] if narrowing.left_out == ["B"]));
        assert!(!f[0].blocks());
        let mut named = sel("s3");
        named.include = vec!["B".into()];
        let f = check_access(&named, access.as_ref(), &known, false);
        assert!(f[0].blocks() && f[0].message().contains("Needs manage_backups on B"));
        named.include = vec!["A".into()];
        assert!(check_access(&named, access.as_ref(), &known, false).is_empty());
        let facts = Facts { backup_classes: Some(known.clone()), access, ..Default::default() };
        assert!(check(&sel("s3"), &facts)[0].message().starts_with("This key can restore 1 of 2"));
        assert!(check_access(&sel("s3"), None, &known, false).is_empty(), "no RBAC: nothing to say");
    }

    #[test]
    fn filesystem_backups_are_refused_on_a_cluster_before_sending() {
        assert_eq!(check_create("filesystem", 3), vec![Finding::FilesystemOnCluster(3)]);
        assert!(check_create("filesystem", 1).is_empty());
        assert!(check_create("filesystem", 0).is_empty(), "unknown node count: let the server decide");
        assert!(check_create("s3", 3).is_empty());
    }
}
