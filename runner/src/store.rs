//! Deleting a backup, and reading its descriptor, in the object store itself: Weaviate has no
//! delete API (`DELETE /v1/backups/{backend}/{id}` cancels). A backup is every object under
//! `{path}/{id}/` in the bucket; its `backup_config.json` is what the server lists, so once it is
//! gone the backup is gone from the list too (cluster-and-s3.md §6).
//!
//! Where and how to reach the store comes from the environment Weaviate's own backup module
//! reads, so the runner is configured like the server (v1.39.0 `modules/backup-*/module.go`,
//! `client.go`):
//! - backup-filesystem: `BACKUP_FILESYSTEM_PATH`.
//! - backup-s3: `BACKUP_S3_BUCKET`, `BACKUP_S3_PATH`, `BACKUP_S3_ENDPOINT` (host:port, default
//!   `s3.amazonaws.com`), `BACKUP_S3_USE_SSL` (anything but `false` is on), `AWS_ACCESS_KEY_ID`
//!   (or `AWS_ACCESS_KEY`), `AWS_SECRET_ACCESS_KEY` (or `AWS_SECRET_KEY`), `AWS_SESSION_TOKEN`,
//!   `AWS_REGION` (or `AWS_DEFAULT_REGION`).
//! - backup-gcs: `BACKUP_GCS_BUCKET`, `BACKUP_GCS_PATH`, `STORAGE_EMULATOR_HOST`,
//!   `BACKUP_GCS_USE_AUTH` (anything but `false` is on), `GOOGLE_APPLICATION_CREDENTIALS`.
//! - backup-azure: `BACKUP_AZURE_CONTAINER`, `BACKUP_AZURE_PATH`,
//!   `AZURE_STORAGE_CONNECTION_STRING`, else `AZURE_STORAGE_ACCOUNT` and `AZURE_STORAGE_KEY`.
//!
//! S3 and Azure go through `object_store`. GCS is spoken over its JSON API here (object_store's
//! GCS client lists and deletes through the XML API, which the GCS emulator Weaviate's tests use
//! answers with 501); object_store only supplies the OAuth token when `BACKUP_GCS_USE_AUTH` is on.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use backup_core::validate::check_backup_id;
use futures::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};

/// The coordinator's descriptor of a backup (`usecases/backup/backend.go` `GlobalBackupFile`).
pub const DESCRIPTOR: &str = "backup_config.json";
/// A descriptor is a few KB per node; nothing else is read.
const MAX_DESCRIPTOR: u64 = 8 << 20;
const TIMEOUT: Duration = Duration::from_secs(60);

/// One backend's backups, where they are stored.
pub enum Store {
    Filesystem { root: PathBuf },
    Object { store: Arc<dyn ObjectStore>, prefix: String, rt: tokio::runtime::Runtime, what: String },
    Gcs { base: String, bucket: String, prefix: String, auth: Option<GcsAuth>, agent: ureq::Agent },
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn var(env: Env, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| env(n).filter(|v| !v.is_empty()))
}

fn required(env: Env, name: &str, why: &str) -> Result<String, String> {
    var(env, &[name]).ok_or_else(|| format!("{name} is not set: the runner needs it, as Weaviate's {why} module does, to reach the backups."))
}

/// `path.Join(path, id) + "/"` as Weaviate's modules build a backup's folder
/// (`modules/backup-s3/client.go` `makeObjectName`): empty segments dropped, no leading `/`
/// (object stores have no root).
pub fn backup_prefix(path: &str, id: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    parts.push(id);
    format!("{}/", parts.join("/"))
}

/// Refuses ids that could name anything but one backup's own folder.
fn checked(id: &str) -> Result<&str, String> {
    check_backup_id(id).map_err(|e| format!("Refusing to touch {id:?}: {e}"))?;
    Ok(id)
}

