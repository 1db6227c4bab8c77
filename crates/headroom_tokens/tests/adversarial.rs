//! Exactness against tiktoken-rs on adversarial and multilingual inputs.

mod common;

use common::{ENCODINGS, check};
use headroom_tokens::{Encoding, tokenizer};

fn check_all(texts: &[String]) {
  let mut failures = Vec::new();
  for enc in ENCODINGS {
    for t in texts {
      if let Err(e) = check(enc, t, true) {
        failures.push(e);
      }
    }
  }
  assert!(
    failures.is_empty(),
    "{} failures:\n{}",
    failures.len(),
    failures.join("\n")
  );
}

#[test]
fn long_runs() {
  check_all(&[
    "a".repeat(100_000),
    " ".repeat(50_000),
    "\n".repeat(20_000),
    "\r\n".repeat(10_000),
    format!("{}x", " ".repeat(50_000)),
    format!("x{}", " ".repeat(50_000)),
    format!("{}\n{}", " ".repeat(1000), " ".repeat(1000)),
    format!("{}é", " ".repeat(1000)),
    "ab".repeat(30_000),
    "1".repeat(10_001),
    "!".repeat(10_000),
    "\t".repeat(5000),
    format!("word{}", "\u{a0}".repeat(2000)),
    "\u{3000}".repeat(3000),
    "é".repeat(20_000),
    "字".repeat(20_000),
    "😀".repeat(5000),
  ]);
}

#[test]
fn whitespace_and_newlines() {
  let mut texts: Vec<String> = [
    "",
    " ",
    "  ",
    "\n",
    "\r\n",
    "a \n b",
    "a  \n  b",
    "a\n\n  \n b",
    "x   ",
    "x \n ",
    "x\n  ",
    " \t\n\r\x0b\x0cfoo",
    "\x0bword",
    "\x0cword",
    "\t\tword",
    "foo \r\n\r\n  bar",
    "a\r\rb",
    "end\n",
    "end \n",
    " \n \n",
    "  !",
    " !",
    "\t!",
    "\n!",
    "! \n/",
    "a/\n/b",
    "a.\r\n/x",
  ]
  .iter()
  .map(|s| s.to_string())
  .collect();
  for c in [
    '\u{a0}', '\u{85}', '\u{2028}', '\u{2029}', '\u{3000}', '\u{1680}', '\u{202f}',
  ] {
    texts.push(format!("a{c}b"));
    texts.push(format!("a {c}b"));
    texts.push(format!("a{c} b"));
    texts.push(format!("a{c}\nb"));
    texts.push(format!("{c}{c}x"));
    texts.push(format!("x{c}"));
  }
  check_all(&texts);
}

#[test]
fn contractions() {
  let mut texts = Vec::new();
  for base in [
    "don't", "I'M", "we'Re", "they'VE", "you'll", "He'D", "it'S", "'sound", "'S",
  ] {
    texts.push(base.to_string());
    texts.push(format!(" {base} "));
    texts.push(format!("x{base}y"));
  }
  for s in [
    "Its'ſ",
    "'ſ",
    "a'ſ",
    "A'ſb",
    "don'ſt",
    "x'",
    "x''s",
    "'",
    "''",
    "'''s",
    "x'é",
    "Ab'Ll",
    "ab'lL",
    "AB'rE",
    "ab're'",
    "9's",
    "'re",
    "'ll'",
    "é's",
    "É'S",
    "aé's",
    "X'K",
    "x'\u{212a}",
  ] {
    texts.push(s.to_string());
  }
  check_all(&texts);
}

