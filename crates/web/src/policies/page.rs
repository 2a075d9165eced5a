//! The coverage page.
use crate::routes::Routes;
pub(super) fn routes() -> Routes {
    Routes::new()
}
