//! The HTTP routes, one module per resource; each registers what its generation
//! serves (see `crate::profile`).

pub(crate) mod customers;
pub(crate) mod keys;
mod limits;
pub(crate) mod meta;
pub(crate) mod model_configs;
mod pricing;
mod providers;
mod routing;
pub(crate) mod teams;

use std::sync::Arc;

use axum::Router;
use axum::extract::RawPathParams;

use crate::app::App;
use crate::errors::ApiError;
use crate::gojson::Go;
use crate::profile::Profile;
use crate::request::{path_lenient, path_unescape};

/// Every route of a generation.
pub(crate) fn router(profile: Profile) -> Router<Arc<App>> {
    Router::new()
        .merge(meta::routes())
        .merge(keys::routes(profile))
        .merge(teams::routes())
        .merge(customers::routes())
        .merge(limits::routes())
        .merge(model_configs::routes())
        .merge(providers::routes())
        .merge(routing::routes(profile))
        .merge(pricing::routes())
}

/// `{"message": …, "<key>": …}` (a Go map, so sorted), without `message` on reads.
pub(crate) fn single(key: &str, body: Go, message: Option<&str>) -> Go {
    let mut map = std::collections::BTreeMap::new();
    if let Some(message) = message {
        map.insert("message".to_string(), Go::from(message));
    }
    map.insert(key.to_string(), body);
    Go::Map(map)
}

/// The path parameter of a team or provider route: `url.PathUnescape`d on v2 (400
/// `bad_encoding` when it fails), decoded leniently as fasthttp does on 1.5.x.
pub(crate) fn path_name(
    profile: Profile,
    raw: &RawPathParams,
    bad_encoding: &str,
) -> Result<String, ApiError> {
    let value = raw.iter().next().map(|(_, v)| v).unwrap_or_default();
    if profile.unescapes_path_names() {
        path_unescape(value).ok_or_else(|| ApiError::bad_request(bad_encoding))
    } else {
        Ok(path_lenient(value))
    }
}
