//! # headroom_logs
//!
//! The log and command-output compressor: build logs, test runs, service logs, `npm`/`cargo`
//! /`pytest` output. Repeated lines of one template collapse to their first example plus a
//! counted marker; everything a reader needs to act on stays verbatim.
//!
//! ## Algorithm
//!
//! 1. **Split** into lines ([`headroom_core::output::split_lines_inclusive`]): terminators
//!    (`\n`, `\r\n`, none on a final line) stay attached and are written back unchanged.
//! 2. **Normalise** what the miner sees ([`normalize`]): ANSI escapes removed; a line that
//!    redraws itself with `\r` (progress bar, spinner) is seen as its final state.
//! 3. **Mine templates** online ([`drain::TemplateMiner`], the Drain fixed-depth tree with
//!    variable masking from [`mask`], at most 4096 clusters), then **refine** the clusters
//!    ([`refine()`]): merge clusters that differ only in one leading non-word token, split
//!    clusters on positions that hold 2-3 distinct plain words (event names, not values).
//! 4. **Keep verbatim**: severe lines as the [severity rule](#severity) below says, whole
//!    stack traces (Python, JVM, JavaScript, Rust, Go; [`classify::trace_lines`]), lines
//!    matching the query's terms, the first and last lines (10/20 balanced, 4/10
//!    aggressive), and the first line of each template, biggest templates first, up to
//!    max(64, n/4) lines balanced or max(24, n/16) aggressive (so a line whose template
//!    occurs once is kept while the budget allows). Blank lines between kept lines stay;
//!    runs of 3+ blank lines keep their first.
//! 5. **Mark the rest**: every maximal run of omitted lines becomes one marker line *in its
//!    place* (order is never changed), `[37 of 2000 lines omitted: 37 more like "Connected
//!    to <*> port <*>" (var 1: 12 distinct; var 2: 22|2222); retrieve hash=...]`, naming
//!    the run's three biggest templates with their counts (`more like` when that template's
//!    example line is kept elsewhere; every template of omitted severe lines is named too,
//!    tagged `(severe)`), a summary of the first template's variable values, blank lines,
//!    and the final state of a progress bar in the run. A quoted template writes a leading
//!    run of variables (the log header: date, time, host, pid) as one `<*>`, and the value
//!    summary then describes the first two variables after it (`var k` is the quoted
//!    template's k-th `<*>`; values are listed when at most 3 and repeated, else counted).
//!    A run whose marker would not be shorter than its lines stays verbatim. The marker
//!    takes the terminator of the run's last line.
//!
//! ## Severity
//!
//! [`severity()`] sorts lines into three kinds ([`Severity`]):
//!
//! - **Explicit**: the line says it is an error or warning in a *level field*: a level word
//!   (`error`, `err`, `fatal`, `severe`, `critical`, `crit`, `warn`, `warning`, `emerg`,
//!   `alert`, `panic`) among the first 12 whitespace tokens (a log header: timestamp, host,
//!   process, component, level), written as a level: all capitals (`ERROR`, BGL's `RAS
//!   KERNEL FATAL`), or any case next to field punctuation (`[error]`, `<warn>`,
//!   `error:`, `Warning:`, `error[E0308]:`, `level=error`, `error :`); a shouted status
//!   (`FAIL`, `FAILED`, `ABORTED`) there; a one-letter logcat/pytest level `E`/`W`/`F`. Also,
//!   anywhere in the line: an exception or error class name (`IOException`, `TypeError`),
//!   `panic`/`panicked`, `Traceback`. The first level field decides: a line whose level
//!   reads `INFO`/`DEBUG`/`TRACE`/`NOTICE`/`VERBOSE` (or `Info`) is not explicitly severe
//!   whatever its message says (`RAS KERNEL INFO ... parity error corrected`).
//! - **Soft**: a severity word only in the message text (`Failed password for ...`,
//!   `authentication failure`, `error`, `fatal`, `exception`, `abort`...).
//! - **None**: no severity word.
//!
//! Balanced mode keeps every explicitly severe line verbatim. Soft-severe lines of a
//! template ([`SoftKeep`]) all stay when the template has at most 4 of them (a rare severe
//! event); otherwise the first 2, the last, and the first line holding each value of a
//! *categorical* variable position (2 to 4 distinct values among them: a reason code or a
//! status, each a different case) stay, and the rest collapse like any repeated template:
//! the markers that count them name their template, tagged `(severe)`, with a summary of
//! its variable parts (identifiers: users, hosts, ports, ids). A brute-force SSH log of
//! 1,500 near-identical auth failures so reads as a handful of examples and counted markers,
//! while sshd's own `error:` lines, a Java `ERROR` or a panic stay whole. The loghub
//! alert-labelled lines (BGL's `FATAL` level) are explicit by this rule: all are kept.
//! Aggressive mode keeps the first 3 severe lines (either kind) of each template, and its
//! markers name every template of the severe lines they count, tagged `(severe)`.
//!
//! **Lossy edits are marked.** Kept lines are byte-exact input lines, with one exception:
//! ANSI escape sequences are removed from kept lines (unless that would leave a carriage
//! return in the line, or make it equal to some input line), and then the output starts with a
//! note marker `[0 of N lines omitted: ANSI escape sequences removed from K kept lines;
//! retrieve hash=...]`. A progress line is never rewritten: it is omitted (counted) and its
//! final state is quoted in the marker, unless it is severe or matches the query, in which
//! case it is kept verbatim. For the checker, an ANSI-stripped line is a synthetic line
//! (accepted by a predicate that compares it with [`normalize::strip_ansi`] of an input
//! line) standing in for its input line.
//!
//! Markers need a lossy mode and a store ([`headroom_core::output::store_original`]); in
//! lossless mode or without a store, or on input that already holds markers, [`compress()`]
//! returns `None`. Strategy name: [`STRATEGY`] (`log:templates`); marker unit: `lines`.

pub mod classify;
pub mod compress;
pub mod drain;
pub mod mask;
pub mod metrics;
pub mod normalize;
pub mod refine;
pub mod words;

pub use classify::{Severity, severity};
pub use compress::{Budget, Keep, STRATEGY, SoftKeep, compress, compress_with, keep_reasons};
pub use drain::{ClusterId, MinerConfig, TemplateMiner};
pub use refine::{Refined, refine};

/// Mines the templates of `lines` in one call: the default [`TemplateMiner`] followed by
/// [`refine()`] (what [`compress()`] groups lines by). Groups are numbered from 0 in order of
/// first appearance.
pub fn mine_templates(lines: &[&str]) -> Refined {
  let mut miner = TemplateMiner::default();
  let ids: Vec<ClusterId> = lines.iter().map(|l| miner.add(l)).collect();
  refine(&miner, lines, &ids, 3)
}

#[cfg(test)]
mod mine_tests {
  #[test]
  fn mine_templates_groups_lines_by_template() {
    let lines = [
      "Connected to 10.0.0.1 port 22",
      "Disk /dev/sda1 is 91% full",
      "Connected to 10.0.0.7 port 2222",
    ];
    let r = super::mine_templates(&lines);
    assert_eq!(r.ids[0], r.ids[2]);
    assert_ne!(r.ids[0], r.ids[1]);
    assert_eq!(r.sizes[r.ids[0] as usize], 2);
    assert!(r.templates[r.ids[0] as usize].contains("<*>"));
  }
}
