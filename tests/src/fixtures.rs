//! Realistic commands and contexts for tests.

use time::macros::date;
use veritrail_application::cases::OpenCaseRequest;
use veritrail_application::RequestContext;
use veritrail_domain::case::{
    CheckKind, CountryCode, EmailAddress, RequestedChecks, Subject, Submission,
};
use veritrail_domain::{Actor, ActorId, ActorKind, EntityId, PersonName, SubjectId, TenantId};

pub fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).expect("valid tenant")
}

pub fn ctx(tenant_name: &str, kind: ActorKind, actor: &str) -> RequestContext {
    RequestContext::new(
        tenant(tenant_name),
        Actor::new(kind, ActorId::parse(actor).expect("valid actor")),
    )
}

pub fn org(tenant_name: &str) -> RequestContext {
    ctx(tenant_name, ActorKind::Organisation, "org-client")
}

pub fn officer(tenant_name: &str) -> RequestContext {
    ctx(tenant_name, ActorKind::Officer, "vo-1")
}

pub fn individual(tenant_name: &str) -> RequestContext {
    ctx(tenant_name, ActorKind::Individual, "invitation-1")
}

pub fn open_request(subject: &str) -> OpenCaseRequest {
    OpenCaseRequest {
        subject: Subject {
            id: SubjectId::parse(subject).expect("valid subject"),
            display_name: Some(PersonName::parse("Jane Citizen").expect("valid")),
            email: None,
        },
        checks: RequestedChecks::parse(vec![CheckKind::Document, CheckKind::Liveness])
            .expect("valid checks"),
        entities: vec![EntityId::parse("company-1").expect("valid entity")],
        restart: None,
        invitation: None,
        then: Vec::new(),
    }
}

pub fn submission() -> Submission {
    Submission {
        given_names: PersonName::parse("Jane").expect("valid"),
        family_name: PersonName::parse("Citizen").expect("valid"),
        date_of_birth: date!(1988 - 02 - 29),
        nationality: Some(CountryCode::parse("AUS").expect("valid")),
        email: Some(EmailAddress::parse("jane@example.com").expect("valid")),
        // Evidence must name the case's uploads: none here.
        evidence: vec![],
        declared_income: None,
        requested_amount: None,
        liveness_challenge: None,
        phone: None,
    }
}

/// A passport of the evaluation set (clean TD3) with `face` in its
/// portrait area, and the truth of its MRZ.
pub fn passport(face: &str) -> (Vec<u8>, serde_json::Value) {
    let set = crate::mrz_eval::EvalSet::from_env();
    let item = set
        .level("none")
        .find(|t| t["format"] == "TD3")
        .expect("a TD3 passport")
        .clone();
    let mut page = image::load_from_memory(&set.image(&item))
        .expect("decode")
        .to_rgb8();
    let portrait = image::imageops::resize(
        &crate::face_eval::load(face),
        240,
        300,
        image::imageops::FilterType::Triangle,
    );
    image::imageops::overlay(&mut page, &portrait, 50, 90);
    (jpeg(&page), item)
}

pub fn jpeg(image: &image::RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Jpeg,
        )
        .expect("encode");
    bytes
}
