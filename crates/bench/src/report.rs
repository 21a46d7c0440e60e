//! Timing many calls and printing the figures: one aligned line per measurement, with its
//! target and PASS or MISS at the end, the same for every scenario; and the figures of the
//! process itself (load, CPU time, peak memory) that put them in context.

use anyhow::{Context, Result};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Latencies of every call of one phase, sorted, and the phase's wall time.
pub struct Measured {
    pub latencies: Vec<Duration>,
    pub wall: Duration,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64().max(f64::EPSILON)
    }

    pub fn p50(&self) -> Duration {
        percentile(&self.latencies, 50.0)
    }

    pub fn p95(&self) -> Duration {
        percentile(&self.latencies, 95.0)
    }

    pub fn p99(&self) -> Duration {
        percentile(&self.latencies, 99.0)
    }
}

/// Nearest-rank percentile of an ascending slice (zero for an empty one).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len().max(1)) - 1;
    sorted.get(index).copied().unwrap_or_default()
}

/// Runs `op(0..total)` from `workers` tasks pulling indexes from a shared counter, timing
/// each call. The first error stops the run (dropping the set cancels the other workers).
pub async fn run_concurrently<T, F, Fut>(
    total: usize,
    workers: usize,
    op: F,
) -> Result<(Vec<T>, Measured)>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let op = Arc::new(op);
    let next_index = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..workers.clamp(1, total.max(1)) {
        let (op, next_index) = (Arc::clone(&op), Arc::clone(&next_index));
        tasks.spawn(async move {
            let (mut outputs, mut latencies) = (Vec::new(), Vec::new());
            loop {
                let i = next_index.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>((outputs, latencies));
                }
                let call_started = Instant::now();
                outputs.push(op(i).await?);
                latencies.push(call_started.elapsed());
            }
        });
    }
    let (mut outputs, mut latencies) = (Vec::with_capacity(total), Vec::with_capacity(total));
    while let Some(joined) = tasks.join_next().await {
        let (worker_outputs, worker_latencies) = joined.context("a worker panicked")??;
        outputs.extend(worker_outputs);
        latencies.extend(worker_latencies);
    }
    let wall = started.elapsed();
    latencies.sort_unstable();
    Ok((outputs, Measured { latencies, wall }))
}

/// Runs `op` over the indexes of every lane, each lane in a task of its own and in its
/// own order, timing each call. For work whose order matters within a lane but not across
/// lanes: a reply must be taken in after the message it answers, so a whole e-mail thread
/// goes to one lane. One lane is a plain sequential run. The first error stops the run.
pub async fn run_in_lanes<T, F, Fut>(lanes: Vec<Vec<usize>>, op: F) -> Result<(Vec<T>, Measured)>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send + 'static,
{
    let total = lanes.iter().map(Vec::len).sum();
    let op = Arc::new(op);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for lane in lanes {
        let op = Arc::clone(&op);
        tasks.spawn(async move {
            let (mut outputs, mut latencies) = (
                Vec::with_capacity(lane.len()),
                Vec::with_capacity(lane.len()),
            );
            for i in lane {
                let call_started = Instant::now();
                outputs.push(op(i).await?);
                latencies.push(call_started.elapsed());
            }
            Ok::<_, anyhow::Error>((outputs, latencies))
        });
    }
    let (mut outputs, mut latencies) = (Vec::with_capacity(total), Vec::with_capacity(total));
    while let Some(joined) = tasks.join_next().await {
        let (lane_outputs, lane_latencies) = joined.context("a lane panicked")??;
        outputs.extend(lane_outputs);
        latencies.extend(lane_latencies);
    }
    let wall = started.elapsed();
    latencies.sort_unstable();
    Ok((outputs, Measured { latencies, wall }))
}

pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// The last column of a result line: the target and whether the figure meets it.
pub fn target_column(target: Option<(&str, bool)>) -> String {
    let Some((target, pass)) = target else {
        return String::new();
    };
    format!("target {target:<22} {}", if pass { "PASS" } else { "MISS" })
}

/// One aligned result line for a phase of many calls.
pub fn report(db: &str, what: &str, m: &Measured, target: Option<(&str, bool)>) {
    let line = format!(
        "{db:<9}{what:<32}N={:<8}{:>8.0}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  wall {:>6.1} s  {}",
        m.latencies.len(),
        m.per_second(),
        millis(m.p50()),
        millis(m.p99()),
        m.wall.as_secs_f64(),
        target_column(target),
    );
    println!("{}", line.trim_end());
}

/// One aligned result line for a figure that is not a rate (a memory peak, a count), its
/// text in the columns where a rate line has its rate and latencies.
pub fn report_figure(db: &str, what: &str, figure: &str, target: Option<(&str, bool)>) {
    let line = format!("{db:<9}{what:<32}{figure:<69}{}", target_column(target));
    println!("{}", line.trim_end());
}

/// The 1, 5 and 15 minute load averages: the machine is shared, so every run says how
/// busy it was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Starts a new peak: writing 5 to clear_refs resets VmHWM to the current RSS (Linux).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process' peak resident set size since start or the last reset.
pub fn peak_rss_bytes() -> Result<u64> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM in /proc/self/status")?;
    Ok(kib * 1024)
}

/// User plus system CPU time of the whole process (every thread, the blocking pool's
/// included), the steadiest figure on a shared machine.
pub fn cpu_seconds() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // Fields follow the command name, which is in parentheses and may hold spaces;
    // utime and stime are the 14th and 15th fields, in USER_HZ (100 per second on Linux).
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |n: usize| -> Result<u64> {
        fields
            .get(n - 3)
            .and_then(|f| f.parse().ok())
            .with_context(|| format!("field {n} of /proc/self/stat"))
    };
    Ok((ticks(14)? + ticks(15)?) as f64 / 100.0)
}
