//! Where a value of the file is: line and column of a path such as
//! `virtual_keys[3].team`.
//!
//! The same parser that read the file walks it again, following the path and
//! failing on purpose when it reaches the value: the parser then reports the
//! position of that value (serde_norway for YAML, serde_json for JSON). One
//! parser, so positions always agree with the errors it reports itself.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A path into the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Seg>);

impl Path {
    /// The root.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path, one key deeper.
    pub fn key(&self, key: &str) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        Self(segs)
    }

    /// This path, one index deeper.
    pub fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Self(segs)
    }

    /// `section[i]`.
    pub fn item(section: &str, index: usize) -> Self {
        Self::root().key(section).index(index)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The text of the error the probe raises when it reaches its target.
const HIT: &str = "\u{1}bifrost-gov-probe-hit";

/// A `(line, column)`, both from 1.
pub type Position = (usize, usize);

/// The position of the value at `path` in a YAML (or JSON, which is YAML too for
/// this purpose) text, or of its closest ancestor that exists.
pub fn locate(text: &str, json: bool, path: &Path) -> Option<Position> {
    (0..=path.0.len())
        .rev()
        .find_map(|len| probe(text, json, &path.0[..len]))
}

fn probe(text: &str, json: bool, segs: &[Seg]) -> Option<Position> {
    if json {
        let mut de = serde_json::Deserializer::from_str(text);
        match Probe(segs).deserialize(&mut de) {
            Err(e) if e.to_string().contains(HIT) => Some((e.line(), e.column())),
            _ => None,
        }
    } else {
        let de = serde_norway::Deserializer::from_str(text);
        match Probe(segs).deserialize(de) {
            Err(e) if e.to_string().contains(HIT) => e.location().map(|l| (l.line(), l.column())),
            _ => None,
        }
    }
}

struct Probe<'p>(&'p [Seg]);

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Probe<'_> {
    fn scalar<E: de::Error>(&self) -> Result<(), E> {
        if self.0.is_empty() {
            Err(E::custom(HIT))
        } else {
            Ok(())
        }
    }
}

macro_rules! scalar_visits {
    ($($name:ident: $ty:ty),*) => {
        $(fn $name<E: de::Error>(self, _: $ty) -> Result<(), E> { self.scalar() })*
    };
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    scalar_visits!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.scalar()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Seg::Key(wanted), rest)) = self.0.split_first() else {
            return self.scalar();
        };
        while let Some(key) = map.next_key::<KeyText>()? {
            if key.0.as_deref() == Some(wanted.as_str()) {
                return map.next_value_seed(Probe(rest));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Seg::Index(wanted), rest)) = self.0.split_first() else {
            return self.scalar();
        };
        let mut index = 0;
        loop {
            if index == *wanted {
                return seq.next_element_seed(Probe(rest)).map(|_| ());
            }
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged YAML value (`!team x`): the tag is the key.
        let (tag, variant) = data.variant::<KeyText>()?;
        match self.0.split_first() {
            None => Err(de::Error::custom(HIT)),
            Some((Seg::Key(wanted), rest)) if tag.0.as_deref() == Some(wanted.as_str()) => {
                de::VariantAccess::newtype_variant_seed(variant, Probe(rest))
            }
            Some(_) => de::VariantAccess::newtype_variant::<IgnoredAny>(variant).map(|_| ()),
        }
    }
}

/// A mapping key as text, when it is a string.
struct KeyText(Option<String>);

impl<'de> de::Deserialize<'de> for KeyText {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<KeyText, E> {
                Ok(KeyText(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyText, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(KeyText(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyText, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(KeyText(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "version: 1\nteams:\n  - name: a\n  - name: b\n    customer: acme\nvirtual_keys:\n  - {name: k, team: zz}\n";

    fn at(text: &str, json: bool, path: Path) -> Option<Position> {
        locate(text, json, &path)
    }

    #[test]
    fn yaml_positions_point_at_the_value() {
        let teams = Path::root().key("teams");
        assert_eq!(
            at(YAML, false, teams.index(1).key("customer")),
            Some((5, 15))
        );
        assert_eq!(at(YAML, false, teams.index(0)), Some((3, 5)));
        let key = Path::item("virtual_keys", 0).key("team");
        assert_eq!(at(YAML, false, key), Some((7, 21)));
    }

    #[test]
    fn missing_paths_fall_back_to_the_closest_ancestor() {
        let path = Path::item("teams", 1).key("budgets").index(4);
        assert_eq!(at(YAML, false, path), Some((4, 5)));
    }

    #[test]
    fn json_positions_name_the_line() {
        let text = "{\n  \"version\": 1,\n  \"teams\": [\n    {\"name\": \"a\"},\n    {\"name\": \"b\"}\n  ]\n}\n";
        let (line, _) = at(text, true, Path::item("teams", 1).key("name")).unwrap();
        assert_eq!(line, 5);
    }

    #[test]
    fn paths_print_like_the_file() {
        let path = Path::item("virtual_keys", 3).key("budgets").index(0);
        assert_eq!(path.to_string(), "virtual_keys[3].budgets[0]");
    }
}
