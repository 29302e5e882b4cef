"""An MRZ evaluation set that is not our own mirror (issue 15, item 4).

Independent of `mrz_eval_set.py` and of the reader: the MRZ text comes from
the `mrz` package (PyPI, an ICAO 9303 generator we do not use anywhere
else), the pictures are composed with OpenCV as phone photos of documents
lying on a surface — perspective, uneven light and shadows, vignetting,
defocus, textured backgrounds, passport booklets with their facing page,
ID-card backs, small characters, JPEG 35–70, 1000–2000 px — and document
numbers draw on the full character set (O, I, Q included).

Each picture has one named condition; `sharp` is the easy one, every other
is `hard`. Writes the images and `truth.json` (lines, fields, condition,
parameters, character height in pixels).

    pip install pillow numpy opencv-python-headless mrz
    python3 scripts/gen/photo_eval_set.py --out DIR --per-condition 12 --seed 11
"""
import argparse
import datetime as dt
import json
import math
import pathlib
import random

import cv2
import numpy as np
from mrz.base.errors import LengthError
from mrz.generator.td1 import TD1CodeGenerator
from mrz.generator.td2 import TD2CodeGenerator
from mrz.generator.td3 import TD3CodeGenerator
from PIL import Image, ImageDraw, ImageFont

OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

CONDITIONS = ["sharp", "perspective", "shadow", "vignette", "defocus", "texture",
              "booklet", "card_back", "small", "jpeg_low"]
COUNTRIES = ["NLD", "BEL", "ITA", "POL", "SWE", "NOR", "FIN", "PRT", "GRC", "CZE", "AUT", "CHE",
             "CAN", "MEX", "ARG", "CHL", "JPN", "KOR", "IND", "PAK", "EGY", "KEN", "ZAF", "MAR",
             "UKR", "ROU", "HUN", "ISL", "NZL", "SGP", "PHL", "VNM", "THA", "IDN", "COL", "PER"]
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "to", "vel", "dra", "qu", "ix", "ol", "an", "be",
             "cor", "dú", "fé", "gi", "há", "jo", "ny", "ø", "ps", "ri", "ss", "ta", "ul", "wy", "zé"]
# Letters only where ICAO allows them; O, I and Q are frequent on purpose:
# they are what OCR confuses with 0 and 1.
NUMBER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789OIQ01"


def name(rng, words, syllables):
    out = []
    for _ in range(words):
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables)))
        out.append(word.capitalize())
    return " ".join(out)


def document(rng, today, fmt):
    # The generator does not truncate names (ICAO 9303 part 3, 4.6): draw
    # again until they fit the format's name field.
    while True:
        try:
            return draw_document(rng, today, fmt)
        except LengthError:
            continue


def draw_document(rng, today, fmt):
    birth = today - dt.timedelta(days=rng.randint(18 * 365, 88 * 365))
    # About one in twenty has expired: an exact reading must not pass then either.
    expired = rng.random() < 0.05
    expiry = today + dt.timedelta(days=rng.randint(-900, -10) if expired else rng.randint(20, 3650))
    issuer = rng.choice(COUNTRIES)
    nationality = issuer if rng.random() < 0.8 else rng.choice(COUNTRIES)
    surname = name(rng, rng.choice([1, 1, 1, 2, 3]), (1, 4))
    given = name(rng, rng.choice([1, 2, 2, 3]), (1, 3))
    number = "".join(rng.choice(NUMBER_ALPHABET) for _ in range(9))
    sex = rng.choice("MFX")
    args = dict(birth_date=birth.strftime("%y%m%d"), sex=sex, expiry_date=expiry.strftime("%y%m%d"))
    if fmt == "TD3":
        personal = "".join(rng.choice("0123456789ABCDEFGHJK") for _ in range(rng.choice([0, 0, 8, 14])))
        code = TD3CodeGenerator("P", issuer, surname, given, number, nationality, optional_data=personal,
                                **args)
    elif fmt == "TD2":
        code = TD2CodeGenerator(rng.choice(["I", "ID", "A"]), issuer, surname, given, number, nationality,
                                **args)
    else:
        optional = "".join(rng.choice("0123456789") for _ in range(rng.choice([0, 6, 11])))
        code = TD1CodeGenerator(rng.choice(["I", "ID", "IR", "C"]), issuer, number, nationality=nationality,
                                surname=surname, given_names=given, optional_data2=optional, **args)
    lines = str(code).split("\n")
    return {"format": fmt, "lines": lines, "surname": surname, "given_names": given, "number": number,
            "issuer": issuer, "nationality": nationality, "birth": birth.isoformat(),
            "expiry": expiry.isoformat(), "sex": sex, "expired": expired}


