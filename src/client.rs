//! The one HTTP client: a function per Weaviate endpoint, every failure an [`ApiError`].
//! Every request has a deadline and a cap on the answer it reads ([`RequestKind`]): a server
//! that accepts the connection and never answers, or answers without end, must not leave a poll
//! slot, a form or discovery waiting forever, nor fill the tab's memory. No redirect is
//! followed: the server the admin named is the only one the console talks to.

use std::cell::Cell;
use std::rc::Rc;

use backup_core::api::{
    BackupCreateRequest, BackupListItem, BackupRestoreRequest, Meta, Schema, StartedResponse, StatusResponse,
};
use backup_core::error::ApiError;
use backup_core::job::JobKey;
use backup_core::options::Location;
use backup_core::origin::{blocked_as_mixed_content, origin_of, BoundKey};
use backup_core::path;
pub use backup_core::request::RequestKind;
use backup_core::request::{decode_text, BodyCap};
use backup_core::snippet::SentRequest;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult, RequestRedirect, ResponseType};

use crate::now_ms;

/// The answer to a create or restore POST, with what is needed to resolve a lost one.
pub struct Posted {
    /// The request exactly as sent (for "copy as curl").
    pub request: SentRequest,
    /// Browser clock when it was sent.
    pub sent_ms: u64,
    pub result: Result<StartedResponse, ApiError>,
}

/// An HTTP answer, read to the end within the deadline.
struct Answer {
    status: u16,
    text: String,
    /// Server clock minus browser clock, from the `Date` header when the browser lets us read
    /// it (same origin only: Weaviate sends no `Access-Control-Expose-Headers`).
    clock_offset_ms: Option<i64>,
}

/// A Weaviate to talk to. The API key is kept in memory only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    base_url: String,
    api_key: Option<String>,
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

    fn url(&self, path: &str) -> String {
        format!("{}/v1{path}", self.base_url)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, kind: RequestKind, abort: Option<&AbortSignal>) -> Result<T, ApiError> {
        read(self.exchange(Request::get(&self.url(path)), None, kind, abort).await?)
    }

    /// Sends a JSON body. Not abortable by the caller: an aborted POST is exactly the ambiguous
    /// submit the forms guard against, so only the deadline ends it.
    async fn post<B: Serialize>(&self, path: &str, body: &B) -> Posted {
        let text = serde_json::to_string(body).unwrap_or_default();
        let request = SentRequest { method: "POST".into(), path: path.to_string(), body: Some(text.clone()) };
        // Without this content type Weaviate answers 415.
        let req = Request::post(&self.url(path)).header("Content-Type", "application/json");
        let sent_ms = now_ms();
        let result = self.exchange(req, Some(text), RequestKind::Submit, None).await.and_then(read);
        Posted { request, sent_ms, result }
    }

    /// Whether requests carry an API key (snippets then read it from the environment).
    pub fn has_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// `GET /v1/meta`: version and enabled modules (the browser-safe health check: the
    /// `.well-known` endpoints carry no CORS headers), with the server's clock offset when its
    /// `Date` header is readable.
    pub async fn meta(&self, abort: Option<&AbortSignal>) -> Result<(Meta, Option<i64>), ApiError> {
        let answer = self.exchange(Request::get(&self.url("/meta")), None, RequestKind::Discovery, abort).await?;
        let offset = answer.clock_offset_ms;
        Ok((read(answer)?, offset))
    }

    /// `GET /v1/schema`.
    pub async fn schema(&self, abort: Option<&AbortSignal>) -> Result<Schema, ApiError> {
        self.get("/schema", RequestKind::Discovery, abort).await
    }

    /// `POST /v1/backups/{backend}`.
    pub async fn create_backup(&self, backend: &str, body: &BackupCreateRequest) -> Posted {
        self.post(&path::backups(backend), body).await
    }

    /// `GET /v1/backups/{backend}`: the backend's backups, newest first (v1.32+).
    pub async fn list_backups(&self, backend: &str, abort: Option<&AbortSignal>) -> Result<Vec<BackupListItem>, ApiError> {
        self.get(&format!("{}?order=desc", path::backups(backend)), RequestKind::List, abort).await
    }

    /// `POST /v1/backups/{backend}/{id}/restore`.
    pub async fn restore_backup(&self, backend: &str, id: &str, body: &BackupRestoreRequest) -> Posted {
        self.post(&path::restore(backend, id), body).await
    }

    /// `GET /v1/backups/{backend}/{id}` or `…/restore`, with the job's bucket/path.
    pub async fn job_status(
        &self,
        key: &JobKey,
        location: &Location,
        abort: Option<&AbortSignal>,
    ) -> Result<StatusResponse, ApiError> {
        self.get(&path::job(key, location), RequestKind::Status, abort).await
    }

    /// `DELETE /v1/backups/{backend}/{id}` (or `…/restore`, v1.36+): cancels; 204 on success.
    /// It never deletes backup data.
    pub async fn cancel(&self, key: &JobKey, location: &Location) -> Result<(), ApiError> {
        let req = Request::delete(&self.url(&path::job(key, location)));
        let answer = self.exchange(req, None, RequestKind::Cancel, None).await?;
        match answer.status {
            200..=299 => Ok(()),
            status => Err(ApiError::from_response(status, &answer.text)),
        }
    }

    /// `GET /v1/users/own-info`: who the key is and its roles' permissions (RBAC).
    pub async fn own_info(&self, abort: Option<&AbortSignal>) -> Result<backup_core::access::OwnInfo, ApiError> {
        self.get("/users/own-info", RequestKind::Discovery, abort).await
    }

    /// `GET /v1/nodes`: the cluster's node names (for node mapping and pre-flight).
    pub async fn node_names(&self, abort: Option<&AbortSignal>) -> Result<Vec<String>, ApiError> {
        let nodes: backup_core::api::Nodes = self.get("/nodes", RequestKind::Discovery, abort).await?;
        Ok(nodes.nodes.into_iter().map(|n| n.name).collect())
    }
}

