//! What a request must show before it is served: the server's own `Host` (against DNS
//! rebinding: a page of another site whose name now resolves to 127.0.0.1 sends its own
//! name), no foreign `Origin` (against cross-site requests; no CORS headers are ever sent),
//! and a body within the limit.

/// The largest request body read: the CLI's program limit (16 MiB) plus room for a
/// scenario and the JSON around them.
pub const MAX_BODY_BYTES: usize = 48 << 20;

/// Why a request is refused, as (status, message).
pub type Refusal = (u16, String);

/// Whether `host` (the `Host` header) names this server: `127.0.0.1:PORT` or
/// `localhost:PORT`.
pub fn host_ok(host: Option<&str>, port: u16) -> Result<(), Refusal> {
    let ok = host.is_some_and(|h| {
        let h = h.trim().to_ascii_lowercase();
        h == format!("127.0.0.1:{port}") || h == format!("localhost:{port}")
    });
    if ok {
        Ok(())
    } else {
        Err((
            421,
            format!(
                "this server answers only to the host `127.0.0.1:{port}` or `localhost:{port}`, not `{}`",
                host.unwrap_or("")
            ),
        ))
    }
}

/// Whether `origin` (the `Origin` header, when the browser sends one) is this server's own.
pub fn origin_ok(origin: Option<&str>, port: u16) -> Result<(), Refusal> {
    match origin {
        None => Ok(()),
        Some(o) => {
            let o = o.trim().to_ascii_lowercase();
            if o == format!("http://127.0.0.1:{port}") || o == format!("http://localhost:{port}") {
                Ok(())
            } else {
                Err((403, format!("cross-origin request from `{o}` refused")))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_own_names() {
        assert!(host_ok(Some("127.0.0.1:8080"), 8080).is_ok());
        assert!(host_ok(Some("LOCALHOST:8080"), 8080).is_ok());
        assert_eq!(host_ok(Some("evil.example:8080"), 8080).unwrap_err().0, 421);
        assert_eq!(host_ok(Some("127.0.0.1:8081"), 8080).unwrap_err().0, 421);
        assert_eq!(host_ok(None, 8080).unwrap_err().0, 421);
        assert!(origin_ok(None, 8080).is_ok());
        assert!(origin_ok(Some("http://127.0.0.1:8080"), 8080).is_ok());
        assert_eq!(
            origin_ok(Some("https://evil.example"), 8080).unwrap_err().0,
            403
        );
        assert_eq!(origin_ok(Some("null"), 8080).unwrap_err().0, 403);
    }
}
