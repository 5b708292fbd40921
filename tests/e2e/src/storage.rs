//! Object-storage emulators for Weaviate's `backup-s3`, `backup-gcs` and `backup-azure`, installed
//! by `scripts/setup.sh` into `.tools/`: moto (S3), gcp-storage-emulator (GCS) and Azurite
//! (Azure Blob). All keep their data in memory, listen on free loopback ports and stop on drop.
//! The storage APIs are spoken here over plain HTTP, so tests can see what Weaviate wrote.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::{free_port, repo_root};

/// The bucket (container, for Azure) every backend writes to unless a request overrides it.
pub const DEFAULT_BUCKET: &str = "weaviate-backups";

/// Azurite's well-known development account (public, the same in every Azurite).
const AZURE_ACCOUNT: &str = "devstoreaccount1";
const AZURE_KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// An object-storage backup backend of Weaviate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    S3,
    Gcs,
    Azure,
}

impl Store {
    pub const ALL: [Store; 3] = [Store::S3, Store::Gcs, Store::Azure];

    /// The `{backend}` path segment of the backup API.
    pub fn backend(self) -> &'static str {
        match self {
            Store::S3 => "s3",
            Store::Gcs => "gcs",
            Store::Azure => "azure",
        }
    }
}

/// One emulator process (or any other server the tests start, e.g. [`crate::nginx`]), killed on
/// drop (and when the thread that started it ends, should the test process die without unwinding).
pub(crate) struct Emulator {
    child: Child,
    port: u16,
    home: PathBuf,
}

