//! The ICAO 9303 check digit: weights 7, 3, 1 repeating; `<` = 0, `0–9` = 0–9,
//! `A–Z` = 10–35; the sum modulo 10.

/// The numeric value of an MRZ character, or `None` outside `A–Z 0–9 <`.
pub fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The check digit of `data` (`None` if it holds a non-MRZ character).
pub fn check_digit(data: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, c) in data.iter().enumerate() {
        sum += char_value(*c)? * WEIGHTS[i % 3];
    }
    Some(b'0' + (sum % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_specimen_check_digits() {
        // ICAO 9303 Part 3 worked example and the TD3 specimen fields.
        assert_eq!(check_digit(b"520727"), Some(b'3'));
        assert_eq!(check_digit(b"L898902C3"), Some(b'6'));
        assert_eq!(check_digit(b"740812"), Some(b'2'));
        assert_eq!(check_digit(b"120415"), Some(b'9'));
        assert_eq!(check_digit(b"ZE184226B<<<<<"), Some(b'1'));
        assert_eq!(check_digit(b"<<<<<"), Some(b'0'));
        assert_eq!(check_digit(b"abc"), None);
    }
}
