//! Moving a member between households, splitting a household and merging two.

use super::*;

impl App {
    /// Moves one member to another household. The head cannot move (choose a new head
    /// first), and a household is never left without members.
    pub async fn move_member(
        &self,
        actor: &Actor,
        member_id: i64,
        from: (i64, i64),
        to: (i64, i64),
        relation: &str,
    ) -> Result<(), AppError> {
        if RELATIONS.get(relation).is_none() || relation == "head" {
            return Err(AppError::invalid(
                "relation",
                "quan hệ với chủ hộ mới không hợp lệ",
            ));
        }
        if from.0 == to.0 {
            return Err(AppError::invalid("to", "hộ chuyển đến trùng hộ hiện tại"));
        }
        let source = self.writable(actor, from.0, from.1).await?;
        let target = self.writable(actor, to.0, to.1).await?;
        let member = source
            .members
            .iter()
            .find(|m| m.id == member_id)
            .ok_or_else(|| AppError::NotFound(format!("thành viên số {member_id} trong hộ")))?;
        if member.fields.relation == "head" {
            return Err(AppError::invalid(
                "member",
                "không chuyển chủ hộ; hãy chọn chủ hộ mới trước",
            ));
        }
        if source.members.len() < 2 {
            return Err(AppError::invalid(
                "member",
                "hộ không thể không còn thành viên",
            ));
        }
        let mut from_fields = source.household.fields.clone();
        from_fields.member_count -= 1;
        let mut to_fields = target.household.fields.clone();
        to_fields.member_count += 1;
        let change = FieldChange {
            field: format!("{}.household", member.fields.full_name),
            old: serde_json::Value::String(source.household.fields.code.clone()),
            new: serde_json::Value::String(target.household.fields.code.clone()),
        };
        let audit = vec![
            self.audit_entry(
                actor,
                "member.move_out",
                Some(&source.household),
                vec![change.clone()],
                None,
            ),
            self.audit_entry(
                actor,
                "member.move_in",
                Some(&target.household),
                vec![change],
                None,
            ),
        ];
        self.store()
            .transfer_members(
                &Transfer {
                    from: TransferSource {
                        id: from.0,
                        version: from.1,
                        fields: &from_fields,
                        active: true,
                    },
                    to: TransferTarget::Existing(TransferSide {
                        id: to.0,
                        version: to.1,
                        fields: &to_fields,
                    }),
                    target_province: to_fields.province_code.clone(),
                    moves: vec![(member_id, to_fields.member_count, relation.to_string())],
                    audit,
                },
                self.clock().now(),
            )
            .await?;
        Ok(())
    }

    /// Splits members off into a new household (tách hộ) with its own code; `new_head`
    /// becomes its head. Returns the new household's id.
    pub async fn split_household(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        member_ids: &[i64],
        new_head: i64,
        new_code: &str,
    ) -> Result<i64, AppError> {
        let source = self.writable(actor, id, version).await?;
        let new_code = giamngheo_domain::household::parse_household_code(new_code)
            .map_err(|e| AppError::invalid("code", e))?;
        let moving: Vec<&MemberRecord> = source
            .members
            .iter()
            .filter(|m| member_ids.contains(&m.id))
            .collect();
        if moving.len() != member_ids.len() || moving.is_empty() {
            return Err(AppError::invalid(
                "members",
                "hãy chọn thành viên của hộ để tách",
            ));
        }
        if moving.len() == source.members.len() {
            return Err(AppError::invalid(
                "members",
                "hộ cũ phải còn ít nhất một thành viên",
            ));
        }
        if moving.iter().any(|m| m.fields.relation == "head") {
            return Err(AppError::invalid(
                "members",
                "không tách chủ hộ ra khỏi hộ của mình",
            ));
        }
        let head = moving.iter().find(|m| m.id == new_head).ok_or_else(|| {
            AppError::invalid("new_head", "chủ hộ mới phải là một người được tách")
        })?;
        if !self
            .store()
            .existing_household_codes(
                &source.household.fields.commune_code,
                std::slice::from_ref(&new_code),
            )
            .await?
            .is_empty()
        {
            return Err(AppError::Conflict(format!(
                "mã hộ {new_code} đã có trong xã"
            )));
        }
        let mut from_fields = source.household.fields.clone();
        from_fields.member_count -= moving.len() as i32;
        let mut new_fields = source.household.fields.clone();
        new_fields.code = new_code.clone();
        new_fields.head_name = head.fields.full_name.clone();
        new_fields.head_sort_key = text::person_sort_key(&head.fields.full_name);
        new_fields.female_headed = head.fields.sex == "female";
        new_fields.member_count = moving.len() as i32;
        let moves: Vec<(i64, i32, String)> = moving
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let relation = if m.id == new_head { "head" } else { "other" };
                (m.id, i as i32 + 1, relation.to_string())
            })
            .collect();
        let names: Vec<String> = moving.iter().map(|m| m.fields.full_name.clone()).collect();
        let change = FieldChange {
            field: "split".into(),
            old: serde_json::Value::String(source.household.fields.code.clone()),
            new: serde_json::json!({ "code": new_code, "members": names }),
        };
        let audit = vec![
            self.audit_entry(
                actor,
                "household.split",
                Some(&source.household),
                vec![change.clone()],
                None,
            ),
            self.audit_entry(actor, "household.create", None, vec![change], None),
        ];
        let new_id = self
            .store()
            .transfer_members(
                &Transfer {
                    from: TransferSource {
                        id,
                        version,
                        fields: &from_fields,
                        active: true,
                    },
                    to: TransferTarget::New(&new_fields),
                    target_province: new_fields.province_code.clone(),
                    moves,
                    audit,
                },
                self.clock().now(),
            )
            .await?;
        Ok(new_id)
    }

    /// Merges household `source` into `target` (nhập hộ): its members join the target
    /// (relation "other" until corrected) and it stays, inactive, pointing at the target.
    pub async fn merge_households(
        &self,
        actor: &Actor,
        target: (i64, i64),
        source: (i64, i64),
    ) -> Result<(), AppError> {
        if target.0 == source.0 {
            return Err(AppError::invalid(
                "source",
                "không nhập một hộ vào chính nó",
            ));
        }
        let into = self.writable(actor, target.0, target.1).await?;
        let from = self.writable(actor, source.0, source.1).await?;
        let mut to_fields = into.household.fields.clone();
        to_fields.member_count += from.members.len() as i32;
        let mut from_fields = from.household.fields.clone();
        from_fields.member_count = 0;
        let start = into.members.len() as i32;
        let moves: Vec<(i64, i32, String)> = from
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, start + i as i32 + 1, "other".to_string()))
            .collect();
        let change = FieldChange {
            field: "merged_into".into(),
            old: serde_json::Value::String(from.household.fields.code.clone()),
            new: serde_json::Value::String(into.household.fields.code.clone()),
        };
        let audit = vec![
            self.audit_entry(
                actor,
                "household.merge_out",
                Some(&from.household),
                vec![change.clone()],
                None,
            ),
            self.audit_entry(
                actor,
                "household.merge_in",
                Some(&into.household),
                vec![change],
                None,
            ),
        ];
        self.store()
            .transfer_members(
                &Transfer {
                    from: TransferSource {
                        id: source.0,
                        version: source.1,
                        fields: &from_fields,
                        active: false,
                    },
                    to: TransferTarget::Existing(TransferSide {
                        id: target.0,
                        version: target.1,
                        fields: &to_fields,
                    }),
                    target_province: to_fields.province_code.clone(),
                    moves,
                    audit,
                },
                self.clock().now(),
            )
            .await?;
        Ok(())
    }
}
