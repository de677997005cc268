"""Generated campaigns of realistic size: fictional Latvian names, positions and institutions.

``roster(n, rng)`` gives ``n`` specialists (ids, names of 8 to 40 characters
with every Latvian letter turning up, positions); ``campaign(...)`` a whole
campaign file as TOML-ready data, with institutions whose names run up to 150
characters.  Everything is derived from the random generator given, so a
seed gives the same campaign.
"""
from __future__ import annotations

import random
from typing import Any

FIRST_F = ("Ārija", "Baiba", "Čaba", "Dace", "Elīna", "Gunta", "Ģertrūde", "Ilze", "Īrisa", "Jūlija", "Ķirsta", "Klāra",
           "Ļuba", "Marta", "Mērija", "Ņina", "Pārsla", "Rūta", "Sandra", "Šarlote", "Solvita", "Ūna", "Vēsma", "Žaklīna",
           "Zane", "Anna", "Līga", "Inese", "Dzintra", "Laima", "Aija", "Evita", "Kristīne", "Anna Marija", "Anna Luīze")
FIRST_M = ("Jēkabs", "Žanis", "Ēvalds", "Ģirts", "Fricis", "Ģederts", "Jānis", "Kārlis", "Krišjānis", "Leons", "Māris",
           "Oskars", "Pēteris", "Šarlis", "Edgars", "Uģis", "Vilis", "Zigfrīds", "Aigars", "Andris", "Raimonds", "Ņikita",
           "Aleksandrs", "Jānis Pēteris", "Kristaps")
SURNAME = (("Ābele", "Ābele"), ("Apsītis", "Apsīte"), ("Balodis", "Balode"), ("Bērziņš", "Bērziņa"), ("Bite", "Bite"),
           ("Čakste", "Čakste"), ("Cīrulis", "Cīrule"), ("Dreimanis", "Dreimane"), ("Dzenis", "Dzene"),
           ("Eglītis", "Eglīte"), ("Freimanis", "Freimane"), ("Gailītis", "Gailīte"), ("Gulbis", "Gulbe"),
           ("Grīnbergs", "Grīnberga"), ("Ikstens", "Ikstena"), ("Jansons", "Jansone"), ("Jurēvics", "Jurēvica"),
           ("Kalniņš", "Kalniņa"), ("Kļaviņš", "Kļaviņa"), ("Krūmiņš", "Krūmiņa"), ("Laukmanis", "Laukmane"),
           ("Liepiņš", "Liepiņa"), ("Lācis", "Lāce"), ("Melnacis", "Melnace"), ("Mūrnieks", "Mūrniece"),
           ("Ozols", "Ozola"), ("Pētersons", "Pētersone"), ("Pumpurs", "Pumpure"), ("Rozītis", "Rozīte"),
           ("Saulītis", "Saulīte"), ("Siliņš", "Siliņa"), ("Skuja", "Skuja"), ("Šprogis", "Šproģe"),
           ("Strazds", "Strazda"), ("Ūdris", "Ūdre"), ("Vanags", "Vanaga"), ("Vītols", "Vītola"), ("Zariņš", "Zariņa"),
           ("Zeltiņš", "Zeltiņa"), ("Žvaigzne", "Žvaigzne"), ("Ķēniņš", "Ķēniņa"), ("Ļaviņš", "Ļaviņa"),
           ("Ņikitins", "Ņikitina"), ("Grīnvalds-Ķirsis", "Grīnvalde-Ķirse"), ("Upenieks", "Upeniece"))
POSITIONS = ("klientu apkalpošanas speciālists", "klientu apkalpošanas speciāliste", "vecākais nodokļu konsultants",
             "nodokļu konsultante", "pensiju konsultante", "pabalstu speciālists", "nodaļas vadītāja",
             "nodaļas vadītājas vietnieks", "vecākā klientu konsultante", "sociālā darbiniece",
             "klientu apkalpošanas centra vadītājs", "deklarēšanas speciāliste", "administratore", "")
INSTITUTION_PARTS = ("Valsts ieņēmumu dienesta", "Valsts sociālās apdrošināšanas aģentūras", "Nodarbinātības valsts aģentūras",
                     "Pilsonības un migrācijas lietu pārvaldes", "Valsts zemes dienesta", "Uzņēmumu reģistra",
                     "pašvaldības", "Ceļu satiksmes drošības direkcijas")
PLACES = ("Rīgā", "Kuldīgā", "Valmierā", "Jēkabpilī", "Liepājā", "Daugavpilī", "Ogrē", "Cēsīs", "Tukumā", "Rēzeknē",
          "Ventspilī", "Jūrmalā", "Siguldā", "Līvānos", "Ērgļos", "Ķekavā", "Aizkrauklē", "Gulbenē")


def name(rng: random.Random, longest: int = 40) -> str:
    """A fictional Latvian name: mostly 10-25 characters, some double names up to ``longest``."""
    for _ in range(100):
        female = rng.random() < 0.6
        first = rng.choice(FIRST_F if female else FIRST_M)
        last = rng.choice(SURNAME)[1 if female else 0]
        if rng.random() < 0.12:  # a double surname
            last = f"{last}-{rng.choice(SURNAME)[1 if female else 0]}"
        text = f"{first} {last}"
        if len(text) <= longest:
            return text
    return text[:longest]


