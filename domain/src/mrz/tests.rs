//! MRZ tests: the ICAO 9303 specimens, precise errors, and properties.

use proptest::prelude::*;
use time::macros::date;
use time::Date;

use super::*;

const TODAY: Date = date!(2026 - 11 - 22);

fn failed(mrz: &Mrz) -> Vec<&'static str> {
    mrz.checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect()
}

#[test]
fn the_icao_td3_specimen_parses_with_every_check_digit_right() {
    let mrz = parse(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        TODAY,
    )
    .expect("a TD3");
    assert_eq!(mrz.format, Format::Td3);
    assert_eq!(mrz.document_type, DocumentType::Passport);
    assert_eq!(
        (mrz.surname.as_str(), mrz.given_names.as_str()),
        ("ERIKSSON", "ANNA MARIA")
    );
    assert_eq!(mrz.document_number, "L898902C3");
    assert_eq!(mrz.birth_date, Some(date!(1974 - 08 - 12)));
    assert_eq!(mrz.expiry_date, Some(date!(2012 - 04 - 15)));
    assert_eq!(mrz.sex, Sex::Female);
    assert_eq!(mrz.optional_data, "ZE184226B");
    // Utopia is a specimen state, and the specimen expired in 2012.
    assert_eq!(
        failed(&mrz),
        ["issuing_state", "nationality", "not_expired"]
    );
    assert!(mrz.expired());
}

#[test]
fn the_icao_td1_td2_and_visa_specimens_parse() {
    let td1 = parse(
        "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        TODAY,
    )
    .expect("a TD1");
    assert_eq!(
        (td1.format, td1.document_type),
        (Format::Td1, DocumentType::IdCard)
    );
    assert_eq!(td1.document_number, "D23145890");
    assert_eq!(
        failed(&td1),
        ["issuing_state", "nationality", "not_expired"]
    );

    let td2 = parse(
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
        TODAY,
    )
    .expect("a TD2");
    assert_eq!(td2.format, Format::Td2);
    assert_eq!(
        failed(&td2),
        ["issuing_state", "nationality", "not_expired"]
    );

    let mrv_a = parse(
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<",
        TODAY,
    )
    .expect("an MRV-A");
    assert_eq!(
        (mrv_a.format, mrv_a.document_type),
        (Format::MrvA, DocumentType::Visa)
    );
    assert_eq!(mrv_a.nationality, "XXX");
    assert_eq!(mrv_a.birth_date, Some(date!(1940 - 09 - 07)));
    assert_eq!(failed(&mrv_a), ["issuing_state", "not_expired"]);

    let mrv_b = parse(
        "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
        TODAY,
    )
    .expect("an MRV-B");
    assert_eq!(mrv_b.format, Format::MrvB);
    assert_eq!(failed(&mrv_b), ["issuing_state", "not_expired"]);
}

#[test]
fn structural_errors_name_line_and_column() {
    assert_eq!(parse("P<UTO", TODAY), Err(MrzError::LineCount { found: 1 }));
    assert_eq!(
        parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1", TODAY),
        Err(MrzError::LineLength { line: 2, expected: 44, found: 43 })
    );
    assert_eq!(
        parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1o", TODAY),
        Err(MrzError::InvalidCharacter { line: 2, column: 44, found: 'o' })
    );
}

#[test]
fn a_wrong_check_digit_is_reported_with_its_position() {
    let mrz = parse(
        "P<FRADUBOIS<MARTIN<<JEAN<LUC<<<<<<<<<<<<<<<<\n12AB345678FRA8506153M3001017<<<<<<<<<<<<<<00",
        TODAY,
    )
    .expect("parses");
    let error = mrz
        .checks
        .iter()
        .find(|c| c.name == "document_number_check_digit")
        .and_then(|c| c.error.clone())
        .expect("a check-digit error");
    assert!(matches!(
        error,
        MrzError::CheckDigit {
            field: "document number",
            line: 2,
            column: 10,
            ..
        }
    ));
    assert_eq!(
        mrz.surname, "DUBOIS MARTIN",
        "hyphens are fillers in the MRZ"
    );
    assert_eq!(mrz.given_names, "JEAN LUC");
}

#[test]
fn german_documents_use_the_single_letter_code() {
    let input = MrzInput {
        format: Format::Td1,
        document_code: "ID".into(),
        issuing_state: "D".into(),
        surname: "MUSTERMANN".into(),
        given_names: "ERIKA".into(),
        document_number: "T22000129".into(),
        nationality: "D".into(),
        birth_date: date!(1964 - 08 - 12),
        sex: Sex::Female,
        expiry_date: date!(2031 - 10 - 31),
        optional_data: String::new(),
        optional_data_2: String::new(),
    };
    let mrz = parse_strict(&render(&input).join("\n"), TODAY).expect("valid");
    assert_eq!(
        (mrz.issuing_state.as_str(), mrz.nationality.as_str()),
        ("D", "D")
    );
}