impl Store {
    /// The store of `backend` (`filesystem`, `s3`, `gcs`, `azure`), with the policy's bucket and
    /// path overriding the module's defaults.
    pub fn open(backend: &str, bucket: Option<&str>, path: Option<&str>) -> Result<Store, String> {
        Store::open_with(backend, bucket, path, &|k| std::env::var(k).ok())
    }

    pub fn open_with(backend: &str, bucket: Option<&str>, path: Option<&str>, env: Env) -> Result<Store, String> {
        let pick = |over: Option<&str>, name: &str| over.map(str::to_string).or_else(|| var(env, &[name])).unwrap_or_default();
        match backend {
            "filesystem" => {
                let root = match path {
                    Some(p) => p.to_string(),
                    None => required(env, "BACKUP_FILESYSTEM_PATH", "backup-filesystem")?,
                };
                Ok(Store::Filesystem { root: PathBuf::from(root) })
            }
            "s3" => {
                let bucket = match bucket {
                    Some(b) => b.to_string(),
                    None => required(env, "BACKUP_S3_BUCKET", "backup-s3")?,
                };
                let prefix = pick(path, "BACKUP_S3_PATH");
                let ssl = var(env, &["BACKUP_S3_USE_SSL"]).is_none_or(|v| v.to_lowercase() != "false");
                let endpoint = var(env, &["BACKUP_S3_ENDPOINT"]).unwrap_or_else(|| "s3.amazonaws.com".into());
                let region = var(env, &["AWS_REGION", "AWS_DEFAULT_REGION"]).unwrap_or_else(|| "us-east-1".into());
                let mut b = object_store::aws::AmazonS3Builder::new().with_bucket_name(&bucket).with_region(&region);
                if let (Some(id), Some(secret)) = (var(env, &["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"]), var(env, &["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"])) {
                    b = b.with_access_key_id(id).with_secret_access_key(secret);
                    if let Some(t) = var(env, &["AWS_SESSION_TOKEN"]) {
                        b = b.with_token(t);
                    }
                }
                if endpoint != "s3.amazonaws.com" {
                    // minio (Weaviate's client) addresses other endpoints path-style.
                    let scheme = if ssl { "https" } else { "http" };
                    b = b.with_endpoint(format!("{scheme}://{endpoint}")).with_allow_http(!ssl).with_virtual_hosted_style_request(false);
                }
                let store = b.build().map_err(|e| format!("S3 bucket {bucket}: {e}"))?;
                Store::object(Arc::new(store), prefix, format!("s3://{bucket}"))
            }
            "azure" => {
                let container = match bucket {
                    Some(b) => b.to_string(),
                    None => required(env, "BACKUP_AZURE_CONTAINER", "backup-azure")?,
                };
                let prefix = pick(path, "BACKUP_AZURE_PATH");
                let mut b = object_store::azure::MicrosoftAzureBuilder::new().with_container_name(&container);
                match var(env, &["AZURE_STORAGE_CONNECTION_STRING"]) {
                    Some(cs) => {
                        let (account, key, endpoint) = parse_connection_string(&cs)?;
                        b = b.with_account(account).with_access_key(key);
                        if let Some(e) = endpoint {
                            b = b.with_allow_http(e.starts_with("http://")).with_endpoint(e);
                        }
                    }
                    None => {
                        b = b.with_account(required(env, "AZURE_STORAGE_ACCOUNT", "backup-azure")?);
                        if let Some(k) = var(env, &["AZURE_STORAGE_KEY"]) {
                            b = b.with_access_key(k);
                        }
                    }
                }
                let store = b.build().map_err(|e| format!("Azure container {container}: {e}"))?;
                Store::object(Arc::new(store), prefix, format!("azure://{container}"))
            }
            "gcs" => {
                let bucket = match bucket {
                    Some(b) => b.to_string(),
                    None => required(env, "BACKUP_GCS_BUCKET", "backup-gcs")?,
                };
                let prefix = pick(path, "BACKUP_GCS_PATH");
                let base = match var(env, &["STORAGE_EMULATOR_HOST"]) {
                    Some(h) if h.contains("://") => h.trim_end_matches('/').to_string(),
                    Some(h) => format!("http://{}", h.trim_end_matches('/')),
                    None => "https://storage.googleapis.com".into(),
                };
                let auth = var(env, &["BACKUP_GCS_USE_AUTH"]).is_none_or(|v| v.to_lowercase() != "false");
                let auth = if auth { Some(GcsAuth::new(&bucket, var(env, &["GOOGLE_APPLICATION_CREDENTIALS"]))?) } else { None };
                let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).redirects(0).build();
                Ok(Store::Gcs { base, bucket, prefix, auth, agent })
            }
            other => Err(format!("Backend {other:?}: the runner deletes from filesystem, s3, gcs and azure only.")),
        }
    }

    fn object(store: Arc<dyn ObjectStore>, prefix: String, what: String) -> Result<Store, String> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("async runtime: {e}"))?;
        Ok(Store::Object { store, prefix, rt, what })
    }

    /// Deletes every object of backup `id`; how many there were.
    pub fn delete_backup(&self, id: &str) -> Result<usize, String> {
        let id = checked(id)?;
        match self {
            Store::Filesystem { root } => {
                let dir = root.join(id);
                let count = count_files(&dir);
                std::fs::remove_dir_all(&dir).map_err(|e| format!("delete {}: {e}", dir.display()))?;
                Ok(count)
            }
            Store::Object { store, prefix, rt, what } => {
                let folder = ObjectPath::from(backup_prefix(prefix, id).trim_end_matches('/'));
                rt.block_on(async {
                    // The listing is of whole segments: `id/` never matches `id2/…`.
                    let objects: Vec<_> = store.list(Some(&folder)).try_collect().await.map_err(|e| format!("list {what}/{folder}/: {e}"))?;
                    for o in &objects {
                        store.delete(&o.location).await.map_err(|e| format!("delete {what}/{}: {e}", o.location))?;
                    }
                    Ok(objects.len())
                })
            }
            Store::Gcs { .. } => {
                let names = self.gcs_list(id)?;
                for n in &names {
                    self.gcs("DELETE", &format!("/storage/v1/b/{}/o/{}", enc(self.gcs_bucket()), enc(n)), &[])?;
                }
                Ok(names.len())
            }
        }
    }

    /// The descriptor of backup `id`, or `None` when it has none.
    pub fn descriptor(&self, id: &str) -> Result<Option<Vec<u8>>, String> {
        let id = checked(id)?;
        match self {
            Store::Filesystem { root } => match std::fs::File::open(root.join(id).join(DESCRIPTOR)) {
                Ok(f) => read_capped(f).map(Some),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!("read {}/{id}/{DESCRIPTOR}: {e}", root.display())),
            },
            Store::Object { store, prefix, rt, what } => {
                let key = ObjectPath::from(format!("{}{DESCRIPTOR}", backup_prefix(prefix, id)));
                rt.block_on(async {
                    match store.get(&key).await {
                        Ok(r) if r.meta.size > MAX_DESCRIPTOR => Err(format!("{what}/{key} is larger than {MAX_DESCRIPTOR} bytes")),
                        Ok(r) => r.bytes().await.map(|b| Some(b.to_vec())).map_err(|e| format!("read {what}/{key}: {e}")),
                        Err(object_store::Error::NotFound { .. }) => Ok(None),
                        Err(e) => Err(format!("read {what}/{key}: {e}")),
                    }
                })
            }
            Store::Gcs { prefix, .. } => {
                let name = format!("{}{DESCRIPTOR}", backup_prefix(prefix, id));
                let path = format!("/storage/v1/b/{}/o/{}", enc(self.gcs_bucket()), enc(&name));
                match self.gcs("GET", &path, &[("alt", "media")]) {
                    Ok(body) => Ok(Some(body)),
                    Err(e) if e.starts_with("404") => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    }

    fn gcs_bucket(&self) -> &str {
        match self {
            Store::Gcs { bucket, .. } => bucket,
            _ => "",
        }
    }

    fn gcs_list(&self, id: &str) -> Result<Vec<String>, String> {
        let Store::Gcs { prefix, bucket, .. } = self else { return Ok(vec![]) };
        let folder = backup_prefix(prefix, id);
        let mut names = vec![];
        let mut token = String::new();
        loop {
            let mut query = vec![("prefix", folder.as_str()), ("fields", "items(name),nextPageToken")];
            if !token.is_empty() {
                query.push(("pageToken", token.as_str()));
            }
            let body = self.gcs("GET", &format!("/storage/v1/b/{}/o", enc(bucket)), &query)?;
            let page: serde_json::Value = serde_json::from_slice(&body).map_err(|e| format!("GCS list of gs://{bucket}/{folder}: {e}"))?;
            names.extend(page["items"].as_array().into_iter().flatten().filter_map(|o| o["name"].as_str().map(str::to_string)));
            match page["nextPageToken"].as_str() {
                Some(t) if !t.is_empty() => token = t.to_string(),
                _ => return Ok(names),
            }
        }
    }

    /// One GCS JSON-API request; the error starts with the HTTP status when there is one.
    fn gcs(&self, method: &str, path: &str, query: &[(&str, &str)]) -> Result<Vec<u8>, String> {
        let Store::Gcs { base, auth, agent, .. } = self else { return Err("not GCS".into()) };
        let mut req = agent.request(method, &format!("{base}{path}"));
        for (k, v) in query {
            req = req.query(k, v);
        }
        if let Some(a) = auth {
            req = req.set("Authorization", &format!("Bearer {}", a.token()?));
        }
        match req.call() {
            Ok(r) => read_capped(r.into_reader()),
            Err(ureq::Error::Status(code, r)) => {
                let text = read_capped(r.into_reader()).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                Err(format!("{code} from GCS {method} {path}: {}", backup_core::limit::server_text(&text)))
            }
            Err(e) => Err(format!("GCS {method} {path}: {e}")),
        }
    }
}

fn read_capped(r: impl Read) -> Result<Vec<u8>, String> {
    let mut buf = vec![];
    r.take(MAX_DESCRIPTOR + 1).read_to_end(&mut buf).map_err(|e| format!("read: {e}"))?;
    if buf.len() as u64 > MAX_DESCRIPTOR {
        return Err(format!("answer larger than {MAX_DESCRIPTOR} bytes"));
    }
    Ok(buf)
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| if e.file_type().is_ok_and(|t| t.is_dir()) { count_files(&e.path()) } else { 1 })
        .sum()
}

