//! Does the declared name match the document's MRZ? Both sides are brought
//! to the MRZ's form (ICAO transliteration: `Müller` → `MUELLER`; and the
//! plain one many issuers use: `MULLER`), then compared by Jaro–Winkler
//! similarity, the best of the two forms. Given names are compared as a
//! whole, so a missing middle name lowers the score without failing it.

use super::{Finding, KyaInput, KyaItem};
use crate::document::to_mrz_name;

/// At or above this similarity the names are the same person's.
const SAME_NAME: f64 = 0.90;

/// `Müller` without ICAO's digraphs: `MULLER`.
fn plain(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let base = match c {
            'ä' | 'Ä' => 'A',
            'ö' | 'Ö' => 'O',
            'ü' | 'Ü' => 'U',
            other => other,
        };
        out.push(base);
    }
    normalise(&to_mrz_name(&out))
}

fn normalise(mrz_form: &str) -> String {
    mrz_form.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Similarity 0–1 of a declared name and the MRZ's.
pub fn name_similarity(declared: &str, document: &str) -> f64 {
    let document = normalise(&to_mrz_name(document));
    [normalise(&to_mrz_name(declared)), plain(declared)]
        .iter()
        .map(|form| strsim::jaro_winkler(form, &document))
        .fold(0.0, f64::max)
}

pub(super) fn coherence(input: &KyaInput<'_>) -> KyaItem {
    let (Some(given), Some(family)) = (input.document_given_names, input.document_family_name)
    else {
        return super::item(
            "name_coherence",
            Finding::NotChecked,
            "no document was read to compare the name with",
        );
    };
    let family_similarity = name_similarity(input.declared_family_name, family);
    let given_similarity = name_similarity(input.declared_given_names, given);
    // The family name weighs more: given names vary most between forms.
    let similarity = 0.6 * family_similarity + 0.4 * given_similarity;
    let finding = if similarity >= SAME_NAME {
        Finding::Pass
    } else {
        Finding::Fail
    };
    let verb = if finding == Finding::Pass { "≥" } else { "<" };
    KyaItem {
        name: "name_coherence",
        finding,
        score: Some((similarity * 100.0).round().clamp(0.0, 100.0) as u8),
        reason: format!(
            "declared {} {} vs document {given} {family}: similarity {similarity:.2} {verb} {SAME_NAME:.2}",
            input.declared_given_names, input.declared_family_name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::name_similarity;

    #[test]
    fn transliterations_match_and_other_people_do_not() {
        assert!(name_similarity("Müller", "MUELLER") > 0.99);
        assert!(name_similarity("Müller", "MULLER") > 0.99);
        assert!(name_similarity("Jean-Luc", "JEAN LUC") > 0.99);
        assert!(name_similarity("Søren", "SOEREN") > 0.99);
        assert!(name_similarity("María José", "MARIA JOSE") > 0.99);
        assert!(name_similarity("Mohammed", "MOHAMMAD") > 0.9);
        assert!(name_similarity("Schneider", "NGUYEN") < 0.6);
    }
}
