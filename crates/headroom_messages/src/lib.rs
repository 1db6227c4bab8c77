//! # headroom_messages: the spine
//!
//! Takes a provider request body (Anthropic Messages, OpenAI Chat Completions, OpenAI
//! Responses) or a bare message array, and:
//!
//! 1. validates it in one pass that records where every array and object ends
//!    ([`raw::Doc`]), then walks it by borrowed slices ([`walk`]), so every block's byte
//!    range in the body is known, nested values are never re-scanned, and nothing else is
//!    ever re-serialized;
//! 2. decides per block whether it may be compressed ([`policy`]): by default only tool
//!    outputs; never user/system text, thinking, tool calls, media or unknown blocks;
//!    error outputs verbatim; `cache_control` blocks *are* compressed (the breakpoint stays);
//! 3. routes eligible text to a compressor by detected content type ([`compressors`]),
//!    memoized by content hash ([`memo`]) so history compresses to the same bytes every turn;
//! 4. splices the results back by byte range ([`splice`]): every byte outside an edited
//!    string is identical, and with no edit the output *is* the input;
//! 5. accounts tokens exactly (or by the model's documented estimate) with per-message
//!    framing ([`count`]), and reports every transform and every skip with its reason.
//!
//! Guards: size limit (`INPUT_TOO_LARGE`), UTF-8 validation (`INVALID_UTF8` with the byte
//! offset), JSON errors (`INVALID_JSON`, `NESTING_TOO_DEEP`), shape errors
//! (`UNSUPPORTED_SHAPE` with the JSON path), and an inflation guard per block.

pub mod compressors;
pub mod continuation;
pub mod count;
pub mod memo;
pub mod options;
pub mod policy;
pub mod raw;
pub mod report;
pub mod retrieve_calls;
pub mod retrieve_tool;
pub mod splice;
pub mod tool_order;
pub mod verify;
pub mod volatile;
pub mod walk;

use headroom_core::store::NoStore;
use headroom_core::{Error, ErrorCode, OriginalStore, Result, marker};
use headroom_detect::detect;

use crate::compressors::{BlockContext, compress_block, route};
use crate::count::{Counter, countable_text};
use crate::memo::{Memo, MemoEntry, memo_key};
use crate::options::{Options, RetrieveToolPolicy};
use crate::policy::{SkipReason, looks_like_error_output, structural};
use crate::report::{Report, Skip, TextReport, Transform};
use crate::splice::Edit;
use crate::walk::{ItemKind, Payload, walk};
use headroom_tokens::LazyCount;

pub use options::{Mode, ProviderHint};
pub use walk::Provider;

/// The result of compressing a request.
#[derive(Debug, Clone)]
pub struct Outcome {
  /// The output body: the input bytes with edited strings spliced in.
  pub body: Vec<u8>,
  /// Whether the input was a bare message array.
  pub bare: bool,
  /// The report.
  pub report: Report,
}

impl Outcome {
  /// The result as one JSON object: the report's fields plus `body` (or `messages` for a
  /// bare array) holding the output JSON verbatim.
  pub fn to_json(&self) -> String {
    let report = serde_json::to_string(&self.report).unwrap_or_else(|_| "{}".into());
    let key = if self.bare { "messages" } else { "body" };
    let mut out = String::with_capacity(self.body.len() + report.len() + 16);
    out.push_str("{\"");
    out.push_str(key);
    out.push_str("\":");
    // The body is valid UTF-8 JSON: the input was validated and edits are JSON strings.
    out.push_str(std::str::from_utf8(&self.body).unwrap_or("null"));
    out.push(',');
    out.push_str(&report[1..]);
    out
  }
}