impl Client {
    /// Sends `req` (with `body`, if any) to this server and reads the whole answer, at most
    /// `kind`'s cap of it, before `kind`'s deadline or the caller's `abort`, whichever comes
    /// first.
    ///
    /// Redirects are not followed: `redirect: "manual"` hands back the 30x itself as an
    /// `opaqueredirect` answer without asking its `Location`, which becomes
    /// [`ApiError::Redirected`]. (`redirect: "error"` would refuse them as well, but as the same
    /// `TypeError` as an unreachable server, so the admin could not be told what happened.) A
    /// redirect without CORS headers still fails as a network error, whose hint names that case.
    async fn exchange(
        &self,
        req: RequestBuilder,
        body: Option<String>,
        kind: RequestKind,
        abort: Option<&AbortSignal>,
    ) -> Result<Answer, ApiError> {
        let deadline = Deadline::start(kind, abort)?;
        // Weaviate rejects an `Authorization` header when it has no auth configured, so the
        // header is sent only with a key.
        let req = match &self.api_key {
            Some(k) => req.header("Authorization", &format!("Bearer {k}")),
            None => req,
        };
        let req = req.redirect(RequestRedirect::Manual).abort_signal(Some(&deadline.controller.signal()));
        let req = match body {
            Some(text) => req.body(text),
            None => req.build(),
        }
        .map_err(|e| ApiError::Decode(e.to_string()))?;
        let sent = now_ms();
        let resp = req.send().await.map_err(|e| self.failure(&deadline, gloo_message(&e)))?;
        let received = now_ms();
        if resp.type_() == ResponseType::Opaqueredirect || resp.redirected() {
            return Err(ApiError::Redirected);
        }
        let clock_offset_ms = resp.headers().get("date").and_then(|d| {
            let server = js_sys::Date::parse(&d);
            // `Date` has whole seconds: the server's time was up to 1 s later than it says.
            server.is_finite().then(|| (server + 500.0 - (sent + received) as f64 / 2.0) as i64)
        });
        // The body is read under the same deadline: a server may send headers and then stall.
        let cap = BodyCap::start(kind, resp.status(), resp.headers().get("content-length").as_deref())?;
        let text = read_body(&resp, cap, |detail| self.failure(&deadline, detail)).await?;
        Ok(Answer { status: resp.status(), text, clock_offset_ms })
    }

