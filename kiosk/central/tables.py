"""The tally's results as tables: the CSV file and the XLSX workbook.

``tables(result, lang)`` gives the tables (a title, a header and rows of plain values:
numbers stay numbers); ``write_xlsx(result, path, lang)`` writes one sheet per table with
its header row frozen; ``write_csv(result, path)`` writes the one-table CSV of ``kiosk
central tally --csv`` (a ``section`` column tells the tables apart).  Both are written from
the same ``TallyResult`` as its JSON, so every figure is the same in all three.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import KioskError
from .tally import TallyResult, rule_text


@dataclass(frozen=True)
class Table:
    name: str  # the sheet's name (at most 31 characters)
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


HEADERS = {
    "specialists": (("Speciālisti", "Specialists"),
                    (("Vieta", "Place"), ("Uzvarētājs", "Winner"), ("Speciālists", "Specialist"), ("ID", "ID"),
                     ("Iestāde", "Institution"), ("Iestādes ID", "Institution ID"), ("Papīra balsis", "Paper votes"),
                     ("Tiešsaistes balsis", "Online votes"), ("Kopā", "Total"))),
    "institutions": (("Iestādes", "Institutions"),
                     (("Vieta", "Place"), ("Uzvarētāja", "Winner"), ("Iestāde", "Institution"), ("ID", "ID"),
                      ("Rezultāts pēc noteikumiem", "Score by the rule"), ("Pozitīvi vērtējumi", "Positive ratings"),
                      ("Tiešsaistes balsis", "Online votes"), ("Vērtējumi", "Ratings"),
                      ("Biļeteni ar vērtējumu", "Ballots with a rating"), ("Vidējais vērtējums", "Mean rating"),
                      ("Ieskaitīti biļeteni", "Ballots counted"))),
    "integrity": (("Integritāte", "Integrity"),
                  (("Iestāde", "Institution"), ("ID", "ID"), ("Kioski", "Kiosks"), ("Partijas", "Batches"),
                   ("Izsniegti", "Issued"), ("Atgriezti", "Returned"), ("Ieskaitīti", "Counted"),
                   ("Noraidīti", "Rejected"), ("Dublikāti", "Duplicates"), ("Pretrunas", "Conflicts"),
                   ("Pārbaudē", "In review"), ("Cilvēka lemti", "Decided by a person"),
                   ("Pārbaudes daļa", "Review share"), ("Atgriešanas līmenis", "Return rate"),
                   ("Balsis par speciālistiem", "Votes for specialists"), ("Balsis uz speciālistu", "Votes per specialist"),
                   ("Populārākā speciālista daļa", "Top specialist's share"),
                   ("Trūkstošas partijas", "Missing batches"), ("Ievērībai", "Look here"))),
    "excluded": (("Izslēgtās partijas", "Excluded batches"),
                 (("Fails", "File"), ("Kiosks", "Kiosk"), ("Partija", "Batch"), ("Iemesls", "Reason"),
                  ("Paskaidrojums", "Explanation"))),
    "conflicts": (("Pretrunas", "Conflicts"),
                  (("Numurs", "Serial"), ("Veids", "Kind"), ("Kiosks", "Kiosk"), ("Partija", "Batch"),
                   ("Kopija", "Copy"), ("Lēmums", "Decision"))),
    "rules": (("Noteikumi", "Rules"), (("Noteikums", "Rule"), ("Vērtība", "Value"))),
}


def _head(key: str, lang: str | None) -> tuple[str, tuple[str, ...]]:
    (lv, en), cols = HEADERS[key]
    pick = 1 if lang == "en" else 0
    return (lv, en)[pick], tuple(c[pick] for c in cols)


def tables(result: TallyResult, lang: str | None = None) -> list[Table]:
    """Every table of the result, in the report's order."""
    out: list[Table] = []
    name, head = _head("specialists", lang)
    out.append(Table(name, head, tuple(
        (s.rank, int(s.winner), s.name, s.id, s.institution, s.institution_id, s.paper, s.online, s.votes)
        for s in result.specialists)))
    name, head = _head("institutions", lang)
    out.append(Table(name, head, tuple(
        (i.rank, int(i.winner), i.name, i.id, i.score, i.positive, i.online, i.ratings, i.evaluations,
         i.average_rating, i.ballots)
        for i in result.institutions)))
    roster = {}
    for s in result.specialists:
        roster[s.institution_id] = roster.get(s.institution_id, 0) + 1
    name, head = _head("integrity", lang)
    out.append(Table(name, head, tuple(
        (g.institution, g.institution_id, g.kiosks, g.batches, g.issued, g.returned, g.counted, g.rejected,
         g.duplicates, g.conflicts, g.in_review, g.reviewed, g.review_share, g.return_rate, g.specialist_votes,
         round(g.specialist_votes / roster[g.institution_id], 2) if roster.get(g.institution_id) else None,
         g.top_share, g.missing_batches, "; ".join(sig.text(lang) for sig in g.signals))
        for g in result.integrity)))
    name, head = _head("excluded", lang)
    out.append(Table(name, head, tuple(
        (e.file, e.kiosk_id, e.batch, e.reason, e.message) for e in result.excluded_batches)))
    name, head = _head("conflicts", lang)
    rows = []
    for c in result.conflicts:
        decided = ("" if not c.resolved else "-" if c.counted is None else f"{c.counted.kiosk_id} {c.counted.batch}")
        if c.note:
            decided += f" ({c.note})"
        for cp in c.copies:
            what = (", ".join(f"{q}={o}" for q, o in cp.choices) if cp.status == "counted"
                    else f"{cp.status} ({cp.decided_by})")
            rows.append((c.serial, c.kind, cp.kiosk_id, cp.batch, what, decided))
    out.append(Table(name, head, tuple(rows)))
    if result.rules is not None:
        name, head = _head("rules", lang)
        r = result.rules
        out.append(Table(name, head, (
            ("specialists", r.specialists), ("institutions", r.institutions),
            ("institution_ranking", r.institution_ranking), ("positive_threshold", r.positive_threshold),
            ("min_ratings", r.min_ratings), ("rule", rule_text(r, lang)),
            ("ballots_counted", result.ballots_counted), ("verified_batches", result.verified_batches),
            ("online_votes", result.online.total if result.online else 0),
            ("complete", int(result.complete)))))
    return out


