//! A minimal synchronous RESP2 client: one TCP connection, one command at a time.
//!
//! Requests are arrays of bulk strings (binary-safe); replies are parsed into [`Value`].
//! Only what the store needs is here: no pipelining, pub/sub, cluster or TLS.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Nested arrays deeper than this are refused (the store's replies are at most two deep).
const MAX_DEPTH: usize = 8;
/// Longest status, error or integer line accepted.
const MAX_LINE: usize = 64 * 1024;
/// Largest bulk string accepted (Redis's own limit).
const MAX_BULK: usize = 512 * 1024 * 1024;

/// A reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
  /// `+OK`-style status.
  Status(String),
  /// `:n`.
  Int(i64),
  /// `$n` bulk string; `None` for the null bulk string.
  Bulk(Option<Vec<u8>>),
  /// `*n` array; `None` for the null array.
  Array(Option<Vec<Value>>),
}

impl Value {
  /// The reply as bytes (a bulk string or a status), `None` for nulls and other kinds.
  pub(crate) fn into_bytes(self) -> Option<Vec<u8>> {
    match self {
      Value::Bulk(b) => b,
      Value::Status(s) => Some(s.into_bytes()),
      _ => None,
    }
  }

  /// The reply as an integer (an integer reply or a bulk string holding one).
  pub(crate) fn as_i64(&self) -> Option<i64> {
    match self {
      Value::Int(n) => Some(*n),
      Value::Bulk(Some(b)) => std::str::from_utf8(b).ok()?.trim().parse().ok(),
      Value::Status(s) => s.trim().parse().ok(),
      _ => None,
    }
  }

  /// The reply as text, lossily.
  pub(crate) fn as_text(&self) -> Option<String> {
    match self {
      Value::Bulk(Some(b)) => Some(String::from_utf8_lossy(b).into_owned()),
      Value::Status(s) => Some(s.clone()),
      Value::Int(n) => Some(n.to_string()),
      _ => None,
    }
  }
}

/// Why a command failed.
#[derive(Debug)]
pub(crate) enum RespError {
  /// The connection failed, timed out or closed: it must not be reused.
  Io(io::Error),
  /// The server sent something that is not RESP2: the connection must not be reused.
  Protocol(String),
  /// The server answered with an error reply (`-ERR ...`); the connection is still good.
  Server(String),
}

impl std::fmt::Display for RespError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      RespError::Io(e) => write!(f, "{e}"),
      RespError::Protocol(m) => write!(f, "protocol error: {m}"),
      RespError::Server(m) => write!(f, "server error: {m}"),
    }
  }
}

impl From<io::Error> for RespError {
  fn from(e: io::Error) -> Self {
    RespError::Io(e)
  }
}

/// One open connection.
pub(crate) struct Connection {
  reader: BufReader<TcpStream>,
  writer: BufWriter<TcpStream>,
}

impl std::fmt::Debug for Connection {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Connection")
      .field("peer", &self.reader.get_ref().peer_addr().ok())
      .finish()
  }
}

impl Connection {
  /// Connects to `host:port`, trying each address it resolves to within `connect_timeout`;
  /// reads and writes then time out after `io_timeout`.
  pub(crate) fn connect(
    host: &str,
    port: u16,
    connect_timeout: Duration,
    io_timeout: Duration,
  ) -> Result<Connection, RespError> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host resolved to no address");
    for addr in (host, port).to_socket_addrs()? {
      match TcpStream::connect_timeout(&addr, connect_timeout) {
        Ok(stream) => {
          stream.set_nodelay(true)?;
          stream.set_read_timeout(Some(io_timeout))?;
          stream.set_write_timeout(Some(io_timeout))?;
          let reader = BufReader::with_capacity(64 * 1024, stream.try_clone()?);
          let writer = BufWriter::with_capacity(64 * 1024, stream);
          return Ok(Connection { reader, writer });
        }
        Err(e) => last = e,
      }
    }
    Err(RespError::Io(last))
  }

  /// Sends one command and reads its reply. An error reply is `RespError::Server`.
  pub(crate) fn call(&mut self, args: &[&[u8]]) -> Result<Value, RespError> {
    write!(self.writer, "*{}\r\n", args.len())?;
    for arg in args {
      write!(self.writer, "${}\r\n", arg.len())?;
      self.writer.write_all(arg)?;
      self.writer.write_all(b"\r\n")?;
    }
    self.writer.flush()?;
    read_value(&mut self.reader, 0)
  }
}

fn read_line(r: &mut impl BufRead) -> Result<String, RespError> {
  let mut line = Vec::new();
  let n = r.take(MAX_LINE as u64 + 2).read_until(b'\n', &mut line)?;
  if n == 0 {
    return Err(RespError::Io(io::Error::new(
      io::ErrorKind::UnexpectedEof,
      "the server closed the connection",
    )));
  }
  if !line.ends_with(b"\r\n") {
    return Err(RespError::Protocol("a reply line without CRLF".into()));
  }
  line.truncate(line.len() - 2);
  String::from_utf8(line).map_err(|_| RespError::Protocol("a reply line is not UTF-8".into()))
}

