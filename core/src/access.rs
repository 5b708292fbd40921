//! What the connected key may do, from `GET /v1/users/own-info` (RBAC, v1.29+). The server
//! says nothing when it narrows a create or restore without `include` to the collections the
//! key holds `manage_backups` on, or leaves backups out of its list (v1.39.0, v1.36.19,
//! v1.37.10, v1.38.2: `filterBackupableClasses` in `usecases/backup/scheduler.go`): the console
//! says it before anything is sent.

use serde::Deserialize;

use crate::validate::{expand, pattern_matches};

/// The one RBAC permission behind every backup action (create, restore, status, cancel, list:
/// the server checks `create_backups`, `read_backups`, `delete_backups` against it).
pub const MANAGE_BACKUPS: &str = "manage_backups";

/// `GET /v1/users/own-info`. Without RBAC, v1.39.0 answers `roles: null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct OwnInfo {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub roles: Option<Vec<Role>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Role {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Permission {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub backups: Option<BackupsScope>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BackupsScope {
    /// A collection name or pattern; `*` is every collection.
    #[serde(default = "every")]
    pub collection: String,
}

fn every() -> String {
    "*".into()
}

/// Who the key is and which collections it may back up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub user: String,
    /// Holds the `root` role: sees everything, including incremental bases.
    pub root: bool,
    pub roles: Vec<String>,
    /// The `manage_backups` collection patterns the key holds.
    scopes: Vec<String>,
}

/// What a create or restore without `include` would really cover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Narrowing {
    pub allowed: Vec<String>,
    pub left_out: Vec<String>,
}

impl Narrowing {
    /// "This key can back up 2 of 5 collections: Article, Author; left out: Book, Paragraph, Word."
    pub fn message(&self, verb: &str) -> String {
        let total = self.allowed.len() + self.left_out.len();
        if self.allowed.is_empty() {
            return format!("This key can {verb} none of these {total} collections: it holds {MANAGE_BACKUPS} on none of them.");
        }
        format!(
            "This key can {verb} {} of {total} collections: {}; left out: {}. The server narrows the selection without saying so.",
            self.allowed.len(),
            self.allowed.join(", "),
            self.left_out.join(", ")
        )
    }
}

impl Access {
    /// `None` when the server has no RBAC (then every key may do everything, or AdminList
    /// decides, which answers 403 by itself).
    pub fn from_own_info(info: OwnInfo) -> Option<Access> {
        let roles = info.roles?;
        let scopes = roles
            .iter()
            .flat_map(|r| &r.permissions)
            .filter(|p| p.action == MANAGE_BACKUPS)
            .map(|p| p.backups.as_ref().map_or_else(every, |b| b.collection.clone()))
            .collect();
        Some(Access {
            user: info.username,
            root: roles.iter().any(|r| r.name == "root"),
            roles: roles.into_iter().map(|r| r.name).collect(),
            scopes,
        })
    }

    pub fn can_back_up(&self, collection: &str) -> bool {
        self.scopes.iter().any(|s| pattern_matches(s, collection))
    }

    /// Holds `manage_backups` on every collection, present and future.
    pub fn everything(&self) -> bool {
        self.scopes.iter().any(|s| s == "*")
    }

    /// The server's list leaves out backups of collections this key may not read.
    pub fn list_may_hide(&self) -> bool {
        !self.everything()
    }

    /// What the jobs view says when the list may be filtered for this key.
    pub fn list_note(&self) -> Option<String> {
        self.list_may_hide().then(|| {
            format!("The server lists only the backups this key may read ({} holds {MANAGE_BACKUPS} {}): others may exist.", self.user, self.scope_words())
        })
    }

    /// What a create or restore with `include`/`exclude` over `known` (the schema, or the
    /// backup's collections) would leave out, when the server narrows it: only without
    /// `include` (with one, a forbidden name is a 403, see [`Access::missing`]).
    pub fn narrowing(&self, known: &[String], include: &[String], exclude: &[String]) -> Option<Narrowing> {
        if !include.is_empty() || self.everything() {
            return None;
        }
        let excluded = expand(exclude, known);
        let (allowed, left_out): (Vec<String>, Vec<String>) =
            known.iter().filter(|c| !excluded.contains(c)).cloned().partition(|c| self.can_back_up(c));
        (!left_out.is_empty()).then_some(Narrowing { allowed, left_out })
    }

    /// Why the key may not act on `collections` (a cancel needs every one of a backup's
    /// collections; an explicit include, every named one), or `None` when it may.
    pub fn missing(&self, collections: &[String]) -> Option<String> {
        let missing: Vec<&str> = collections.iter().filter(|c| !self.can_back_up(c)).map(String::as_str).collect();
        (!missing.is_empty()).then(|| format!("Needs {MANAGE_BACKUPS} on {} ({} holds it {}).", missing.join(", "), self.user, self.scope_words()))
    }

    /// Why the key may do nothing with backups at all, or `None`.
    pub fn none(&self) -> Option<String> {
        self.scopes.is_empty().then(|| format!("Needs {MANAGE_BACKUPS}: {} holds it on no collection.", self.user))
    }

    fn scope_words(&self) -> String {
        if self.scopes.is_empty() {
            "on no collection".into()
        } else {
            format!("on {} only", self.scopes.join(", "))
        }
    }

    /// The header's words: "scoped (roles: article-backups)", "admin (root)".
    pub fn describe(&self) -> String {
        if self.root {
            format!("{} (root)", self.user)
        } else if self.roles.is_empty() {
            format!("{} (no roles)", self.user)
        } else {
            format!("{} (roles: {})", self.user, self.roles.join(", "))
        }
    }
}

