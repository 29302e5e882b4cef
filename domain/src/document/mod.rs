//! Document validation (CHK-3): the MRZ's own checks plus its coherence with
//! the printed (visual inspection) zone, as pure code.

mod transliterate;
mod validate;

pub use transliterate::to_mrz_name;
pub use validate::{validate, CheckStatus, DocumentCheck, DocumentValidation, PrintedFields};
