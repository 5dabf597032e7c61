//! The JSON-RPC transport over stdin/stdout with LSP framing (`Content-Length` headers).
//! `lsp-server`'s own stdio transport ends the server on a body that is not JSON; this one
//! answers it with a JSON-RPC error (`-32700` parse error, `-32600` invalid request, id
//! `null`) and reads on, as JSON-RPC asks. Bodies are bounded.

use lsp_server::{Connection, Message};
use std::io::{BufRead, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The largest message body read (a document is sent whole on every change).
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// A connection over stdio and the threads that carry it.
pub fn stdio() -> (Connection, [JoinHandle<Result<(), String>>; 2]) {
    let (server, client) = Connection::memory();
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let reader_out = Arc::clone(&out);
    let to_server = client.sender;
    let reader = std::thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        read_loop(
            &mut input,
            |m| to_server.send(m).is_ok(),
            |raw| write_frame(&reader_out, &raw),
        )
    });
    let from_server = client.receiver;
    let writer = std::thread::spawn(move || {
        for msg in from_server {
            let body = serde_json::to_string(&msg).map_err(|e| e.to_string())?;
            write_frame(&out, &body)?;
        }
        Ok(())
    });
    (server, [reader, writer])
}

fn write_frame(out: &Mutex<std::io::Stdout>, body: &str) -> Result<(), String> {
    let mut out = out.lock().map_err(|_| "stdout lock poisoned".to_string())?;
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len()).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}

/// Reads frames until end of input (or until `deliver` says the server is gone); bodies
/// that are not JSON-RPC messages get an error through `reply`.
pub fn read_loop(
    input: &mut impl BufRead,
    mut deliver: impl FnMut(Message) -> bool,
    mut reply: impl FnMut(String) -> Result<(), String>,
) -> Result<(), String> {
    loop {
        let Some(len) = header(input)? else {
            return Ok(());
        };
        if len > MAX_BODY_BYTES {
            std::io::copy(&mut input.take(len as u64), &mut std::io::sink())
                .map_err(|e| e.to_string())?;
            reply(error(
                -32600,
                &format!("message of {len} bytes is over the limit of {MAX_BODY_BYTES}"),
            ))?;
            continue;
        }
        let mut body = vec![0u8; len];
        input
            .read_exact(&mut body)
            .map_err(|e| format!("reading a message: {e}"))?;
        match decode(&body) {
            Ok(msg) => {
                // After `exit` nothing more is read: the server ends without waiting for
                // the client to close its end.
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if !deliver(msg) || exit {
                    return Ok(());
                }
            }
            Err(err) => reply(err)?,
        }
    }
}

/// A body as a message, or the error response it gets.
fn decode(body: &[u8]) -> Result<Message, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| error(-32700, &format!("parse error: {e}")))?;
    serde_json::from_value(value).map_err(|e| error(-32600, &format!("invalid request: {e}")))
}

fn error(code: i32, message: &str) -> String {
    serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}})
        .to_string()
}

/// The `Content-Length` of the next frame; `None` at the end of input.
fn header(input: &mut impl BufRead) -> Result<Option<usize>, String> {
    let mut len = None;
    let mut any = false;
    loop {
        let mut line = String::new();
        let n = input
            .take(1 << 16)
            .read_line(&mut line)
            .map_err(|e| format!("reading a header: {e}"))?;
        if n == 0 {
            return if any {
                Err("input ended inside a header".into())
            } else {
                Ok(None)
            };
        }
        any = true;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            return len
                .map(Some)
                .ok_or_else(|| "a message without `Content-Length`".to_string());
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("malformed header `{line}`"))?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            let n: usize = value
                .trim()
                .parse()
                .map_err(|_| format!("malformed `Content-Length` `{}`", value.trim()))?;
            len = Some(n);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn run(input: &str) -> (Vec<Message>, Vec<String>, Result<(), String>) {
        let mut msgs = Vec::new();
        let mut replies = Vec::new();
        let r = read_loop(
            &mut input.as_bytes(),
            |m| {
                msgs.push(m);
                true
            },
            |s| {
                replies.push(s);
                Ok(())
            },
        );
        (msgs, replies, r)
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_bodies_are_answered_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [frame("{not json"), frame(r#"{"x":1}"#), frame(good)].concat();
        let (msgs, replies, r) = run(&input);
        assert!(r.is_ok());
        assert_eq!(msgs.len(), 1);
        assert_eq!(replies.len(), 2);
        assert!(replies[0].contains("-32700"), "{}", replies[0]);
        assert!(replies[1].contains("-32600"), "{}", replies[1]);
    }

    #[test]
    fn broken_framing_is_an_error() {
        assert!(run("Content-Length: x\r\n\r\n").2.is_err());
        assert!(run("X-Other: 1\r\n\r\n{}").2.is_err());
        assert!(run("Content-Length: 10\r\n\r\n{}").2.is_err());
        assert!(run("Content-Length: 2\r\n").2.is_err());
        assert!(run("").2.is_ok());
    }
}
