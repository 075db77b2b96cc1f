//! Headless Chromium driven through chromedriver (Debian's packages), one browser per test.

use std::{
    os::unix::process::CommandExt,
    process::{Child, Command, Stdio},
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::{
    free_port, signal_group,
    wait::{eventually, until_within},
};

/// A chromedriver process and one browser session in it; both end when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn launch() -> Self {
        Self::launch_with(&[]).await
    }

    /// A browser whose pages prefer a dark colour scheme, as a system set to dark does.
    pub async fn launch_dark() -> Self {
        Self::launch_with(&[
            "--force-dark-mode",
            "--blink-settings=preferredColorScheme=0",
        ])
        .await
    }

    async fn launch_with(extra: &[&str]) -> Self {
        let port = free_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own process group, so stopping it also stops the browser it started.
                .process_group(0)
                .spawn()
                .expect("chromedriver starts (run `cargo xtask setup` to install it)");
        let profile = tempfile::Builder::new()
            .prefix("edgechat-chromium-")
            .tempdir()
            .expect("a profile directory");
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--hide-scrollbars",
        ]
        .iter()
        .chain(extra)
        .map(|a| a.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": args,
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let client = until_within(
            "chromedriver opens a session",
            Duration::from_secs(30),
            async || {
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&url)
                    .await
                    .map_err(|err| err.to_string())
            },
        )
        .await;
        Self {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Slows every download of this browser to `bytes_per_second` (a slow mobile
    /// network), through chromedriver's network conditions.
    pub async fn throttle(&self, bytes_per_second: u64) {
        self.client
            .issue_cmd(NetworkConditions(bytes_per_second))
            .await
            .expect("chromedriver takes network conditions");
    }

    /// Waits for the element `css` to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Types `text` into the input `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.expect("typing");
    }

    /// Replaces the text of the input `css` with `text`: emptied the way the page hears
    /// (an `input` event, so a controlled input's state follows), then typed.
    pub async fn replace_text(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]); el.value = ''; \
                 el.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(css)],
            )
            .await
            .expect("emptying an input");
        input.send_keys(text).await.expect("typing");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Waits until some element matching `css` has exactly `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        eventually(&format!("some {css} reads {text:?}"), async || {
            let elements = self
                .client
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default();
            for element in elements {
                if element.text().await.is_ok_and(|t| t == text) {
                    return true;
                }
            }
            false
        })
        .await;
    }

    /// Opens the app at `url` and creates the account `username` through the form.
    pub async fn sign_up(&self, url: &str, username: &str, display_name: &str) {
        self.client.goto(url).await.expect("the page loads");
        self.click("#auth-switch").await;
        self.type_into("#username", username).await;
        self.type_into("#password", crate::account::PASSWORD).await;
        self.type_into("#display-name", display_name).await;
        self.click("#auth-submit").await;
        self.find("#sign-out").await;
    }

    /// Opens the app at `url` and signs in through the form.
    pub async fn sign_in(&self, url: &str, username: &str, password: &str) {
        self.client.goto(url).await.expect("the page loads");
        self.type_into("#username", username).await;
        self.type_into("#password", password).await;
        self.click("#auth-submit").await;
        self.find("#sign-out").await;
    }

    /// Saves a screenshot of the current tab as PNG at `path`.
    pub async fn screenshot(&self, path: &std::path::Path) {
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(path, png).expect("writing the screenshot");
    }

    /// Ends the session politely; dropping the browser then stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        signal_group(self.driver.id() as i32, libc::SIGKILL);
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Chooses the file at `path` in the file input `css`, as a user picking it would.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        self.find(css)
            .await
            .send_keys(&path.display().to_string())
            .await
            .expect("choosing a file");
    }

    /// Waits until the timeline has a quiet line (a join, a moderation, a setting
    /// changed) that starts with `text`.
    pub async fn noted(&self, text: &str) {
        self.wait_until(
            &format!("the line {text:?}"),
            &format!(
                "return [...document.querySelectorAll('.messages .note')].some(n => n.textContent.startsWith({}));",
                json!(text)
            ),
        )
        .await;
    }

    /// Runs `script` (a function body that returns a boolean) until it returns true.
    pub async fn wait_until(&self, what: &str, script: &str) {
        eventually(what, async || {
            let value = self.client.execute(script, vec![]).await;
            value.is_ok_and(|v| v == serde_json::Value::Bool(true))
        })
        .await;
    }
}

impl Browser {
    /// Presses and lets go of one key: a character, or a WebDriver key such as
    /// `"\u{e00c}"` (Esc).
    pub async fn press(&self, key: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let value = key.chars().next().expect("a key");
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        self.client
            .perform_actions(keys)
            .await
            .expect("pressing a key");
    }

    /// Holds `keys` down in order and lets them go in reverse: a shortcut such as
    /// Ctrl+K (`&["\u{e009}", "k"]`) or Alt+↓ (`&["\u{e00a}", "\u{e015}"]`).
    pub async fn chord(&self, keys: &[&str]) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let values: Vec<char> = keys
            .iter()
            .map(|k| k.chars().next().expect("a key"))
            .collect();
        let mut actions = KeyActions::new("keyboard".into());
        for &value in &values {
            actions = actions.then(KeyAction::Down { value });
        }
        for &value in values.iter().rev() {
            actions = actions.then(KeyAction::Up { value });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("pressing keys together");
    }

    /// Saves a screenshot of the tab as `target/screenshots/{name}`, to look at as a
    /// person would.
    pub async fn shot(&self, name: &str) {
        let dir = crate::repo_root().join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("target/screenshots is made");
        self.screenshot(&dir.join(name)).await;
    }

    /// [`Browser::shot`], and the page as it is then has no serious or critical
    /// accessibility violation.
    pub async fn looked_at(&self, name: &str) {
        self.shot(name).await;
        let violations = self.accessibility_violations().await;
        assert!(violations.is_empty(), "{name}: {violations:?}");
    }

    /// axe-core's serious and critical violations on the page as it is now, each as
    /// `rule: where` (axe-core from node_modules, the version package.json pins).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .expect("the page answers");
        if loaded != json!(true) {
            let axe = crate::repo_root().join("node_modules/axe-core/axe.min.js");
            let axe = std::fs::read_to_string(&axe).unwrap_or_else(|e| {
                panic!("{}: {e} (cargo xtask setup installs it)", axe.display())
            });
            self.client
                .execute(&format!("{axe}\nreturn true;"), vec![])
                .await
                .expect("axe-core loads");
        }
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations \
                   .filter((v) => v.impact === 'serious' || v.impact === 'critical') \
                   .map((v) => v.id + ': ' + v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')))) \
                 .catch((e) => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// Moves the pointer over the first element matching `css`, as a user does before
    /// clicking what shows on hover.
    pub async fn hover(&self, css: &str) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        let element = self.find(css).await;
        let mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(mouse)
            .await
            .expect("moving the pointer");
    }

    /// Clicks `button` (a selector inside the row) on the message whose text is `text`,
    /// as a user does after hovering over it.
    pub async fn on_message(&self, text: &str, button: &str) {
        let script = "const row = [...document.querySelectorAll('.message')] \
              .find(m => m.querySelector('.text')?.textContent === arguments[0]); \
            const target = row?.querySelector(arguments[1]); \
            if (!target) { return false; } target.click(); return true;";
        eventually(
            &format!("{button} on the message {text:?} is clicked"),
            async || {
                let clicked = self
                    .client
                    .execute(script, vec![json!(text), json!(button)])
                    .await;
                clicked.is_ok_and(|v| v == serde_json::Value::Bool(true))
            },
        )
        .await;
    }
}

impl Browser {
    /// Signs up as `username` on the page for `room`, then joins it (or, with `create`,
    /// creates it) and waits for it to open.
    pub async fn enter_room(
        &self,
        server: &crate::server::Server,
        room: &str,
        username: &str,
        display_name: &str,
        create: bool,
    ) {
        self.sign_up(
            &server.http_url(&format!("/?room={room}")),
            username,
            display_name,
        )
        .await;
        self.click(if create { "#create-room" } else { "#join" })
            .await;
        self.find(".room").await;
    }
}

/// Chromedriver's `network_conditions` command: downloads and uploads at this many bytes
/// a second, 100 ms of latency.
#[derive(Debug)]
struct NetworkConditions(u64);

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "network_conditions": {
            "offline": false,
            "latency": 100,
            "download_throughput": self.0,
            "upload_throughput": self.0,
        }});
        (http::Method::POST, Some(body.to_string()))
    }
}
