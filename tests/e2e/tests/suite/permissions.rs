//! A key narrower than the admin thinks, with RBAC on: the console reads who the key is
//! (`/v1/users/own-info`) and says what the server would quietly narrow, refuse or hide, before
//! anything is sent. And `includeRoles` (v1.39.1+) backs up only the roles it names.


use std::time::Duration;

use crate::common::{dist, open_advanced, slow_collection, LONG};
use e2e::browser::{form_xpath, Browser};
use e2e::rest::Rest;
use e2e::static_server::StaticServer;
use e2e::weaviate::{ApiKey, Options, Weaviate};
use serde_json::json;

const ROOT_KEY: &str = "root-key-for-rbac";
const WAIT: Duration = Duration::from_secs(30);

/// A Weaviate with RBAC on: `admin` is root (key [`ROOT_KEY`]), DB users can be made.
fn rbac_weaviate(name: &str) -> (Weaviate, Rest) {
    let wv = Weaviate::start(Options {
        name: name.into(),
        api_key: Some(ApiKey { key: ROOT_KEY.into(), user: "admin".into() }),
        env: [("AUTHORIZATION_RBAC_ENABLED", "true"), ("AUTHORIZATION_RBAC_ROOT_USERS", "admin"), ("AUTHENTICATION_DB_USERS_ENABLED", "true")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    });
    let rest = wv.rest();
    (wv, rest)
}

fn ok(call: (u16, serde_json::Value), what: &str) -> serde_json::Value {
    assert!((200..300).contains(&call.0), "{what}: {} {}", call.0, call.1);
    call.1
}

/// The operator role README.md's "Permissions" shows, as pasted: `manage_backups` on Article.
fn readme_operator_role() -> serde_json::Value {
    let readme = std::fs::read_to_string(e2e::repo_root().join("README.md")).unwrap();
    let (_, after) = readme.split_once("<!-- role: operator -->\n```json\n").expect("README.md shows the operator role");
    let (block, _) = after.split_once("\n```").unwrap();
    serde_json::from_str(block).expect("the README's role is JSON")
}

/// A DB user holding the README's operator role only; returns its key.
fn scoped_user(rest: &Rest, user: &str) -> String {
    let role = readme_operator_role();
    ok(rest.call("POST", "/authz/roles", Some(role.clone())), "create role");
    let key = ok(rest.call("POST", &format!("/users/db/{user}"), None), "create user")["apikey"].as_str().unwrap().to_string();
    ok(rest.call("POST", &format!("/authz/users/{user}/assign"), Some(json!({"roles": [role["name"]], "userType": "db"}))), "assign");
    key
}

/// Connects the console in `b` to `url` with `key` through the connection form.
async fn connect(b: &Browser, url: &str, key: &str) {
    let conn = form_xpath("Connection");
    b.fill(&conn, "Weaviate URL", url).await;
    b.fill(&conn, "API key", key).await;
    b.click_button(&conn, "Connect").await;
    b.wait_for("//*[@role='group' and @aria-label='Server']", WAIT).await;
}

async fn text_of(b: &Browser, xpath: &str) -> String {
    b.wait_for(xpath, WAIT).await.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scoped_key_is_told_what_the_server_would_narrow_refuse_or_hide() {
    let (wv, root) = rbac_weaviate("rbac-scope");
    // Article is big enough that a backup of it still runs while the page is looked at.
    slow_collection(&root, "Article");
    for c in ["Author", "Paragraph"] {
        root.create_collection(c);
        root.insert_objects(c, 3);
    }
    let scoped = scoped_user(&root, "scoped");
    root.backup("filesystem", json!({"id": "author-only", "include": ["Author"]}), LONG);

    let site = StaticServer::start(&dist(), "/");
    let b = Browser::start().await;
    b.goto(&site.url).await;
    connect(&b, &wv.url, ROOT_KEY).await;
    // Root: named as such, and none of what follows.
    let who = text_of(&b, "//*[contains(@class,'conn-key')]").await;
    assert_eq!(who, "API key of admin (root)");
    let jobs = "//table[caption[normalize-space()='Jobs']]";
    b.wait_for(&format!("{jobs}//tr[@data-job='backup:filesystem:author-only']"), WAIT).await;
    let row_restore = format!("{jobs}//tr[@data-job='backup:filesystem:author-only']//a[normalize-space()='Restore…']");
    b.wait_for(&row_restore, WAIT).await;
    assert!(!b.body_text().await.contains("The server lists only"), "root sees the whole list");
    // A backup of Article and Author, running while the key changes hands.
    let create = form_xpath("Create backup");
    b.fill(&create, "Backup ID", "both-slow").await;
    b.fill(&create, "Include collections", "Article, Author").await;
    open_advanced(&b, &create).await;
    b.fill(&create, "CPU percentage", "1").await;
    b.click_button(&create, "Start backup").await;
    let running = "backup:filesystem:both-slow";
    b.wait_job_status(running, &["STARTED", "TRANSFERRING"], WAIT).await;
    b.wait_for(&format!("{jobs}//tr[@data-job='{running}']//button[normalize-space()='Cancel' and not(@disabled)]"), WAIT).await;

    // The same server with the scoped key: the jobs seen so far stay in view.
    b.click_button("//*[@role='group' and @aria-label='Server']", "Change server").await;
    connect(&b, &wv.url, &scoped).await;
    let who = text_of(&b, "//*[contains(@class,'conn-key') and contains(., 'scoped')]").await;
    assert_eq!(who, "API key of scoped (roles: article-backups)");
    let note = text_of(&b, "//*[contains(@class,'list-filtered')]").await;
    assert_eq!(note, "The server lists only the backups this key may read (scoped holds manage_backups on Article only): others may exist.");
    // Cancel needs manage_backups on every collection of the backup; restore, on at least one.
    let cancel = b.wait_for(&format!("{jobs}//tr[@data-job='{running}']//button[normalize-space()='Cancel']"), WAIT).await;
    assert_eq!(cancel.attr("disabled").await.unwrap().as_deref(), Some("true"));
    let why = text_of(&b, &format!("{jobs}//tr[@data-job='{running}']//*[contains(@class,'cannot-cancel')]")).await;
    assert_eq!(why, "Needs manage_backups on Author (scoped holds it on Article only).");
    let restore = b.wait_for(&format!("{jobs}//tr[@data-job='backup:filesystem:author-only']//button[normalize-space()='Restore…']"), WAIT).await;
    assert_eq!(restore.attr("disabled").await.unwrap().as_deref(), Some("true"));
    let why = text_of(&b, &format!("{jobs}//tr[@data-job='backup:filesystem:author-only']//*[contains(@class,'cannot-restore')]")).await;
    assert_eq!(why, "Needs manage_backups on Author (scoped holds it on Article only).");

    // A create without include would be narrowed: said before anything is sent, and made explicit.
    b.fill(&create, "CPU percentage", "").await;
    b.fill(&create, "Backup ID", "scoped-everything").await;
    b.fill(&create, "Include collections", "").await;
    b.click_button(&create, "Start backup").await;
    let warning = b.alert_containing(&create, "left out", WAIT).await;
    assert!(warning.contains("This key can back up 1 of 3 collections: Article; left out: Author, Paragraph."), "{warning}");
    let (code, _) = root.call("GET", "/backups/filesystem/scoped-everything", None);
    assert_eq!(code, 404, "nothing was sent");
    b.click_button(&create, "Name the 1 it can").await;
    assert_eq!(b.field(&create, "Include collections").await.prop("value").await.unwrap().as_deref(), Some("Article"));
    // A named collection the key lacks: refused before sending, the permission named (the server
    // would answer 403; how that 403's hint names the permission is unit-tested in core::error).
    b.fill(&create, "Include collections", "Author").await;
    b.click_button(&create, "Start backup").await;
    let refused = b.alert_containing(&create, "Needs manage_backups", WAIT).await;
    assert!(refused.contains("Needs manage_backups on Author"), "{refused}");
    b.quit().await;
    let _ = root.call("DELETE", "/backups/filesystem/both-slow", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn include_roles_backs_up_only_the_named_role() {
    let (wv, root) = rbac_weaviate("rbac-roles");
    let version = ok(root.call("GET", "/meta", None), "meta")["version"].as_str().unwrap().to_string();
    assert!(
        backup_core::version::Capabilities::for_version(&version).has(backup_core::version::Feature::IncludeRoles),
        "includeRoles needs v1.39.1+; this server is {version} (WEAVIATE_BIN)"
    );
    root.create_collection("Paragraph");
    root.insert_objects("Paragraph", 3);
    for role in ["keep-me", "drop-me"] {
        let body = json!({"name": role, "permissions": [{"action": "read_collections", "collections": {"collection": "Paragraph"}}]});
        ok(root.call("POST", "/authz/roles", Some(body)), "role");
    }
    let site = StaticServer::start(&dist(), "/");
    let b = Browser::start().await;
    b.goto(&site.url).await;
    connect(&b, &wv.url, ROOT_KEY).await;
    let create = form_xpath("Create backup");
    open_advanced(&b, &create).await;

    // A built-in role is refused before sending, as the server would.
    b.fill(&create, "Backup ID", "roles-1").await;
    b.fill(&create, "Include collections", "Paragraph").await;
    b.fill(&create, "Include roles", "admin").await;
    b.click_button(&create, "Start backup").await;
    let field = b.field(&create, "Include roles").await;
    b.wait_for(&format!("{create}//*[@role='alert' and contains(., 'built-in role')]"), WAIT).await;
    assert_eq!(field.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    // A name that does not exist: only the server knows, and its 422 is shown as its words.
    b.fill(&create, "Include roles", "nope").await;
    b.click_button(&create, "Start backup").await;
    let alert = b.alert_containing(&create, "does not exist", WAIT).await;
    assert!(alert.contains("HTTP 422") && alert.contains(r#"role "nope" in 'includeRoles' does not exist"#), "{alert}");

    b.fill(&create, "Backup ID", "roles-2").await;
    b.fill(&create, "Include roles", "keep-me").await;
    b.click_button(&create, "Start backup").await;
    b.wait_job_status("backup:filesystem:roles-2", &["SUCCESS"], LONG).await;
    b.quit().await;

    // Restored onto a server where both roles are gone: only the named one comes back.
    ok(root.call("DELETE", "/schema/Paragraph", None), "drop collection");
    for role in ["keep-me", "drop-me"] {
        ok(root.call("DELETE", &format!("/authz/roles/{role}"), None), "drop role");
    }
    ok(root.call("POST", "/backups/filesystem/roles-2/restore", Some(json!({"config": {"rolesOptions": "all"}}))), "restore");
    let done = root.wait_restore("filesystem", "roles-2", LONG);
    assert_eq!(done["status"], "SUCCESS", "{done}");
    assert_eq!(root.call("GET", "/authz/roles/keep-me", None).0, 200, "the named role is restored");
    assert_eq!(root.call("GET", "/authz/roles/drop-me", None).0, 404, "the other role was not in the backup");
}
