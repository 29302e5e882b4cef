//! The demo's tenants and their people: an HR screening tenant in the United
//! Kingdom (documents and background checks, no money) and a German bank
//! lending in euros (documents, liveness, face match, income and amount).
//! Cases were opened over the last 90 days and left at every stage, so the
//! queue's ageing, the timeline and overdue action requests show something.

use veritrail_domain::case::CheckKind;

use super::tenants::DemoTenant;

/// Where a demo case is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    AwaitingData,
    InReview,
    /// In review and assigned to the tenant's officer client.
    Assigned,
    ActionRequested,
    Passed,
    Failed,
    /// Abandoned, then cancelled and opened again by an officer.
    Recreated,
}

pub struct Person {
    pub subject: &'static str,
    pub given: &'static str,
    pub family: &'static str,
    /// ISO 3166-1 alpha-3.
    pub nationality: &'static str,
    /// `YYYY-MM-DD`.
    pub born: &'static str,
    /// When the case was opened, in days before today.
    pub days_ago: i64,
    pub stage: Stage,
    /// Declared yearly income and requested amount, in the tenant's currency.
    pub money: Option<(&'static str, &'static str)>,
}

const fn hire(
    subject: &'static str,
    given: &'static str,
    family: &'static str,
    nationality: &'static str,
    born: &'static str,
    days_ago: i64,
    stage: Stage,
) -> Person {
    Person {
        subject,
        given,
        family,
        nationality,
        born,
        days_ago,
        stage,
        money: None,
    }
}

const fn borrower(person: Person, income: &'static str, amount: &'static str) -> Person {
    Person {
        money: Some((income, amount)),
        ..person
    }
}

use Stage::*;

const STAFF: &[Person] = &[
    hire(
        "EMP-2041",
        "Olivia",
        "Hughes",
        "GBR",
        "1991-03-14",
        1,
        AwaitingData,
    ),
    hire(
        "EMP-2040",
        "Arjun",
        "Patel",
        "GBR",
        "1988-11-02",
        2,
        InReview,
    ),
    hire(
        "EMP-2039",
        "Chloé",
        "Lefèvre",
        "FRA",
        "1994-07-21",
        4,
        Assigned,
    ),
    hire(
        "EMP-2038",
        "Kwame",
        "Mensah",
        "GHA",
        "1985-01-30",
        6,
        ActionRequested,
    ),
    hire(
        "EMP-2036",
        "Siobhán",
        "O'Connor",
        "IRL",
        "1990-09-09",
        12,
        Passed,
    ),
    hire(
        "EMP-2033",
        "Tomasz",
        "Kowalczyk",
        "POL",
        "1983-05-18",
        19,
        Failed,
    ),
    hire(
        "EMP-2030",
        "Emily",
        "Clarke",
        "GBR",
        "1996-12-01",
        27,
        Passed,
    ),
    hire(
        "EMP-2027",
        "Mohammed",
        "Rahman",
        "GBR",
        "1979-02-25",
        33,
        AwaitingData,
    ),
    hire(
        "EMP-2024",
        "Ana",
        "Sousa",
        "PRT",
        "1992-04-11",
        41,
        ActionRequested,
    ),
    hire(
        "EMP-2019",
        "James",
        "Whitfield",
        "GBR",
        "1987-08-08",
        52,
        Recreated,
    ),
    hire(
        "EMP-2015",
        "Ngozi",
        "Okafor",
        "NGA",
        "1993-10-17",
        63,
        Passed,
    ),
    hire(
        "EMP-2011",
        "Lucy",
        "Bennett",
        "GBR",
        "1998-06-05",
        77,
        Passed,
    ),
    hire(
        "EMP-2006",
        "Mateo",
        "Fernández",
        "ESP",
        "1989-03-27",
        88,
        Failed,
    ),
];

const BORROWERS: &[Person] = &[
    borrower(
        hire(
            "LN-88310",
            "Lena",
            "Schneider",
            "DEU",
            "1990-02-12",
            0,
            AwaitingData,
        ),
        "52000.00",
        "15000.00",
    ),
    borrower(
        hire(
            "LN-88307",
            "Jonas",
            "Weber",
            "DEU",
            "1984-06-03",
            3,
            InReview,
        ),
        "68500.00",
        "30000.00",
    ),
    borrower(
        hire(
            "LN-88301",
            "Elif",
            "Yılmaz",
            "TUR",
            "1993-09-25",
            5,
            Assigned,
        ),
        "41200.00",
        "8000.00",
    ),
    borrower(
        hire(
            "LN-88295",
            "Lukas",
            "Müller",
            "DEU",
            "1979-11-19",
            8,
            ActionRequested,
        ),
        "95000.00",
        "60000.00",
    ),
    borrower(
        hire(
            "LN-88288",
            "Sophie",
            "Bauer",
            "AUT",
            "1988-01-07",
            14,
            Passed,
        ),
        "58300.00",
        "20000.00",
    ),
    borrower(
        hire(
            "LN-88272",
            "Marco",
            "Rossi",
            "ITA",
            "1982-04-30",
            22,
            Failed,
        ),
        "36000.00",
        "45000.00",
    ),
    borrower(
        hire(
            "LN-88260",
            "Hanna",
            "Fischer",
            "DEU",
            "1995-08-16",
            30,
            Passed,
        ),
        "47800.00",
        "12500.00",
    ),
    borrower(
        hire(
            "LN-88241",
            "Pieter",
            "de Vries",
            "NLD",
            "1986-12-22",
            45,
            Passed,
        ),
        "73100.00",
        "25000.00",
    ),
    borrower(
        hire(
            "LN-88230",
            "Katarzyna",
            "Nowak",
            "POL",
            "1991-07-09",
            58,
            ActionRequested,
        ),
        "39900.00",
        "10000.00",
    ),
    borrower(
        hire(
            "LN-88217",
            "Felix",
            "Hoffmann",
            "DEU",
            "1977-03-03",
            69,
            Passed,
        ),
        "88000.00",
        "50000.00",
    ),
    borrower(
        hire(
            "LN-88203",
            "Amira",
            "Haddad",
            "DEU",
            "1994-10-28",
            84,
            Failed,
        ),
        "31500.00",
        "35000.00",
    ),
];

pub const TENANTS: [DemoTenant; 2] = [
    DemoTenant {
        id: "acme-hr",
        name: "Acme Staffing Ltd",
        country: "GBR",
        support_email: "people-ops@acme-staffing.example",
        plan: "pro",
        checks: [
            CheckKind::Document,
            CheckKind::ProfessionalRegistration,
            CheckKind::WorkingWithChildren,
        ],
        currency: None,
        failure: (
            CheckKind::ProfessionalRegistration,
            "the registration number is not on the professional register",
        ),
        entity: "acme-care-homes",
        people: STAFF,
    },
    DemoTenant {
        id: "northwind-bank",
        name: "Northwind Bank AG",
        country: "DEU",
        support_email: "kyc@northwind-bank.example",
        plan: "enterprise",
        checks: [
            CheckKind::Document,
            CheckKind::Liveness,
            CheckKind::FaceMatch,
        ],
        currency: Some("EUR"),
        failure: (
            CheckKind::FaceMatch,
            "the selfie does not match the document portrait (similarity 0.31 < 0.50)",
        ),
        entity: "consumer-loans",
        people: BORROWERS,
    },
];
