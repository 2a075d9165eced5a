//! Support policies on the web (issue 14): importing an agency's list, its match queue,
//! and the findings (page and `GET /api/v1/findings`). The app layer checks access and
//! does the work; these modules parse forms and render.

pub(crate) mod findings;
pub(crate) mod imports;

use crate::i18n::Lang;
use crate::routes::Routes;
use giamngheo_app::access::Role;

pub(crate) fn routes() -> Routes {
    imports::routes().merge(findings::routes())
}

pub(crate) fn api_routes() -> Routes {
    findings::api_routes()
}

/// The menu links of these pages a role may use, as (href, label).
pub(crate) fn menu_links(role: Role, lang: Lang) -> Vec<(&'static str, &'static str)> {
    let vi = lang == Lang::Vi;
    let mut links = Vec::new();
    if matches!(
        role,
        Role::Admin | Role::Office | Role::AgencyOfficer | Role::CommuneOfficer
    ) {
        links.push((
            "/benefits/import",
            if vi {
                "Nhập danh sách chính sách"
            } else {
                "Import benefit lists"
            },
        ));
        links.push((
            "/benefits/queue",
            if vi {
                "Chờ đối chiếu"
            } else {
                "Match queue"
            },
        ));
    }
    if matches!(
        role,
        Role::Admin | Role::Office | Role::AgencyOfficer | Role::CommuneOfficer | Role::Oversight
    ) {
        links.push(("/findings", if vi { "Phát hiện" } else { "Findings" }));
    }
    links
}
