//! Findings of the restore pre-flight check, each saying what will happen and how to fix it.

use crate::validate::{restore_conflicts, Selection};

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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// Must be confirmed: the restore will end FAILED for these.
    ExistingCollections(Vec<String>),
    /// Another job runs: Weaviate refuses a second restore, and a backup may hold classes.
    OtherJobRunning(Vec<String>),
    /// The filesystem backend is refused on a multi-node cluster.
    FilesystemOnCluster(usize),
}

impl Finding {
    /// Only existing collections can be overridden; the rest will be refused by the server.
    pub fn blocks(&self) -> bool {
        matches!(self, Finding::FilesystemOnCluster(_))
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
        }
    }
}

/// Every finding for restoring `sel` given `facts`.
pub fn check(sel: &Selection, facts: &Facts) -> Vec<Finding> {
    let mut out = vec![];
    if sel.backend == "filesystem" && facts.nodes.len() > 1 {
        out.push(Finding::FilesystemOnCluster(facts.nodes.len()));
    }
    if !facts.running.is_empty() {
        out.push(Finding::OtherJobRunning(facts.running.clone()));
    }
    let conflicts = restore_conflicts(sel, facts.backup_classes.as_deref(), &facts.existing);
    if !conflicts.is_empty() {
        out.push(Finding::ExistingCollections(conflicts));
    }
    out
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
        };
        let f = check(&sel("filesystem"), &facts);
        assert_eq!(f.len(), 3);
        assert!(f[0].blocks() && f[0].message().contains("2 nodes"));
        assert!(!f[1].blocks() && f[1].message().contains("backup:s3:x"));
        assert_eq!(f[2], Finding::ExistingCollections(vec!["A".into()]));
        assert!(f[2].message().contains("FAILED"));
        assert_eq!(check(&sel("s3"), &facts).len(), 2, "object stores work on clusters");
    }
}
