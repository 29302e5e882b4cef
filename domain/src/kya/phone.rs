//! Phone numbers in E.164 (`+` and the country calling code), checked
//! against the numbering plans of libphonenumber's metadata: a number must
//! be valid for its region, not merely the right length.

use crate::country;

/// A valid phone number and its country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+33612345678`.
    pub e164: String,
    /// ISO 3166-1 alpha-3 of the number's region.
    pub country: String,
}

/// The number as E.164 with its country, or why it is not one.
pub fn parse_phone(text: &str) -> Result<Phone, String> {
    let trimmed = text.trim();
    if !trimmed.starts_with('+') {
        return Err(format!(
            "{trimmed:?} is not in international form: start with + and the country code"
        ));
    }
    let number = phonenumber::parse(None, trimmed)
        .map_err(|e| format!("{trimmed:?} is not a phone number: {e}"))?;
    if !phonenumber::is_valid(&number) {
        return Err(format!(
            "{trimmed:?} is not a valid number in its country's numbering plan"
        ));
    }
    let alpha2 = number
        .country()
        .id()
        .map(|id| id.as_ref().to_owned())
        .ok_or_else(|| format!("{trimmed:?} belongs to no single country"))?;
    let country = country::by_alpha2(&alpha2)
        .map(|c| c.alpha3.to_owned())
        .ok_or_else(|| format!("{trimmed:?} is of region {alpha2}, not a country"))?;
    Ok(Phone {
        e164: number.format().mode(phonenumber::Mode::E164).to_string(),
        country,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_phone;

    #[test]
    fn valid_numbers_give_their_country_and_others_say_why() {
        let fr = parse_phone("+33 6 12 34 56 78").expect("a French mobile");
        assert_eq!(
            (fr.e164.as_str(), fr.country.as_str()),
            ("+33612345678", "FRA")
        );
        let de = parse_phone("+49 30 901820").expect("a Berlin number");
        assert_eq!(de.country, "DEU");
        assert!(parse_phone("06 12 34 56 78").is_err_and(|e| e.contains("international")));
        assert!(parse_phone("+33 1").is_err());
        assert!(parse_phone("+999 123456").is_err());
        assert!(parse_phone("+abc").is_err());
    }
}