/// The permission a 403 says the server wanted, in the words of the Permissions API:
/// `… insufficient permissions to create_backups [[Domain: backups,Collection: Author]]` →
/// "manage_backups on Author".
///
/// Only an RBAC refusal (`rbac: …`) is translated. AdminList's (`adminlist: …`) and the bare
/// form an empty-include create gets under either (`authorization, forbidden action: … to C
/// [backups/collections/A]`) cannot be told apart, and under AdminList the fix is an admin key.
pub fn forbidden_permission(message: &str) -> Option<String> {
    if !message.trim_start().starts_with("rbac:") {
        return None;
    }
    let (_, rest) = message.split_once("insufficient permissions to ")?;
    let verb = rest.split([' ', '[']).next().filter(|v| !v.is_empty())?;
    let permission = if verb.ends_with("_backups") || rest.contains("backups/") { MANAGE_BACKUPS } else { verb };
    let collections: Vec<&str> = rest
        .split("Collection: ")
        .skip(1)
        .filter_map(|s| s.split([']', ',']).next())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let names = if collections.is_empty() {
        // The bare form: `… to C [backups/collections/A backups/collections/B]`.
        rest.split("collections/").skip(1).filter_map(|s| s.split([' ', ']']).next()).collect()
    } else {
        collections
    };
    Some(if names.is_empty() { permission.to_string() } else { format!("{permission} on {}", names.join(", ")) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// v1.39.0's answer for a DB user whose one role holds manage_backups on Article.
    const SCOPED: &str = r#"{"groups":null,"roles":[{"name":"article-backups","permissions":[{"action":"manage_backups","backups":{"collection":"Article"}},{"action":"read_collections","collections":{"collection":"*"}}]}],"username":"scoped"}"#;

    fn access(json: &str) -> Option<Access> {
        Access::from_own_info(serde_json::from_str(json).unwrap())
    }

    fn names(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_rbac_says_nothing() {
        assert_eq!(access(r#"{"groups":null,"roles":null,"username":"admin"}"#), None);
    }

    #[test]
    fn a_scoped_key_is_warned_before_the_server_narrows() {
        let a = access(SCOPED).unwrap();
        assert_eq!(a.describe(), "scoped (roles: article-backups)");
        assert!(!a.root && a.list_may_hide());
        assert_eq!(a.list_note().unwrap(), "The server lists only the backups this key may read (scoped holds manage_backups on Article only): others may exist.");
        let known = names(&["Article", "Author", "Paragraph"]);
        let n = a.narrowing(&known, &[], &[]).unwrap();
        assert_eq!(n.allowed, ["Article"]);
        assert_eq!(n.left_out, ["Author", "Paragraph"]);
        assert_eq!(n.message("back up"), "This key can back up 1 of 3 collections: Article; left out: Author, Paragraph. The server narrows the selection without saying so.");
        assert_eq!(a.narrowing(&known, &names(&["Author"]), &[]), None, "an explicit include is a 403 instead");
        assert_eq!(a.narrowing(&known, &[], &names(&["Auth*", "Para*"])), None, "nothing left out");
        assert_eq!(a.missing(&names(&["Article", "Author"])).unwrap(), "Needs manage_backups on Author (scoped holds it on Article only).");
        assert_eq!(a.missing(&names(&["Article"])), None);
    }

    #[test]
    fn root_and_wildcards_see_everything() {
        let root = access(r#"{"roles":[{"name":"root","permissions":[{"action":"manage_backups","backups":{"collection":"*"}}]}],"username":"admin"}"#).unwrap();
        assert!(root.root && root.list_note().is_none());
        assert_eq!(root.describe(), "admin (root)");
        assert_eq!(root.narrowing(&names(&["A", "B"]), &[], &[]), None);
        let prefix = access(r#"{"roles":[{"name":"r","permissions":[{"action":"manage_backups","backups":{"collection":"Art*"}}]}],"username":"u"}"#).unwrap();
        assert!(prefix.can_back_up("Article") && !prefix.can_back_up("Author"));
        let none = access(r#"{"roles":[{"name":"viewer","permissions":[{"action":"read_data"}]}],"username":"v"}"#).unwrap();
        assert_eq!(none.none().unwrap(), "Needs manage_backups: v holds it on no collection.");
        assert_eq!(none.narrowing(&names(&["A"]), &[], &[]).unwrap().message("restore"), "This key can restore none of these 1 collections: it holds manage_backups on none of them.");
    }

    #[test]
    fn a_403_names_the_permission() {
        assert_eq!(
            forbidden_permission("rbac: authorization, forbidden action: user 'scoped' has insufficient permissions to create_backups [[Domain: backups,Collection: Author]]").as_deref(),
            Some("manage_backups on Author")
        );
        assert_eq!(
            forbidden_permission("rbac: authorization, forbidden action: user 'scoped' has insufficient permissions to delete_backups [[Domain: backups,Collection: *]]").as_deref(),
            Some("manage_backups on *")
        );
        assert_eq!(
            forbidden_permission("rbac: authorization, forbidden action: user 'x' has insufficient permissions to C [backups/collections/A backups/collections/B]").as_deref(),
            Some("manage_backups on A, B")
        );
        assert_eq!(
            forbidden_permission("authorization, forbidden action: user 'viewer' has insufficient permissions to C [backups/collections/Article]"),
            None,
            "the bare form is AdminList's too"
        );
        assert_eq!(forbidden_permission("forbidden"), None);
        assert_eq!(forbidden_permission("adminlist: authorization, forbidden action: user 'viewer' has insufficient permissions to C [backups/collections/*]"), None);
        assert_eq!(forbidden_permission("insufficient permissions to "), None);
    }
}
