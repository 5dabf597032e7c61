//! Standard output of the commands: every write checked, none panics.
//!
//! `print!` panics when standard output is full or its reader has gone. Commands write
//! through [`Out`] instead, which keeps the first write error and skips the writes after it;
//! [`Out::finish`] turns that error into the exit status: a closed pipe (`specie … | head`)
//! ends quietly with status 0, as ripgrep does; any other write error (a full disk) is an
//! I/O error naming standard output, status 2.

use super::{EXIT_OK, EXIT_USAGE};
use std::io::{BufWriter, ErrorKind, StdoutLock, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Buffered standard output that remembers its first write error.
pub struct Out {
    w: BufWriter<StdoutLock<'static>>,
    err: Option<std::io::Error>,
    /// Standard output is a terminal: data formats written through `Write` (CSV, whose
    /// fields hold ids as written) get their control bytes made visible too.
    terminal: bool,
    /// A thread writing for us, while [`Out::write_behind`] is on.
    behind: Option<Behind>,
}

/// Bytes handed to the writing thread at a time.
const BEHIND_CHUNK: usize = 1 << 20;

/// Standard output written by a thread of its own, a buffer at a time, so that the
/// kernel's copy of the bytes overlaps the work that makes the next ones.
struct Behind {
    buf: Vec<u8>,
    full: SyncSender<Vec<u8>>,
    empty: Receiver<Vec<u8>>,
    thread: JoinHandle<std::io::Result<()>>,
}

impl Behind {
    /// A thread writing to a duplicate of standard output's descriptor (which skips the
    /// line buffer of Rust's `Stdout`); `None` where there is none to be had.
    fn start() -> Option<Behind> {
        let mut file = stdout_file()?;
        let (full, rx) = sync_channel::<Vec<u8>>(2);
        let (back, empty) = channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("specie-write".to_string())
            .spawn(move || {
                while let Ok(mut buf) = rx.recv() {
                    file.write_all(&buf)?;
                    buf.clear();
                    let _ = back.send(buf);
                }
                file.flush()
            })
            .ok()?;
        Some(Behind {
            buf: Vec::with_capacity(BEHIND_CHUNK),
            full,
            empty,
            thread,
        })
    }

    /// Takes `data`; hands a full buffer over. An error is the writing thread's.
    fn write(&mut self, data: &[u8]) -> Result<(), ()> {
        self.buf.extend_from_slice(data);
        if self.buf.len() < BEHIND_CHUNK {
            return Ok(());
        }
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BEHIND_CHUNK));
        let full = std::mem::replace(&mut self.buf, next);
        self.full.send(full).map_err(|_| ())
    }

    /// Hands the rest over and waits until all is written.
    fn stop(self) -> std::io::Result<()> {
        let Behind {
            buf, full, thread, ..
        } = self;
        let sent = if buf.is_empty() {
            Ok(())
        } else {
            full.send(buf)
        };
        drop(full);
        let written = thread
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the writing thread stopped")));
        written?;
        sent.map_err(|_| std::io::Error::other("the writing thread stopped"))
    }
}

/// Standard output as a file of its own (a duplicate descriptor).
#[cfg(unix)]
fn stdout_file() -> Option<std::fs::File> {
    use std::os::fd::AsFd;
    let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    Some(std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn stdout_file() -> Option<std::fs::File> {
    None
}

impl Out {
    /// Standard output, locked for the whole command.
    pub fn new() -> Out {
        use std::io::IsTerminal;
        Out {
            w: BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
            err: None,
            terminal: std::io::stdout().is_terminal(),
            behind: None,
        }
    }

    /// From now until the next flush, bytes are written by a thread of their own (for
    /// long outputs; not to a terminal, whose bytes are filtered as they are written).
    pub fn write_behind(&mut self) {
        if self.terminal || self.behind.is_some() || self.flush().is_err() {
            return;
        }
        self.behind = Behind::start();
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
        if let Some(behind) = self.behind.as_mut() {
            if behind.write(buf).is_ok() {
                return Ok(buf.len());
            }
            // The thread stopped on a write error: that error is the one to keep.
            let r = self.flush();
            return r.and(Err(std::io::Error::other("standard output failed")));
        }
        let r = self.w.write(buf);
        self.keep(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(behind) = self.behind.take() {
            let r = behind.stop();
            self.keep(r)?;
        }
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