#[test]
fn scripts_and_emoji() {
  check_all(&[
    "👨‍👩‍👧‍👦 family 👩🏽‍💻 coder 🇫🇷🇯🇵 flags 👍🏿👍🏻".into(),
    "中文分词测试，这是一个句子。日本語のテキストです。한국어 텍스트입니다.".into(),
    "مرحبا بالعالم، هذا نص عربي. שלום עולם, זה טקסט בעברית.".into(),
    "नमस्ते दुनिया, यह हिंदी पाठ है। สวัสดีชาวโลก นี่คือข้อความภาษาไทย".into(),
    "e\u{301}te\u{301} cafe\u{301} A\u{30a} n\u{303} \u{301}\u{301}x ǅemal ǈ".into(),
    "Mixed: Hello мир κόσμε 世界 123 ١٢٣٤٥ ０１２３ ⅫⅣ ²³ ①②".into(),
    "Arabic-Indic ٠١٢٣٤٥٦٧٨٩ fullwidth ０１２３４５６７８９ Devanagari ०१२३४५".into(),
    "Ünïcödé ÀÉÎÕÜ àéîõü ÆØÅ æøå ß ẞ ŉ ǅ Ǳ ǲ ǳ".into(),
    "Straße STRASSE İstanbul ıi ΣΑΣ σας".into(),
    "\u{fffd}\u{fffd} replacement \u{feff}bom \u{200b}zwsp \u{200d}zwj".into(),
    "abc\u{301}DEF\u{301}ghi ÀB àB Àb".into(),
    "x¹²³ ½ ¾ a.b.c ‽ — – … « » “quotes” ‘single’".into(),
  ]);
}

#[test]
fn control_chars_and_specials() {
  let all: String = (0u8..128).map(char::from).collect();
  let mut texts = vec![all.clone(), all.chars().rev().collect()];
  for c in (0u8..128).map(char::from) {
    texts.push(format!("a{c}b {c}x {c}{c}1 {c}"));
  }
  texts.push("<|endoftext|> <|fim_prefix|><|endofprompt|>hello<|endoftext|>".into());
  texts.push("\u{7f}\u{1c}\u{1d}\u{1e}\u{1f} x\u{1f}y".into());
  check_all(&texts);
  // Special-token text is ordinary text: more than one token.
  assert!(tokenizer(Encoding::O200kBase).count("<|endoftext|>") > 1);
}

#[test]
fn long_words_base64_and_code() {
  let b64: String = (0..20_000u32)
    .map(|i| {
      let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      alphabet[(i.wrapping_mul(2_654_435_761) >> 7) as usize % 64] as char
    })
    .collect();
  let minified = "function(a,b){return a&&b?a.map(function(c){return c*2}):[]};var x=1e3,y=\"s\";if(x>=y||!x){x+=y}else{y-=x}/*c*/;".repeat(200);
  check_all(&[
    "pneumonoultramicroscopicsilicovolcanoconiosis".repeat(50),
    "Supercalifragilisticexpialidocious".into(),
    b64.clone(),
    format!("data:image/png;base64,{b64}=="),
    minified,
    "{\"key\": [1, 2.5e-3, true, null], \"nested\": {\"a\": \"b\\n\\t\\u00e9\"}}".repeat(100),
    "fn main() {\n    println!(\"{}\", 1 + 2);\n}\n\t// comment\r\n".repeat(100),
    "https://example.com/path/to/file?query=1&b=2#frag //a/b// ///\n/".into(),
    "HTMLParser XMLHttpRequest getHTTPResponseCode iPhone McDonald's O'Neil".into(),
    "1234567890 12.34 -5 1e10 0x1F 1,000,000 3.14159".into(),
    "CamelCaseWord ALLCAPS lowercase MiXeD ABCdef abcDEF".into(),
  ]);
}

#[test]
fn count_is_consistent_under_concurrency() {
  let text = "The quick brown fox jumps over the lazy dog. ".repeat(100);
  let expected = tokenizer(Encoding::O200kBase).count(&text);
  std::thread::scope(|s| {
    for _ in 0..4 {
      s.spawn(|| {
        for _ in 0..20 {
          assert_eq!(tokenizer(Encoding::O200kBase).count(&text), expected);
        }
      });
    }
  });
}
