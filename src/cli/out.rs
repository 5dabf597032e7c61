//! Standard output of the commands: every write checked, none panics.
//!
//! `print!` panics when standard output is full or its reader has gone. Commands write
//! through [`Out`] instead, which keeps the first write error and skips the writes after it;
//! [`Out::finish`] turns that error into the exit status: a closed pipe (`specie … | head`)
//! ends quietly with status 0, as ripgrep does; any other write error (a full disk) is an
//! I/O error naming standard output, status 2.

use super::{EXIT_OK, EXIT_USAGE};
use std::io::{BufWriter, ErrorKind, StdoutLock, Write};

/// Buffered standard output that remembers its first write error.
pub struct Out {
    w: BufWriter<StdoutLock<'static>>,
    err: Option<std::io::Error>,
    /// Standard output is a terminal: data formats written through `Write` (CSV, whose
    /// fields hold ids as written) get their control bytes made visible too.
    terminal: bool,
}

impl Out {
    /// Standard output, locked for the whole command.
    pub fn new() -> Out {
        use std::io::IsTerminal;
        Out {
            w: BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
            err: None,
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// Writes `text`, its control characters but line feeds and tabs made visible (ids
    /// and names come from the input and must not drive the terminal); nothing once a
    /// write has failed.
    pub fn print(&mut self, text: &str) {
        let text = specie::render::visible(text);
        let _ = self.write_all(text.as_bytes());
    }

    /// Writes a rendered diagnostic as it is: its colours are ours, and its input was
    /// made safe by [`specie::diagnostic::render`].
    pub fn print_rendered(&mut self, text: &str) {
        let _ = self.write_all(text.as_bytes());
    }

    /// Whether a write to standard output has failed.
    pub fn failed(&self) -> bool {
        self.err.is_some()
    }

    /// Flushes and returns the exit status: `code` when every write succeeded.
    pub fn finish(mut self, code: u8) -> u8 {
        let _ = self.flush();
        match self.err.take() {
            None => code,
            Some(e) => status_of(&e),
        }
    }

    fn keep<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            if self.err.is_none() {
                self.err = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        }
        r
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.err.is_some() {
            return Err(std::io::Error::other("standard output failed"));
        }
        if self.terminal && buf.iter().any(|b| is_control_byte(*b)) {
            let text = String::from_utf8_lossy(buf);
            let safe = specie::render::visible(&text);
            let r = self.w.write_all(safe.as_bytes()).map(|()| buf.len());
            return self.keep(r);
        }
        let r = self.w.write(buf);
        self.keep(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.err.is_some() {
            return Err(std::io::Error::other("standard output failed"));
        }
        let r = self.w.flush();
        self.keep(r)
    }
}

/// An ASCII control byte a terminal could obey (line feeds and tabs are text).
fn is_control_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f
}

/// The exit status for a failed write to standard output (a closed pipe is not a failure).
fn status_of(e: &std::io::Error) -> u8 {
    if e.kind() == ErrorKind::BrokenPipe {
        return EXIT_OK;
    }
    errln!("error: cannot write to standard output: {e}");
    EXIT_USAGE
}

/// Whether standard output was open when the command started. With descriptor 1 closed
/// (`specie … >&-`), Rust's runtime reopens it on `/dev/null` read-write before `main`, so
/// the output would be lost without a word; the commands refuse to run instead. A shell's
/// `> /dev/null` opens it write-only, which is a choice the user made and is kept.
pub fn stdout_is_open() -> bool {
    let Ok(target) = std::fs::read_link("/proc/self/fd/1") else {
        return true; // not Linux, or no /proc: nothing to tell
    };
    if target != std::path::Path::new("/dev/null") {
        return true;
    }
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return true;
    };
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
    // O_ACCMODE is 3, O_RDWR 2.
    !matches!(flags, Some(f) if f & 3 == 2)
}