/// Validates size and UTF-8 and returns the body as text (the JSON itself, and its
/// nesting depth, are checked by [`walk`]).
fn check_input<'a>(input: &'a [u8], opts: &Options) -> Result<&'a str> {
  if input.len() > opts.max_input_bytes {
    return Err(Error::new(
      ErrorCode::InputTooLarge,
      format!(
        "input is {} bytes; the limit (maxInputBytes) is {}",
        input.len(),
        opts.max_input_bytes
      ),
    ));
  }
  let text = std::str::from_utf8(input).map_err(|e| {
    Error::new(
      ErrorCode::InvalidUtf8,
      format!("invalid UTF-8 at byte {}", e.valid_up_to()),
    )
  })?;
  // Nesting deeper than `DEFAULT_MAX_DEPTH` is refused by the walk's one validating pass.
  Ok(text)
}

/// Compresses a request body (or bare message array) given as bytes, with no store: only
/// lossless forms, never a marker. See [`compress_request_with`].
pub fn compress_request(input: &[u8], opts: &Options, memo: &dyn Memo) -> Result<Outcome> {
  compress_request_with(input, opts, memo, &NoStore)
}

/// Compresses a request body (or bare message array) given as bytes. Originals of anything
/// left out go to `store` before a marker is written; when the output holds markers and
/// the input is a body, the `headroom_retrieve` tool is added to its `tools` (see
/// [`retrieve_tool`]). With `opts.retrieve == false` the store is not used at all.
pub fn compress_request_with(
  input: &[u8],
  opts: &Options,
  memo: &dyn Memo,
  store: &dyn OriginalStore,
) -> Result<Outcome> {
  let store: &dyn OriginalStore = if opts.retrieve { store } else { &NoStore };
  let body_text = check_input(input, opts)?;
  let walked = walk(body_text, opts.provider)?;
  let counter = Counter::for_model(opts.model.as_deref().or(walked.model.as_deref()));
  let query = opts.query.as_deref().or(walked.latest_user_text.as_deref());

  let mut tokens_before = counter.framing(&walked);
  let mut edits = Vec::new();
  let mut transforms = Vec::new();
  // Per transform: the memo write of a freshly computed form, done once the request keeps it.
  let mut pending: Vec<Option<(String, MemoEntry)>> = Vec::new();
  let mut skipped = Vec::new();

  for item in &walked.items {
    // Tool-result strings are decoded once and counted once (o200k, then the model's
    // count derived from it where the model's counting is based on o200k).
    // A string serde cannot decode (a lone UTF-16 surrogate escape such as `"\ud83d"`:
    // valid JSON, and what JS emits for an emoji cut in half) is left as it is.
    let decoded = match (&item.kind, item.payload) {
      (ItemKind::ToolResult, Payload::Str(raw)) => raw::decode_string(raw, &item.path).ok(),
      _ => None,
    };
    std::thread::scope(|scope| -> Result<()> {
      // Counted when first needed: a memo hit carries the counts made at first sight, and a
      // large block seen for the first time is counted on a second thread beside its
      // compression (`LazyCount::start`).
      let block = decoded.as_deref().map(|t| LazyCount::lazy(t, Some(scope)));
      let tokens = || match (item.payload, &decoded, &block) {
        (Payload::Fixed(n), _, _) => Some(n),
        (_, Some(text), Some(b)) => Some(counter.from_o200k(text, b.get())),
        _ => countable_text(item).map(|t| counter.count(&t)),
      };
      let skip = |reason: SkipReason, detail: Option<String>| {
        let tokens = tokens();
        (
          Skip {
            path: item.path.clone(),
            message_index: item.message,
            reason: reason.as_str(),
            detail,
            tokens,
          },
          tokens.unwrap_or(0),
        )
      };
      if let Err(reason) = structural(item, opts, walked.message_count) {
        let detail = match &item.kind {
          ItemKind::Unknown(t) => Some(t.clone()),
          _ => item.tool_name.clone(),
        };
        let (s, n) = skip(reason, detail);
        tokens_before += n;
        skipped.push(s);
        return Ok(());
      }
      let (Payload::Str(raw), Some(block)) = (item.payload, &block) else {
        // Every eligible item ends up in `transforms` or `skipped`: never silently.
        let detail = match item.payload {
          Payload::Str(_) => "undecodable string (lone surrogate)",
          _ => "no text payload",
        };
        let (s, n) = skip(SkipReason::NoText, Some(detail.into()));
        tokens_before += n;
        skipped.push(s);
        return Ok(());
      };
      match compress_one(block, opts, query, memo, store, &counter) {
        Ok(mut done) => {
          let tokens_before_block = tokens().unwrap_or(0);
          tokens_before += tokens_before_block;
          pending.push(done.remember.take());
          edits.push(Edit {
            range: raw::span(body_text, raw),
            json: serde_json::to_string(&done.text)
              .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?,
          });
          transforms.push(Transform {
            path: item.path.clone(),
            message_index: item.message,
            tool_name: item.tool_name.clone(),
            content_type: done.content_type,
            language: done.language,
            strategy: done.strategy,
            tokens_before: tokens_before_block,
            tokens_after: done.tokens_after,
            hashes: done.hashes,
            cache_control: item.cache_control,
            memoized: done.memoized,
          });
        }
        Err((reason, detail)) => {
          let (s, n) = skip(reason, detail);
          tokens_before += n;
          skipped.push(s);
        }
      }
      Ok(())
    })?;
  }

  // `splice` sorts what it is given: a copy, so `edits[i]` stays `transforms[i]`'s.
  let (mut body, mut tokens_after, mut retrieve_tool, tool_tokens) = assemble(
    input,
    &walked,
    &mut edits.clone(),
    &transforms,
    tokens_before,
    opts,
    &counter,
  )?;

  // Request-level inflation guard: never return more tokens than came in. Only freshly
  // compressed blocks are rolled back: a memoized block went out compressed in an earlier
  // request, and history is immutable. A rolled-back block is remembered as left alone, so
  // the next request sends it unchanged too.
  // A tool added on every request (`retrieveTool: "always"`) costs the same with or without
  // compression: the guard leaves it out.
  let forced = opts.retrieve && opts.retrieve_tool == RetrieveToolPolicy::Always;
  let unforced_after = |after: usize, tool: usize| if forced { after - tool } else { after };
  if unforced_after(tokens_after, tool_tokens) >= tokens_before
    && transforms.iter().any(|t| !t.memoized)
  {
    let mut kept_edits = Vec::new();
    let mut kept = Vec::new();
    for ((t, e), p) in transforms
      .drain(..)
      .zip(edits.drain(..))
      .zip(pending.iter_mut())
    {
      if t.memoized {
        kept.push(t);
        kept_edits.push(e);
        continue;
      }
      if let Some((key, _)) = p.take() {
        memo.put(&key, MemoEntry::Declined);
      }
      skipped.push(Skip {
        path: t.path,
        message_index: t.message_index,
        reason: SkipReason::NoGain.as_str(),
        detail: Some("the request as a whole would not shrink".into()),
        tokens: Some(t.tokens_before),
      });
    }
    transforms = kept;
    edits = kept_edits;
    (body, tokens_after, retrieve_tool, _) = assemble(
      input,
      &walked,
      &mut edits,
      &transforms,
      tokens_before,
      opts,
      &counter,
    )?;
  }
  for (key, entry) in pending.into_iter().flatten() {
    memo.put(&key, entry);
  }
  let saved = tokens_before.saturating_sub(tokens_after);
  Ok(Outcome {
    body,
    bare: walked.bare,
    report: Report {
      provider: walked.provider.as_str(),
      model: counter.info().id.to_string(),
      exact: counter.exact(),
      tokens_before,
      tokens_after,
      tokens_saved: saved,
      compression_ratio: if tokens_before == 0 {
        0.0
      } else {
        saved as f64 / tokens_before as f64
      },
      retrieve_tool,
      transforms,
      skipped,
      conversation: walked.first_message.map(|m| {
        headroom_core::hash::KeyHasher::new()
          .part(m.as_bytes())
          .finish_hex()
      }),
      volatile: volatile_in_system(&walked),
    },
  })
}