def guilloche(draw, rng, box, colour):
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2 + rng.uniform(-80, 80), (y0 + y1) / 2 + rng.uniform(-40, 40)
    for k in range(rng.randint(10, 18)):
        radius = 60 + 22 * k
        points = []
        for t in range(0, 721):
            a = math.radians(t / 2)
            r = radius + 14 * math.sin(7 * a + k)
            points.append((cx + r * math.cos(a) * 1.6, cy + r * math.sin(a)))
        draw.line(points, fill=colour, width=1)


def card(rng, doc, back):
    """The document as printed, at about 12 px per mm, and the MRZ's height in px.
    A TD1 card carries its MRZ on the back."""
    fmt = doc["format"]
    back = back or fmt == "TD1"
    size = {"TD3": (1500, 1060), "TD2": (1260, 890), "TD1": (1030, 650)}[fmt]
    tint = tuple(rng.randint(214, 246) for _ in range(3))
    page = Image.new("RGB", size, tint)
    draw = ImageDraw.Draw(page)
    guilloche(draw, rng, (0, 0, size[0], size[1]), tuple(max(c - rng.randint(18, 40), 0) for c in tint))
    serif = ImageFont.truetype(SERIF, 26)
    bold = ImageFont.truetype(SANS_BOLD, 34)
    if back:
        # An ID card's back: barcode, address and issuing authority above the MRZ.
        x = 60
        while x < size[0] - 300:
            w = rng.choice([3, 3, 6, 9])
            draw.rectangle([x, 60, x + w, 210], fill=(25, 25, 25))
            x += w + rng.choice([3, 6, 9])
        for i, text in enumerate(["ADDRESS / ADRESSE", f"{rng.randint(1, 200)} {name(rng, 2, (2, 3)).upper()}",
                                  "AUTHORITY " + name(rng, 1, (3, 4)).upper()]):
            draw.text((60, 240 + 40 * i), text, font=serif, fill=(40, 40, 60))
    else:
        title = {"TD3": "PASSPORT · PASSEPORT", "TD2": "IDENTITY CARD", "TD1": "IDENTITY CARD"}[fmt]
        draw.text((60, 40), title, font=bold, fill=(30, 40, 100))
        px, py = 60, 110
        draw.rectangle([px, py, px + 300, py + 380], fill=(188, 192, 198))
        draw.ellipse([px + 80, py + 60, px + 220, py + 240], fill=(196, 160, 130))
        draw.ellipse([px + 40, py + 250, px + 260, py + 440], fill=(50, 60, 80))
        fields = [("Surname", doc["surname"]), ("Given names", doc["given_names"]),
                  ("Nationality", doc["nationality"]), ("Date of birth", doc["birth"]),
                  ("Sex", doc["sex"]), ("Date of expiry", doc["expiry"]), ("No.", doc["number"])]
        for i, (label, value) in enumerate(fields[: 5 if fmt == "TD1" else 7]):
            draw.text((400, 110 + 56 * i), f"{label}: {value}", font=serif, fill=(30, 30, 40))
    # The MRZ: OCR-B spanning about 88 % of the width, at the bottom.
    lines = doc["lines"]
    font_size = 60
    ocrb = ImageFont.truetype(OCRB, font_size)
    while draw.textlength(lines[0], font=ocrb) > 0.88 * size[0]:
        font_size -= 1
        ocrb = ImageFont.truetype(OCRB, font_size)
    pitch = int(font_size * 1.42)
    left = int((size[0] - draw.textlength(lines[0], font=ocrb)) / 2)
    top = size[1] - 36 - pitch * len(lines)
    ink = tuple(rng.randint(5, 40) for _ in range(3))
    for i, line in enumerate(lines):
        draw.text((left, top + i * pitch), line, font=ocrb, fill=ink)
    char_height = ocrb.getbbox("H")[3] - ocrb.getbbox("H")[1]
    return np.array(page)[:, :, ::-1].copy(), char_height


