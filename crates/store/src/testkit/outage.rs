//! A network outage on demand: a TCP relay in front of a database server that, when told,
//! refuses new connections and breaks the open ones, as a server restarting or a network
//! failing does, and later lets them through again on the same address.

use crate::StoreError;
use std::net::SocketAddr;
use std::sync::Mutex;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Outage {
    address: SocketAddr,
    upstream: String,
    /// Bumped at every cut: each relayed connection ends when it changes.
    cuts: watch::Sender<u64>,
    accepting: Mutex<Option<JoinHandle<()>>>,
}

impl Outage {
    /// Relays a local port to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Result<Self, StoreError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (cuts, _) = watch::channel(0);
        let outage = Self {
            address,
            upstream: upstream.to_string(),
            cuts,
            accepting: Mutex::new(None),
        };
        outage.accept_with(listener);
        Ok(outage)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `url` (`scheme://user:password@host:port/db?…`) with this relay as its host and port.
    pub fn rewrite_url(&self, url: &str) -> Result<String, StoreError> {
        let parts = UrlParts::of(url)?;
        Ok(format!(
            "{}://{}{}{}",
            parts.scheme, parts.credentials, self.address, parts.tail
        ))
    }

    /// Refuses new connections and breaks every open one.
    pub fn begin(&self) {
        if let Some(task) = self.lock().take() {
            task.abort();
        }
        self.cuts.send_modify(|n| *n += 1);
    }

    /// Lets connections through again, on the same address.
    pub fn end(&self) -> Result<(), StoreError> {
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(self.address)?;
        let listener = socket.listen(128)?;
        self.accept_with(listener);
        Ok(())
    }

    fn accept_with(&self, listener: TcpListener) {
        let upstream = self.upstream.clone();
        let cuts = self.cuts.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, upstream.clone(), cuts.subscribe()));
            }
        });
        if let Some(old) = self.lock().replace(task) {
            old.abort();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<JoinHandle<()>>> {
        self.accepting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        self.begin();
    }
}

async fn relay(mut client: TcpStream, upstream: String, mut cut: watch::Receiver<u64>) {
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.changed() => {}
    }
}

/// A database URL around its `host:port`.
pub(super) struct UrlParts<'a> {
    scheme: &'a str,
    /// `user:password@`, or empty.
    credentials: &'a str,
    pub(super) host_port: &'a str,
    tail: &'a str,
}

impl<'a> UrlParts<'a> {
    pub(super) fn of(url: &'a str) -> Result<Self, StoreError> {
        let bad = || StoreError::Config(format!("cannot find host and port in {url}"));
        let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let at = authority.rfind('@').map_or(0, |i| i + 1);
        let (credentials, host_port) = authority.split_at(at);
        if host_port.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            scheme,
            credentials,
            host_port,
            tail,
        })
    }
}
