//! Uploads: recorded by id, digests and sizes; bounded per case.

use super::*;

#[test]
fn an_upload_is_recorded_once_and_uploads_are_bounded() {
    let mut case = replay(&[opened()]);
    let events = case
        .decide(cmd(CaseAction::AttachEvidence(stored_media(1))), T0)
        .expect("uploaded");
    assert_eq!(
        events,
        [CaseEvent::EvidenceUploaded {
            media: stored_media(1)
        }]
    );
    case.apply(events[0].clone());
    assert_eq!(case.opened().map(|c| c.media.len()), Some(1));
    assert_eq!(
        case.decide(cmd(CaseAction::AttachEvidence(stored_media(1))), T0),
        Err(CaseError::MediaExists {
            media_id: stored_media(1).media_id
        })
    );
    for n in 2..=MAX_UPLOADS_PER_CASE as u128 {
        case.apply(CaseEvent::EvidenceUploaded {
            media: stored_media(n),
        });
    }
    assert_eq!(
        case.decide(cmd(CaseAction::AttachEvidence(stored_media(999))), T0),
        Err(CaseError::TooManyUploads {
            limit: MAX_UPLOADS_PER_CASE
        })
    );
}
