//! Feeds arbitrary bytes to the request-body parser (`compress_request`) and to
//! `count_request`. Properties: no panic; an error always carries a stable code that is
//! not `INTERNAL`; with no transform the output is the input; any output is UTF-8 JSON;
//! a body `count_request` accepts, `compress_request` accepts too.
#![no_main]

use headroom_core::ErrorCode;
use headroom_messages::memo::NoMemo;
use headroom_messages::options::Options;
use headroom_messages::{compress_request, count_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
  let mut accepted = false;
  // Small minTokens so that tiny fuzzed tool outputs reach the compressors too.
  for opts in [
    Options::default(),
    Options {
      min_tokens: 1,
      ..Options::default()
    },
  ] {
    match compress_request(data, &opts, &NoMemo) {
      Ok(out) => {
        if out.report.transforms.is_empty() {
          assert!(
            out.body == data,
            "no transform, yet the output differs from the input"
          );
        }
        let text = std::str::from_utf8(&out.body).expect("output is UTF-8");
        // RawValue, not Value: lone surrogate escapes are valid JSON that `Value` refuses.
        serde_json::from_str::<&serde_json::value::RawValue>(text).expect("output is valid JSON");
        assert!(out.report.tokens_after <= out.report.tokens_before);
        let _ = out.to_json();
        accepted = true;
      }
      Err(e) => {
        assert!(ErrorCode::ALL.contains(&e.code));
        assert!(
          e.code != ErrorCode::Internal,
          "internal error: {}",
          e.message
        );
      }
    }
  }
  // The same validation and walk: whatever can be counted can be compressed.
  if count_request(data, None, usize::MAX).is_ok() {
    assert!(
      accepted,
      "count_request accepted a body that compress_request refused"
    );
  }
  let _ = count_request(data, Some("claude-sonnet-4-5"), 1 << 20);
});
