//! Fail closed (issue 15): a document reading is `pass` only when it is
//! certain (an MRZ read with every check digit verified and nothing in
//! doubt, in a photo of good quality) **and** the document is valid and
//! current. Anything else asks the individual to act, with a hint that says
//! what is wrong.

use time::Date;
use veritrail_domain::document::{validate, PrintedFields};
use veritrail_domain::mrz::{Mrz, MrzError};
use veritrail_vision::MrzReading;

/// Whether the document check answers `pass` for this MRZ reading on
/// `today` — the one rule, used by the check and by the evaluations that
/// count wrong passes.
pub fn mrz_passes(reading: &MrzReading, today: Date) -> bool {
    let validation = validate(&reading.lines.join("\n"), &PrintedFields::default(), today);
    status(
        reading.certain(),
        reading.quality.passed(),
        validation.document_valid,
    ) == "pass"
}

/// What to do about a reading whose check digits verify but that is in doubt.
pub(super) fn doubt_hint(reading: &MrzReading) -> Option<String> {
    (!reading.doubts.is_empty()).then(|| {
        format!(
            "the MRZ could not be read with certainty ({}): retake the photo straight on, sharp, evenly lit and filling the frame",
            reading.doubts.join("; ")
        )
    })
}

/// `pass` or `requires_action`.
pub(super) fn status(certain: bool, quality: bool, document_valid: bool) -> &'static str {
    if certain && quality && document_valid {
        "pass"
    } else {
        "requires_action"
    }
}

/// What to do about an MRZ whose check digits verify but which is not a
/// valid, current document.
pub(super) fn validity_hint(mrz: &Mrz) -> Option<String> {
    if !mrz.mrz_valid() {
        let failed: Vec<String> = mrz
            .errors()
            .into_iter()
            .filter(|e| !matches!(e, MrzError::Expired { .. }))
            .map(ToString::to_string)
            .collect();
        return Some(format!(
            "the MRZ does not follow ICAO 9303 ({}): retake the photo straight on, sharp and without glare, or check the document is genuine",
            failed.join("; ")
        ));
    }
    mrz.expiry_date
        .filter(|_| !mrz.document_current())
        .map(|on| format!("the document expired on {on}: photograph a current document"))
}

#[cfg(test)]
mod tests {
    use time::macros::date;
    use veritrail_domain::mrz::parse;

    use super::*;

    const PASSPORT: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

    fn read(mrz: &str) -> Mrz {
        // Utopia is the specimen state: read it as Denmark.
        parse(&mrz.replace("UTO", "DNK"), date!(2011 - 01 - 01)).expect("an MRZ")
    }

    #[test]
    fn a_valid_current_document_passes_and_needs_no_hint() {
        let mrz = read(PASSPORT);
        assert!(
            mrz.mrz_valid() && mrz.document_current(),
            "{:?}",
            mrz.errors()
        );
        assert_eq!(validity_hint(&mrz), None);
        assert_eq!(status(true, true, true), "pass");
    }

    #[test]
    fn verified_digits_do_not_pass_a_misread_name_or_an_expired_document() {
        // A `<` read as K: a third identifier no check digit covers.
        let misread = read(&PASSPORT.replace("MARIA<<<<", "MARIA<<KL"));
        let hint = validity_hint(&misread).expect("a hint");
        assert!(
            hint.contains("name field") && hint.contains("ICAO 9303"),
            "{hint}"
        );
        assert_eq!(status(true, true, false), "requires_action");
        let expired =
            parse(&PASSPORT.replace("UTO", "DNK"), date!(2026 - 12 - 02)).expect("an MRZ");
        assert!(expired.mrz_valid() && !expired.document_current());
        let hint = validity_hint(&expired).expect("a hint");
        assert!(hint.contains("expired on 2012-04-15"), "{hint}");
    }
}
