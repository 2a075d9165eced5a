//! The households page's list (`/households`): the households of a unit with their
//! current status and class history, narrowed by village, status, ethnic minority,
//! female head, merit and disability, sorted by a column, with page numbers; the export
//! buttons carry the same filters, so the file holds the list on screen.

use crate::auth::{CurrentUser, Viewer};
use crate::error::HtmlError;
use crate::format;
use crate::hh_text::HT;
use crate::i18n::{Lang, T};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use giamngheo_app::access::Action;
use giamngheo_app::{App, AppError};
use giamngheo_store::{HouseholdSort, ListNarrowing};
use serde::Deserialize;

pub struct ListRow {
    pub id: i64,
    pub code: String,
    pub head: String,
    pub village: String,
    pub address: String,
    pub members: String,
    /// The current status in words ("—" without a classification).
    pub status: String,
    /// Every period's status, oldest first: "2022: Hộ nghèo · 2023: Hộ cận nghèo".
    pub history: String,
}

/// A column header that sorts the list, with the link that sorts by it.
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    /// "↑" or "↓" when the list is sorted by this column.
    pub mark: &'static str,
    pub numeric: bool,
}

/// A yes/no filter of the list as its select shows it.
pub struct YesNo {
    pub name: &'static str,
    pub label: &'static str,
    /// "1", "0" or "" as typed.
    pub value: String,
}

/// The text of the list's filters, once per language.
pub struct LT {
    pub filters: &'static str,
    pub status: &'static str,
    pub history: &'static str,
    pub any: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub ethnic_minority: &'static str,
    pub female_head: &'static str,
    pub merit: &'static str,
    pub disability: &'static str,
    pub apply: &'static str,
    pub pages: &'static str,
}

const VI: LT = LT {
    filters: "Lọc danh sách",
    status: "Tình trạng hiện tại",
    history: "Phân loại qua các năm",
    any: "Tất cả",
    yes: "Có",
    no: "Không",
    ethnic_minority: "Dân tộc thiểu số",
    female_head: "Chủ hộ là nữ",
    merit: "Người có công",
    disability: "Có người khuyết tật",
    apply: "Lọc",
    pages: "Trang",
};

const EN: LT = LT {
    filters: "Filter the list",
    status: "Current status",
    history: "Classification over the years",
    any: "All",
    yes: "Yes",
    no: "No",
    ethnic_minority: "Ethnic minority",
    female_head: "Female head",
    merit: "Merit",
    disability: "Member with a disability",
    apply: "Filter",
    pages: "Pages",
};

fn text(lang: Lang) -> &'static LT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The statuses a list can be narrowed to, as stored.
const STATUSES: [&str; 4] = ["poor", "near_poor", "medium", "not_poor"];

#[derive(Template, WebTemplate)]
#[template(path = "households.html")]
pub(crate) struct ListPage {
    t: &'static T,
    h: &'static HT,
    l: &'static LT,
    lang: Lang,
    viewer: Option<Viewer>,
    unit_code: String,
    unit_name: String,
    q: String,
    /// The list's filters and search as a query string, for the export links.
    export_query: String,
    rows: Vec<ListRow>,
    total: String,
    page: i64,
    pages: String,
    prev: Option<String>,
    next: Option<String>,
    /// Page numbers around the current one, with their links (`None` for a gap).
    page_links: Vec<(String, Option<String>)>,
    sorts: Vec<SortLink>,
    can_write: bool,
    /// The filters as typed, to show them again.
    f: ListFilters,
    villages: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    yes_no: Vec<YesNo>,
}

/// The list's filters as they come in a page address; all optional.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct ListFilters {
    #[serde(default)]
    pub village: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub ethnic_minority: String,
    #[serde(default)]
    pub female_head: String,
    #[serde(default)]
    pub merit: String,
    #[serde(default)]
    pub disability: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
}

fn yes_no_filter(s: &str, field: &str) -> Result<Option<bool>, AppError> {
    match s.trim() {
        "" => Ok(None),
        "1" | "true" | "co" | "có" => Ok(Some(true)),
        "0" | "false" | "khong" | "không" => Ok(Some(false)),
        _ => Err(AppError::invalid(field, "phải là có (1) hoặc không (0)")),
    }
}

