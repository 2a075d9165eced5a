//! The people of a demo household: who lives there, their members' facts, their home
//! and the deprivations that follow from their wealth.

use super::generator::*;
use super::tables::*;
use super::*;

impl Generator {
    /// Who lives in the household: the head first, then spouse, children and others.
    pub(super) fn compose(&mut self, ethnicity: &'static str, w: f64) -> Vec<Person> {
        #[derive(Clone, Copy)]
        enum Shape {
            SingleElder,
            ElderCouple,
            YoungCouple,
            Nuclear,
            SingleParent,
            ThreeGenerations,
            WithGrandparent,
            SingleAdult,
        }
        use Shape::*;
        let rng = &mut self.rng;
        let shape = rng.weighted(&[
            (SingleElder, 6),
            (ElderCouple, 9),
            (YoungCouple, 5),
            (Nuclear, 46),
            (SingleParent, 6),
            (ThreeGenerations, 16),
            (WithGrandparent, 9),
            (SingleAdult, 3),
        ]);
        let family = |rng: &mut Rng, ethnicity: &str| -> &'static str {
            match ethnicity {
                CHUT => rng.weighted(FAMILY_CHUT),
                "06" => rng.weighted(FAMILY_MUONG),
                "03" | "37" => rng.weighted(FAMILY_THAI_LAO),
                "02" | "07" => rng.weighted(FAMILY_TAY_NUNG),
                _ => rng.weighted(FAMILY_KINH),
            }
        };
        // A spouse is usually of the household's group; a Chứt man sometimes marries a
        // Kinh woman, and a Kinh family sometimes has a spouse from a minority.
        let spouse_ethnicity = |rng: &mut Rng| -> &'static str {
            if ethnicity == CHUT {
                if rng.chance(0.15) { KINH } else { CHUT }
            } else if ethnicity == KINH && rng.chance(0.006) {
                rng.weighted(OTHER_MINORITIES)
            } else {
                ethnicity
            }
        };
        // Poorer households and Chứt households have more children.
        let children_count = |rng: &mut Rng| -> u32 {
            let mut k = rng.weighted(&[(1u32, 20), (2, 45), (3, 25), (4, 10)]);
            if w < -1.0 && rng.chance(0.35) {
                k += 1;
            }
            if ethnicity == CHUT && rng.chance(0.5) {
                k += 1;
            }
            k
        };
        let head_family = family(rng, ethnicity);
        let mut people = Vec::with_capacity(8);
        let add_children = |rng: &mut Rng,
                            people: &mut Vec<Person>,
                            mother_age: u32,
                            family: &'static str,
                            relation: &'static str,
                            count: u32| {
            let mut at_birth = rng.between(19, 27);
            for _ in 0..count {
                if people.len() >= 8 || at_birth > mother_age || at_birth > 44 {
                    break;
                }
                let age = mother_age - at_birth;
                // Grown children have mostly left home.
                if age <= 27 || rng.chance(0.2) {
                    people.push(Person {
                        relation,
                        sex: rng.sex(0.48),
                        age,
                        ethnicity,
                        family,
                    });
                }
                at_birth += rng.between(2, 5);
            }
        };
        let person = |relation, sex, age, ethnicity, family| Person {
            relation,
            sex,
            age,
            ethnicity,
            family,
        };
        match shape {
            SingleElder | SingleAdult => {
                // Old people living alone are mostly widows; younger ones mostly men
                // working away from their families.
                let (female, youngest, oldest) = match shape {
                    SingleElder => (0.75, 62, 95),
                    _ => (0.3, 22, 59),
                };
                let sex = rng.sex(female);
                let age = rng.between(youngest, oldest);
                people.push(person("head", sex, age, ethnicity, head_family));
            }
            ElderCouple | YoungCouple => {
                let (youngest, oldest, gap, wife_youngest) = match shape {
                    ElderCouple => (60, 88, 6, 55),
                    _ => (21, 32, 4, 18),
                };
                let age = rng.between(youngest, oldest);
                people.push(person("head", Sex::Male, age, ethnicity, head_family));
                let e = spouse_ethnicity(rng);
                let f = family(rng, e);
                let wife = age.saturating_sub(rng.between(0, gap)).max(wife_youngest);
                people.push(person("spouse", Sex::Female, wife, e, f));
            }
            Nuclear | WithGrandparent => {
                let age = rng.between(24, 58);
                let e = spouse_ethnicity(rng);
                let f = family(rng, e);
                let wife = age.saturating_sub(rng.between(0, 6)).max(20);
                // One household in ten is registered under the wife's name.
                if rng.chance(0.1) {
                    people.push(person("head", Sex::Female, wife, e, f));
                    people.push(person("spouse", Sex::Male, age, ethnicity, head_family));
                } else {
                    people.push(person("head", Sex::Male, age, ethnicity, head_family));
                    people.push(person("spouse", Sex::Female, wife, e, f));
                }
                if let WithGrandparent = shape {
                    let old = (age + rng.between(22, 34)).min(98);
                    let sex = rng.sex(0.7);
                    let relation = if people[0].sex == Sex::Male {
                        "parent"
                    } else {
                        "parent_in_law"
                    };
                    let f = if sex == Sex::Male {
                        head_family
                    } else {
                        family(rng, ethnicity)
                    };
                    people.push(person(relation, sex, old, ethnicity, f));
                }
                let count = children_count(rng);
                add_children(rng, &mut people, wife, head_family, "child", count);
            }
            SingleParent => {
                let age = rng.between(25, 50);
                let f = family(rng, ethnicity);
                people.push(person("head", Sex::Female, age, ethnicity, f));
                let count = children_count(rng).min(3);
                // The children carry their (absent) father's family name.
                let father = family(rng, ethnicity);
                add_children(rng, &mut people, age, father, "child", count);
            }
            ThreeGenerations => {
                let age = rng.between(52, 80);
                people.push(person("head", Sex::Male, age, ethnicity, head_family));
                let wife = age.saturating_sub(rng.between(0, 6));
                if rng.chance(0.8) {
                    let e = spouse_ethnicity(rng);
                    let f = family(rng, e);
                    people.push(person("spouse", Sex::Female, wife, e, f));
                }
                // The son who stays with his parents, his wife and their children.
                let son = wife.saturating_sub(rng.between(20, 30)).max(20);
                people.push(person("child", Sex::Male, son, ethnicity, head_family));
                let e = spouse_ethnicity(rng);
                let f = family(rng, e);
                let daughter_in_law = son.saturating_sub(rng.between(0, 5)).max(19);
                people.push(person("child_in_law", Sex::Female, daughter_in_law, e, f));
                if rng.chance(0.2) && wife >= 40 {
                    let young = wife.saturating_sub(rng.between(30, 38)).max(16);
                    let sex = rng.sex(0.5);
                    people.push(person("child", sex, young, ethnicity, head_family));
                }
                let count = children_count(rng).min(3);
                add_children(
                    rng,
                    &mut people,
                    daughter_in_law,
                    head_family,
                    "grandchild",
                    count,
                );
            }
        }
        people
    }

    /// A member as a healthy, schooled, insured household member of its age would be;
    /// [`Generator::deprive`] later takes some of that away.
    pub(super) fn member(&mut self, p: &Person, w: f64, place: &Place<'_>) -> MemberDraft {
        let today = self.today;
        let rng = &mut self.rng;
        let birth = birth_date(today, p.age, rng.between(0, 363));
        let full_name = full_name(rng, p, birth.year());
        // Older people's papers often give only the year of birth.
        let birth_date = if birth.year() < 1955 && rng.chance(0.15) {
            None
        } else {
            Some(birth)
        };

        // Disability is commoner with age and in poorer households.
        let base = match p.age {
            0..18 => 0.01,
            18..60 => 0.03,
            60..80 => 0.08,
            _ => 0.15,
        };
        let disability = if rng.chance(base * need_factor(w).min(3.0)) {
            rng.weighted(&[("mild", 65), ("severe", 28), ("very_severe", 7)])
        } else {
            "none"
        };
        let severe = matches!(disability, "severe" | "very_severe");

        // School: enrolled at the level for the age.
        let (school, grade): (&str, Option<u8>) = match p.age {
            0..3 => ("", None),
            3..6 => ("preschool", None),
            6..11 => ("primary", Some((p.age - 5) as u8)),
            11..15 => ("lower_secondary", Some((p.age - 5) as u8)),
            15 => ("upper_secondary", Some(10)),
            16..18 => {
                if rng.chance((0.8 + 0.08 * w).clamp(0.4, 0.97)) {
                    ("upper_secondary", Some((p.age - 5) as u8))
                } else if rng.chance(0.4) {
                    ("vocational", None)
                } else {
                    ("none", None)
                }
            }
            18..23 => {
                if rng.chance((0.3 + 0.1 * w).clamp(0.05, 0.6)) {
                    (
                        rng.weighted(&[("university", 5), ("college", 2), ("vocational", 3)]),
                        None,
                    )
                } else {
                    ("none", None)
                }
            }
            _ => ("none", None),
        };
        let studying = !matches!(school, "" | "none");

        // Highest qualification completed, by age, generation and wealth. Members aged
        // 16–30 who are not studying hold at least lower secondary here.
        let qualification: Option<&str> = match p.age {
            0..11 => None,
            11..15 => Some("primary"),
            15..18 => Some("lower_secondary"),
            _ => {
                let year = birth.year();
                let shift = (w * 10.0) as i32;
                let q = if year < 1960 {
                    rng.weighted(&[
                        ("none", 8),
                        ("primary", 40),
                        ("lower_secondary", 36),
                        ("upper_secondary", 12),
                        ("vocational", 2),
                        ("university", 2),
                    ])
                } else if year < 1985 {
                    rng.weighted(&[
                        ("primary", 14),
                        ("lower_secondary", 42),
                        ("upper_secondary", (28 + shift).max(5) as u32),
                        ("vocational", 8),
                        ("college", 3),
                        ("university", (5 + shift / 2).max(1) as u32),
                    ])
                } else {
                    rng.weighted(&[
                        ("lower_secondary", 28),
                        ("upper_secondary", (40 + shift).max(10) as u32),
                        ("vocational", 12),
                        ("college", 6),
                        ("university", (12 + shift).max(2) as u32),
                    ])
                };
                if p.age <= 30 && matches!(q, "none" | "primary") {
                    Some("lower_secondary")
                } else if p.age < 22 && matches!(q, "college" | "university") {
                    Some("upper_secondary")
                } else {
                    Some(q)
                }
            }
        };

        // Work. Wage workers have a labour contract here; unemployment and work without
        // a contract are added by `deprive`.
        let pension_chance = if place.urban { 0.3 } else { 0.12 } + 0.05 * w;
        let (work, pension): (&str, bool) = match p.age {
            0..6 => ("child", false),
            6..15 => ("student", false),
            _ if studying => ("student", false),
            _ if severe => ("unable", false),
            15..61 => {
                let wage = if place.urban { 40 } else { 20 };
                let home = if p.sex == Sex::Female && p.age >= 20 {
                    8
                } else {
                    0
                };
                (
                    rng.weighted(&[
                        ("employed", 100 - wage - home),
                        ("wage_worker", wage),
                        ("homemaker", home.max(1)),
                    ]),
                    false,
                )
            }
            _ if rng.chance(pension_chance.clamp(0.02, 0.5)) => ("retired", true),
            80.. => ("unable", false),
            _ => (rng.weighted(&[("employed", 6), ("homemaker", 4)]), false),
        };
        let labour_contract = work == "wage_worker";

        // The monthly social allowance (Decree 20/2021: base 360,000 VND times a
        // coefficient of 1.5 for people over 80 without a pension and for severe
        // disability, 2 for very severe disability).
        let mut allowance = 0;
        if p.age >= 80 && !pension {
            allowance = 540_000;
        }
        if disability == "severe" {
            allowance = allowance.max(540_000);
        }
        if disability == "very_severe" {
            allowance = 720_000;
        }

        // The card's object code (mã đối tượng) and benefit level follow who the member
        // is: children under 6, pupils, pensioners, employees, people on allowances,
        // ethnic minorities, households listed poor or near-poor last year; otherwise a
        // card the household buys.
        let object = if p.age < 6 {
            "TE1"
        } else if work == "retired" {
            "HT3"
        } else if allowance > 0 {
            "BT2"
        } else if w < -1.3 {
            "HN2"
        } else if p.ethnicity != KINH {
            "DT2"
        } else if w < -0.8 {
            "CN3"
        } else if studying {
            "HS4"
        } else if labour_contract {
            "DN4"
        } else {
            "GD4"
        };
        let insurance_number = self.insurance_number(object);
        let rng = &mut self.rng;
        // Cards run for a year at most, so a valid one ends within the next eleven months.
        let expiry = end_of_month(today, rng.between(0, 10) as i32);

        // Citizen IDs are issued from 14; a fifth of teenagers and a few adults have
        // not got one yet.
        let citizen_id = if p.age >= 14 && rng.chance(if p.age < 18 { 0.8 } else { 0.97 }) {
            self.citizen_id(p.sex, birth.year())
        } else {
            None
        };

        MemberDraft {
            full_name,
            sex: Some(p.sex),
            birth_date,
            birth_year: Some(birth.year()),
            ethnicity: p.ethnicity.to_string(),
            relation: p.relation.to_string(),
            citizen_id,
            health_insurance_number: Some(insurance_number),
            health_insurance_expiry: Some(expiry),
            school_level: (!school.is_empty()).then(|| school.to_string()),
            school_grade: grade,
            qualification: qualification.map(str::to_string),
            work_status: Some(work.to_string()),
            labour_contract,
            disability: Some(disability.to_string()),
            social_allowance_vnd: allowance,
            nutrition: (p.age < 16).then(|| "normal".to_string()),
            uses_internet: false,
        }
    }

    /// Takes away what poorer households lack: each indicator of the 2022 standard that
    /// the members' facts settle is made deprived with a chance that grows as wealth
    /// falls. The dependants indicator follows from the ages alone.
    pub(super) fn deprive(
        &mut self,
        draft: &mut HouseholdDraft,
        ages: &[u32],
        need: f64,
        w: f64,
        place: &Place<'_>,
    ) {
        let today = self.today;
        let rng = &mut self.rng;
        let p = |base: f64| (base * need).min(0.95);
        let members = &mut draft.members;
        let pick = |rng: &mut Rng, candidates: &[usize]| -> Option<usize> {
            (!candidates.is_empty()).then(|| *rng.pick(candidates))
        };
        let who = |f: &dyn Fn(usize) -> bool| -> Vec<usize> {
            (0..ages.len()).filter(|&i| f(i)).collect()
        };

        // Employment: someone of working age is unemployed or works without a contract.
        if rng.chance(p(0.07)) {
            let able = who(&|i| {
                (15..61).contains(&ages[i])
                    && !matches!(
                        members[i].work_status.as_deref(),
                        Some("student" | "unable")
                    )
            });
            if let Some(i) = pick(rng, &able) {
                if rng.chance(0.35) {
                    members[i].work_status = Some("unemployed".into());
                } else {
                    members[i].work_status = Some("wage_worker".into());
                }
                members[i].labour_contract = false;
                members[i].health_insurance_number = members[i]
                    .health_insurance_number
                    .as_ref()
                    .map(|n| n.replacen("DN4", "GD4", 1));
            }
        }

        // Nutrition: a child, most often a small one, is stunted or underweight.
        if rng.chance(p(0.05)) {
            let small = who(&|i| ages[i] < 5);
            let children = who(&|i| ages[i] < 16);
            let chosen = if small.is_empty() {
                pick(rng, &children)
            } else {
                pick(rng, &small)
            };
            if let Some(i) = chosen {
                let state = if rng.chance(0.55) {
                    "stunted"
                } else {
                    "underweight"
                };
                members[i].nutrition = Some(state.into());
            }
        }

        // Health insurance: a member aged 6 or over has no card, or one that lapsed.
        if rng.chance(p(0.04)) {
            let insured = who(&|i| ages[i] >= 6);
            let times = if rng.chance(0.4) { 2 } else { 1 };
            for _ in 0..times {
                if let Some(i) = pick(rng, &insured) {
                    if rng.chance(0.5) || members[i].health_insurance_number.is_none() {
                        members[i].health_insurance_number = None;
                        members[i].health_insurance_expiry = None;
                    } else {
                        let months = rng.between(1, 11);
                        members[i].health_insurance_expiry =
                            Some(end_of_month(today, -(months as i32)));
                    }
                }
            }
        }

        // Adult education: someone aged 16–30 left school early.
        if rng.chance(p(0.04)) {
            let young = who(&|i| (16..31).contains(&ages[i]));
            if let Some(i) = pick(rng, &young) {
                let m = &mut members[i];
                m.qualification = Some(if rng.chance(0.7) { "primary" } else { "none" }.into());
                m.school_level = Some("none".into());
                m.school_grade = None;
                if m.work_status.as_deref() == Some("student") {
                    m.work_status = Some("employed".into());
                }
            }
        }

        // School attendance: a child aged 3 to 15 is not in school.
        if rng.chance(p(0.02)) {
            let children = who(&|i| (3..16).contains(&ages[i]));
            if let Some(i) = pick(rng, &children) {
                let m = &mut members[i];
                m.school_level = Some("none".into());
                m.school_grade = None;
                m.work_status = Some("child".into());
                if let Some(n) = &m.health_insurance_number {
                    m.health_insurance_number = Some(n.replacen("HS4", "GD4", 1));
                }
            }
        }

        // Telecom and information: an internet user, unless the household has no means.
        // Households of old people alone rarely use the internet.
        let no_means = rng.chance(p(0.01));
        let users = who(&|i| (12..66).contains(&ages[i]));
        let offline_chance = if users.is_empty() { 0.75 } else { p(0.08) };
        let offline = no_means || rng.chance(offline_chance);
        if !offline {
            let share = (0.55 + 0.1 * w).clamp(0.2, 0.9);
            let mut any = false;
            for &i in &users {
                if rng.chance(share) {
                    members[i].uses_internet = true;
                    any = true;
                }
            }
            if !any {
                let i = users.first().copied().unwrap_or(0);
                members[i].uses_internet = true;
            }
        }
        draft.has_smartphone = !no_means && (!offline || rng.chance(0.1));
        if no_means {
            draft.loudspeaker = false;
        } else {
            draft.has_tv = rng.chance((0.88 + 0.04 * w).clamp(0.5, 0.98));
            draft.has_radio = rng.chance(0.08);
            let computer = if place.urban { 0.25 } else { 0.05 } + 0.08 * w.max(0.0);
            draft.has_computer = !offline && rng.chance(computer);
            draft.loudspeaker = rng.chance(if place.urban { 0.5 } else { 0.75 });
            if !(draft.has_tv
                || draft.has_radio
                || draft.has_computer
                || draft.has_smartphone
                || draft.loudspeaker)
            {
                draft.has_tv = true;
            }
        }
        draft.social_allowance = members.iter().any(|m| m.social_allowance_vnd > 0);
    }

    /// The home, land, phone and address.
    pub(super) fn home(
        &mut self,
        draft: &mut HouseholdDraft,
        ages: &[u32],
        need: f64,
        w: f64,
        place: &Place<'_>,
    ) {
        let rng = &mut self.rng;
        let p = |base: f64| (base * need).min(0.95);
        let n = draft.members.len() as u32;

        // Floor area: below 8 m² a person when cramped, otherwise a house of its kind.
        draft.floor_area_m2 = Some(if rng.chance(p(0.03)) {
            (8 * n)
                .saturating_sub(rng.between(1, 3 * n))
                .max(6)
                .min(8 * n - 1)
        } else {
            let typical = (60.0 + 20.0 * w + rng.uniform(-15.0, 40.0)).max(30.0) as u32;
            typical.max(8 * n + rng.between(0, 10))
        });

        // Materials: a non-durable home has at least two of walls, columns and roof of
        // non-durable material.
        if rng.chance(p(0.03)) {
            draft.wall_material = Some(rng.pick(&["wood_poor", "mud", "leaf"]).to_string());
            draft.column_material = Some("wood_poor".into());
            draft.roof_material = Some(
                rng.weighted(&[("leaf", 3), ("metal", 4), ("wood_poor", 1)])
                    .to_string(),
            );
        } else {
            draft.wall_material = Some(
                rng.weighted(&[("concrete", 90), ("wood_durable", 7), ("wood_poor", 3)])
                    .to_string(),
            );
            draft.column_material = Some(
                rng.weighted(&[("concrete", 88), ("wood_durable", 10), ("metal", 2)])
                    .to_string(),
            );
            draft.roof_material = Some(
                rng.weighted(&[("tile", 45), ("metal", 35), ("concrete", 20)])
                    .to_string(),
            );
        }

        draft.water_source = Some(
            if rng.chance(p(0.07)) {
                rng.weighted(&[
                    ("unprotected_well", 4),
                    ("unprotected_spring", 4),
                    ("surface", 2),
                ])
            } else if place.urban {
                rng.weighted(&[("piped", 80), ("drilled_well", 15), ("protected_well", 5)])
            } else {
                rng.weighted(&[
                    ("drilled_well", 40),
                    ("protected_well", 25),
                    ("protected_spring", 15),
                    ("piped", 12),
                    ("rainwater", 5),
                    ("bought", 3),
                ])
            }
            .to_string(),
        );
        draft.latrine = Some(
            if rng.chance(p(0.1)) {
                rng.weighted(&[("simple_pit", 3), ("none", 1)])
            } else {
                rng.weighted(&[
                    ("flush", 70),
                    ("double_vault", 14),
                    ("ventilated_pit", 10),
                    ("biogas", 6),
                ])
            }
            .to_string(),
        );

        // Production land: most rural households farm; in the township a few do.
        let farms = if place.urban {
            rng.chance(0.3)
        } else {
            rng.chance(0.92)
        };
        draft.production_land_m2 = farms.then(|| {
            let m2 = 1_500.0 * (1.0 + 0.25 * w).max(0.2) * rng.uniform(0.3, 2.0);
            (m2 as u32 / 10).max(10) * 10
        });

        // A household of people with merit (veterans, martyrs' families) has old members.
        draft.merit = ages.iter().any(|&a| a >= 65) && rng.chance(0.08);

        draft.phone = rng.chance(0.75).then(|| {
            let prefix = rng.pick(&[
                "098", "097", "096", "086", "091", "094", "088", "083", "084", "085", "039", "038",
                "037", "036", "035", "034", "033", "032", "090", "093", "089", "070", "079", "077",
            ]);
            format!("{prefix}{:07}", rng.below(10_000_000))
        });
        draft.address = if place.urban {
            format!(
                "Số {}, {}, {}",
                rng.between(1, 220),
                place.village_name,
                place.commune_name
            )
        } else {
            format!("{}, {}", place.village_name, place.commune_name)
        };
    }

    /// A citizen ID: the province of birth (Hà Tĩnh, or a neighbour), the sex-and-century
    /// digit, the year of birth and a serial unique within those.
    pub(super) fn citizen_id(&mut self, sex: Sex, year: i32) -> Option<CitizenId> {
        let province: u16 = self.rng.weighted(&[(42, 93), (40, 4), (44, 2), (1, 1)]);
        let century = if year < 2000 { 0 } else { 2 };
        let digit = century + if sex == Sex::Female { 1 } else { 0 };
        let yy = year.rem_euclid(100) as u8;
        let n = self
            .citizen_serials
            .entry((province, digit, yy))
            .or_insert(0);
        if *n >= 1_000_000 {
            return None;
        }
        // Multiplying by a number prime to 10 permutes the serials modulo 10⁶; the offset
        // differs by key so that the first serials of two years do not look alike.
        let key = (u64::from(province) << 16) | (u64::from(digit) << 8) | u64::from(yy);
        let offset = mix(self.serial_offset ^ key);
        let serial = (u64::from(*n) * 738_137 + offset % 1_000_000) % 1_000_000;
        *n += 1;
        CitizenId::parse(&format!("{province:03}{digit}{yy:02}{serial:06}")).ok()
    }

    /// A health-insurance card number: object code and benefit level, the province (42),
    /// and the holder's ten-digit social-insurance number, itself starting with 42.
    pub(super) fn insurance_number(&mut self, object: &str) -> String {
        let n = self.insurance_serial;
        self.insurance_serial += 1;
        let serial = (n * 61_803_397 + mix(!self.serial_offset) % 100_000_000) % 100_000_000;
        format!("{object}4242{serial:08}")
    }
}