/// A GCS object name or bucket as one URL path segment.
fn enc(s: &str) -> String {
    backup_core::path::segment(s)
}

/// `AccountName`, `AccountKey` and `BlobEndpoint` of an Azure connection string.
pub fn parse_connection_string(cs: &str) -> Result<(String, String, Option<String>), String> {
    let get = |k: &str| cs.split(';').find_map(|p| p.split_once('=').filter(|(n, _)| n.trim() == k).map(|(_, v)| v.trim().to_string()));
    let account = get("AccountName").ok_or("AZURE_STORAGE_CONNECTION_STRING has no AccountName.")?;
    let key = get("AccountKey").ok_or("AZURE_STORAGE_CONNECTION_STRING has no AccountKey (SAS connection strings are not supported).")?;
    Ok((account, key, get("BlobEndpoint")))
}

/// OAuth tokens for GCS from the application default credentials, through object_store's
/// credential chain (the key file at `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's, or the metadata
/// server). Asked per request: the provider caches the token and renews it before it expires,
/// so a deletion after a backup of hours still has a valid one.
pub struct GcsAuth {
    provider: object_store::gcp::GcpCredentialProvider,
    rt: tokio::runtime::Runtime,
}

impl GcsAuth {
    fn new(bucket: &str, credentials: Option<String>) -> Result<GcsAuth, String> {
        let mut b = object_store::gcp::GoogleCloudStorageBuilder::new().with_bucket_name(bucket);
        if let Some(c) = credentials {
            b = b.with_application_credentials(c);
        }
        let gcs = b.build().map_err(|e| format!("GCS credentials: {e}"))?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("async runtime: {e}"))?;
        Ok(GcsAuth { provider: gcs.credentials().clone(), rt })
    }

    fn token(&self) -> Result<String, String> {
        self.rt.block_on(self.provider.get_credential()).map(|c| c.bearer.clone()).map_err(|e| format!("GCS credentials: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_prefix_is_weaviates_path_join() {
        assert_eq!(backup_prefix("", "nightly-1"), "nightly-1/");
        assert_eq!(backup_prefix("team/a/", "nightly-1"), "team/a/nightly-1/");
        assert_eq!(backup_prefix("/team//a", "n"), "team/a/n/");
    }

    #[test]
    fn ids_that_leave_the_folder_are_refused() {
        let dir = std::env::temp_dir().join(format!("runner-store-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("keep")).unwrap();
        let s = Store::Filesystem { root: dir.join("sub") };
        for bad in ["..", "../keep", "a/b", "", "UPPER"] {
            assert!(s.delete_backup(bad).unwrap_err().starts_with("Refusing"), "{bad}");
        }
        assert!(dir.join("keep").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn filesystem_deletes_the_backup_folder_only() {
        let root = std::env::temp_dir().join(format!("runner-fs-{}", std::process::id()));
        for p in ["b1/node1/chunk-1", "b1/backup_config.json", "b10/backup_config.json"] {
            std::fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
            std::fs::write(root.join(p), "{}").unwrap();
        }
        let s = Store::open_with("filesystem", None, None, &|k| (k == "BACKUP_FILESYSTEM_PATH").then(|| root.display().to_string())).unwrap();
        assert_eq!(s.descriptor("b1").unwrap().as_deref(), Some(&b"{}"[..]));
        assert_eq!(s.delete_backup("b1").unwrap(), 2);
        assert!(!root.join("b1").exists() && root.join("b10/backup_config.json").exists());
        assert_eq!(s.descriptor("b1").unwrap(), None);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn missing_settings_name_the_variable() {
        let none = env(&[]);
        for (backend, var) in [("filesystem", "BACKUP_FILESYSTEM_PATH"), ("s3", "BACKUP_S3_BUCKET"), ("gcs", "BACKUP_GCS_BUCKET"), ("azure", "BACKUP_AZURE_CONTAINER")] {
            let e = Store::open_with(backend, None, None, &none).err().unwrap();
            assert!(e.starts_with(var), "{e}");
        }
        assert!(Store::open_with("minio", None, None, &none).err().unwrap().contains("filesystem, s3, gcs and azure"));
    }

    #[test]
    fn azure_connection_strings_give_account_key_and_endpoint() {
        let cs = "DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=a2V5==;BlobEndpoint=http://127.0.0.1:1/dev;";
        assert_eq!(parse_connection_string(cs).unwrap(), ("dev".into(), "a2V5==".into(), Some("http://127.0.0.1:1/dev".into())));
        assert!(parse_connection_string("AccountName=x;SharedAccessSignature=sv=1").unwrap_err().contains("SAS"));
    }

    #[test]
    fn gcs_reads_the_emulator_and_skips_auth_when_told() {
        let s = Store::open_with("gcs", Some("b"), Some("p"), &env(&[("STORAGE_EMULATOR_HOST", "127.0.0.1:9"), ("BACKUP_GCS_USE_AUTH", "false")])).unwrap();
        let Store::Gcs { base, prefix, auth, .. } = s else { panic!() };
        assert_eq!((base.as_str(), prefix.as_str(), auth.is_none()), ("http://127.0.0.1:9", "p", true));
    }
}
