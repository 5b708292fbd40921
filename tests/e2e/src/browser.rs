//! Headless Debian Chromium driven over WebDriver (chromedriver from Debian), with helpers
//! that find controls the way the UI contract names them: forms and tables by accessible
//! name, fields by label, rows by `data-job`.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::free_port;

/// Headless Chromium under chromedriver. Dropping it (also on a failed assert) kills
/// chromedriver and every Chromium process it started, and removes the profile.
pub struct Browser {
    // Dropped first, so the session's own clean-up on drop (a synchronous DELETE) meets a
    // closed port at once instead of waiting for a hung Chromium.
    pub(crate) _processes: Processes,
    pub driver: WebDriver,
}

/// chromedriver, its log and Chromium's profile folder, cleaned up on drop: owned from the
/// spawn on, so a failure while the session starts leaks nothing either.
pub(crate) struct Processes {
    pub(crate) chromedriver: Child,
    pub(crate) profile: PathBuf,
    log: PathBuf,
}

/// Records Content-Security-Policy violations of every document into `window.__cspViolations`.
const CSP_RECORDER: &str = "window.__cspViolations = [];
window.addEventListener('securitypolicyviolation',
  e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI), true);";

/// An XPath string literal for `s` (which has no double quote).
fn lit(s: &str) -> String {
    format!("\"{s}\"")
}

/// A host name this browser resolves to 127.0.0.1 that the console counts as another machine
/// (not loopback): what `http://weaviate.corp:8080` is to an admin.
pub const NETWORK_NAME: &str = "weaviate.test";