fn parse_len(s: &str) -> Result<Option<usize>, RespError> {
  let n: i64 = s
    .parse()
    .map_err(|_| RespError::Protocol(format!("bad length {s:?}")))?;
  match n {
    -1 => Ok(None),
    n if n < 0 => Err(RespError::Protocol(format!("bad length {n}"))),
    n => Ok(Some(n as usize)),
  }
}

/// Reads one reply; an error reply at the top level becomes `RespError::Server`, inside an
/// array it is kept as a status so the rest of the array is still consumed.
fn read_value(r: &mut impl BufRead, depth: usize) -> Result<Value, RespError> {
  let line = read_line(r)?;
  let (kind, rest) = line.split_at(line.len().min(1));
  match kind {
    "+" => Ok(Value::Status(rest.to_string())),
    "-" if depth == 0 => Err(RespError::Server(rest.to_string())),
    "-" => Ok(Value::Status(rest.to_string())),
    ":" => rest
      .parse()
      .map(Value::Int)
      .map_err(|_| RespError::Protocol(format!("bad integer {rest:?}"))),
    "$" => match parse_len(rest)? {
      None => Ok(Value::Bulk(None)),
      Some(n) if n > MAX_BULK => Err(RespError::Protocol(format!("bulk string of {n} bytes"))),
      Some(n) => {
        let mut buf = vec![0; n + 2];
        r.read_exact(&mut buf)?;
        if !buf.ends_with(b"\r\n") {
          return Err(RespError::Protocol("a bulk string without CRLF".into()));
        }
        buf.truncate(n);
        Ok(Value::Bulk(Some(buf)))
      }
    },
    "*" => {
      if depth >= MAX_DEPTH {
        return Err(RespError::Protocol("arrays nested too deep".into()));
      }
      match parse_len(rest)? {
        None => Ok(Value::Array(None)),
        Some(n) => {
          let mut items = Vec::with_capacity(n.min(1024));
          for _ in 0..n {
            items.push(read_value(r, depth + 1)?);
          }
          Ok(Value::Array(Some(items)))
        }
      }
    }
    _ => Err(RespError::Protocol(format!(
      "unexpected reply {:?}",
      line.chars().take(40).collect::<String>()
    ))),
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn parse(bytes: &[u8]) -> Result<Value, RespError> {
    read_value(&mut io::Cursor::new(bytes.to_vec()), 0)
  }

  #[test]
  fn parses_every_reply_kind() {
    assert_eq!(parse(b"+OK\r\n").unwrap(), Value::Status("OK".into()));
    assert_eq!(parse(b":-42\r\n").unwrap(), Value::Int(-42));
    assert_eq!(parse(b"$-1\r\n").unwrap(), Value::Bulk(None));
    assert_eq!(
      parse(b"$5\r\na\r\nb\x00\r\n").unwrap(),
      Value::Bulk(Some(b"a\r\nb\x00".to_vec())),
      "bulk strings are binary-safe"
    );
    assert_eq!(
      parse(b"*3\r\n$1\r\nx\r\n:1\r\n*-1\r\n").unwrap(),
      Value::Array(Some(vec![
        Value::Bulk(Some(b"x".to_vec())),
        Value::Int(1),
        Value::Array(None)
      ]))
    );
    assert!(matches!(parse(b"-ERR nope\r\n"), Err(RespError::Server(m)) if m == "ERR nope"));
  }

  #[test]
  fn refuses_broken_replies() {
    assert!(matches!(parse(b""), Err(RespError::Io(_))));
    assert!(matches!(parse(b"$3\r\nab"), Err(RespError::Io(_))));
    assert!(matches!(parse(b"+OK\n"), Err(RespError::Protocol(_))));
    assert!(matches!(
      parse(b"$2\r\nabc\r\n"),
      Err(RespError::Protocol(_))
    ));
    assert!(matches!(parse(b"?\r\n"), Err(RespError::Protocol(_))));
    assert!(matches!(parse(b"$-2\r\n"), Err(RespError::Protocol(_))));
    let deep = "*1\r\n".repeat(MAX_DEPTH + 1);
    assert!(matches!(
      parse(deep.as_bytes()),
      Err(RespError::Protocol(_))
    ));
  }

  #[test]
  fn value_conversions() {
    assert_eq!(Value::Bulk(Some(b"17".to_vec())).as_i64(), Some(17));
    assert_eq!(Value::Int(3).as_text().as_deref(), Some("3"));
    assert_eq!(Value::Bulk(None).into_bytes(), None);
  }
}
