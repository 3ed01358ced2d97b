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
    if let Some(items) = module_items_mut(&mut file.items, "types") {
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

/// Marks `#[non_exhaustive]` every struct and enum of `types` that no request
/// carries: the types only responses use. Newer servers add fields and enum
/// values, and users must not be able to write code (struct literals, exhaustive
/// matches) that a spec update would break. Request types stay constructible.
/// Returns the names marked.
pub fn responses_non_exhaustive(file: &mut syn::File) -> BTreeSet<String> {
    let Some(types) = module_items(&file.items, "types") else {
        return BTreeSet::new();
    };
    // What each type of `types` (and `types::builder`) names.
    let mut edges: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    let builders = module_items(types, "builder").unwrap_or(&[]);
    for item in types.iter().chain(builders) {
        let (name, mut named) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), TypeNames::default()),
            syn::Item::Enum(e) => (e.ident.to_string(), TypeNames::default()),
            syn::Item::Type(t) => (t.ident.to_string(), TypeNames::default()),
            _ => continue,
        };
        named.visit_item(item);
        named.0.remove(&name);
        edges.entry(name).or_default().extend(named.0);
    }
    // Roots: what the operation builders hold (bodies, query and path parameters).
    let mut roots = TypeNames::default();
    if let Some(operations) = module_items(&file.items, "builder") {
        for item in operations {
            if let syn::Item::Struct(s) = item {
                roots.visit_fields(&s.fields);
            }
        }
    }
    let mut request = BTreeSet::new();
    let mut pending: Vec<String> = roots.0.into_iter().collect();
    while let Some(name) = pending.pop() {
        if request.insert(name.clone())
            && let Some(next) = edges.get(&name)
        {
            pending.extend(next.iter().cloned());
        }
    }
    let mut marked = BTreeSet::new();
    let Some(types) = module_items_mut(&mut file.items, "types") else {
        return marked;
    };
    for item in types.iter_mut() {
        let (name, attrs) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), &mut s.attrs),
            syn::Item::Enum(e) => (e.ident.to_string(), &mut e.attrs),
            _ => continue,
        };
        if !request.contains(&name) {
            attrs.push(syn::parse_quote! { #[non_exhaustive] });
            marked.insert(name);
        }
    }
    marked
}

fn module_items<'a>(items: &'a [syn::Item], name: &str) -> Option<&'a [syn::Item]> {
    items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, c)| c.as_slice()),
        _ => None,
    })
}

fn module_items_mut<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    })
}

/// Last path segment of every type a piece of code names (`types::X`,
/// `builder::X`, `super::X`, a bare `X`): over-approximates, which only keeps a
/// type exhaustive.
#[derive(Default)]
struct TypeNames(BTreeSet<String>);

impl<'ast> Visit<'ast> for TypeNames {
    fn visit_type_path(&mut self, path: &'ast syn::TypePath) {
        if let Some(last) = path.path.segments.last() {
            self.0.insert(last.ident.to_string());
        }
        syn::visit::visit_type_path(self, path);
    }

    // Impls and function bodies name types they convert from; only declarations count.
    fn visit_item_impl(&mut self, _: &'ast syn::ItemImpl) {}
    fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_types_no_request_reaches_become_non_exhaustive() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct CreateRequest { pub budget: Option<BudgetInput>, pub mode: Mode }
                pub struct BudgetInput { pub max_limit: f64 }
                pub enum Mode { A, B }
                pub enum SortBy { Name }
                pub struct Key { pub budget: Option<Budget>, pub mode: Mode }
                pub struct Budget { pub id: String }
                impl From<Budget> for BudgetInput { fn from(_: Budget) -> Self { todo!() } }
                pub mod builder {
                    pub struct CreateRequest { budget: Result<Option<super::BudgetInput>, String> }
                }
            }
            pub mod builder {
                pub struct CreateKey<'a> { client: &'a Client, body: Result<types::builder::CreateRequest, String> }
                pub struct ListKeys<'a> { client: &'a Client, sort_by: Result<Option<types::SortBy>, String> }
                impl<'a> ListKeys<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Key>, Error<()>> { todo!() }
                }
            }
        };
        let marked = responses_non_exhaustive(&mut file);
        // `Mode` is in a response too, but a request carries it: it stays exhaustive.
        assert_eq!(
            marked,
            BTreeSet::from(["Budget".to_string(), "Key".to_string()])
        );
    }
}
