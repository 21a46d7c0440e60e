//! What the binary's integration tests share: running `soporte` without configuration
//! leaking in from the caller's environment, and starting `serve`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `soporte` with every `SOPORTE_*` variable of the caller removed.
pub fn soporte_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_soporte"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SOPORTE_") {
            cmd.env_remove(&key);
        }
    }
    cmd
}

/// A running `serve`, with what it printed before it listened.
pub struct Started {
    pub child: Child,
    pub printed: Vec<String>,
    pub addr: String,
}

impl Started {
    /// The API token of the first start, if this was one.
    pub fn token(&self) -> Option<String> {
        self.printed
            .iter()
            .find_map(|l| l.trim().strip_prefix("API token: ").map(str::to_string))
    }
}

/// Runs `cmd` (which must end in `serve`) and waits until it listens.
pub fn start(cmd: &mut Command) -> Result<Started, Box<dyn std::error::Error>> {
    start_with_log(cmd, Stdio::null())
}

/// Like `start`, with the server's log (its stderr) going to `log`.
pub fn start_with_log(
    cmd: &mut Command,
    log: impl Into<Stdio>,
) -> Result<Started, Box<dyn std::error::Error>> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut printed = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let listening = line
            .strip_prefix("Soporte listening on http://")
            .map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string()
            });
        printed.push(line);
        if let Some(addr) = listening {
            return Ok(Started {
                child,
                printed,
                addr,
            });
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    Err(format!("the server stopped before listening; it printed: {printed:?}").into())
}