def roster(n: int, rng: random.Random, *, prefix: str = "s", longest: int = 40, positions: bool = True) -> list[dict[str, str]]:
    """``n`` specialists (unique names), one of them as long as ``longest`` allows when n > 3."""
    seen: set[str] = set()
    out = []
    while len(out) < n:
        text = name(rng, longest)
        if len(out) == 1 and n > 3:  # the longest name a roster may have
            text = _longest(rng, longest)
        if text in seen:
            continue
        seen.add(text)
        item = {"id": f"{prefix}{len(out) + 1:03d}", "name": text}
        pos = rng.choice(POSITIONS) if positions else ""
        if pos:
            item["position"] = pos
        out.append(item)
    return out


def _longest(rng: random.Random, longest: int) -> str:
    text = "Anna Marija Grīnvalde-Ķirse-Ūdre-Žvaigzne"
    while len(text) < longest:
        text += "ņ"
    return text[:longest].rstrip("-")


def institution_name(rng: random.Random, longest: int = 150) -> str:
    """An institution's name, from a short one to ``longest`` characters."""
    if rng.random() < 0.3:
        text = f"{rng.choice(INSTITUTION_PARTS)} klientu centrs {rng.choice(PLACES)}"
    else:
        parts = rng.sample(INSTITUTION_PARTS, rng.randint(2, 3))
        text = (f"{' un '.join(parts)} kopīgais klientu apkalpošanas centrs {rng.choice(PLACES)}, "
                f"{rng.choice(('Brīvības ielā', 'Ūdeļu ielā', 'Čiekurkalna līnijā', 'Ģertrūdes ielā'))} {rng.randint(1, 120)}")
    return text if len(text) <= longest else text[:longest].rsplit(" ", 1)[0]


def campaign(institutions: list[dict[str, Any]], *, page_size: str = "a4", cid: str = "lsk-test-rosters",
             style: str = "boxes", number_above: int | None = None, write_in: bool = False,
             review: dict[str, str] | None = None) -> dict[str, Any]:
    """A campaign file's data: the demo campaign's two questions and these institutions."""
    q1: dict[str, Any] = {"id": "specialist", "type": "specialist", "style": style, "write_in": write_in,
                          "text": {"lv": "Labākais klientu apkalpošanas speciālists", "en": "Best customer-service specialist"}}
    if number_above is not None:
        q1["number_above"] = number_above
    data: dict[str, Any] = {
        "id": cid,
        "title": {"lv": "Laba servisa kustība 2026", "en": "Good Service Movement 2026"},
        "page_size": page_size,
        "demo_master_key": "0d976958f8d5667e1555a70ca966c6d877d6e448bf453fb0f0adbe5cd6d0e91c",
        "voting": {"start": "2026-09-12", "end": "2026-11-11"},
        "questions": [
            q1,
            {"id": "rating", "type": "rating", "scale": 5, "optional": True,
             "text": {"lv": "Novērtējiet iestādes klientu apkalpošanu", "en": "Rate this institution's customer service"},
             "low_label": {"lv": "ļoti slikti", "en": "very poor"}, "high_label": {"lv": "izcili", "en": "excellent"}},
        ],
        "institutions": institutions,
    }
    if review:
        data["review"] = review
    return data


def institutions(count: int, sizes: list[int], rng: random.Random) -> list[dict[str, Any]]:
    """``count`` institutions whose rosters take the given sizes in turn."""
    out = []
    for i in range(count):
        out.append({"id": f"inst-{i + 1:03d}", "name": institution_name(rng), "address": f"{rng.choice(PLACES)}",
                    "specialists": roster(sizes[i % len(sizes)], rng, prefix=f"i{i + 1:03d}-")})
    return out


def to_toml(data: dict[str, Any]) -> str:
    """The campaign data as a TOML file (the subset campaign files use)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        s = str(v).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{s}"'

    lines = []
    tables = {k: v for k, v in data.items() if isinstance(v, (list, dict)) and k not in ("title",)}
    for k, v in data.items():
        if k not in tables:
            lines.append(f"{k} = {value(v)}")
    for k in ("voting", "review"):
        if k in data:
            lines.append(f"\n[{k}]")
            lines += [f"{kk} = {value(vv)}" for kk, vv in data[k].items()]
    for q in data["questions"]:
        lines.append("\n[[questions]]")
        lines += [f"{kk} = {value(vv)}" for kk, vv in q.items()]
    for inst in data["institutions"]:
        lines.append("\n[[institutions]]")
        lines += [f"{kk} = {value(vv)}" for kk, vv in inst.items() if kk != "specialists"]
        for s in inst["specialists"]:
            lines.append("  [[institutions.specialists]]")
            lines += [f"  {kk} = {value(vv)}" for kk, vv in s.items()]
    return "\n".join(lines) + "\n"


def write_campaign(data: dict[str, Any], path) -> Any:
    """Write the campaign as a TOML file; returns the path."""
    from pathlib import Path

    path = Path(path)
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def enrolled(data: dict[str, Any], folder, institution: str | None = None):
    """A kiosk enrolled in one institution of this campaign (written to ``folder``/campaign.toml)."""
    from pathlib import Path

    from kiosk.station import Kiosk

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = write_campaign(data, folder / "campaign.toml")
    return Kiosk.enroll(institution or data["institutions"][0]["id"], root=folder / "data", campaign_path=path)
