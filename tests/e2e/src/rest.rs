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
        self.batch(name, (first..first + count).map(|i| (i, json!({}), json!([i as f32, 1.0, (i % 7) as f32]))).collect())
    }

    /// Inserts objects numbered `first..first+count` with `dims`-dimensional pseudo-random
    /// vectors, in batches of 1000.
    pub fn insert_vectors(&self, name: &str, first: usize, count: usize, dims: usize) {
        for start in (first..first + count).step_by(1000) {
            let objects = (start..(start + 1000).min(first + count))
                .map(|i| {
                    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    let v: Vec<f32> = (0..dims).map(|_| (xorshift(&mut x) >> 40) as f32 / (1u64 << 24) as f32 - 0.5).collect();
                    (i, json!({}), json!(v))
                })
                .collect();
            self.batch(name, objects);
        }
    }

    /// Inserts `count` objects whose `noise` property (which the collection must have) holds
    /// `kib` KiB of pseudo-random letters and digits: 6 bits per byte, so it hardly compresses.
    /// In batches of about 6 MiB.
    pub fn insert_noise(&self, name: &str, count: usize, kib: usize) {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let per_batch = (6 * 1024 / kib).max(1);
        for start in (0..count).step_by(per_batch) {
            let objects = (start..(start + per_batch).min(count))
                .map(|i| {
                    let noise: String = (0..kib * 1024).map(|_| ALPHABET[(xorshift(&mut x) >> 58) as usize] as char).collect();
                    (i, json!({"noise": noise}), json!([i as f32, 1.0, 0.0]))
                })
                .collect();
            self.batch(name, objects);
        }
    }

    /// Inserts (number, more properties, vector) objects in one batch request.
    fn batch(&self, name: &str, objects: Vec<(usize, Value, Value)>) {
        let objects: Vec<Value> = objects
            .into_iter()
            .map(|(i, mut props, vector)| {
                props["title"] = json!(format!("{name} #{i}"));
                props["n"] = json!(i);
                json!({"class": name, "properties": props, "vector": vector})
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
        self.wait_terminal(&format!("/backups/{backend}/{id}"), timeout)
    }

    /// Polls a restore's status until it is terminal; returns the final body.
    pub fn wait_restore(&self, backend: &str, id: &str, timeout: Duration) -> Value {
        self.wait_terminal(&format!("/backups/{backend}/{id}/restore"), timeout)
    }

    fn wait_terminal(&self, path: &str, timeout: Duration) -> Value {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let (s, b) = self.call("GET", path, None);
            if s == 200 && matches!(b["status"].as_str(), Some("SUCCESS" | "FAILED" | "CANCELED")) {
                return b;
            }
            assert!(std::time::Instant::now() < deadline, "{path} not finished: {s} {b}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Creates a backup (`body` as for `POST /backups/{backend}`) and waits for its SUCCESS.
    pub fn backup(&self, backend: &str, body: Value, timeout: Duration) {
        let id = body["id"].as_str().expect("backup id").to_string();
        let (s, b) = self.call("POST", &format!("/backups/{backend}"), Some(body));
        assert_eq!(s, 200, "create backup {id}: {b}");
        let done = self.wait_backup(backend, &id, timeout);
        assert_eq!(done["status"], "SUCCESS", "backup {id}: {done}");
    }
}

/// The next number of a xorshift64 sequence: test data that is reproducible and needs no crate.
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// Demo data for the run command: three collections with some objects each.
pub fn seed_demo(rest: &Rest) {
    for (name, n) in [("Article", 120), ("Author", 25), ("Paragraph", 400)] {
        rest.create_collection(name);
        rest.insert_objects(name, n);
    }
}
