"""Generates the MRZ evaluation set (issue: document checks, item 5).

Renders passport (TD3) data pages and ID-card (TD1) backs with the OCR-B font
(Debian `fonts-ocr-b`), printed fields, a portrait area and varied names
(long, hyphenated, transliterated), then degrades copies (rotation,
perspective, blur, noise, JPEG, glare, low resolution). Writes images and
`truth.json` (MRZ lines, fields, MRZ bounding box, degradations applied).

    pip install pillow
    python3 scripts/gen/mrz_eval_set.py --out ~/.cache/veritrail/eval/mrz --count 200 --seed 7
"""
import argparse
import datetime as dt
import io
import json
import math
import pathlib
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

SURNAMES = ["Eriksson", "Dubois-Martin", "Müller-Lüdenscheidt", "Nguyễn", "O'Connor", "Ólafsdóttir",
            "Kierkegaard", "García López", "Wołodymyr", "Zhang", "Adeyemi", "Van der Berg",
            "Wolfeschlegelsteinhausenbergerdorff", "Ó Briain", "Çelik", "Søndergaard"]
GIVEN = ["Anna Maria", "Jean-Luc", "Søren", "María José", "Oluwaseun", "Wei", "Zoë", "Łukasz",
         "Björn", "Chloé", "Ngozi", "Mohammed Ali", "Ana-Sofía Valentina"]
COUNTRIES = ["FRA", "DEU", "AUS", "USA", "NGA", "CHN", "DNK", "ESP", "GBR", "IRL", "TUR", "BRA"]

TRANSLIT = {"Á": "A", "À": "A", "Â": "A", "Ã": "A", "Ä": "AE", "Å": "AA", "Æ": "AE", "Ç": "C",
            "É": "E", "È": "E", "Ê": "E", "Ë": "E", "Í": "I", "Ì": "I", "Î": "I", "Ï": "I",
            "Ñ": "N", "Ó": "O", "Ò": "O", "Ô": "O", "Õ": "O", "Ö": "OE", "Ø": "OE", "Ú": "U",
            "Ù": "U", "Û": "U", "Ü": "UE", "Ý": "Y", "Ł": "L", "Ś": "S", "Ş": "S", "Ž": "Z",
            "Ễ": "E", "Ư": "U", "Ơ": "O", "Ð": "D", "Þ": "TH", "ß": "SS"}


def mrz_name(text: str) -> str:
    out = []
    for ch in text.upper():
        if ch in TRANSLIT:
            out.append(TRANSLIT[ch])
        elif "A" <= ch <= "Z":
            out.append(ch)
        elif ch in " -'":
            out.append("<")
    return "".join(out).strip("<")


def check_digit(data: str) -> str:
    weights = (7, 3, 1)
    total = 0
    for i, ch in enumerate(data):
        value = 0 if ch == "<" else int(ch) if ch.isdigit() else ord(ch) - 55
        total += value * weights[i % 3]
    return str(total % 10)


