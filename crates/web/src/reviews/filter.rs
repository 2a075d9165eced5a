//! The review page's list of households narrowed by village, status and step, and
//! searched by the head's name or the household code, a page at a time (issue 15: a
//! commune's review holds hundreds of households). The review is read whole by the app
//! layer (its steps are decided on every household), so the narrowing is done here, on
//! the server, from the page address; a village head's review holds only their village
//! already.

use crate::format;
use crate::hh_list::query_string;
use crate::i18n::Lang;
use giamngheo_app::AppError;
use giamngheo_domain::text::fold;
use giamngheo_store::ReviewHouseholdRecord;
use serde::Deserialize;

/// Households a page of the review shows.
pub(super) const PAGE_SIZE: usize = 40;

/// Where a household stands in the review, in the order of the procedure: the codes the
/// `step` filter takes.
const STAGES: [&str; 6] = [
    "screening",
    "excluded",
    "survey",
    "meeting",
    "agreed",
    "decided",
];

/// The classifications the `status` filter takes ("none": not classified yet).
const STATUSES: [&str; 5] = ["poor", "near_poor", "medium", "not_poor", "none"];

/// The text of the filters, once per language.
pub struct FT {
    pub heading: &'static str,
    /// Beside the step whose forms are open first.
    pub current_step: &'static str,
    pub filters: &'static str,
    pub village: &'static str,
    pub status: &'static str,
    pub step: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub any: &'static str,
    pub apply: &'static str,
    pub clear: &'static str,
    pub shown: &'static str,
    pub of: &'static str,
    pub page: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub none_match: &'static str,
    pub not_classified: &'static str,
    stages: [&'static str; 6],
}

const VI: FT = FT {
    heading: "Các hộ trong đợt rà soát",
    current_step: "bước hiện tại",
    filters: "Lọc danh sách hộ của đợt rà soát",
    village: "Thôn",
    status: "Phân loại",
    step: "Bước",
    search: "Tìm",
    search_hint: "Tên chủ hộ hoặc mã hộ",
    any: "Tất cả",
    apply: "Lọc",
    clear: "Bỏ lọc",
    shown: "Đang hiện",
    of: "trên",
    page: "Trang",
    previous: "Trang trước",
    next: "Trang sau",
    none_match: "Không có hộ nào khớp với bộ lọc.",
    not_classified: "Chưa phân loại",
    stages: [
        "Chờ nhận dạng nhanh (phiếu A)",
        "Không qua nhận dạng nhanh",
        "Chờ điều tra (phiếu B)",
        "Chờ họp dân",
        "Đã thông qua, chờ phê duyệt",
        "Đã có quyết định",
    ],
};

const EN: FT = FT {
    heading: "Households in the review",
    current_step: "current step",
    filters: "Filter the review's households",
    village: "Village",
    status: "Classification",
    step: "Step",
    search: "Search",
    search_hint: "Head's name or household code",
    any: "All",
    apply: "Filter",
    clear: "Clear filters",
    shown: "Showing",
    of: "of",
    page: "Page",
    previous: "Previous page",
    next: "Next page",
    none_match: "No household matches the filters.",
    not_classified: "Not classified",
    stages: [
        "Awaiting screening (form A)",
        "Screened out",
        "Awaiting survey (form B)",
        "Awaiting the village meeting",
        "Agreed, awaiting the decision",
        "Decided",
    ],
};

pub(super) fn text(lang: Lang) -> &'static FT {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// The filters as they come in the page address; all optional, all text, so that a bad
/// value is refused here in words rather than by the framework.
#[derive(Deserialize, Default, Clone)]
pub(super) struct FilterQuery {
    #[serde(default)]
    pub village: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
}

/// Where a household stands in the review, one of [`STAGES`].
pub(super) fn stage(h: &ReviewHouseholdRecord) -> &'static str {
    match h.step.as_str() {
        "screening" => "screening",
        "excluded" => "excluded",
        "decided" | "refused" | "closed" => "decided",
        _ if h.final_status.is_some() => "decided",
        // Sent back to the survey by a failed meeting or a complaint's re-check.
        "resurvey" | "recheck" => "survey",
        _ if h.provisional_status.is_none() => "survey",
        _ if h.meeting_outcome == "agreed" => "agreed",
        _ => "meeting",
    }
}

/// The household's classification in the review: the decided one, else the provisional
/// one, else "none".
fn status(h: &ReviewHouseholdRecord) -> &str {
    h.final_status
        .as_deref()
        .or(h.provisional_status.as_deref())
        .unwrap_or("none")
}

/// One choice of a filter's select, with how many households it would show.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub count: String,
    pub selected: bool,
}

/// The filters read and checked, with the page asked for.
struct Narrowing {
    village: Option<String>,
    status: Option<String>,
    step: Option<String>,
    q: String,
    page: usize,
}

/// Which filter a count leaves out, so that each select counts what choosing one of
/// its values would show with the other filters kept.
#[derive(PartialEq, Clone, Copy)]
enum Facet {
    Village,
    Status,
    Step,
    None,
}

