//! `redis://` URLs: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P]`.

use headroom_core::{Error, Result};

/// Default Redis port.
pub(crate) const DEFAULT_PORT: u16 = 6379;
/// Default key prefix: every key the store writes starts with it.
pub(crate) const DEFAULT_PREFIX: &str = "headroom:ccr:";

/// A parsed Redis URL.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Target {
  pub(crate) host: String,
  pub(crate) port: u16,
  pub(crate) db: u32,
  pub(crate) username: Option<String>,
  pub(crate) password: Option<String>,
  pub(crate) prefix: String,
}

impl std::fmt::Debug for Target {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.write_str(&self.label())
  }
}

impl Target {
  /// The URL for messages and stats, with the password left out.
  pub(crate) fn label(&self) -> String {
    let host = if self.host.contains(':') {
      format!("[{}]", self.host)
    } else {
      self.host.clone()
    };
    let auth = match (&self.username, &self.password) {
      (Some(u), _) => format!("{u}:***@"),
      (None, Some(_)) => ":***@".to_string(),
      (None, None) => String::new(),
    };
    let prefix = if self.prefix == DEFAULT_PREFIX {
      String::new()
    } else {
      format!("?prefix={}", self.prefix)
    };
    format!("redis://{auth}{host}:{}/{}{prefix}", self.port, self.db)
  }

  /// Parses `url`. Errors: `INVALID_OPTION` naming what is wrong (the password is never
  /// echoed).
  pub(crate) fn parse(url: &str) -> Result<Target> {
    let url = url.trim();
    let bad = |what: &str| {
      Error::invalid_option(format!(
        "store URL: {what}; expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P]"
      ))
    };
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("rediss://") {
      return Err(bad(
        "TLS (rediss://) is not supported; reach Redis over a private network or a local TLS tunnel",
      ));
    }
    let Some(rest) = lower
      .starts_with("redis://")
      .then(|| &url["redis://".len()..])
    else {
      return Err(bad("not a redis:// URL"));
    };
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
      Some((u, h)) => (Some(u), h),
      None => (None, authority),
    };
    let (username, password) = match userinfo {
      None => (None, None),
      Some(u) => {
        let (user, pass) = match u.split_once(':') {
          Some((user, pass)) => (user, Some(pass)),
          None => (u, None),
        };
        let decode = |s: &str, what: &str| percent_decode(s).ok_or_else(|| bad(what));
        let user = (!user.is_empty())
          .then(|| decode(user, "bad %-escape in the user name"))
          .transpose()?;
        let pass = pass
          .filter(|p| !p.is_empty())
          .map(|p| decode(p, "bad %-escape in the password"))
          .transpose()?;
        // `redis://secret@host` (no colon) is a password, as Redis clients read it.
        match (user, pass) {
          (Some(u), None) => (None, Some(u)),
          other => other,
        }
      }
    };
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
      let (h, after) = inner
        .split_once(']')
        .ok_or_else(|| bad("unclosed [ in the host"))?;
      (h, after.strip_prefix(':'))
    } else {
      match hostport.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (hostport, None),
      }
    };
    if host.is_empty() {
      return Err(bad("no host"));
    }
    let port = match port {
      None | Some("") => DEFAULT_PORT,
      Some(p) => p
        .parse::<u16>()
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| bad(&format!("bad port {p:?}")))?,
    };
    let db = match path.trim_end_matches('/') {
      "" => 0,
      d => d
        .parse::<u32>()
        .map_err(|_| bad(&format!("bad database number {d:?}")))?,
    };
    let mut prefix = DEFAULT_PREFIX.to_string();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
      match pair.split_once('=') {
        Some(("prefix", v)) if !v.is_empty() => {
          prefix = percent_decode(v).ok_or_else(|| bad("bad %-escape in prefix"))?;
        }
        _ => {
          let name = pair.split('=').next().unwrap_or(pair);
          return Err(bad(&format!(
            "unknown parameter {name:?} (only prefix=...)"
          )));
        }
      }
    }
    Ok(Target {
      host: host.to_string(),
      port,
      db,
      username,
      password,
      prefix,
    })
  }
}

/// `%XX` decoding; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
  let bytes = s.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut i = 0;
  while i < bytes.len() {
    if bytes[i] == b'%' {
      let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
      out.push(u8::from_str_radix(hex, 16).ok()?);
      i += 3;
    } else {
      out.push(bytes[i]);
      i += 1;
    }
  }
  String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn parses_host_port_db_auth_and_prefix() {
    let t = Target::parse("redis://127.0.0.1:6380/2").unwrap();
    assert_eq!((t.host.as_str(), t.port, t.db), ("127.0.0.1", 6380, 2));
    assert_eq!((t.username, t.password), (None, None));
    assert_eq!(t.prefix, DEFAULT_PREFIX);

    let t = Target::parse("REDIS://cache").unwrap();
    assert_eq!((t.host.as_str(), t.port, t.db), ("cache", DEFAULT_PORT, 0));

    let t = Target::parse("redis://bob:p%40ss@h:1/0?prefix=team%3A").unwrap();
    assert_eq!(t.username.as_deref(), Some("bob"));
    assert_eq!(t.password.as_deref(), Some("p@ss"));
    assert_eq!(t.prefix, "team:");
    assert_eq!(t.label(), "redis://bob:***@h:1/0?prefix=team:");

    let t = Target::parse("redis://:secret@h").unwrap();
    assert_eq!(
      (t.username.as_deref(), t.password.as_deref()),
      (None, Some("secret"))
    );
    let t = Target::parse("redis://secret@h").unwrap();
    assert_eq!(
      (t.username.as_deref(), t.password.as_deref()),
      (None, Some("secret"))
    );
    assert_eq!(t.label(), "redis://:***@h:6379/0");

    let t = Target::parse("redis://[::1]:7000/3").unwrap();
    assert_eq!((t.host.as_str(), t.port, t.db), ("::1", 7000, 3));
    assert_eq!(t.label(), "redis://[::1]:7000/3");
  }

  #[test]
  fn refuses_bad_urls_without_echoing_the_password() {
    for bad in [
      "rediss://h",
      "http://h",
      "redis://",
      "redis://h:0",
      "redis://h:99999",
      "redis://h/x",
      "redis://h?db=1",
      "redis://[::1",
      "redis://u:%zz@h",
    ] {
      let e = Target::parse(bad).unwrap_err();
      assert_eq!(e.code, headroom_core::ErrorCode::InvalidOption, "{bad}");
      assert!(!e.message.contains("%zz"), "{}", e.message);
    }
    assert!(
      Target::parse("rediss://h")
        .unwrap_err()
        .message
        .contains("TLS")
    );
  }
}
