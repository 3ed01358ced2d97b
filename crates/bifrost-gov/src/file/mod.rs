//! The declarative file: its model, canonical form, reading and positions.

mod entity;
mod load;
mod locate;
mod model;

pub use entity::{Entity, Kind, pricing_scope_label, scope_label};
pub use load::{Diagnostic, Source};
pub use locate::{Path, Position, Seg, locate};
pub use model::*;