/// Volatile values (see [`volatile`]) in the system text of a walked request.
fn volatile_in_system(walked: &walk::Walk<'_>) -> Vec<volatile::Volatile> {
  let mut found = Vec::new();
  for item in &walked.items {
    if !matches!(item.role, walk::Role::System | walk::Role::Developer)
      || item.kind != ItemKind::Text
    {
      continue;
    }
    if let Payload::Str(raw) = item.payload
      && let Ok(text) = raw::decode_string(raw, &item.path)
    {
      volatile::scan(&text, &item.path, &mut found);
    }
  }
  found
}

/// Splices `edits` into `input` and adds the retrieve tool when `transforms` hold markers:
/// the output body, its token count and what happened to the tool.
fn assemble(
  input: &[u8],
  walked: &walk::Walk<'_>,
  edits: &mut [Edit],
  transforms: &[Transform],
  tokens_before: usize,
  opts: &Options,
  counter: &Counter,
) -> Result<(Vec<u8>, usize, Option<&'static str>, usize)> {
  let saved: usize = transforms
    .iter()
    .map(|t| t.tokens_before - t.tokens_after)
    .sum();
  let mut body = splice::splice(input, edits);
  let mut tokens_after = tokens_before - saved;
  // A marker is only useful if the model can redeem it: add the retrieve tool to a body
  // whose output holds markers (a bare array cannot carry tools: the report says so).
  let mut retrieve_tool = None;
  let mut tool_tokens = 0;
  let forced = opts.retrieve && opts.retrieve_tool == RetrieveToolPolicy::Always;
  if forced || transforms.iter().any(|t| !t.hashes.is_empty()) {
    if walked.bare {
      retrieve_tool = Some("needed");
    } else {
      // The body is UTF-8 JSON: the input was validated and edits are JSON strings.
      let text =
        String::from_utf8(body).map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
      match retrieve_tool::inject(&text, walked.provider)? {
        Some(with_tool) => {
          // Recount the final body: the tool joins the `tools` array, whose count is not
          // simply the sum of its parts.
          let without = tokens_after;
          tokens_after = count_text(&with_tool, opts.provider, counter)?;
          tool_tokens = tokens_after.saturating_sub(without);
          body = with_tool.into_bytes();
          retrieve_tool = Some("added");
        }
        None => {
          body = text.into_bytes();
          retrieve_tool = Some("present");
        }
      }
    }
  }
  Ok((body, tokens_after, retrieve_tool, tool_tokens))
}

