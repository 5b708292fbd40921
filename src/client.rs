//! The one HTTP client: a function per Weaviate endpoint, every failure an [`ApiError`].

use backup_core::api::{
    BackupCreateRequest, BackupListItem, BackupRestoreRequest, Meta, Schema, StartedResponse, StatusResponse,
};
use backup_core::error::ApiError;
use backup_core::job::{JobKey, JobKind};
use backup_core::options::Location;
use backup_core::origin::BoundKey;
use backup_core::snippet::SentRequest;
use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::AbortSignal;

/// A Weaviate to talk to. The API key is kept in memory only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    base_url: String,
    api_key: Option<String>,
}

fn seg(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

impl Client {
    /// `base_url` is normalized (no trailing slash). The key is kept only if it was given for
    /// this server's origin: whatever named the URL, a key never travels to another server.
    pub fn new(base_url: &str, key: Option<&BoundKey>) -> Client {
        Client {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: key.and_then(|k| k.for_url(base_url)).map(str::to_string),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Weaviate rejects an `Authorization` header when it has no auth configured, so the
    /// header is sent only with a key.
    fn with_auth(&self, req: RequestBuilder) -> RequestBuilder {
        match &self.api_key {
            Some(k) => req.header("Authorization", &format!("Bearer {k}")),
            None => req,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1{path}", self.base_url)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, abort: Option<&AbortSignal>) -> Result<T, ApiError> {
        let req = self.with_auth(Request::get(&self.url(path))).abort_signal(abort);
        read(req.send().await).await
    }

    /// Sends a JSON body; returns the request exactly as sent (for "copy as curl") with the
    /// answer.
    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> (SentRequest, Result<T, ApiError>) {
        let text = serde_json::to_string(body).unwrap_or_default();
        let sent = SentRequest { method: "POST".into(), path: path.to_string(), body: Some(text.clone()) };
        // Without this content type Weaviate answers 415.
        let req = self.with_auth(Request::post(&self.url(path))).header("Content-Type", "application/json").body(text);
        let result = match req {
            Ok(r) => read(r.send().await).await,
            Err(e) => Err(ApiError::Decode(e.to_string())),
        };
        (sent, result)
    }

    /// Whether requests carry an API key (snippets then read it from the environment).
    pub fn has_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// `GET /v1/meta`: version and enabled modules (the browser-safe health check: the
    /// `.well-known` endpoints carry no CORS headers).
    pub async fn meta(&self) -> Result<Meta, ApiError> {
        self.get("/meta", None).await
    }

    /// `GET /v1/schema`.
    pub async fn schema(&self) -> Result<Schema, ApiError> {
        self.get("/schema", None).await
    }

    /// `POST /v1/backups/{backend}`.
    pub async fn create_backup(&self, backend: &str, body: &BackupCreateRequest) -> (SentRequest, Result<StartedResponse, ApiError>) {
        self.post(&format!("/backups/{}", seg(backend)), body).await
    }

    /// `GET /v1/backups/{backend}`: the backend's backups, newest first (v1.32+).
    pub async fn list_backups(&self, backend: &str, abort: Option<&AbortSignal>) -> Result<Vec<BackupListItem>, ApiError> {
        self.get(&format!("/backups/{}?order=desc", seg(backend)), abort).await
    }

    /// `POST /v1/backups/{backend}/{id}/restore`.
    pub async fn restore_backup(
        &self,
        backend: &str,
        id: &str,
        body: &BackupRestoreRequest,
    ) -> (SentRequest, Result<StartedResponse, ApiError>) {
        self.post(&format!("/backups/{}/{}/restore", seg(backend), seg(id)), body).await
    }

    /// `/backups/{backend}/{id}[/restore]?bucket=&path=`: the job's own resource.
    fn job_path(k: &JobKey, location: &Location) -> String {
        let suffix = match k.kind {
            JobKind::Backup => "",
            JobKind::Restore => "/restore",
        };
        format!("/backups/{}/{}{suffix}{}", seg(&k.backend), seg(&k.id), location.query())
    }

    /// `GET /v1/backups/{backend}/{id}` or `…/restore`, with the job's bucket/path.
    pub async fn job_status(
        &self,
        key: &JobKey,
        location: &Location,
        abort: Option<&AbortSignal>,
    ) -> Result<StatusResponse, ApiError> {
        self.get(&Self::job_path(key, location), abort).await
    }

    /// `DELETE /v1/backups/{backend}/{id}` (or `…/restore`, v1.36+): cancels; 204 on success.
    /// It never deletes backup data.
    pub async fn cancel(&self, key: &JobKey, location: &Location) -> Result<(), ApiError> {
        let req = self.with_auth(Request::delete(&self.url(&Self::job_path(key, location))));
        let resp = req.send().await.map_err(|e| ApiError::Network(network_message(&e)))?;
        match resp.status() {
            200..=299 => Ok(()),
            status => Err(ApiError::from_response(status, &resp.text().await.unwrap_or_default())),
        }
    }

    /// `GET /v1/nodes`: the cluster's node names (for node mapping and pre-flight).
    pub async fn node_names(&self) -> Result<Vec<String>, ApiError> {
        let nodes: backup_core::api::Nodes = self.get("/nodes", None).await?;
        Ok(nodes.nodes.into_iter().map(|n| n.name).collect())
    }
}

async fn read<T: DeserializeOwned>(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let resp = sent.map_err(|e| ApiError::Network(network_message(&e)))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| ApiError::Network(network_message(&e)))?;
    if !(200..300).contains(&status) {
        return Err(ApiError::from_response(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| {
        ApiError::Decode(format!("unexpected answer from the server (HTTP {status}): {e}"))
    })
}

fn network_message(e: &gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => format!("network error: {}", js.message),
        other => format!("network error: {other}"),
    }
}