impl Emulator {
    pub(crate) fn spawn(name: &str, program: &Path, args: &[&str], port: u16, home: &Path) -> Emulator {
        assert!(program.exists(), "{} is missing: run scripts/setup.sh", program.display());
        let home = home.join(name);
        std::fs::create_dir_all(&home).unwrap();
        let log = std::fs::File::create(home.join("emulator.log")).unwrap();
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(&home).stdout(log.try_clone().unwrap()).stderr(log).stdin(Stdio::null());
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
        Emulator { child, port, home }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn wait_listening(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited ({status}):\n{}", self.home.display(), self.log());
            }
            assert!(Instant::now() < deadline, "{} not listening after {timeout:?}:\n{}", self.home.display(), self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("emulator.log")).unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto (S3), gcp-storage-emulator (GCS) and Azurite (Azure Blob), each with
/// [`DEFAULT_BUCKET`] made. Their folder is removed on drop unless the thread is panicking.
pub struct ObjectStores {
    s3: Emulator,
    gcs: Emulator,
    azure: Emulator,
    pub home: PathBuf,
}

fn tool(rel: &str) -> PathBuf {
    repo_root().join(".tools").join(rel)
}

impl ObjectStores {
    pub fn start() -> ObjectStores {
        let home = repo_root().join(".work/storage").join(format!("{}-{}", std::process::id(), free_port()));
        let _ = std::fs::remove_dir_all(&home);
        let (s3_port, gcs_port, azure_port) = (free_port(), free_port(), free_port());
        // All three start at once: together about as long as the slowest (Python imports).
        let mut s3 = Emulator::spawn("s3", &tool("venv/bin/moto_server"), &["-H", "127.0.0.1", "-p", &s3_port.to_string()], s3_port, &home);
        let mut gcs = Emulator::spawn(
            "gcs",
            &tool("venv/bin/gcp-storage-emulator"),
            &["start", "--host", "127.0.0.1", "--port", &gcs_port.to_string(), "--in-memory", "--quiet"],
            gcs_port,
            &home,
        );
        let mut azure = Emulator::spawn(
            "azure",
            &tool("test/node_modules/.bin/azurite-blob"),
            &[
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                &azure_port.to_string(),
                "--inMemoryPersistence",
                // Azurite reports usage to Microsoft by default; nothing may leave this machine.
                "--disableTelemetry",
                "--skipApiVersionCheck",
                "--silent",
            ],
            azure_port,
            &home,
        );
        for e in [&mut s3, &mut gcs, &mut azure] {
            e.wait_listening(Duration::from_secs(60));
        }
        let stores = ObjectStores { s3, gcs, azure, home };
        for store in Store::ALL {
            stores.create_bucket(store, DEFAULT_BUCKET);
        }
        stores
    }

    /// The environment that enables Weaviate's three object-storage modules against these
    /// emulators, each with [`DEFAULT_BUCKET`] as its default.
    pub fn weaviate_env(&self) -> Vec<(String, String)> {
        [
            // backup-s3: path-style addressing follows from the loopback endpoint; the keys and
            // region keep the client from asking an instance-metadata service or the bucket.
            ("BACKUP_S3_ENDPOINT", format!("127.0.0.1:{}", self.s3.port)),
            ("BACKUP_S3_USE_SSL", "false".into()),
            ("BACKUP_S3_BUCKET", DEFAULT_BUCKET.into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("STORAGE_EMULATOR_HOST", self.gcs.url()),
            ("GOOGLE_CLOUD_PROJECT", "backup-console".into()),
            ("BACKUP_GCS_USE_AUTH", "false".into()),
            ("BACKUP_GCS_BUCKET", DEFAULT_BUCKET.into()),
            ("AZURE_STORAGE_CONNECTION_STRING", self.azure_connection_string()),
            ("BACKUP_AZURE_CONTAINER", DEFAULT_BUCKET.into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    fn azure_connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={AZURE_ACCOUNT};AccountKey={AZURE_KEY};BlobEndpoint={}/{AZURE_ACCOUNT};",
            self.azure.url()
        )
    }

    /// Where each emulator listens, for people (the run command prints it).
    pub fn describe(&self) -> String {
        format!(
            "S3 (moto) {}, GCS (gcp-storage-emulator) {}, Azure Blob (Azurite) {}/{AZURE_ACCOUNT}",
            self.s3.url(),
            self.gcs.url(),
            self.azure.url()
        )
    }

    /// Makes a bucket (an Azure container); Weaviate makes none itself.
    pub fn create_bucket(&self, store: Store, name: &str) {
        let result = match store {
            Store::S3 => ureq::put(&format!("{}/{name}", self.s3.url())).call(),
            Store::Gcs => ureq::post(&format!("{}/storage/v1/b?project=backup-console", self.gcs.url()))
                .send_json(serde_json::json!({ "name": name })),
            Store::Azure => self.azure_request("PUT", name, &[("restype", "container")]).send_bytes(&[]),
        };
        if let Err(e) = result {
            panic!("create {store:?} bucket {name}: {}", describe_error(e));
        }
    }

    /// The keys of every object in `bucket` whose key starts with `prefix`, sorted.
    pub fn keys(&self, store: Store, bucket: &str, prefix: &str) -> Vec<String> {
        let mut keys = match store {
            Store::S3 => {
                let xml = text(ureq::get(&format!("{}/{bucket}", self.s3.url())).query("list-type", "2").query("prefix", prefix).call());
                assert!(!xml.contains("<IsTruncated>true"), "more than one page of keys: {xml}");
                xml_values(&xml, "Key")
            }
            Store::Gcs => {
                let body = text(ureq::get(&format!("{}/storage/v1/b/{bucket}/o", self.gcs.url())).query("prefix", prefix).call());
                let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
                assert!(v["nextPageToken"].is_null(), "more than one page of keys: {v}");
                v["items"].as_array().into_iter().flatten().map(|o| o["name"].as_str().unwrap().to_string()).collect()
            }
            Store::Azure => {
                let query = [("comp", "list"), ("prefix", prefix), ("restype", "container")];
                let xml = text(self.azure_request("GET", bucket, &query).call());
                assert!(xml_values(&xml, "NextMarker").iter().all(String::is_empty), "more than one page of keys: {xml}");
                xml_values(&xml, "Name")
            }
        };
        keys.sort();
        keys
    }

    /// A request to Azurite signed with the development account's Shared Key (Azurite refuses
    /// anonymous requests); `query` sorted by name, as the signature wants it.
    fn azure_request(&self, method: &str, container: &str, query: &[(&str, &str)]) -> ureq::Request {
        let date = httpdate::fmt_http_date(SystemTime::now());
        let version = "2021-08-06";
        // Path-style URL: the account is the first path segment, and so part of the resource.
        let resource: String = std::iter::once(format!("/{AZURE_ACCOUNT}/{AZURE_ACCOUNT}/{container}"))
            .chain(query.iter().map(|(k, v)| format!("\n{k}:{v}")))
            .collect();
        // Every standard header empty (a zero Content-Length is signed as empty too).
        let to_sign = format!("{method}\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n{resource}");
        let key = BASE64.decode(AZURE_KEY).unwrap();
        let signature = BASE64.encode(hmac_sha256(&key, to_sign.as_bytes()));
        let mut req = ureq::request(method, &format!("{}/{AZURE_ACCOUNT}/{container}", self.azure.url()))
            .set("x-ms-date", &date)
            .set("x-ms-version", version)
            .set("Authorization", &format!("SharedKey {AZURE_ACCOUNT}:{signature}"));
        for (k, v) in query {
            req = req.query(k, v);
        }
        req
    }
}

impl Drop for ObjectStores {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("emulator logs kept in {}", self.home.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.home);
        }
    }
}

fn describe_error(e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(code, r) => format!("{code} {}", r.into_string().unwrap_or_default()),
        e => e.to_string(),
    }
}

fn text(result: Result<ureq::Response, ureq::Error>) -> String {
    result.map_err(describe_error).expect("storage request").into_string().unwrap()
}

/// The text of every `<tag>…</tag>` (listings are flat enough that no XML parser is needed).
fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open).skip(1).filter_map(|s| s.split_once(&close)).map(|(v, _)| v.replace("&amp;", "&")).collect()
}

/// HMAC-SHA256 (RFC 2104), the one primitive Azure's Shared Key needs.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| block.map(|k| k ^ b);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hmac_sha256_matches_rfc_4231_case_2() {
        let mac = super::hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