def facing_page(rng, width, height):
    """A passport booklet's facing page: a visa-like page with print."""
    page = Image.new("RGB", (width, height), tuple(rng.randint(222, 248) for _ in range(3)))
    draw = ImageDraw.Draw(page)
    guilloche(draw, rng, (0, 0, width, height), (200, 190, 210))
    serif = ImageFont.truetype(SERIF, 30)
    for i in range(rng.randint(4, 9)):
        draw.text((80, 80 + 70 * i), " ".join(name(rng, 1, (2, 4)).upper() for _ in range(4)),
                  font=serif, fill=(70, 60, 90))
    return np.array(page)[:, :, ::-1].copy()


def background(rng, w, h, kind):
    if kind == "wood":
        y = np.arange(h)[:, None]
        x = np.arange(w)[None, :]
        grain = np.sin(x / rng.uniform(6, 14) + 3 * np.sin(y / rng.uniform(40, 90))) * 0.5 + 0.5
        base = np.array([rng.randint(60, 110), rng.randint(90, 140), rng.randint(130, 190)], np.float32)
        img = base[None, None, :] * (0.75 + 0.35 * grain[:, :, None])
    elif kind == "fabric":
        noise = np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, 1, (h // 3 + 1, w // 3 + 1))
        weave = cv2.resize(noise, (w, h), interpolation=cv2.INTER_NEAREST)
        hatch = (np.indices((h, w)).sum(axis=0) % 6 < 3).astype(np.float32)
        base = np.array([rng.randint(40, 200) for _ in range(3)], np.float32)
        img = base[None, None, :] * (0.8 + 0.08 * weave[:, :, None] + 0.12 * hatch[:, :, None])
    elif kind == "dark":
        img = np.full((h, w, 3), rng.randint(20, 60), np.float32)
    else:
        img = np.full((h, w, 3), rng.randint(150, 235), np.float32)
    return img


def place(rng, doc_img, canvas, condition, char_height):
    """Warps the document onto the canvas; returns the photo and parameters."""
    ch, cw = canvas.shape[:2]
    dh, dw = doc_img.shape[:2]
    if condition == "small":
        # Characters 14-17 px high in the photo.
        target = rng.uniform(14, 17)
        scale = target / char_height
    else:
        fraction = rng.uniform(0.55, 0.92)
        scale = min(fraction * cw / dw, 0.95 * ch / dh)
    angle = math.radians(rng.uniform(-4, 4) if condition == "sharp" else rng.uniform(-12, 12))
    jitter = rng.uniform(0.07, 0.13) if condition == "perspective" else (
        0.01 if condition == "sharp" else rng.uniform(0.0, 0.04))
    w, h = dw * scale, dh * scale
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    corners += np.array([[rng.uniform(-jitter, jitter) * w, rng.uniform(-jitter, jitter) * h]
                         for _ in range(4)])
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    corners = corners @ rot.T
    span = corners.max(axis=0) - corners.min(axis=0)
    # A booklet (two pages, twice a card's height) turned by up to 12° would
    # run off the canvas and cut its MRZ: it is shrunk to fit the photo.
    fit = min(1.0, 0.98 * cw / span[0], 0.98 * ch / span[1])
    if condition == "booklet" and fit < 1.0:
        corners *= fit
        span *= fit
        scale *= fit
    cx = rng.uniform(span[0] / 2, max(cw - span[0] / 2, span[0] / 2 + 1))
    cy = rng.uniform(span[1] / 2, max(ch - span[1] / 2, span[1] / 2 + 1))
    corners += np.array([cx, cy]) - (corners.max(axis=0) + corners.min(axis=0)) / 2
    src = np.float32([[0, 0], [dw, 0], [dw, dh], [0, dh]])
    matrix = cv2.getPerspectiveTransform(src, np.float32(corners))
    warped = cv2.warpPerspective(doc_img, matrix, (cw, ch), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((dh, dw), 255, np.uint8), matrix, (cw, ch))
    # A soft drop shadow under the document.
    shadow = cv2.GaussianBlur(mask, (0, 0), 6).astype(np.float32) / 255
    out = canvas * (1 - 0.35 * shadow[:, :, None])
    alpha = mask.astype(np.float32)[:, :, None] / 255
    out = out * (1 - alpha) + warped.astype(np.float32) * alpha
    return out, {"angle_deg": round(math.degrees(angle), 2), "corner_jitter": round(jitter, 3),
                 "scale": round(scale, 3), "char_height_px": round(char_height * scale, 1)}


def light(rng, img, condition, params):
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    # Every photo gets some uneven light; the conditions get more.
    a = rng.uniform(0, 2 * math.pi)
    ramp = (math.cos(a) * x / w + math.sin(a) * y / h)
    ramp = (ramp - ramp.min()) / max(ramp.max() - ramp.min(), 1e-6)
    low = rng.uniform(0.55, 0.75) if condition == "shadow" else rng.uniform(0.85, 1.0)
    gain = low + (1 - low) * ramp
    if condition == "shadow":
        # A hand's or a phone's shadow: a soft polygon across part of the frame.
        poly = np.array([[rng.uniform(0, w), rng.uniform(0, h)] for _ in range(5)], np.int32)
        mask = np.zeros((h, w), np.float32)
        cv2.fillPoly(mask, [poly], 1.0)
        mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(8, 30))
        depth = rng.uniform(0.35, 0.6)
        gain = gain * (1 - depth * mask)
        params["shadow_depth"] = round(depth, 2)
    if condition == "vignette":
        r = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2) / math.sqrt(2)
        strength = rng.uniform(0.45, 0.65)
        gain = gain * (1 - strength * r ** 2)
        params["vignette"] = round(strength, 2)
        img = img * np.array([0.9, 1.0, 1.08], np.float32)  # warm indoor light (BGR)
    params["light_low"] = round(low, 2)
    return img * gain[:, :, None]