impl ListFilters {
    /// The store's narrowing; a value that is none of the choices is refused in words.
    pub(crate) fn narrowing(&self) -> Result<ListNarrowing, AppError> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let sort = match self.sort.trim() {
            "" => HouseholdSort::default(),
            s => HouseholdSort::parse(s)
                .ok_or_else(|| AppError::invalid("sort", "không sắp xếp được theo cột này"))?,
        };
        Ok(ListNarrowing {
            village: text(&self.village),
            status: text(&self.status),
            ethnic_minority: yes_no_filter(&self.ethnic_minority, "ethnic_minority")?,
            female_headed: yes_no_filter(&self.female_head, "female_head")?,
            merit: yes_no_filter(&self.merit, "merit")?,
            disability: yes_no_filter(&self.disability, "disability")?,
            sort,
            descending: self.dir.trim() == "desc",
        })
    }

    /// The filters as query-string pairs (empty ones are dropped by `query_string`).
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("village", self.village.as_str()),
            ("status", self.status.as_str()),
            ("ethnic_minority", self.ethnic_minority.as_str()),
            ("female_head", self.female_head.as_str()),
            ("merit", self.merit.as_str()),
            ("disability", self.disability.as_str()),
        ]
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    unit: Option<String>,
    #[serde(default)]
    q: String,
    page: Option<i64>,
    /// The day the unit code is taken on (dd/mm/yyyy); today by default.
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    ethnic_minority: String,
    #[serde(default)]
    female_head: String,
    #[serde(default)]
    merit: String,
    #[serde(default)]
    disability: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
}

impl ListQuery {
    fn filters(&self) -> ListFilters {
        ListFilters {
            village: self.village.clone(),
            status: self.status.clone(),
            ethnic_minority: self.ethnic_minority.clone(),
            female_head: self.female_head.clone(),
            merit: self.merit.clone(),
            disability: self.disability.clone(),
            sort: self.sort.clone(),
            dir: self.dir.clone(),
        }
    }
}

/// The page numbers shown: the first, the last, and three either side of the current
/// one, with a gap (`None`) where numbers are left out.
fn page_numbers(current: i64, last: i64) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    for p in 1..=last {
        if p == 1 || p == last || (p - current).abs() <= 3 {
            out.push(Some(p));
        } else if out.last() != Some(&None) {
            out.push(None);
        }
    }
    out
}

