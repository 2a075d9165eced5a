//! Moving a member, splitting and merging households, importing a file and listing
//! possible duplicates.

use super::*;

// ---------------------------------------------------------------- moves, splits, merges

/// Finds a household of the same commune by its code, for the move and merge forms.
pub(super) async fn household_in_commune(
    app: &App,
    user: &CurrentUser,
    commune: &str,
    code: &str,
) -> Result<(i64, i64), AppError> {
    let found = app
        .store()
        .household_by_code(commune, code.trim())
        .await?
        .ok_or_else(|| {
            AppError::invalid("code", format!("không có hộ mã {} trong xã", code.trim()))
        })?;
    let view = app.household(&user.actor, found.id).await?;
    Ok((view.household.id, view.household.version))
}

#[derive(Deserialize)]
pub(super) struct MoveForm {
    version: i64,
    member: i64,
    to_code: String,
    relation: String,
}

pub(super) async fn move_member(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let view = app.household(&user.actor, id).await.map_err(&err)?;
    let to = household_in_commune(&app, &user, &view.commune.code, &form.to_code)
        .await
        .map_err(&err)?;
    app.move_member(
        &user.actor,
        form.member,
        (id, form.version),
        to,
        &form.relation,
    )
    .await
    .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/{id}?saved=1")).into_response())
}

pub(super) async fn split(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let version = get("version").parse().unwrap_or(0);
    let members: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "members")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let head = get("new_head").parse().unwrap_or(0);
    let new_id = app
        .split_household(&user.actor, id, version, &members, head, &get("new_code"))
        .await
        .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/{new_id}?created=1")).into_response())
}

#[derive(Deserialize)]
pub(super) struct MergeForm {
    version: i64,
    from_code: String,
}

pub(super) async fn merge(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let view = app.household(&user.actor, id).await.map_err(&err)?;
    let source = household_in_commune(&app, &user, &view.commune.code, &form.from_code)
        .await
        .map_err(&err)?;
    app.merge_households(&user.actor, (id, form.version), source)
        .await
        .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/{id}?saved=1")).into_response())
}

// ---------------------------------------------------------------- import

#[derive(Template, WebTemplate)]
#[template(path = "household_import.html")]
pub(super) struct ImportPage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct ImportQuery {
    imported: Option<i64>,
}

pub(super) async fn import_page(
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ImportQuery>,
) -> Result<ImportPage, HtmlError> {
    if !user.actor.may(Action::WriteHouseholds) {
        return Err(HtmlError {
            lang,
            error: AppError::Forbidden("nhập hộ".into()),
        });
    }
    Ok(ImportPage {
        t: lang.t(),
        h: lang.h(),
        lang,
        viewer: Some(user.viewer(lang)),
        notice: q
            .imported
            .map(|n| format!("{} {}", lang.h().imported, format::number(n))),
    })
}

/// Largest household file accepted through the web; larger files go through the
/// command line.
pub(super) const MAX_IMPORT: usize = giamngheo_sheets::households::MAX_FILE_BYTES;

pub(super) async fn import_upload(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, HtmlError> {
    let err = html_err(lang);
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| err(AppError::invalid("file", "không đọc được tệp tải lên")))?;
            if bytes.len() > MAX_IMPORT {
                return Ok(crate::upload::too_large(false, lang, MAX_IMPORT));
            }
            file = Some((name, bytes));
        }
    }
    let Some((name, bytes)) = file else {
        return Err(err(AppError::invalid("file", "chưa chọn tệp")));
    };
    let n = app
        .import_households_file(By::User(&user.actor), &name, Vec::from(bytes))
        .await
        .map_err(&err)?;
    Ok(Redirect::to(&format!("/households/import?imported={n}")).into_response())
}

pub(super) async fn template_xlsx() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mau-nhap-ho-gia-dinh.xlsx\"",
            ),
        ],
        giamngheo_sheets::households::households_template_xlsx(),
    )
        .into_response()
}

pub(super) async fn template_csv() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"mau-nhap-ho-gia-dinh.csv\"",
            ),
        ],
        giamngheo_sheets::households::households_template_csv(),
    )
        .into_response()
}

// ---------------------------------------------------------------- duplicates and audit

pub struct DuplicateView {
    pub name: String,
    pub birth_year: i32,
    pub village: String,
    pub household_id: i64,
    pub household_code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates.html")]
pub(super) struct DuplicatesPage {
    t: &'static T,
    h: &'static HT,
    lang: Lang,
    viewer: Option<Viewer>,
    rows: Vec<DuplicateView>,
}

#[derive(Deserialize, Default)]
pub(super) struct UnitParam {
    unit: Option<String>,
}

pub(super) async fn duplicates(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<UnitParam>,
) -> Result<DuplicatesPage, HtmlError> {
    let err = html_err(lang);
    let rows = app
        .possible_duplicates(&user.actor, q.unit.as_deref())
        .await
        .map_err(&err)?;
    let mut names = std::collections::HashMap::new();
    for r in &rows {
        if !names.contains_key(&r.village_code) {
            let name = app
                .unit(&r.village_code)
                .await
                .map(|u| u.name)
                .unwrap_or_default();
            names.insert(r.village_code.clone(), name);
        }
    }
    Ok(DuplicatesPage {
        t: lang.t(),
        h: lang.h(),
        lang,
        viewer: Some(user.viewer(lang)),
        rows: rows
            .into_iter()
            .map(|r| DuplicateView {
                name: r.full_name,
                birth_year: r.birth_year,
                village: names[&r.village_code].clone(),
                household_id: r.household_id,
                household_code: r.household_code,
            })
            .collect(),
    })
}