def pad(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def yymmdd(d: dt.date) -> str:
    return d.strftime("%y%m%d")


def name_field(surname: str, given: str, width: int) -> str:
    return pad(mrz_name(surname) + "<<" + mrz_name(given).replace(" ", "<"), width)


def td3(doc: dict) -> list:
    number = pad(doc["number"], 9)
    line2 = (number + check_digit(number) + doc["nationality"] + yymmdd(doc["birth"])
             + check_digit(yymmdd(doc["birth"])) + doc["sex"] + yymmdd(doc["expiry"])
             + check_digit(yymmdd(doc["expiry"])))
    optional = pad(doc["personal"], 14)
    line2 += optional + check_digit(optional)
    line2 += check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    line1 = "P<" + doc["issuer"] + name_field(doc["surname"], doc["given"], 39)
    return [line1, line2]


def td1(doc: dict) -> list:
    number = pad(doc["number"], 9)
    line1 = "ID" + doc["issuer"] + number + check_digit(number) + pad("", 15)
    line2 = (yymmdd(doc["birth"]) + check_digit(yymmdd(doc["birth"])) + doc["sex"]
             + yymmdd(doc["expiry"]) + check_digit(yymmdd(doc["expiry"])) + doc["nationality"] + pad("", 11))
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    line3 = name_field(doc["surname"], doc["given"], 30)
    return [line1, line2, line3]


def random_doc(rng: random.Random, today: dt.date) -> dict:
    birth = today - dt.timedelta(days=rng.randint(18 * 365, 85 * 365))
    expiry = today + dt.timedelta(days=rng.randint(30, 3650))
    country = rng.choice(COUNTRIES)
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    return {
        "format": rng.choice(["TD3", "TD3", "TD1"]),
        "surname": rng.choice(SURNAMES),
        "given": rng.choice(GIVEN),
        "number": "".join(rng.choice(alphabet) for _ in range(9)),
        "issuer": country,
        "nationality": country,
        "birth": birth,
        "expiry": expiry,
        "sex": rng.choice("MF"),
        "personal": "".join(rng.choice("0123456789") for _ in range(rng.choice([0, 9, 14]))),
    }


def render(doc: dict, lines: list):
    td1_doc = doc["format"] == "TD1"
    width, height = (1012, 638) if td1_doc else (1250, 880)
    page = Image.new("RGB", (width, height), (236, 232, 222))
    draw = ImageDraw.Draw(page)
    sans = ImageFont.truetype(SANS, 26)
    small = ImageFont.truetype(SANS, 18)
    draw.text((40, 30), "IDENTITY CARD" if td1_doc else "PASSPORT", font=sans, fill=(40, 40, 90))
    # Portrait area: a face-like shape on a plain background.
    px, py = 50, 90
    draw.rectangle([px, py, px + 240, py + 300], fill=(200, 205, 210))
    draw.ellipse([px + 60, py + 50, px + 180, py + 200], fill=(205, 170, 140))
    draw.ellipse([px + 30, py + 200, px + 210, py + 360], fill=(60, 70, 90))
    fields = [("Surname", doc["surname"]), ("Given names", doc["given"]),
              ("Nationality", doc["nationality"]), ("Date of birth", doc["birth"].strftime("%d %b %Y")),
              ("Sex", doc["sex"]), ("Date of expiry", doc["expiry"].strftime("%d %b %Y")),
              ("Document no.", doc["number"])]
    for i, (label, value) in enumerate(fields):
        y = 90 + i * 48
        draw.text((330, y), label, font=small, fill=(90, 90, 90))
        draw.text((330, y + 18), value, font=sans, fill=(20, 20, 20))
    ocrb = ImageFont.truetype(OCRB, 34 if td1_doc else 30)
    line_height = 46 if td1_doc else 44
    top = height - 40 - line_height * len(lines)
    left = 30
    for i, line in enumerate(lines):
        draw.text((left, top + i * line_height), line, font=ocrb, fill=(15, 15, 15))
    right = left + max(draw.textlength(line, font=ocrb) for line in lines)
    box = [left, top, int(right), top + line_height * len(lines)]
    return page, box


def degrade(page: Image.Image, rng: random.Random, level: str):
    applied = {}
    if level == "none":
        return page, applied
    if rng.random() < 0.5:
        glare = Image.new("L", page.size, 0)
        g = ImageDraw.Draw(glare)
        cx, cy, r = rng.randint(0, page.width), rng.randint(0, page.height // 2), rng.randint(80, 220)
        for k in range(r, 0, -8):
            g.ellipse([cx - k, cy - k, cx + k, cy + k], fill=int(150 * (1 - k / r)))
        page = Image.composite(Image.new("RGB", page.size, (255, 255, 255)), page, glare)
        applied["glare"] = [cx, cy, r]
    angle = rng.uniform(-15, 15) if level == "full" else rng.uniform(-3, 3)
    page = page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(90, 90, 90))
    applied["rotation_deg"] = round(angle, 2)
    if level == "full" and rng.random() < 0.5:
        shear = rng.uniform(-0.05, 0.05)
        page = page.transform(page.size, Image.AFFINE, (1, shear, -shear * page.height / 2, 0, 1, 0),
                              resample=Image.BICUBIC, fillcolor=(90, 90, 90))
        applied["shear"] = round(shear, 3)
    radius = rng.uniform(0.3, 1.4)
    page = page.filter(ImageFilter.GaussianBlur(radius))
    applied["blur_radius"] = round(radius, 2)
    if rng.random() < 0.5:
        scale = rng.uniform(0.55, 0.8)
        page = page.resize((int(page.width * scale), int(page.height * scale)), Image.BILINEAR)
        applied["scale"] = round(scale, 2)
    sigma = rng.uniform(2, 10)
    noise = Image.effect_noise(page.size, sigma).convert("RGB")
    page = Image.blend(page, noise, 0.12)
    applied["noise_sigma"] = round(sigma, 1)
    quality = rng.randint(40, 85)
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=quality)
    applied["jpeg_quality"] = quality
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), applied