/// A block compressed successfully.
struct Done {
  text: String,
  strategy: String,
  hashes: Vec<String>,
  tokens_after: usize,
  content_type: &'static str,
  language: Option<&'static str>,
  memoized: bool,
  /// For a freshly computed form: its memo key and entry, written once the caller keeps
  /// the form (or `Declined` written in its place when the caller rolls it back).
  remember: Option<(String, MemoEntry)>,
}

/// Compresses one eligible text, or says why not.
#[allow(clippy::too_many_arguments)]
fn compress_one(
  o200k: &LazyCount<'_, '_>,
  opts: &Options,
  query: Option<&str>,
  memo: &dyn Memo,
  store: &dyn OriginalStore,
  counter: &Counter,
) -> std::result::Result<Done, (SkipReason, Option<String>)> {
  let text = o200k.text();
  // The report states the count on every path but a memo hit (which carries it and calls
  // the count off), so a large block starts counting beside everything else at once.
  o200k.start();
  if !marker::find_marker_hashes(text).is_empty() {
    return Err((SkipReason::AlreadyCompressed, None));
  }
  // A text has at least one token per MAX_TOKEN_BYTES bytes: large texts pass uncounted.
  if text.len().div_ceil(headroom_tokens::MAX_TOKEN_BYTES) < opts.min_tokens
    && o200k.get() < opts.min_tokens
  {
    return Err((SkipReason::BelowMinTokens, None));
  }
  // Without a retrieve path the memo must not hand back a form with markers made when
  // there was one: the key says which.
  let markers = store.enabled();
  let profile = opts.kompress_model().map(|k| k.id()).unwrap_or_default();
  // One hash of the block serves its memo key, its store key and the key its markers carry.
  let full_hash = headroom_core::hash::content_hash(text.as_bytes());
  let known = headroom_core::store::KnownOriginal::new(store, text.as_bytes(), &full_hash);
  let store: &dyn OriginalStore = &known;
  let key = memo_key(opts.mode, markers, &profile, &full_hash);
  let remembered = memo.get(&key);
  // A block seen for the first time that opens with a bracket is parsed once: the parse
  // proves it JSON (detection need not validate it again) and the JSON compressor reuses it.
  // Resent history (a memo hit) is only detected, which is cheaper than a parse.
  let parsed = remembered
    .is_none()
    .then(|| {
      let json = text.trim_start_matches([' ', '\t', '\n', '\r']);
      matches!(json.as_bytes().first(), Some(b'{' | b'['))
        .then(|| headroom_json::value::parse_with_depth(text))
        .flatten()
    })
    .flatten();
  let detection = parsed
    .as_ref()
    .and_then(|_| headroom_detect::known_json(text))
    .unwrap_or_else(|| detect(text));
  // An error report is never remembered, so a remembered block is none.
  if remembered.is_none() && looks_like_error_output(text, &detection) {
    return Err((SkipReason::ErrorOutput, None));
  }
  let content_type = detection.kind.as_str();
  let language = detection.language.map(|l| l.as_str());
  // The o200k count of a freshly computed output, so it is counted once.
  let mut fresh_o200k = None;
  let (entry, memoized) = match remembered {
    // A remembered form with markers is only reused if its original is (still) in the
    // store: re-putting the same bytes returns the same key and refreshes its idle timer.
    Some(MemoEntry::Compressed { hashes, .. })
      if !hashes.is_empty() && store.put(text.as_bytes()).is_err() =>
    {
      return Err((
        SkipReason::NoGain,
        Some("store unavailable for a memoized lossy form".into()),
      ));
    }
    Some(e) => {
      // Resent history: the counts made at first sight, so nothing is counted again.
      if let MemoEntry::Compressed {
        o200k: Some((before, after)),
        ..
      } = e
      {
        o200k.settle(before);
        fresh_o200k = Some(after);
      }
      (e, true)
    }
    None => {
      if route(&detection).is_none() && compressors::numbered::gutters(text).is_none() {
        return Err((SkipReason::NoCompressor, Some(content_type.to_string())));
      }
      // The compressor asks for the count (started above) at its end.
      let input_tokens = || o200k.get();
      let ctx = BlockContext {
        store,
        mode: opts.mode,
        query,
        json: parsed
          .as_ref()
          .map(|(value, depth)| compressors::PreParsed {
            text,
            value,
            depth: *depth,
          }),
        detection,
        o200k: Some(&input_tokens),
        kompress: opts.kompress_model(),
        kompress_budget: std::time::Duration::from_millis(opts.kompress_budget_ms),
      };
      // A form is never blank (`compress_block` declines one), so only its count decides.
      let entry = match compress_block(text, &ctx) {
        Some(c)
          if *fresh_o200k.insert(c.o200k.unwrap_or_else(|| Counter::o200k(&c.text)))
            < o200k.get() =>
        {
          MemoEntry::Compressed {
            text: c.text,
            strategy: c.strategy,
            hashes: c.hashes,
            o200k: fresh_o200k.map(|after| (o200k.get(), after)),
          }
        }
        _ => MemoEntry::Declined,
      };
      // A fresh compressed form is remembered by the caller once the request as a whole
      // keeps it (see `Done::remember`); a decline is final now.
      if entry == MemoEntry::Declined {
        memo.put(&key, MemoEntry::Declined);
      }
      (entry, false)
    }
  };
  match entry {
    MemoEntry::Declined => Err((SkipReason::NoGain, Some(content_type.to_string()))),
    MemoEntry::Compressed {
      text: out,
      strategy,
      hashes,
      ..
    } => {
      let before = counter.from_o200k(text, o200k.get());
      let after = match fresh_o200k {
        Some(n) => counter.from_o200k(&out, n),
        None => counter.count(&out),
      };
      if after >= before {
        if !memoized {
          memo.put(&key, MemoEntry::Declined);
        }
        return Err((SkipReason::NoGain, Some(content_type.to_string())));
      }
      let remember = (!memoized).then(|| {
        (
          key,
          MemoEntry::Compressed {
            text: out.clone(),
            strategy: strategy.clone(),
            hashes: hashes.clone(),
            o200k: fresh_o200k.map(|after| (o200k.get(), after)),
          },
        )
      });
      Ok(Done {
        text: out,
        strategy,
        hashes,
        tokens_after: after,
        content_type,
        language,
        memoized,
        remember,
      })
    }
  }
}