def optics(rng, img, condition, params):
    if condition == "defocus":
        radius = rng.uniform(1.4, 2.4)
        size = int(2 * math.ceil(radius) + 1)
        kernel = np.zeros((size, size), np.float32)
        cv2.circle(kernel, (size // 2, size // 2), int(round(radius)), 1.0, -1)
        img = cv2.filter2D(img, -1, kernel / kernel.sum())
        params["defocus_radius"] = round(radius, 2)
    else:
        sigma = rng.uniform(0.4, 0.9)
        img = cv2.GaussianBlur(img, (0, 0), sigma)
        params["blur_sigma"] = round(sigma, 2)
    noise = np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, rng.uniform(2, 6), img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def photo(rng, doc, condition):
    params = {}
    long_side = rng.randint(1000, 2000)
    cw, ch = (long_side, int(long_side * 0.75)) if rng.random() < 0.7 else (int(long_side * 0.75), long_side)
    kind = rng.choice(["wood", "fabric", "dark"]) if condition == "texture" else rng.choice(
        ["plain", "plain", "dark", "wood"])
    params["background"] = kind
    canvas = background(rng, cw, ch, kind)
    img, char_height = card(rng, doc, back=condition == "card_back")
    if condition == "booklet":
        # The data page is the booklet's lower page; the facing page lies above it.
        above = facing_page(rng, img.shape[1], img.shape[0])
        fold = np.linspace(0.55, 1.0, 40, dtype=np.float32)[:, None, None]
        above[-40:] = (above[-40:] * fold[::-1]).astype(np.uint8)
        img = np.vstack([above, img])
    warped, placed = place(rng, img, canvas, condition, char_height)
    params.update(placed)
    lit = light(rng, warped, condition, params)
    final = optics(rng, lit, condition, params)
    quality = rng.randint(35, 45) if condition == "jpeg_low" else rng.randint(46, 70)
    params["jpeg_quality"] = quality
    params["size"] = [cw, ch]
    ok, encoded = cv2.imencode(".jpg", final, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return encoded.tobytes(), params


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-condition", type=int, default=12)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--today", default="2026-11-22")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    today = dt.date.fromisoformat(args.today)
    out = pathlib.Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    truth = []
    for condition in CONDITIONS:
        for n in range(args.per_condition):
            if condition == "booklet":
                fmt = "TD3"
            elif condition == "card_back":
                fmt = "TD1"
            else:
                fmt = rng.choice(["TD3", "TD3", "TD1", "TD1", "TD2"])
            doc = document(rng, today, fmt)
            data, params = photo(rng, doc, condition)
            file = f"{condition}-{n:03d}.jpg"
            (out / file).write_bytes(data)
            truth.append({"file": file, "level": condition, "hard": condition != "sharp",
                          "format": fmt, "lines": doc["lines"], "expired": doc["expired"],
                          "degradations": params,
                          "fields": {k: doc[k] for k in ("surname", "given_names", "number", "issuer",
                                                         "nationality", "birth", "expiry", "sex")}})
    (out / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False))
    print(f"wrote {len(truth)} photos to {out}")


if __name__ == "__main__":
    main()
