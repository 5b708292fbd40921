//! Plain REST calls to Weaviate, for seeding data and checking results outside the console.

use std::time::Duration;

use serde_json::{json, Value};

/// A REST client for one Weaviate, with an optional API key.
#[derive(Clone, Debug)]
pub struct Rest {
    pub url: String,
    pub api_key: Option<String>,
}

impl Rest {
    pub fn new(url: &str) -> Rest {
        Rest { url: url.to_string(), api_key: None }
    }

    fn req(&self, method: &str, path: &str) -> ureq::Request {
        let r = ureq::request(method, &format!("{}/v1{path}", self.url)).timeout(Duration::from_secs(30));
        match &self.api_key {
            Some(k) => r.set("Authorization", &format!("Bearer {k}")),
            None => r,
        }
    }

    /// Any call: (status, JSON body or Null). Never panics on 4xx/5xx.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let r = self.req(method, path);
        let res = match body {
            Some(b) => r.send_json(b),
            None => r.call(),
        };
        let resp = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = resp.status();
        let text = resp.into_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub fn create_collection(&self, name: &str) {
        let (s, b) = self.call(
            "POST",
            "/schema",
            Some(json!({"class": name, "vectorizer": "none",
                "properties": [{"name": "title", "dataType": ["text"]}, {"name": "n", "dataType": ["int"]}]})),
        );
        assert_eq!(s, 200, "create collection {name}: {b}");
    }

    pub fn delete_collection(&self, name: &str) {
        let (s, b) = self.call("DELETE", &format!("/schema/{name}"), None);
        assert_eq!(s, 200, "delete collection {name}: {b}");
    }

    /// Inserts `count` objects with small vectors in one batch.
    pub fn insert_objects(&self, name: &str, count: usize) {
        self.insert_objects_from(name, 0, count)
    }

    /// Inserts objects numbered `first..first+count` in one batch.
    pub fn insert_objects_from(&self, name: &str, first: usize, count: usize) {
        let objects: Vec<Value> = (first..first + count)
            .map(|i| {
                json!({"class": name, "properties": {"title": format!("{name} #{i}"), "n": i},
                    "vector": [i as f32, 1.0, (i % 7) as f32]})
            })
            .collect();
        let (s, b) = self.call("POST", "/batch/objects", Some(json!({ "objects": objects })));
        assert_eq!(s, 200, "batch insert into {name}: {b}");
        let errors: Vec<&Value> = b
            .as_array()
            .map(|a| a.iter().filter(|o| !o["result"]["errors"].is_null()).collect())
            .unwrap_or_default();
        assert!(errors.is_empty(), "batch errors: {errors:?}");
    }

    pub fn object_count(&self, name: &str) -> u64 {
        let q = format!("{{ Aggregate {{ {name} {{ meta {{ count }} }} }} }}");
        let (s, b) = self.call("POST", "/graphql", Some(json!({ "query": q })));
        assert_eq!(s, 200, "aggregate {name}: {b}");
        b["data"]["Aggregate"][name][0]["meta"]["count"].as_u64().unwrap_or_else(|| panic!("count of {name}: {b}"))
    }

    /// Polls a backup's create status until it is terminal; returns the final body.
    pub fn wait_backup(&self, backend: &str, id: &str, timeout: Duration) -> Value {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let (s, b) = self.call("GET", &format!("/backups/{backend}/{id}"), None);
            if s == 200 && matches!(b["status"].as_str(), Some("SUCCESS" | "FAILED" | "CANCELED")) {
                return b;
            }
            assert!(std::time::Instant::now() < deadline, "backup {id} not finished: {s} {b}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// Demo data for the run command: three collections with some objects each.
pub fn seed_demo(rest: &Rest) {
    for (name, n) in [("Article", 120), ("Author", 25), ("Paragraph", 400)] {
        rest.create_collection(name);
        rest.insert_objects(name, n);
    }
}
