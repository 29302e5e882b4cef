//! The connection wrapper that keeps the HTTP/1 parser's own answers in the
//! one error shape. actix-http answers a request it cannot parse (an
//! over-long URI, bad header syntax: 400), an oversized head (431) or a
//! client too slow to send its head (408) itself, below every middleware,
//! with an empty body. The service never sends an empty-bodied 400, 408 or
//! 431 (its errors always carry the JSON shape), so such a response head in
//! the outgoing bytes can only be the parser's: it is rewritten into the
//! error shape, with `Connection: close` as the parser meant.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use uuid::Uuid;

/// The parser's statuses, their stable codes and messages.
const SHAPED: [(&[u8], u16, &str, &str); 3] = [
    (
        b"HTTP/1.1 400 Bad Request\r\n",
        400,
        "malformed_request",
        "the request line or headers could not be parsed (is the URI over 65,534 bytes?)",
    ),
    (
        b"HTTP/1.1 408 Request Timeout\r\n",
        408,
        "request_timeout",
        "the request head did not arrive in time",
    ),
    (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
        431,
        "request_headers_too_large",
        "the request head is too large (over 128 KiB or 96 header fields)",
    ),
];

/// A stream whose outgoing parser errors are put in the error shape.
#[derive(Debug)]
pub struct ShapedIo<T> {
    io: T,
    /// Bytes owed to the peer before anything else (a rewritten response).
    pending: Vec<u8>,
    sent: usize,
}

impl<T> ShapedIo<T> {
    pub fn new(io: T) -> Self {
        Self {
            io,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `buf` with a parser error response replaced by the error shape, if it has one.
fn reshape(buf: &[u8]) -> Option<Vec<u8>> {
    for (status_line, status, code, message) in SHAPED {
        let Some(start) = find(buf, status_line) else {
            continue;
        };
        let head_len = find(&buf[start..], b"\r\n\r\n")? + 4;
        let head = &buf[start..start + head_len];
        if find(&head.to_ascii_lowercase(), b"\r\ncontent-length: 0\r\n").is_none() {
            continue;
        }
        let trace_id = Uuid::now_v7();
        tracing::info!(status, code, %trace_id, "the HTTP parser refused a request");
        let body = serde_json::json!({"error": {
            "code": code, "message": message, "details": null, "trace_id": trace_id.to_string(),
        }})
        .to_string();
        let reason = String::from_utf8_lossy(&status_line[13..status_line.len() - 2]).into_owned();
        let mut out = buf[..start].to_vec();
        out.extend_from_slice(
            format!(
                "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\nx-request-id: {trace_id}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&buf[start + head_len..]);
        return Some(out);
    }
    None
}

impl<T: AsyncWrite + Unpin> ShapedIo<T> {
    /// Writes what is owed; ready once nothing is.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.pending.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ShapedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ShapedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        match reshape(buf) {
            Some(shaped) => {
                // The bytes are ours now: report them taken and send the
                // shaped response on this and the following polls.
                this.pending = shaped;
                if let Poll::Ready(Err(error)) = this.drain(cx) {
                    return Poll::Ready(Err(error));
                }
                Poll::Ready(Ok(buf.len()))
            }
            None => Pin::new(&mut this.io).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_parser_error_becomes_the_error_shape() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let shaped = String::from_utf8(reshape(bare).expect("reshaped")).expect("utf8");
        assert!(
            shaped.starts_with("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n")
        );
        let body: serde_json::Value =
            serde_json::from_str(shaped.split("\r\n\r\n").nth(1).expect("body")).expect("json");
        assert_eq!(body["error"]["code"], "malformed_request");
        assert!(body["error"]["trace_id"].is_string());
    }

    #[test]
    fn the_service_s_own_responses_pass_untouched() {
        let own = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 20\r\n\r\n{\"error\":{\"code\":1}}";
        assert!(reshape(own).is_none());
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(reshape(ok).is_none());
    }

    #[test]
    fn a_response_before_the_error_is_kept() {
        let both = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n";
        let shaped = String::from_utf8(reshape(both).expect("reshaped")).expect("utf8");
        assert!(shaped.starts_with(
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 408 Request Timeout\r\n"
        ));
        assert!(shaped.contains("\"request_timeout\""));
    }
}
