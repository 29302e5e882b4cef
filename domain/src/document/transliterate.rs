//! ICAO Doc 9303 Part 3 transliteration of Latin letters with diacritics, so a
//! printed name can be compared with its MRZ form.

/// The MRZ form of a printed name: uppercase, diacritics transliterated,
/// hyphens, apostrophes and spaces as fillers (returned as spaces).
pub fn to_mrz_name(printed: &str) -> String {
    let mut out = String::new();
    for c in printed.chars() {
        let mapped: &str =
            match c {
                'Á' | 'À' | 'Â' | 'Ã' | 'Ą' | 'Ā' | 'Ă' | 'á' | 'à' | 'â' | 'ã' | 'ą' | 'ā'
                | 'ă' => "A",
                'Ä' | 'ä' | 'Æ' | 'æ' => "AE",
                'Å' | 'å' => "AA",
                'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' | 'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "C",
                'Ď' | 'Đ' | 'ď' | 'đ' | 'Ð' | 'ð' => "D",
                'É' | 'È' | 'Ê' | 'Ë' | 'Ę' | 'Ē' | 'Ě' | 'Ė' | 'é' | 'è' | 'ê' | 'ë' | 'ę'
                | 'ē' | 'ě' | 'ė' => "E",
                'Ğ' | 'Ģ' | 'Ĝ' | 'Ġ' | 'ğ' | 'ģ' | 'ĝ' | 'ġ' => "G",
                'Í' | 'Ì' | 'Î' | 'Ï' | 'Į' | 'Ī' | 'İ' | 'í' | 'ì' | 'î' | 'ï' | 'į' | 'ī'
                | 'ı' => "I",
                'Ĳ' | 'ĳ' => "IJ",
                'Ķ' | 'ķ' => "K",
                'Ł' | 'Ľ' | 'Ļ' | 'Ĺ' | 'ł' | 'ľ' | 'ļ' | 'ĺ' => "L",
                'Ñ' | 'Ń' | 'Ň' | 'Ņ' | 'ñ' | 'ń' | 'ň' | 'ņ' => "N",
                'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ő' | 'Ō' | 'ó' | 'ò' | 'ô' | 'õ' | 'ő' | 'ō' => {
                    "O"
                }
                'Ö' | 'ö' | 'Ø' | 'ø' | 'Œ' | 'œ' => "OE",
                'Ŕ' | 'Ř' | 'Ŗ' | 'ŕ' | 'ř' | 'ŗ' => "R",
                'Ś' | 'Š' | 'Ş' | 'Ș' | 'Ŝ' | 'ś' | 'š' | 'ş' | 'ș' | 'ŝ' => "S",
                'ß' => "SS",
                'Ť' | 'Ţ' | 'Ț' | 'ť' | 'ţ' | 'ț' => "T",
                'Þ' | 'þ' => "TH",
                'Ú' | 'Ù' | 'Û' | 'Ů' | 'Ű' | 'Ū' | 'Ų' | 'ú' | 'ù' | 'û' | 'ů' | 'ű' | 'ū'
                | 'ų' => "U",
                'Ü' | 'ü' => "UE",
                'Ý' | 'Ÿ' | 'ý' | 'ÿ' => "Y",
                'Ź' | 'Ž' | 'Ż' | 'ź' | 'ž' | 'ż' => "Z",
                '-' | '\'' | ' ' | ',' | '.' => " ",
                c if c.is_ascii_alphabetic() => {
                    out.push(c.to_ascii_uppercase());
                    continue;
                }
                _ => "",
            };
        out.push_str(mapped);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::to_mrz_name;

    #[test]
    fn printed_names_become_their_mrz_form() {
        assert_eq!(to_mrz_name("Søren"), "SOEREN");
        assert_eq!(to_mrz_name("María José"), "MARIA JOSE");
        assert_eq!(to_mrz_name("Dubois-Martin"), "DUBOIS MARTIN");
        assert_eq!(to_mrz_name("O'Neill"), "O NEILL");
        assert_eq!(to_mrz_name("Müller"), "MUELLER");
        assert_eq!(to_mrz_name("Łukasz Wałęsa"), "LUKASZ WALESA");
        assert_eq!(to_mrz_name("Straße"), "STRASSE");
    }
}
