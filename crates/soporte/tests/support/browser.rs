//! Headless Chromium driven through chromedriver (W3C WebDriver), to use Soporte's pages the
//! way a person does. Each `Browser` has its own chromedriver on a port the system picks, a
//! fresh profile directory, and is killed with everything it started when it is dropped, so a
//! failing test leaves no browser behind.
//!
//! Every wait polls for at most `PATIENCE`; a step that fails saves a screenshot and the page
//! source next to the test's other artifacts and says which selector it waited for, on which
//! page, and where the screenshot is.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

pub type Error = Box<dyn std::error::Error>;

/// How long a page gets to show what a step waits for. Pages here answer in milliseconds;
/// the margin is for a loaded two-core machine.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// WebDriver's Enter key, which submits a form from a text field.
pub const ENTER: char = '\u{E007}';

/// A failed browser step. A failing test prints its error's Debug form: here that is the
/// message as it is, one line for each of what, where and what was saved.
pub struct StepFailed(String);

impl std::fmt::Debug for StepFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for StepFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StepFailed {}

/// Where Chromium and chromedriver are installed.
pub struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Chromium and chromedriver from `TEST_SOPORTE_CHROMIUM` / `TEST_SOPORTE_CHROMEDRIVER`, or
/// where Debian puts them; without them `what` is reported as skipped, or fails under
/// `CI=true`.
pub fn tools(what: &str) -> Option<Tools> {
    let path = |var: &str, default: &str| {
        std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
    };
    let tools = Tools {
        chromium: path("TEST_SOPORTE_CHROMIUM", "/usr/bin/chromium"),
        chromedriver: path("TEST_SOPORTE_CHROMEDRIVER", "/usr/bin/chromedriver"),
    };
    let missing: Vec<String> = [&tools.chromium, &tools.chromedriver]
        .into_iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some(tools);
    }
    let missing = missing.join(" and ");
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but {missing} not found: run scripts/test.sh (it installs Chromium and chromedriver) or set TEST_SOPORTE_CHROMIUM / TEST_SOPORTE_CHROMEDRIVER"
    );
    eprintln!(
        "SKIPPED: {what} (no {missing}: run scripts/test.sh, which installs Chromium and chromedriver, or set TEST_SOPORTE_CHROMIUM / TEST_SOPORTE_CHROMEDRIVER)"
    );
    None
}