def write_xlsx(result: TallyResult, path: Path, lang: str | None = None) -> None:
    """One sheet per table, the header row frozen and bold, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for table in tables(result, lang):
        ws = wb.create_sheet(table.name[:31])
        ws.append(list(table.header))
        for cell in ws[1]:
            cell.font = bold
        for row in table.rows:
            ws.append(list(row))
        ws.freeze_panes = "A2"
        for n, title in enumerate(table.header, start=1):
            width = max([len(str(title))] + [len(str(r[n - 1])) for r in table.rows[:200] if r[n - 1] is not None])
            ws.column_dimensions[ws.cell(row=1, column=n).column_letter].width = min(60, width + 2)
    try:
        wb.save(str(path))
    except OSError as exc:
        raise KioskError("central.output", detail=str(exc)) from None


CSV_COLUMNS = ["section", "rank", "winner", "id", "name", "institution", "votes", "evaluations", "average_rating",
               "issued", "scanned", "counted", "in_review", "rejected", "duplicates", "turnout",
               "paper", "online", "ratings", "positive", "score", "returned", "conflicts", "reviewed", "review_share",
               "missing_batches", "signals"]


def _blank(x: Any) -> Any:
    return "" if x is None else x


def write_csv(result: TallyResult, path: Path) -> None:
    """One table: a row per specialist, per institution and per integrity line."""
    rows: list[dict[str, Any]] = []
    for s in result.specialists:
        rows.append({"section": "specialist", "rank": s.rank, "winner": int(s.winner), "id": s.id,
                     "name": s.name, "institution": s.institution, "votes": s.votes, "paper": s.paper,
                     "online": s.online})
    for i in result.institutions:
        rows.append({"section": "institution", "rank": _blank(i.rank), "winner": int(i.winner), "id": i.id,
                     "name": i.name, "evaluations": i.evaluations, "average_rating": _blank(i.average_rating),
                     "online": i.online, "ratings": i.ratings, "positive": i.positive, "score": _blank(i.score)})
    for g in result.integrity:
        rows.append({"section": "integrity", "id": g.institution_id, "name": g.institution,
                     "issued": g.issued, "scanned": g.scanned, "counted": g.counted, "in_review": g.in_review,
                     "rejected": g.rejected, "duplicates": g.duplicates, "turnout": _blank(g.turnout),
                     "returned": g.returned, "conflicts": g.conflicts, "reviewed": g.reviewed,
                     "review_share": _blank(g.review_share), "missing_batches": g.missing_batches,
                     "signals": " ".join(sig.code for sig in g.signals)})
    try:
        with open(path, "w", newline="", encoding="utf-8-sig") as fp:  # BOM: spreadsheets then read UTF-8
            w = csv.DictWriter(fp, fieldnames=CSV_COLUMNS)
            w.writeheader()
            w.writerows(rows)
    except OSError as exc:
        raise KioskError("central.output", detail=str(exc)) from None