#[test]
fn two_digit_years_resolve_to_a_past_birth_and_a_near_expiry() {
    let mrz = |birth: &str, expiry: &str| {
        let l2 = format!(
            "L898902C36FRA{birth}{}F{expiry}{}<<<<<<<<<<<<<<<",
            digit(birth),
            digit(expiry)
        );
        let l2 = format!("{l2}{}", composite_td3(&l2));
        parse(
            &format!("P<FRAERIKSSON<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<\n{l2}"),
            TODAY,
        )
        .expect("parses")
    };
    let m = mrz("260101", "300101");
    assert_eq!(m.birth_date, Some(date!(2026 - 01 - 01)));
    let m = mrz("261231", "300101");
    assert_eq!(
        m.birth_date,
        Some(date!(1926 - 12 - 31)),
        "not in the future"
    );
    let m = mrz("850101", "991231");
    assert_eq!(m.expiry_date, Some(date!(1999 - 12 - 31)));
    assert!(m.expired());
    let m = mrz("850101", "350101");
    assert_eq!(m.expiry_date, Some(date!(2035 - 01 - 01)));
    assert!(m.is_valid(), "{:?}", m.errors());
    let m = mrz("850230", "350101");
    assert_eq!(failed(&m), ["birth_date_format"]);
}

fn digit(s: &str) -> char {
    char::from(check_digit(s.as_bytes()).expect("digits"))
}

fn composite_td3(line: &str) -> char {
    let b = line.as_bytes();
    let mut data = b[0..10].to_vec();
    data.extend_from_slice(&b[13..20]);
    data.extend_from_slice(&b[21..43]);
    char::from(check_digit(&data).expect("mrz"))
}

#[test]
fn td1_long_document_numbers_continue_in_optional_data() {
    // 12-character number: 9 in place, '<', then 3 more + check digit + '<'.
    let number = "ABC123456DEF";
    let cd = digit(number);
    let l1 = format!("I<FRA{}<{}{cd}<<<<<<<<<<<", &number[..9], &number[9..]);
    let l2_start = format!(
        "850101{}M350101{}FRA<<<<<<<<<<<",
        digit("850101"),
        digit("350101")
    );
    let mut composite = l1.as_bytes()[5..30].to_vec();
    composite.extend_from_slice(&l2_start.as_bytes()[0..7]);
    composite.extend_from_slice(&l2_start.as_bytes()[8..15]);
    composite.extend_from_slice(&l2_start.as_bytes()[18..29]);
    let l2 = format!(
        "{l2_start}{}",
        char::from(check_digit(&composite).expect("mrz"))
    );
    let text = format!("{l1}\n{l2}\nMARTIN<<PAUL<<<<<<<<<<<<<<<<<<");
    let mrz = parse_strict(&text, TODAY).expect("valid");
    assert_eq!(mrz.document_number, number);
}

#[test]
fn the_check_digit_has_a_known_blind_spot_for_letters_ten_apart() {
    // 0 and A (10), or 1 and B (11), weigh the same modulo 10: the 7-3-1
    // check digit cannot see such a substitution in an alphanumeric field.
    assert_eq!(check_digit(b"L898902C3"), check_digit(b"L898902CD"));
}

// ---------- properties ----------

fn words(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Z]{1,8}", 1..=max).prop_map(|w| w.join(" "))
}

fn country() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FRA"),
        Just("AUS"),
        Just("USA"),
        Just("NGA"),
        Just("XXA"),
        Just("GBD")
    ]
    .prop_map(str::to_owned)
}

fn input() -> impl Strategy<Value = MrzInput> {
    (
        prop_oneof![
            Just((Format::Td1, "ID")),
            Just((Format::Td2, "I<")),
            Just((Format::Td3, "P<")),
            Just((Format::MrvA, "V<")),
            Just((Format::MrvB, "VB"))
        ],
        country(),
        words(1),
        words(2),
        "[A-Z0-9]{1,9}",
        country(),
        0i64..30_000,
        prop_oneof![Just(Sex::Male), Just(Sex::Female), Just(Sex::Unspecified)],
        1i64..3_600,
        "[A-Z0-9]{0,7}",
    )
        .prop_map(
            |(
                (format, code),
                state,
                surname,
                given,
                number,
                nationality,
                age,
                sex,
                valid,
                optional,
            )| {
                let birth = TODAY - time::Duration::days(age + 1);
                MrzInput {
                    format,
                    document_code: code.to_owned(),
                    issuing_state: state,
                    surname,
                    given_names: given,
                    document_number: number,
                    nationality,
                    birth_date: birth,
                    sex,
                    expiry_date: TODAY + time::Duration::days(valid),
                    optional_data: optional,
                    optional_data_2: String::new(),
                }
            },
        )
}

