//! [`Attributes`]: an event's attribute values by name, as written in the scenario.
//!
//! A map kept as one vector sorted by name: events carry a handful of attributes, so a
//! vector costs one allocation per event (none without attributes) where a `BTreeMap`
//! costs a node and a walk to free it. It reads, serializes and iterates like the
//! `BTreeMap` it replaces: names in order, one value per name, a repeated name in JSON
//! keeping its last value.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// Attribute values by name, in name order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributes<'a>(Vec<(Cow<'a, str>, serde_json::Value)>);

impl<'a> Attributes<'a> {
    /// No attributes.
    pub fn new() -> Attributes<'a> {
        Attributes(Vec::new())
    }

    /// Forgets every attribute, keeping the buffer.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Sets `name` to `value`; returns the value it had, if any.
    pub fn insert(
        &mut self,
        name: Cow<'a, str>,
        value: serde_json::Value,
    ) -> Option<serde_json::Value> {
        match self.0.binary_search_by(|(k, _)| k.as_ref().cmp(&name)) {
            Ok(i) => self.0.get_mut(i).map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        let i = self
            .0
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()?;
        self.0.get(i).map(|(_, v)| v)
    }

    /// The names, in order.
    pub fn keys(&self) -> impl Iterator<Item = &Cow<'a, str>> {
        self.0.iter().map(|(k, _)| k)
    }

    /// (name, value) pairs, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&Cow<'a, str>, &serde_json::Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// How many attributes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same attributes owning their names.
    pub fn into_owned(self) -> Attributes<'static> {
        Attributes(
            self.0
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k.into_owned()), v))
                .collect(),
        )
    }
}

impl<'a> FromIterator<(Cow<'a, str>, serde_json::Value)> for Attributes<'a> {
    /// Later pairs win over earlier ones with the same name, as in a map.
    fn from_iter<I: IntoIterator<Item = (Cow<'a, str>, serde_json::Value)>>(
        iter: I,
    ) -> Attributes<'a> {
        let mut out = Attributes::new();
        for (k, v) in iter {
            out.insert(k, v);
        }
        out
    }
}

impl Serialize for Attributes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k.as_ref(), v)?;
        }
        map.end()
    }
}

/// A name borrowed from the input when it has no escapes.
struct Name<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Name<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name<'a>, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v)))
            }
        }
        d.deserialize_str(NameVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Attributes<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Attributes<'a>, D::Error> {
        struct MapVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for MapVisitor<'a> {
            type Value = Attributes<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute values")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Attributes<'a>, M::Error> {
                let mut out = Attributes::new();
                while let Some((Name(k), v)) = m.next_entry::<Name<'a>, serde_json::Value>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Built from the same pairs, the attributes hold, list, read and write what a
        /// `BTreeMap` does (later values win), and read back from JSON equal themselves.
        #[test]
        fn attributes_behave_as_the_btree_map_they_replace(
            pairs in proptest::collection::vec(("[a-d]{1,2}", 0u64..5), 0..12),
        ) {
            let map: BTreeMap<String, serde_json::Value> =
                pairs.iter().map(|(k, v)| (k.clone(), (*v).into())).collect();
            let attrs: Attributes<'_> =
                pairs.iter().map(|(k, v)| (Cow::Owned(k.clone()), (*v).into())).collect();
            prop_assert_eq!(attrs.len(), map.len());
            prop_assert_eq!(
                attrs.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
                map.keys().cloned().collect::<Vec<_>>()
            );
            for k in ["a", "b", "ab", "dd", "e"] {
                prop_assert_eq!(attrs.get(k), map.get(k));
            }
            let json = serde_json::to_string(&attrs).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&map).unwrap());
            let back: Attributes<'_> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &attrs);
            // Written with repeats, as JSON allows: the last value wins, as in a map.
            let repeated = format!(
                "{{{}}}",
                pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect::<Vec<_>>().join(",")
            );
            let a: Attributes<'_> = serde_json::from_str(&repeated).unwrap();
            let m: BTreeMap<String, serde_json::Value> = serde_json::from_str(&repeated).unwrap();
            prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&m).unwrap());
        }
    }

    #[test]
    fn names_without_escapes_borrow_from_the_input() {
        let text = r#"{"colluding_staff":2,"sig\u006eer":true}"#;
        let a: Attributes<'_> = serde_json::from_str(text).unwrap();
        let names: Vec<_> = a.keys().collect();
        assert!(matches!(names[0], Cow::Borrowed("colluding_staff")));
        assert!(matches!(names[1], Cow::Owned(s) if s == "signer"));
        assert_eq!(a.get("signer"), Some(&serde_json::Value::Bool(true)));
    }
}
