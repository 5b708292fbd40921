//! Facts `backup-api.md` marks as inferred, checked against the real server over REST.

use std::time::Duration;

use e2e::rest::Rest;
use e2e::weaviate::{Options, Weaviate};
use serde_json::json;

#[test]
fn inferred_behaviours_of_v1_39() {
    let wv = Weaviate::start(Options { name: "facts".into(), ..Default::default() });
    let rest = Rest::new(&wv.url);
    for c in ["Article", "Paragraph"] {
        rest.create_collection(c);
        rest.insert_objects(c, 3);
    }

    // A wildcard include that matches nothing selects every collection (why the console refuses it).
    let (code, body) = rest.call("POST", "/backups/filesystem", Some(json!({"id": "wild", "include": ["Zed*"]})));
    assert_eq!(code, 200, "{body}");
    let mut classes: Vec<String> = serde_json::from_value(body["classes"].clone()).unwrap();
    classes.sort();
    assert_eq!(classes, ["Article", "Paragraph"]);
    rest.wait_backup("filesystem", "wild", Duration::from_secs(60));

    // Restore status of a backup never restored: 404.
    let (code, _) = rest.call("GET", "/backups/filesystem/wild/restore", None);
    assert_eq!(code, 404);

    // An empty id: 500, not 422 (the base-backup check runs first).
    let (code, body) = rest.call("POST", "/backups/filesystem", Some(json!({"id": ""})));
    assert_eq!(code, 500, "{body}");
    assert!(body["error"][0]["message"].as_str().unwrap().contains("base backup cannot be the same"));

    // Cancel of an unknown id: 204.
    let (code, _) = rest.call("DELETE", "/backups/filesystem/never-existed", None);
    assert_eq!(code, 204);
}
