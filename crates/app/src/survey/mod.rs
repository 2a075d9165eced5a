//! The field survey offline (issue 18): the reviews a survey tool lists, the XLSForms and
//! household lists handed to ODK Collect and KoboCollect, and the submissions they send
//! back.

pub mod forms;

use crate::access::{Action, Actor};
use crate::{App, AppError};
use giamngheo_store::ReviewListItem;

impl App {
    /// Every commune's reviews below `unit` (the actor's own unit by default), of one
    /// period when given. A unit outside the actor's area is not found.
    pub async fn reviews_below(
        &self,
        actor: &Actor,
        unit: Option<&str>,
        period: Option<i32>,
    ) -> Result<Vec<ReviewListItem>, AppError> {
        let code = unit.unwrap_or(&actor.unit_code);
        self.authorize(actor, Action::ReadAggregates, code).await?;
        let u = self.unit(code).await?;
        let column = match u.tier.as_str() {
            "province" => "province_code",
            "district" => "district_code",
            "commune" => "commune_code",
            _ => {
                return Err(AppError::invalid(
                    "unit",
                    "chọn tỉnh, huyện hoặc xã để xem các đợt rà soát",
                ));
            }
        };
        Ok(self.store().reviews_below(column, &u.code, period).await?)
    }
}
