//! What every connection goes through below HTTP. hyper answers a request it cannot read
//! (a URL over 64 KB, headers over its buffer, a malformed request line) on its own,
//! before any handler or layer runs, with a status and no body. [`Refusals`] gives those
//! answers the body every other refusal has: an RFC 9457 problem with a stable code.

use crate::problem::ProblemDocument;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections answer hyper's own refusals as problem documents.
pub struct ProblemListener(pub TcpListener);

/// The client's address, for handlers (`ConnectInfo<ClientAddress>`).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub SocketAddr);

impl Listener for ProblemListener {
    type Io = Refusals<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, address) = Listener::accept(&mut self.0).await;
        (Refusals::new(stream), address)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, ProblemListener>> for ClientAddress {
    fn connect_info(stream: IncomingStream<'_, ProblemListener>) -> Self {
        ClientAddress(*stream.remote_addr())
    }
}

/// A connection whose writes pass through unchanged, except hyper's bodyless automatic
/// refusal, which is replaced by the same status with a problem document.
pub struct Refusals<S> {
    inner: S,
    /// A rewritten answer and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> Refusals<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> Refusals<S> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` as written when it is hyper's automatic refusal, queueing its
    /// replacement.
    fn replaced(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<Poll<io::Result<usize>>> {
        let answer = problem_answer(buf)?;
        self.pending = Some((answer, 0));
        Some(match self.poll_pending(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            // The rest goes out on the next write, flush or shutdown.
            _ => Poll::Ready(Ok(buf.len())),
        })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Refusals<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Refusals<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(done) = this.replaced(cx, buf) {
            return done;
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        // An automatic refusal is a head alone: one slice.
        let mut written = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (written.next(), written.next())
            && let Some(done) = this.replaced(cx, only)
        {
            return done;
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The refusals hyper makes on its own, with their problem codes and details.
const AUTOMATIC_REFUSALS: [(u16, &str, &str); 3] = [
    (400, "bad_request", "the request could not be read as HTTP"),
    (
        414,
        "uri_too_long",
        "the address is longer than this server reads (64 KB)",
    ),
    (
        431,
        "headers_too_large",
        "the request's headers are larger than this server reads",
    ),
];

/// The answer to send instead of `written`, when `written` is a whole response head
/// with no body and one of hyper's automatic statuses. Every answer Soporte itself makes
/// to a refusal carries a body, so nothing else matches.
fn problem_answer(written: &[u8]) -> Option<Vec<u8>> {
    let head = written.strip_suffix(b"\r\n\r\n")?;
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?
        .get(..3)?
        .parse()
        .ok()?;
    let (_, code, detail) = AUTOMATIC_REFUSALS.iter().find(|(s, ..)| *s == status)?;
    let headers: Vec<&str> = lines.collect();
    let empty_body = headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("content-length: 0"));
    if !empty_body || head.contains("\r\n\r\n") {
        return None;
    }
    let status_code = axum::http::StatusCode::from_u16(status).ok()?;
    let document = ProblemDocument {
        type_uri: format!("urn:soporte:problem:{code}"),
        title: status_code
            .canonical_reason()
            .unwrap_or("Error")
            .to_string(),
        status,
        code: (*code).to_string(),
        detail: (*detail).to_string(),
        field: None,
    };
    let body = serde_json::to_vec(&document).ok()?;
    let mut answer = format!("{status_line}\r\n");
    for header in headers {
        let name = header.split(':').next().unwrap_or_default();
        if !name.eq_ignore_ascii_case("content-length") {
            answer.push_str(header);
            answer.push_str("\r\n");
        }
    }
    answer.push_str("content-type: application/problem+json\r\n");
    answer.push_str("x-content-type-options: nosniff\r\n");
    answer.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bodyless_automatic_refusal_gets_a_problem_document() {
        let written = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Mon, 07 Dec 2026 05:00:00 GMT\r\n\r\n";
        let answer = problem_answer(written).expect("rewritten");
        let text = String::from_utf8(answer).expect("text");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains("date: Mon, 07 Dec 2026"), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let json: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(json["code"], "uri_too_long");
        assert_eq!(json["status"], 414);
    }

    #[test]
    fn every_other_write_passes_unchanged() {
        for written in [
            // A response with a body, as every refusal Soporte makes has.
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n"[..],
            // A status hyper does not refuse with on its own.
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            // A body chunk, or a head and its body written together.
            b"{\"code\":\"x\"}",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n",
        ] {
            assert!(
                problem_answer(written).is_none(),
                "{}",
                String::from_utf8_lossy(written)
            );
        }
    }
}