impl Narrowing {
    /// A refusal names the filter by its label: it is shown as the page's message, not
    /// next to a field.
    fn read(q: &FilterQuery, villages: &[(String, String)]) -> Result<Self, AppError> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let village = text(&q.village);
        if let Some(v) = &village
            && !villages.iter().any(|(code, _)| code == v)
        {
            return Err(AppError::invalid(
                "Thôn",
                "thôn này không có hộ nào trong đợt rà soát; hãy chọn thôn trong danh sách",
            ));
        }
        let status = text(&q.status);
        if status.as_deref().is_some_and(|s| !STATUSES.contains(&s)) {
            return Err(AppError::invalid(
                "Phân loại",
                "phân loại phải là hộ nghèo, hộ cận nghèo, hộ có mức sống trung bình, không nghèo hoặc chưa phân loại",
            ));
        }
        let step = text(&q.step);
        if step.as_deref().is_some_and(|s| !STAGES.contains(&s)) {
            return Err(AppError::invalid(
                "Bước",
                "bước phải là một trong các bước của danh sách lọc",
            ));
        }
        let page =
            match q.page.trim() {
                "" => 1,
                p => p.parse::<usize>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                    AppError::invalid("Trang", "số trang phải là số từ 1, ví dụ 2")
                })?,
            };
        Ok(Narrowing {
            village,
            status,
            step,
            q: fold(q.q.trim()),
            page,
        })
    }

    /// Whether `h` passes every filter but `except`.
    fn keeps(&self, h: &ReviewHouseholdRecord, except: Facet) -> bool {
        (except == Facet::Village || self.village.as_ref().is_none_or(|v| *v == h.village_code))
            && (except == Facet::Status || self.status.as_deref().is_none_or(|s| s == status(h)))
            && (except == Facet::Step || self.step.as_deref().is_none_or(|s| s == stage(h)))
            && (self.q.is_empty()
                || fold(&h.head_name).contains(&self.q)
                || fold(&h.household_code).contains(&self.q))
    }
}

/// The review's households narrowed for one page: the indexes of those shown, the
/// selects with their counts, and the links of the pager.
pub(super) struct Narrowed {
    /// Indexes into the review's households of the rows this page shows.
    pub rows: Vec<usize>,
    pub villages: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub steps: Vec<Choice>,
    /// The search as typed.
    pub q: String,
    /// "Đang hiện 12 trên 48 hộ · Trang 1/1".
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Whether any filter or search is set (the "clear" link is shown then).
    pub filtered: bool,
}

/// Narrows the review `id`'s households by the filters of `q`; a value that is none of
/// the choices is refused in words.
pub(super) fn narrow(
    lang: Lang,
    id: i64,
    households: &[ReviewHouseholdRecord],
    villages: &[(String, String)],
    q: &FilterQuery,
) -> Result<Narrowed, AppError> {
    let f = text(lang);
    let n = Narrowing::read(q, villages)?;
    let count = |facet: Facet, pass: &dyn Fn(&ReviewHouseholdRecord) -> bool| {
        households
            .iter()
            .filter(|h| n.keeps(h, facet) && pass(h))
            .count()
    };
    let choice = |value: &str, label: String, count: usize, chosen: Option<&String>| Choice {
        value: value.to_string(),
        label,
        count: format::number(count as i64),
        selected: chosen.is_some_and(|c| c == value),
    };
    let villages = villages
        .iter()
        .map(|(code, name)| {
            let c = count(Facet::Village, &|h| h.village_code == *code);
            choice(code, name.clone(), c, n.village.as_ref())
        })
        .collect();
    let statuses = STATUSES
        .iter()
        .map(|s| {
            let label = if *s == "none" {
                f.not_classified.to_string()
            } else {
                lang.status(Some(s))
            };
            let c = count(Facet::Status, &|h| status(h) == *s);
            choice(s, label, c, n.status.as_ref())
        })
        .collect();
    let steps = STAGES
        .iter()
        .zip(f.stages)
        .map(|(s, label)| {
            let c = count(Facet::Step, &|h| stage(h) == *s);
            choice(s, label.to_string(), c, n.step.as_ref())
        })
        .collect();
    let kept: Vec<usize> = (0..households.len())
        .filter(|i| n.keeps(&households[*i], Facet::None))
        .collect();
    let pages = kept.len().div_ceil(PAGE_SIZE).max(1);
    let page = n.page.min(pages);
    let rows: Vec<usize> = kept
        .iter()
        .copied()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    // Every pager link keeps the filters and the search; only the page changes.
    let link = |p: usize| {
        let p = p.to_string();
        let pairs = [
            ("village", q.village.trim()),
            ("status", q.status.trim()),
            ("step", q.step.trim()),
            ("q", q.q.trim()),
            ("page", p.as_str()),
        ];
        format!("/reviews/{id}?{}#households", query_string(&pairs))
    };
    let households_word = match lang {
        Lang::Vi => "hộ",
        Lang::En => "households",
    };
    Ok(Narrowed {
        summary: format!(
            "{} {} {} {} {households_word} · {} {page}/{pages}",
            f.shown,
            format::number(kept.len() as i64),
            f.of,
            format::number(households.len() as i64),
            f.page,
        ),
        prev: (page > 1).then(|| link(page - 1)),
        next: (page < pages).then(|| link(page + 1)),
        filtered: n.village.is_some() || n.status.is_some() || n.step.is_some() || !n.q.is_empty(),
        q: q.q.trim().to_string(),
        rows,
        villages,
        statuses,
        steps,
    })
}
