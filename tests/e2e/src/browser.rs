//! Headless Debian Chromium driven over WebDriver (chromedriver from Debian), with helpers
//! that find controls the way the UI contract names them: forms and tables by accessible
//! name, fields by label, rows by `data-job`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::{free_port, repo_root};

pub struct Browser {
    pub driver: WebDriver,
    chromedriver: Child,
}

/// An XPath string literal for `s` (which has no double quote).
fn lit(s: &str) -> String {
    format!("\"{s}\"")
}

/// XPath of a form whose accessible name (via `aria-labelledby`) is `name`.
pub fn form_xpath(name: &str) -> String {
    format!("//form[@aria-labelledby = //*[normalize-space()={}]/@id]", lit(name))
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let log = std::fs::File::create(std::env::temp_dir().join(format!("chromedriver-{port}.log"))).unwrap();
        let chromedriver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start chromedriver (run scripts/setup.sh)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("bc-chrome-{}-{port}", std::process::id()));
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
            &format!("--user-data-dir={}", profile.display()),
        ] {
            caps.add_arg(arg).unwrap();
        }
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
            .await
            .expect("webdriver session");
        Browser { driver, chromedriver }
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

    /// Saves a screenshot into `.work/screenshots/` (ignored by git).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = repo_root().join(".work/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        self.driver.screenshot(&path).await.expect("screenshot");
        path
    }

    pub async fn quit(mut self) {
        let _ = self.driver.clone().quit().await;
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}
