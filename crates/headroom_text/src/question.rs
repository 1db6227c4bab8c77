//! What a question asks for, from its wh-words: a date, a quantity, a person, a place, or
//! anything. A sentence that holds a candidate of that type which the question does not
//! already mention (a year, a number, a capitalised name) is more likely to answer it.

use crate::score::{AFTER_PREPOSITION, CAPITAL, DATE, NUMBER, Term};

/// The kind of answer a question expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
  /// `when`, `what year`, `which century`...
  Date,
  /// `how many`, `how much`, `what percentage`...
  Number,
  /// `who`, `whom`, `whose`, `what company`, `which team`...: a proper name.
  Person,
  /// `where`, `what city`, `which country`...
  Place,
  /// Anything else (`what`, `which`, `why`, statements).
  Any,
}

const DATE_NOUNS: &[&str] = &[
  "century", "date", "day", "decade", "era", "month", "period", "time", "year", "years",
];
const NUMBER_NOUNS: &[&str] = &[
  "age",
  "amount",
  "cost",
  "number",
  "percent",
  "percentage",
  "population",
  "price",
  "size",
];
const PLACE_NOUNS: &[&str] = &[
  "area",
  "city",
  "continent",
  "country",
  "county",
  "island",
  "location",
  "nation",
  "place",
  "region",
  "river",
  "state",
  "town",
];
/// Nouns after `what`/`which` whose answer is usually a proper name.
const NAME_NOUNS: &[&str] = &[
  "airline",
  "album",
  "artist",
  "author",
  "band",
  "book",
  "brand",
  "channel",
  "church",
  "club",
  "company",
  "composer",
  "emperor",
  "empire",
  "family",
  "film",
  "firm",
  "group",
  "king",
  "language",
  "leader",
  "magazine",
  "man",
  "network",
  "newspaper",
  "organisation",
  "organization",
  "party",
  "person",
  "player",
  "president",
  "queen",
  "religion",
  "school",
  "scientist",
  "ship",
  "song",
  "station",
  "team",
  "university",
  "woman",
  "writer",
];
const HOW_NUMBER: &[&str] = &[
  "big", "deep", "far", "fast", "few", "high", "large", "long", "many", "much", "often", "old",
  "tall", "wide",
];

/// The kind of answer `query` expects (lowercase words of the question; the first wh-word
/// that decides wins).
pub fn want(query: &str) -> Want {
  let q = query.to_lowercase();
  let words: Vec<&str> = q
    .split(|c: char| !c.is_alphanumeric())
    .filter(|w| !w.is_empty())
    .collect();
  for (i, &w) in words.iter().enumerate() {
    let next = |k: usize| words.get(i + k).copied().unwrap_or("");
    match w {
      "when" => return Want::Date,
      "who" | "whom" | "whose" => return Want::Person,
      "where" => return Want::Place,
      "how" if HOW_NUMBER.contains(&next(1)) => return Want::Number,
      "what" | "which" => {
        for k in 1..=2 {
          let n = next(k);
          if DATE_NOUNS.contains(&n) {
            return Want::Date;
          }
          if NUMBER_NOUNS.contains(&n) {
            return Want::Number;
          }
          if PLACE_NOUNS.contains(&n) {
            return Want::Place;
          }
          if NAME_NOUNS.contains(&n) {
            return Want::Person;
          }
        }
      }
      _ => {}
    }
  }
  Want::Any
}

/// How well a unit's terms offer an answer of kind `want` that the question (its sorted
/// term ids `query`) does not already hold: 1.0 for a fitting candidate, 0.0 for none.
pub fn fits(want: Want, terms: &[Term], query: &[u32]) -> f64 {
  let new = |t: &&Term| query.binary_search(&t.id).is_err();
  let any = |mask: u8| terms.iter().filter(new).any(|t| t.flags & mask == mask);
  match want {
    Want::Date => f64::from(u8::from(any(DATE))),
    Want::Number => f64::from(u8::from(any(NUMBER))),
    Want::Person => f64::from(u8::from(any(CAPITAL))),
    Want::Place => {
      if any(CAPITAL | AFTER_PREPOSITION) {
        1.0
      } else if any(CAPITAL) {
        0.5
      } else {
        0.0
      }
    }
    Want::Any => 0.0,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn wants() {
    assert_eq!(want("When did the war end?"), Want::Date);
    assert_eq!(want("In what year was it built?"), Want::Date);
    assert_eq!(want("How many people live there?"), Want::Number);
    assert_eq!(want("Who wrote Hamlet?"), Want::Person);
    assert_eq!(want("The treaty was signed in which city?"), Want::Place);
    assert_eq!(want("What is a prime number?"), Want::Any);
    assert_eq!(want("Which health company sponsored it?"), Want::Person);
    assert_eq!(want("Why?"), Want::Any);
  }
}
