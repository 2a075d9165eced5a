//! The menu, the first `<nav>` of every signed-in page: one entry per page with the roles
//! that may open it, so that a page added by another area is one line here and a role
//! never sees a link that would end in 403 or 422 (the web test `menus` opens every link
//! as every demo role).

use crate::i18n::Lang;
use giamngheo_app::access::{Actor, Role};

/// A link of the menu as a page shows it.
pub struct MenuLink {
    pub href: String,
    pub label: &'static str,
}

/// One page of the menu: where it is (`{unit}` is the user's unit), its label in each
/// language, and the roles that may open it.
struct Entry {
    href: &'static str,
    label: fn(Lang) -> &'static str,
    roles: &'static [Role],
}

use Role::*;

/// Every role: pages of figures without names.
const EVERYONE: &[Role] = &Role::ALL;
/// The roles that read households and their members (a province viewer reads
/// aggregates only).
const READ_PERSONAL: &[Role] = &[
    Admin,
    Office,
    AgencyOfficer,
    CommuneOfficer,
    VillageHead,
    Oversight,
];

/// The menu in its order. Add a page as one line.
#[rustfmt::skip]
const MENU: &[Entry] = &[
    Entry { href: "/", label: |l| l.t().home, roles: EVERYONE },
    Entry { href: "/units/{unit}", label: |l| l.t().nav_units, roles: EVERYONE },
    Entry { href: "/households", label: |l| l.t().nav_households, roles: READ_PERSONAL },
    Entry { href: "/reviews", label: |l| l.t().nav_reviews, roles: READ_PERSONAL },
    Entry { href: "/reports", label: reports_label, roles: EVERYONE },
    Entry { href: "/dashboard", label: |l| l.t().nav_dashboard, roles: EVERYONE },
    Entry { href: "/targets", label: |l| l.t().nav_targets, roles: EVERYONE },
    Entry { href: "/coverage", label: crate::policies::menu_label, roles: &[Admin, Office, Oversight, CommuneOfficer, AgencyOfficer] },
    Entry { href: "/benefits/import", label: crate::policies::import_label, roles: &[Admin, Office, AgencyOfficer, CommuneOfficer] },
    Entry { href: "/benefits/queue", label: crate::policies::queue_label, roles: &[Admin, Office, AgencyOfficer, CommuneOfficer] },
    Entry { href: "/findings", label: crate::policies::findings_label, roles: &[Admin, Office, AgencyOfficer, CommuneOfficer, Oversight] },
    Entry { href: "/programme", label: crate::programme::menu_label, roles: &[Admin, Office, AgencyOfficer, CommuneOfficer, Oversight, ProvinceViewer] },
    Entry { href: "/tasks", label: tasks_label, roles: EVERYONE },
    Entry { href: "/committee", label: committee_label, roles: EVERYONE },
    Entry { href: "/standards", label: |l| l.t().nav_standards, roles: EVERYONE },
    Entry { href: "/users", label: crate::users::menu_label, roles: &[Admin, Office] },
    Entry { href: "/units/waiting", label: crate::villages::menu_label, roles: &[Admin, Office] },
    Entry { href: "/audit", label: |l| l.t().nav_audit, roles: &[Admin] },
    Entry { href: "/inspections", label: crate::inspections::menu_label, roles: &[Admin, Office, AgencyOfficer, CommuneOfficer, Oversight] },
    Entry { href: "/reports/periodic", label: crate::periodic::menu_label, roles: &[Admin, Office, Oversight] },
    Entry { href: "/programme/activities", label: crate::programme::activities_label, roles: &[Admin, Office, AgencyOfficer, CommuneOfficer, Oversight, ProvinceViewer] },
];

fn tasks_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Nhiệm vụ",
        Lang::En => "Tasks",
    }
}

fn committee_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Ban Chỉ đạo",
        Lang::En => "Steering committee",
    }
}

fn reports_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Báo cáo",
        Lang::En => "Reports",
    }
}

/// The links of the menu the actor may open, in the page's language.
pub fn links(actor: &Actor, lang: Lang) -> Vec<MenuLink> {
    MENU.iter()
        .filter(|e| e.roles.contains(&actor.role))
        .map(|e| MenuLink {
            href: e.href.replace("{unit}", &actor.unit_code),
            label: (e.label)(lang),
        })
        .collect()
}

/// The pages of one unit, linked from its page and from the home of its users: where
/// each is (`{unit}` is the unit's code), its label, and the roles that may open it.
#[rustfmt::skip]
const UNIT_PAGES: &[Entry] = &[
    Entry { href: "/households?unit={unit}", label: |l| l.t().nav_households, roles: READ_PERSONAL },
    Entry { href: "/reviews?unit={unit}", label: |l| l.t().nav_reviews, roles: READ_PERSONAL },
    Entry { href: "/reports?unit={unit}", label: reports_label, roles: EVERYONE },
    Entry { href: "/dashboard?unit={unit}", label: |l| l.t().nav_dashboard, roles: EVERYONE },
];

/// The links to a unit's pages the actor may open, in the page's language.
pub fn unit_links(actor: &Actor, unit: &str, lang: Lang) -> Vec<MenuLink> {
    UNIT_PAGES
        .iter()
        .filter(|e| e.roles.contains(&actor.role))
        .map(|e| MenuLink {
            href: e.href.replace("{unit}", unit),
            label: (e.label)(lang),
        })
        .collect()
}