pub(crate) async fn list(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<ListPage, HtmlError> {
    let err = |error| HtmlError { lang, error };
    let page_no = q.page.unwrap_or(1).max(1);
    let as_of = Some(q.as_of.trim())
        .filter(|d| !d.is_empty())
        .map(giamngheo_app::units::parse_as_of)
        .transpose()
        .map_err(err)?;
    let f = q.filters();
    let narrowing = f.narrowing().map_err(err)?;
    let page = app
        .list_households_narrowed(
            &user.actor,
            q.unit.as_deref(),
            Some(&q.q),
            &narrowing,
            page_no,
            as_of,
        )
        .await
        .map_err(err)?;
    let unit = match q.unit.as_deref() {
        Some(code) => app.resolve_unit(code, as_of).await.map_err(err)?,
        None => app.unit(&user.actor.unit_code).await.map_err(err)?,
    };
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let statuses = app.period_statuses(&user.actor, &ids).await.map_err(err)?;
    let pages = ((page.total + page.page_size - 1) / page.page_size).max(1);
    let unit_param = q.unit.as_deref().unwrap_or("");
    // Every link of the page keeps the unit, the search and the filters; the sort and
    // the page are what a link changes.
    let link = |p: i64, sort: &str, dir: &str| {
        let p = p.to_string();
        let mut pairs = vec![
            ("unit", unit_param),
            ("q", q.q.as_str()),
            ("as_of", q.as_of.trim()),
        ];
        pairs.extend(f.pairs());
        pairs.extend([("sort", sort), ("dir", dir), ("page", p.as_str())]);
        format!("/households?{}", query_string(&pairs))
    };
    let export_query = {
        let mut pairs = vec![
            ("unit", unit.code.as_str()),
            ("q", q.q.as_str()),
            ("as_of", q.as_of.trim()),
        ];
        pairs.extend(f.pairs());
        query_string(&pairs)
    };
    let h = lang.h();
    let current_sort = narrowing.sort;
    let sorts = [
        (HouseholdSort::Code, h.household_code, false),
        (HouseholdSort::Head, h.head, false),
        (HouseholdSort::Village, h.village, false),
        (HouseholdSort::Members, h.member_count, true),
    ]
    .into_iter()
    .map(|(sort, label, numeric)| {
        let here = sort == current_sort;
        let dir = if here && !narrowing.descending {
            "desc"
        } else {
            ""
        };
        SortLink {
            label,
            href: link(1, sort.as_str(), dir),
            mark: match (here, narrowing.descending) {
                (false, _) => "",
                (true, false) => "↑",
                (true, true) => "↓",
            },
            numeric,
        }
    })
    .collect();
    let sort_param = current_sort.as_str();
    let dir_param = if narrowing.descending { "desc" } else { "" };
    let villages = if unit.tier == "commune" {
        app.children(Some(&unit.code))
            .await
            .map_err(err)?
            .into_iter()
            .map(|v| (v.code, v.name))
            .collect()
    } else {
        Vec::new()
    };
    let last_page = if page.more {
        pages.max(page.page)
    } else {
        pages
    };
    Ok(ListPage {
        t: lang.t(),
        h,
        l: text(lang),
        lang,
        can_write: user.actor.may(Action::WriteHouseholds),
        viewer: Some(user.viewer(lang)),
        unit_code: unit.code.clone(),
        unit_name: unit.name,
        q: q.q.clone(),
        export_query,
        rows: page
            .items
            .iter()
            .map(|r| {
                let history = statuses.get(&r.id).cloned().unwrap_or_default();
                ListRow {
                    id: r.id,
                    code: r.code.clone(),
                    head: r.head_name.clone(),
                    village: r.village_name.clone(),
                    address: r.address.clone(),
                    members: format::number(r.member_count as i64),
                    status: lang.status(history.last().map(|(_, s)| s.as_str())),
                    history: history
                        .iter()
                        .map(|(p, s)| format!("{p}: {}", lang.status(Some(s.as_str()))))
                        .collect::<Vec<_>>()
                        .join(" · "),
                }
            })
            .collect(),
        // A list counted only up to its bound says "more than" and offers a next page
        // as long as pages come back full.
        total: if page.more {
            format!("{} {}", h.more_than, format::number(page.total))
        } else {
            format::number(page.total)
        },
        page: page.page,
        pages: if page.more {
            format!("{}+", format::number(pages))
        } else {
            format::number(pages)
        },
        prev: (page.page > 1).then(|| link(page.page - 1, sort_param, dir_param)),
        next: (page.page < pages || (page.more && page.items.len() as i64 == page.page_size))
            .then(|| link(page.page + 1, sort_param, dir_param)),
        page_links: page_numbers(page.page, last_page)
            .into_iter()
            .map(|p| match p {
                Some(n) => (
                    format::number(n),
                    (n != page.page).then(|| link(n, sort_param, dir_param)),
                ),
                None => ("…".to_string(), None),
            })
            .collect(),
        sorts,
        yes_no: vec![
            YesNo {
                name: "ethnic_minority",
                label: text(lang).ethnic_minority,
                value: f.ethnic_minority.clone(),
            },
            YesNo {
                name: "female_head",
                label: text(lang).female_head,
                value: f.female_head.clone(),
            },
            YesNo {
                name: "merit",
                label: text(lang).merit,
                value: f.merit.clone(),
            },
            YesNo {
                name: "disability",
                label: text(lang).disability,
                value: f.disability.clone(),
            },
        ],
        f,
        villages,
        statuses: STATUSES
            .iter()
            .map(|s| (*s, lang.status(Some(s))))
            .collect(),
    })
}

pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    parts.join("&")
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_show_the_ends_and_the_neighbourhood() {
        assert_eq!(page_numbers(1, 1), vec![Some(1)]);
        assert_eq!(
            page_numbers(10, 20),
            vec![
                Some(1),
                None,
                Some(7),
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                Some(13),
                None,
                Some(20)
            ]
        );
    }

    #[test]
    fn a_filter_that_is_no_choice_is_refused() {
        let bad = ListFilters {
            merit: "maybe".into(),
            ..Default::default()
        };
        assert!(bad.narrowing().is_err());
        let good = ListFilters {
            merit: "1".into(),
            sort: "members".into(),
            dir: "desc".into(),
            ..Default::default()
        };
        let n = good.narrowing().unwrap();
        assert_eq!(n.merit, Some(true));
        assert_eq!(n.sort, HouseholdSort::Members);
        assert!(n.descending);
    }
}