/// XPath of a form whose accessible name (via `aria-labelledby`) is `name`.
pub fn form_xpath(name: &str) -> String {
    format!("//form[@aria-labelledby = //*[normalize-space()={}]/@id]", lit(name))
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("chromedriver-{port}.log"));
        let log_file = std::fs::File::create(&log).unwrap();
        // Its own process group, which the Chromium processes it starts join: Drop kills the
        // group, so nothing outlives the test.
        let chromedriver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .stdin(Stdio::null())
            .spawn()
            .expect("start chromedriver (run scripts/setup.sh)");
        let profile = std::env::temp_dir().join(format!("bc-chrome-{}-{port}", std::process::id()));
        let processes = Processes { chromedriver, profile: profile.clone(), log };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").unwrap();
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1400",
            &format!("--host-resolver-rules=MAP {NETWORK_NAME} 127.0.0.1"),
            &format!("--user-data-dir={}", profile.display()),
        ] {
            caps.add_arg(arg).unwrap();
        }
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
            .await
            .expect("webdriver session");
        let browser = Browser { _processes: processes, driver };
        browser.add_init_script(CSP_RECORDER).await;
        browser
    }

    /// Runs `js` in every document this tab loads from now on (frames included), before the
    /// page's own scripts. Not in the current document: navigate after adding it.
    pub async fn add_init_script(&self, js: &str) {
        self.driver
            .cdp()
            .send_raw("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": js }))
            .await
            .expect("Page.addScriptToEvaluateOnNewDocument");
    }

    /// Content-Security-Policy violations in the current document so far, each as
    /// "`violatedDirective` `blockedURI`" (e.g. `script-src-elem inline`).
    pub async fn csp_violations(&self) -> Vec<String> {
        let r = self.driver.execute("return window.__cspViolations || []", vec![]).await.expect("read CSP violations");
        serde_json::from_value(r.json().clone()).expect("violations are strings")
    }

    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.driver.set_window_rect(0, 0, width, height).await.expect("set window size");
    }

    pub async fn goto(&self, url: &str) {
        self.driver.goto(url).await.expect("goto");
    }

    /// Waits up to `timeout` for an element.
    pub async fn wait_for(&self, xpath: &str, timeout: Duration) -> WebElement {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(el) = self.driver.find(By::XPath(xpath)).await {
                return el;
            }
            if Instant::now() > deadline {
                panic!("no element {xpath} after {timeout:?}\n{}", self.body_text().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens `url`, a console link naming a server (`?weaviate=`), and presses Connect when the
    /// console offers that server: a link's server is never connected to by itself, unless the
    /// admin connected to it in this tab before (then, and with a console that predates the
    /// offer, there is nothing to press). Returns once it is connecting or connected.
    pub async fn follow_link(&self, url: &str) {
        self.goto(url).await;
        let connection = form_xpath("Connection");
        let offered = format!("{connection}//*[@role='status' and contains(., '(from a link)?')]");
        let underway = "//*[@role='group' and @aria-label='Server'] | //*[@role='status' and starts-with(normalize-space(), 'Connecting')]";
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.driver.find(By::XPath(&offered)).await.is_ok() {
                self.click_button(&connection, "Connect").await;
                return;
            }
            if self.driver.find(By::XPath(underway)).await.is_ok() {
                return;
            }
            assert!(Instant::now() < deadline, "{url}: no server offered, none connecting:\n{}", self.body_text().await);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The control labelled `label` inside `scope` (an XPath, e.g. from [`form_xpath`]).
    pub async fn field(&self, scope: &str, label: &str) -> WebElement {
        let label_el = self
            .wait_for(&format!("{scope}//label[normalize-space()={}]", lit(label)), Duration::from_secs(10))
            .await;
        let id = label_el.attr("for").await.unwrap().expect("label has for=");
        self.driver.find(By::Id(&id)).await.expect("labelled control")
    }

    /// Types `value` into the control labelled `label` (selects it, for a `<select>`).
    pub async fn fill(&self, scope: &str, label: &str, value: &str) {
        let el = self.field(scope, label).await;
        if el.tag_name().await.unwrap() == "select" {
            SelectElement::new(&el).await.unwrap().select_by_value(value).await.unwrap();
        } else {
            el.clear().await.unwrap();
            el.send_keys(value).await.unwrap();
        }
    }

    pub async fn click_button(&self, scope: &str, text: &str) {
        let b = self
            .wait_for(&format!("{scope}//button[normalize-space()={}]", lit(text)), Duration::from_secs(10))
            .await;
        b.click().await.unwrap();
    }

    /// Text of a job row's cell (`status`, `error`) in the "Jobs" table.
    pub async fn job_cell(&self, data_job: &str, col: &str) -> Option<String> {
        let xp = format!("//table[caption[normalize-space()='Jobs']]//tr[@data-job={}]//*[@data-col={}]", lit(data_job), lit(col));
        match self.driver.find(By::XPath(&xp)).await {
            Ok(el) => el.text().await.ok(),
            Err(_) => None,
        }
    }

    /// Waits until the job's status cell shows one of `statuses`; returns it.
    pub async fn wait_job_status(&self, data_job: &str, statuses: &[&str], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            let s = self.job_cell(data_job, "status").await;
            if let Some(s) = &s {
                if statuses.contains(&s.as_str()) {
                    return s.clone();
                }
            }
            last = s.or(last);
            if Instant::now() > deadline {
                panic!("job {data_job} status {last:?}, wanted {statuses:?}\n{}", self.body_text().await);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// How many requests the page has sent whose URL contains `fragment` (Resource Timing).
    pub async fn requests_to(&self, fragment: &str) -> u64 {
        let r = self
            .driver
            .execute(
                "return performance.getEntriesByType('resource').filter(e => e.name.includes(arguments[0])).length",
                vec![serde_json::json!(fragment)],
            )
            .await
            .expect("count requests");
        r.json().as_u64().unwrap_or(0)
    }

    /// Text of the first `role=alert` inside `scope` that contains `needle`, waiting for it.
    pub async fn alert_containing(&self, scope: &str, needle: &str, timeout: Duration) -> String {
        let xp = format!("{scope}//*[@role='alert' and contains(., {})]", lit(needle));
        self.wait_for(&xp, timeout).await.text().await.unwrap()
    }

    pub async fn body_text(&self) -> String {
        match self.driver.find(By::Tag("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(e) => format!("(no body: {e})"),
        }
    }

    /// Ends the WebDriver session; dropping does the rest.
    pub async fn quit(self) {
        let _ = self.driver.clone().quit().await;
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        // SAFETY: signals the group led by our own, not yet reaped, child.
        unsafe { libc::kill(-(self.chromedriver.id() as libc::pid_t), libc::SIGKILL) };
        let _ = self.chromedriver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
        if std::thread::panicking() {
            eprintln!("chromedriver log kept in {}", self.log.display());
        } else {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}