/// Compresses one text (not a request): detection, routing, memo, inflation guard.
/// Originals of anything left out go to `store` first (`NoStore`: lossless forms only).
pub fn compress_text(
  text: &str,
  opts: &Options,
  memo: &dyn Memo,
  store: &dyn OriginalStore,
) -> TextReport {
  let store: &dyn OriginalStore = if opts.retrieve { store } else { &NoStore };
  std::thread::scope(|scope| text_report(&LazyCount::lazy(text, Some(scope)), opts, memo, store))
}

/// [`compress_text`] with the text's count handled by `o200k`.
fn text_report(
  o200k: &LazyCount<'_, '_>,
  opts: &Options,
  memo: &dyn Memo,
  store: &dyn OriginalStore,
) -> TextReport {
  let text = o200k.text();
  let counter = Counter::for_model(opts.model.as_deref());
  let done = compress_one(o200k, opts, opts.query.as_deref(), memo, store, &counter);
  let before = counter.from_o200k(text, o200k.get());
  match done {
    Ok(mut done) => {
      if let Some((key, entry)) = done.remember.take() {
        memo.put(&key, entry);
      }
      TextReport {
        text: done.text,
        content_type: done.content_type,
        language: done.language,
        tokens_before: before,
        tokens_after: done.tokens_after,
        strategy: Some(done.strategy),
        reason: None,
        hashes: done.hashes,
      }
    }
    Err((reason, _)) => {
      let detection = detect(text);
      TextReport {
        text: text.to_string(),
        content_type: detection.kind.as_str(),
        language: detection.language.map(|l| l.as_str()),
        tokens_before: before,
        tokens_after: before,
        strategy: None,
        reason: Some(reason.as_str()),
        hashes: Vec::new(),
      }
    }
  }
}

/// Counts the tokens of a request body or message array, framing included.
pub fn count_request(input: &[u8], model: Option<&str>, max_input_bytes: usize) -> Result<usize> {
  let opts = Options {
    max_input_bytes,
    ..Options::default()
  };
  let text = check_input(input, &opts)?;
  let walked = walk(text, opts.provider)?;
  let counter = Counter::for_model(model.or(walked.model.as_deref()));
  Ok(count_walked(&walked, &counter))
}

fn count_text(text: &str, hint: ProviderHint, counter: &Counter) -> Result<usize> {
  Ok(count_walked(&walk(text, hint)?, counter))
}

fn count_walked(walked: &walk::Walk<'_>, counter: &Counter) -> usize {
  let mut total = counter.framing(walked);
  for item in &walked.items {
    total += match item.payload {
      Payload::Fixed(n) => n,
      _ => countable_text(item).map_or(0, |t| counter.count(&t)),
    };
  }
  total
}
