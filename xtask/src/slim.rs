//! Rewrites of the generated client that keep its compile time down (see the build
//! cost rows of BENCHMARKS.md):
//!
//! * [`schemars_behind_feature`]: the `schemars::JsonSchema` derive of every
//!   generated type is only compiled with the client crate's `schemars` feature;
//! * [`keep_body_builders_only`]: typify writes a `types::builder::X` for every
//!   struct, but progenitor's operation builders only use those of request bodies
//!   (`body_map`); the others (and their `X::builder()`) are dropped.

use std::collections::BTreeSet;

use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Name of the client crate feature that turns the `JsonSchema` derives on.
pub const SCHEMARS_FEATURE: &str = "schemars";

/// Moves `schemars::JsonSchema` out of each `#[derive(…)]` into
/// `#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]`.
pub fn schemars_behind_feature(file: &mut syn::File) {
    SchemarsBehindFeature.visit_file_mut(file);
}

struct SchemarsBehindFeature;

impl SchemarsBehindFeature {
    fn rewrite(attrs: &mut Vec<syn::Attribute>) {
        let mut gated = false;
        for attr in attrs.iter_mut() {
            if !attr.path().is_ident("derive") {
                continue;
            }
            let Ok(paths) =
                attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            else {
                continue;
            };
            let (schema, rest): (Vec<_>, Vec<_>) = paths
                .into_iter()
                .partition(|p| is_path(p, &["schemars", "JsonSchema"]));
            if !schema.is_empty() {
                gated = true;
                *attr = syn::parse_quote! { #[derive(#(#rest),*)] };
            }
        }
        if gated {
            attrs.push(syn::parse_quote! {
                #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
            });
        }
    }
}

impl VisitMut for SchemarsBehindFeature {
    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        Self::rewrite(&mut item.attrs);
        syn::visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        Self::rewrite(&mut item.attrs);
        syn::visit_mut::visit_item_enum_mut(self, item);
    }
}

fn is_path(path: &syn::Path, expected: &[&str]) -> bool {
    path.segments.len() == expected.len()
        && path
            .segments
            .iter()
            .zip(expected)
            .all(|(s, e)| s.ident == e)
}

/// Drops every `types::builder` struct (with its impls, and the `builder()`
/// constructor on the type) that no code outside `types::builder` names as
/// `types::builder::X`. Returns the names kept.
pub fn keep_body_builders_only(file: &mut syn::File) -> BTreeSet<String> {
    let mut used = UsedBuilders::default();
    for item in &file.items {
        // `types` itself holds the builders and their constructors; what counts
        // is what the operation builders (and anything else outside it) use.
        if matches!(item, syn::Item::Mod(m) if m.ident == "types") {
            continue;
        }
        used.visit_item(item);
    }
    let keep = used.0;
    for item in &mut file.items {
        let syn::Item::Mod(types) = item else {
            continue;
        };
        if types.ident != "types" {
            continue;
        }
        let Some((_, items)) = &mut types.content else {
            continue;
        };
        for item in items.iter_mut() {
            match item {
                syn::Item::Mod(builder) if builder.ident == "builder" => {
                    if let Some((_, builders)) = &mut builder.content {
                        builders.retain(|b| item_subject(b).is_none_or(|n| keep.contains(&n)));
                    }
                }
                syn::Item::Impl(imp) if imp.trait_.is_none() => {
                    let Some(name) = type_name(&imp.self_ty) else {
                        continue;
                    };
                    if !keep.contains(&name) {
                        imp.items.retain(
                            |i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder"),
                        );
                    }
                }
                _ => {}
            }
        }
        // Inherent impls left empty by the removal.
        items.retain(
            |i| !matches!(i, syn::Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty()),
        );
    }
    keep
}

/// Names `X` of every path `…::types::builder::X`.
#[derive(Default)]
struct UsedBuilders(BTreeSet<String>);

impl<'ast> Visit<'ast> for UsedBuilders {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let [.., types, builder, name] = names.as_slice()
            && types == "types"
            && builder == "builder"
        {
            self.0.insert(name.clone());
        }
        syn::visit::visit_path(self, path);
    }
}

/// The type an item of `types::builder` is about: a struct's name, or the last
/// segment of an impl's self type (`impl TryFrom<X> for super::X` is about `X`).
fn item_subject(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Impl(imp) => type_name(&imp.self_ty),
        _ => None,
    }
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}
