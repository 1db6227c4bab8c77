//! x
pub mod drain;
pub mod mask;
pub mod refine;
pub use drain::{ClusterId, MinerConfig, TemplateMiner};
pub use refine::{Refined, refine};