def render_licence(doc: dict, rng: random.Random):
    """An EU-style driving licence front (numbered fields, Directive 2006/126/EC)."""
    width, height = 1012, 638
    page = Image.new("RGB", (width, height), (238, 224, 228))
    draw = ImageDraw.Draw(page)
    title = ImageFont.truetype(SANS, 34)
    draw.rectangle([0, 0, 110, height], fill=(30, 60, 150))
    draw.text((30, 40), doc["issuer"][:2], font=title, fill=(250, 250, 250))
    draw.text((140, 24), "DRIVING LICENCE", font=title, fill=(60, 40, 90))
    px, py = 140, 110
    draw.rectangle([px, py, px + 230, py + 290], fill=(200, 205, 210))
    draw.ellipse([px + 55, py + 45, px + 175, py + 195], fill=(205, 170, 140))
    fmt = "%d.%m.%Y"
    fields = [
        ("1.", doc["surname"].upper()),
        ("2.", doc["given"]),
        ("3.", doc["birth"].strftime(fmt) + " " + rng.choice(["BERLIN", "LYON", "CORK", "MADRID"])),
        ("4a.", doc["issued"].strftime(fmt) + "   4c. " + rng.choice(["DVLA", "LANDRATSAMT", "PREFECTURE"])),
        ("4b.", doc["expiry"].strftime(fmt)),
        ("5.", doc["number"]),
        ("9.", rng.choice(["AM/B", "AM/A1/B/BE", "B"])),
    ]
    for i, (label, value) in enumerate(fields):
        text, size = f"{label} {value}", 30
        while draw.textlength(text, font=ImageFont.truetype(SANS, size)) > width - 430:
            size -= 2
        draw.text((400, 110 + i * 62), text, font=ImageFont.truetype(SANS, size), fill=(20, 20, 30))
    return page


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", default="2026-11-22")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    today = dt.date.fromisoformat(args.today)
    out = pathlib.Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    truth = []
    for n in range(args.count):
        doc = random_doc(rng, today)
        lines = td1(doc) if doc["format"] == "TD1" else td3(doc)
        page, box = render(doc, lines)
        for level in ("none", "mild", "full"):
            image, applied = degrade(page, rng, level)
            name = f"{n:04d}-{level}.{'png' if level == 'none' else 'jpg'}"
            image.save(out / name)
            truth.append({
                "file": name, "level": level, "format": doc["format"], "lines": lines,
                "mrz_box": box if level == "none" else None, "degradations": applied,
                "fields": {"surname": doc["surname"], "given_names": doc["given"],
                           "document_number": doc["number"], "nationality": doc["nationality"],
                           "birth_date": doc["birth"].isoformat(), "expiry_date": doc["expiry"].isoformat(),
                           "sex": doc["sex"]},
            })
    # Driving licences (no MRZ: printed-zone reading), from their own random
    # stream so the MRZ documents above stay the same.
    licence_rng = random.Random(args.seed + 1000)
    for n in range(max(args.count // 5, 4)):
        doc = random_doc(licence_rng, today)
        doc["issued"] = doc["expiry"] - dt.timedelta(days=3650)
        doc["number"] = "".join(licence_rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(11))
        image, applied = degrade(render_licence(doc, licence_rng), licence_rng, "mild")
        name = f"{n:04d}-licence.jpg"
        image.save(out / name)
        truth.append({
            "file": name, "level": "licence", "format": "DL", "lines": [], "mrz_box": None,
            "degradations": applied,
            "fields": {"surname": doc["surname"].upper(), "given_names": doc["given"],
                       "document_number": doc["number"], "birth_date": doc["birth"].isoformat(),
                       "issue_date": doc["issued"].isoformat(), "expiry_date": doc["expiry"].isoformat()},
        })
    (out / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False))
    print(f"wrote {len(truth)} images to {out}")


if __name__ == "__main__":
    main()