    /// The error for a failed send or read: a timeout if the timer fired first; a request
    /// the browser blocks as mixed content, if that is what it was; else the network's.
    fn failure(&self, deadline: &Deadline, detail: String) -> ApiError {
        if deadline.timed_out.get() {
            return ApiError::Timeout(format!("no answer within {} s", deadline.kind.deadline_ms() / 1000));
        }
        let page = web_sys::window().and_then(|w| w.location().protocol().ok()).unwrap_or_default();
        if blocked_as_mixed_content(&page, &self.base_url) {
            let there = origin_of(&self.base_url).unwrap_or_default();
            return ApiError::MixedContent(format!(
                "blocked as mixed content: this console is served over https, and {there} is plain http"
            ));
        }
        ApiError::Network(format!("network error: {detail}"))
    }
}

/// Reads `resp`'s body chunk by chunk, counting against `cap`, and stops the download as soon
/// as it is over (`Response.text()` would hold all of it first). A failed read (aborted, cut
/// off) is `failed`'s error.
async fn read_body(resp: &Response, mut cap: BodyCap, failed: impl Fn(String) -> ApiError) -> Result<String, ApiError> {
    let Some(stream) = resp.body() else { return Ok(String::new()) };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk: ReadableStreamReadResult = JsFuture::from(reader.read()).await.map_err(|e| failed(js_message(&e)))?.unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            return Ok(decode_text(&bytes));
        }
        let part = js_sys::Uint8Array::new(&chunk.get_value());
        let len = part.length() as usize;
        if let Err(e) = cap.take(len) {
            let _ = reader.cancel();
            return Err(e);
        }
        let at = bytes.len();
        bytes.resize(at + len, 0);
        part.copy_to(&mut bytes[at..]);
    }
}

fn read<T: DeserializeOwned>(answer: Answer) -> Result<T, ApiError> {
    let Answer { status, text, .. } = answer;
    if !(200..300).contains(&status) {
        return Err(ApiError::from_response(status, &text));
    }
    serde_json::from_str(&text).map_err(|e| {
        ApiError::Decode(format!("unexpected answer from the server (HTTP {status}): {e}"))
    })
}

/// One request's deadline: an `AbortController` that a timer aborts, and that follows the
/// caller's own abort signal. Dropping it (the answer arrived, or the caller gave up) clears
/// the timer and stops listening to the caller's signal.
struct Deadline {
    controller: AbortController,
    kind: RequestKind,
    timed_out: Rc<Cell<bool>>,
    timer: i32,
    _on_timer: Closure<dyn FnMut()>,
    caller: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Deadline {
    fn start(kind: RequestKind, caller: Option<&AbortSignal>) -> Result<Deadline, ApiError> {
        let unsupported = |_| ApiError::Network("this browser cannot time requests out (no AbortController)".into());
        let controller = AbortController::new().map_err(unsupported)?;
        let timed_out = Rc::new(Cell::new(false));
        let on_timer = Closure::<dyn FnMut()>::new({
            let (controller, timed_out) = (controller.clone(), timed_out.clone());
            move || {
                timed_out.set(true);
                controller.abort();
            }
        });
        let timer = web_sys::window()
            .and_then(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(on_timer.as_ref().unchecked_ref(), kind.deadline_ms() as i32)
                    .ok()
            })
            .ok_or_else(|| ApiError::Network("this browser cannot time requests out (no timer)".into()))?;
        let caller = caller.map(|signal| {
            let follow = Closure::<dyn FnMut()>::new({
                let controller = controller.clone();
                move || controller.abort()
            });
            if signal.aborted() {
                controller.abort();
            } else {
                let _ = signal.add_event_listener_with_callback("abort", follow.as_ref().unchecked_ref());
            }
            (signal.clone(), follow)
        });
        Ok(Deadline { controller, kind, timed_out, timer, _on_timer: on_timer, caller })
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(self.timer);
        }
        if let Some((signal, follow)) = &self.caller {
            let _ = signal.remove_event_listener_with_callback("abort", follow.as_ref().unchecked_ref());
        }
    }
}

fn gloo_message(e: &gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.message.clone(),
        other => other.to_string(),
    }
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_else(|| "the answer was cut off".into())
}