/// Positions (line, column) covered by a check digit, and whether the field is numeric.
fn protected(format: Format) -> Vec<(usize, usize, bool)> {
    let mut p = Vec::new();
    match format {
        Format::Td1 => {
            p.extend((5..14).map(|c| (0, c, false)));
            p.push((0, 14, true));
            p.extend((0..7).map(|c| (1, c, true)));
            p.extend((8..15).map(|c| (1, c, true)));
            p.push((1, 29, true));
        }
        _ => {
            p.extend((0..9).map(|c| (1, c, false)));
            p.push((1, 9, true));
            p.extend((13..20).map(|c| (1, c, true)));
            p.extend((21..28).map(|c| (1, c, true)));
        }
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn rendered_mrzs_parse_back_to_the_same_fields(input in input()) {
        let lines = render(&input);
        let mrz = parse_strict(&lines.join("\n"), TODAY).expect("a rendered MRZ is valid");
        prop_assert_eq!(mrz.format, input.format);
        prop_assert_eq!(&mrz.document_number, &input.document_number);
        prop_assert_eq!(mrz.birth_date, Some(input.birth_date));
        prop_assert_eq!(mrz.expiry_date, Some(input.expiry_date));
        prop_assert_eq!(mrz.sex, input.sex);
        prop_assert_eq!(&mrz.nationality, &input.nationality);
        let width = if input.format == Format::Td1 { 30 } else if matches!(input.format, Format::Td3 | Format::MrvA) { 39 } else { 31 };
        if input.surname.len() + input.given_names.len() + 2 <= width {
            prop_assert_eq!(&mrz.surname, &input.surname);
            prop_assert_eq!(&mrz.given_names, &input.given_names);
        }
        prop_assert_eq!(mrz.lines, lines);
    }

    #[test]
    fn a_single_character_change_in_a_protected_field_is_caught(
        input in input(),
        pick in any::<prop::sample::Index>(),
        replacement in "[A-Z0-9<]",
    ) {
        let mut lines: Vec<Vec<u8>> = render(&input).into_iter().map(String::into_bytes).collect();
        let positions = protected(input.format);
        let (line, column, numeric) = positions[pick.index(positions.len())];
        let original = lines[line][column];
        let new = replacement.as_bytes()[0];
        prop_assume!(new != original);
        let delta = char_value(new).expect("mrz") as i64 - char_value(original).expect("mrz") as i64;
        // Letters ten apart weigh the same modulo 10 (the documented blind spot);
        // numeric fields refuse letters outright, so there it always shows.
        prop_assume!(numeric || delta % 10 != 0);
        // A filler in the document-number check-digit position legitimately
        // announces a long number (TD1/TD2), read on from the optional data.
        let number_digit = if input.format == Format::Td1 { (0, 14) } else { (1, 9) };
        prop_assume!(!((line, column) == number_digit && new == b'<'));
        lines[line][column] = new;
        let text = lines.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect::<Vec<_>>().join("\n");
        prop_assert!(parse_strict(&text, TODAY).is_err(), "undetected change at {}:{} in\n{}", line + 1, column + 1, text);
    }
}

type Positions = Vec<(usize, usize)>;

/// Date and check-digit positions, and country positions, per format.
fn typed_positions(format: Format) -> (Positions, Positions) {
    match format {
        Format::Td1 => (
            (0..7).chain(8..15).map(|c| (1, c)).collect(),
            (2..5)
                .map(|c| (0, c))
                .chain((15..18).map(|c| (1, c)))
                .collect(),
        ),
        _ => (
            (13..20).chain(21..28).map(|c| (1, c)).collect(),
            (2..5)
                .map(|c| (0, c))
                .chain((10..13).map(|c| (1, c)))
                .collect(),
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn ocr_confusions_in_dates_and_countries_are_always_repaired(
        input in input(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..6),
    ) {
        let original = render(&input);
        let mut lines: Vec<Vec<u8>> = original.iter().cloned().map(String::into_bytes).collect();
        let (numeric, alpha) = typed_positions(input.format);
        let all: Vec<(usize, usize)> = numeric.into_iter().chain(alpha).collect();
        for pick in picks {
            let (l, c) = all[pick.index(all.len())];
            lines[l][c] = match lines[l][c] {
                b'0' => b'O', b'1' => b'I', b'2' => b'Z', b'5' => b'S', b'6' => b'G', b'8' => b'B',
                b'O' => b'0', b'I' => b'1', b'Z' => b'2', b'S' => b'5', b'G' => b'6', b'B' => b'8',
                other => other,
            };
        }
        let ocr = lines.iter().map(|l| String::from_utf8_lossy(l).into_owned()).collect::<Vec<_>>().join("\n");
        let repaired = repair(&ocr);
        prop_assert_eq!(&repaired.lines, &original);
        prop_assert!(parse_strict(&repaired.lines.join("\n"), TODAY).is_ok());
    }
}