/// `browser-artifacts/<name>` in the target directory, emptied: the screenshots and logs of
/// the last run of one test, kept after it ends.
pub fn artifacts(name: &str) -> Result<PathBuf, Error> {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .ok_or("CARGO_TARGET_TMPDIR has no parent directory")?;
    let dir = target.join("browser-artifacts").join(name);
    if dir.exists() {
        // A screenshot left from an earlier failure would pass for one of this run.
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    eprintln!("browser artifacts: {}", dir.display());
    Ok(dir)
}

/// Polls `probe` until it gives a value, for at most `timeout`: for what the test checks
/// outside the browser (mail received, tickets made).
pub async fn until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<T, Error> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// chromedriver and the browser it started.
struct Driver {
    child: Child,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // chromedriver dying leaves the browser running, so the whole process group goes. The
        // leader is reaped only afterwards: until then its id can't name another group.
        let group = format!("-{}", self.child.id());
        let signal = |sig: &str| {
            Command::new("kill")
                .args([sig, "--", &group])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        signal("-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The profile directory is removed next: wait until no browser process writes to it.
        let deadline = Instant::now() + Duration::from_secs(5);
        while signal("-0") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One browser session against the server at `base`.
pub struct Browser {
    client: Client,
    base: String,
    artifacts: PathBuf,
    step: String,
    failures: AtomicUsize,
    _driver: Driver,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium that reaches nothing but 127.0.0.1. Its log
    /// goes to `chromedriver.log` in `artifacts`.
    pub async fn launch(tools: &Tools, base: &str, artifacts: &Path) -> Result<Browser, Error> {
        let profile = tempfile::Builder::new()
            .prefix("soporte-chromium-")
            .tempdir()?;
        let log = artifacts.join("chromedriver.log");
        let mut child = Command::new(&tools.chromedriver)
            .arg("--port=0")
            .arg(format!("--log-path={}", log.display()))
            // Its own process group, which the browser joins: see `Driver::drop`.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", tools.chromedriver.display()))?;
        let stdout = child.stdout.take().ok_or("chromedriver: no stdout")?;
        let driver = Driver { child, profile };
        let port = driver_port(stdout)
            .map_err(|e| format!("chromedriver: {e} (log: {})", log.display()))?;

        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            // Without this Chromium looks up outside hosts on its own; the tests talk only to
            // 127.0.0.1.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1".into(),
            format!("--user-data-dir={}", driver.profile.path().display()),
            "--window-size=1280,1200".into(),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "chrome".into());
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": tools.chromium, "args": args }),
        );
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let client = builder
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| {
                format!(
                    "chromedriver could not start {}: {e} (log: {})",
                    tools.chromium.display(),
                    log.display()
                )
            })?;
        Ok(Browser {
            client,
            base: base.trim_end_matches('/').to_string(),
            artifacts: artifacts.to_path_buf(),
            step: "start".into(),
            failures: AtomicUsize::new(0),
            _driver: driver,
        })
    }

    /// Makes the window `width` by `height` CSS pixels (a phone is 390 wide).
    // Only some of the test binaries that share this file take these two.
    #[allow(dead_code)]
    pub async fn resize(&self, width: u32, height: u32) -> Result<(), Error> {
        match self.client.set_window_size(width, height).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self
                .fail(&format!("resizing to {width}x{height}: {e}"))
                .await),
        }
    }

    /// Runs `script` in the page, as a user's action the WebDriver protocol has no command
    /// for (pasting from the clipboard).
    #[allow(dead_code)]
    pub async fn run_script(&self, script: &str) -> Result<(), Error> {
        match self.client.execute(script, vec![]).await {
            Ok(_) => Ok(()),
            Err(e) => Err(self.fail(&format!("running a script: {e}")).await),
        }
    }

    /// Names what the test does next, for the failure messages.
    pub fn step(&mut self, name: &str) {
        eprintln!("browser step: {name}");
        self.step = name.to_string();
    }

    /// Opens `path` (with its query) of the server and waits until the page has loaded.
    pub async fn goto(&self, path: &str) -> Result<(), Error> {
        let url = format!("{}{path}", self.base);
        match self.client.goto(&url).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(&format!("opening {url}: {e}")).await),
        }
    }

    /// Waits until the page's address has the path `path` (whatever its query).
    pub async fn wait_for_path(&self, path: &str) -> Result<(), Error> {
        self.eventually(&format!("the address to become {path}"), async |c| {
            Ok((c.current_url().await?.path() == path).then_some(()))
        })
        .await
    }

    /// Waits until an element matches `css`.
    pub async fn wait_for(&self, css: &str) -> Result<Element, Error> {
        self.eventually(&format!("`{css}`"), async |c| {
            match c.find(Locator::Css(css)).await {
                Ok(e) => Ok(Some(e)),
                Err(e) if e.is_no_such_element() => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// How many elements match `css` now, without waiting.
    pub async fn count(&self, css: &str) -> Result<usize, Error> {
        match self.client.find_all(Locator::Css(css)).await {
            Ok(found) => Ok(found.len()),
            Err(e) => Err(self.fail(&format!("looking for `{css}`: {e}")).await),
        }
    }

    /// Waits until an element matching `css` shows `text`, and gives the first such element.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Result<Element, Error> {
        self.eventually(&format!("`{css}` showing {text:?}"), async |c| {
            for element in c.find_all(Locator::Css(css)).await? {
                if element.text().await?.contains(text) {
                    return Ok(Some(element));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Waits until the form field matching `css` holds a value that passes `accept`.
    pub async fn wait_for_value(
        &self,
        css: &str,
        what: &str,
        accept: impl Fn(&str) -> bool,
    ) -> Result<String, Error> {
        self.eventually(&format!("`{css}` to hold {what}"), async |c| {
            let value = c.find(Locator::Css(css)).await?.prop("value").await?;
            Ok(value.filter(|v| accept(v)))
        })
        .await
    }

    /// The current value of the form field matching `css`.
    pub async fn value(&self, css: &str) -> Result<String, Error> {
        let field = self.wait_for(css).await?;
        match field.prop("value").await {
            Ok(value) => Ok(value.unwrap_or_default()),
            Err(e) => Err(self
                .fail(&format!("reading the value of `{css}`: {e}"))
                .await),
        }
    }

    /// Replaces the text of the field matching `css` with `text`, typed as a person would.
    pub async fn fill(&self, css: &str, text: &str) -> Result<(), Error> {
        let field = self.wait_for(css).await?;
        if let Err(e) = field.clear().await {
            return Err(self.fail(&format!("clearing `{css}`: {e}")).await);
        }
        self.type_into(css, &field, text).await
    }

    /// Types `text` at the end of what the field matching `css` holds.
    pub async fn append(&self, css: &str, text: &str) -> Result<(), Error> {
        let field = self.wait_for(css).await?;
        self.type_into(css, &field, text).await
    }

    async fn type_into(&self, css: &str, field: &Element, text: &str) -> Result<(), Error> {
        match field.send_keys(text).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(&format!("typing into `{css}`: {e}")).await),
        }
    }

    /// Picks the option with value `value` in the `<select>` matching `css`.
    pub async fn select(&self, css: &str, value: &str) -> Result<(), Error> {
        let select = self.wait_for(css).await?;
        match select.select_by_value(value).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self
                .fail(&format!("choosing {value:?} in `{css}`: {e}"))
                .await),
        }
    }

    /// Clicks the element matching `css` once it is there.
    pub async fn click(&self, css: &str) -> Result<(), Error> {
        let element = self.wait_for(css).await?;
        match element.click().await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(&format!("clicking `{css}`: {e}")).await),
        }
    }

    /// The value of attribute `name` of `element`, which `css` found.
    pub async fn attr(&self, element: &Element, css: &str, name: &str) -> Result<String, Error> {
        match element.attr(name).await {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(self.fail(&format!("`{css}` has no {name}")).await),
            Err(e) => Err(self.fail(&format!("reading {name} of `{css}`: {e}")).await),
        }
    }

    /// The text `element` (found by `css`) shows.
    pub async fn text(&self, element: &Element, css: &str) -> Result<String, Error> {
        match element.text().await {
            Ok(text) => Ok(text),
            Err(e) => Err(self
                .fail(&format!("reading the text of `{css}`: {e}"))
                .await),
        }
    }

    /// Saves the page as `<name>.png` among the artifacts.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, Error> {
        match self.save_screenshot(name).await {
            Ok(path) => {
                eprintln!("screenshot: {}", path.display());
                Ok(path)
            }
            Err(e) => Err(self.fail(&format!("taking screenshot {name}: {e}")).await),
        }
    }

    async fn save_screenshot(&self, name: &str) -> Result<PathBuf, Error> {
        let png = self.client.screenshot().await?;
        if !png.starts_with(b"\x89PNG") {
            return Err(format!("the screenshot is not a PNG ({} bytes)", png.len()).into());
        }
        let path = self.artifacts.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Polls `probe` every 100 ms until it gives a value, for at most `PATIENCE`. WebDriver
    /// errors count as "not yet": while a page loads, an element found a moment ago goes stale.
    pub async fn eventually<T>(
        &self,
        what: &str,
        mut probe: impl AsyncFnMut(&Client) -> Result<Option<T>, CmdError>,
    ) -> Result<T, Error> {
        let deadline = Instant::now() + PATIENCE;
        let mut last_error = None;
        loop {
            match probe(&self.client).await {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => {}
                Err(e) => last_error = Some(e),
            }
            if Instant::now() > deadline {
                let error = last_error
                    .map(|e| format!(" (last WebDriver error: {e})"))
                    .unwrap_or_default();
                return Err(self
                    .fail(&format!("waited {PATIENCE:?} for {what}, in vain{error}"))
                    .await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The error for a failed check of the current step, with the page's address, a screenshot
    /// and the page source saved among the artifacts.
    pub async fn fail(&self, problem: &str) -> Error {
        let n = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        let name = format!("failure-{n}");
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(e) => format!("unknown ({e})"),
        };
        let screenshot = match self.save_screenshot(&name).await {
            Ok(path) => path.display().to_string(),
            Err(e) => format!("none ({e})"),
        };
        let source_path = self.artifacts.join(format!("{name}.html"));
        let source = match self.client.source().await {
            Ok(html) => match std::fs::write(&source_path, html) {
                Ok(()) => source_path.display().to_string(),
                Err(e) => format!("none ({e})"),
            },
            Err(e) => format!("none ({e})"),
        };
        Box::new(StepFailed(format!(
            "browser step \"{}\": {problem}\n  page:        {url}\n  screenshot:  {screenshot}\n  page source: {source}",
            self.step
        )))
    }

    /// Ends the session; chromedriver closes the browser.
    pub async fn close(self) -> Result<(), Error> {
        Ok(self.client.close().await?)
    }
}

/// The port chromedriver says it listens on. Its output is read on a thread of its own, which
/// keeps draining the pipe afterwards so chromedriver never blocks writing to it.
fn driver_port(stdout: std::process::ChildStdout) -> Result<u16, Error> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let mut printed = Vec::new();
        for line in lines.by_ref() {
            let port = line
                .split_once("started successfully on port ")
                .and_then(|(_, rest)| rest.trim_end_matches('.').trim().parse::<u16>().ok());
            if let Some(port) = port {
                let _ = tx.send(Ok(port));
                lines.for_each(drop);
                return;
            }
            printed.push(line);
        }
        let _ = tx.send(Err(printed));
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Ok(port)) => Ok(port),
        Ok(Err(printed)) => Err(format!(
            "exited without saying which port it listens on; it printed {printed:?}"
        )
        .into()),
        Err(_) => Err("did not say which port it listens on within 30 s".into()),
    }
}

/// Adds an agent who can log in to the console, the way an operator does.
pub fn add_agent(config: &Path, email: &str, name: &str, password: &str) -> Result<(), Error> {
    let mut add = super::support::soporte_command()
        .arg("--config")
        .arg(config)
        .args(["agent", "add", "--email", email, "--name", name, "--admin"])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    add.stdin
        .take()
        .ok_or("no stdin")?
        .write_all(format!("{password}\n").as_bytes())?;
    let out = add.wait_with_output()?;
    if !out.status.success() {
        return Err(format!(
            "soporte agent add failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}
