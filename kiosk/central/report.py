"""The central office's PDF report of a tally, in Latvian.

Input: the ``TallyResult`` of ``kiosk.central.tally.tally`` and the campaign.  Fonts: the
embedded DejaVu Sans (every Latvian letter).  ``write_report(result, campaign, path)``: the
winners, the rule and the integrity summary first; the tables; an annex page per institution.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..ballot.campaign import Campaign
from ..ballot.layout import FONT, FONT_BOLD, register_fonts
from ..errors import KioskError
from .tally import TallyResult, rule_text

CHART_MAX = 15  # specialists in the chart (all of them are in the table)
WINNER = "#1b6e3a"
OTHER = "#8fb4d9"
HEAD = "#dfe8f1"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f} %".replace(".", ",")


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}".replace(".", ",")


def nice_step(top: int) -> int:
    """An axis step of 1, 2 or 5 times a power of ten giving at most about six ticks."""
    step = 1
    while True:
        for k in (1, 2, 5):
            if top / (step * k) <= 6:
                return step * k
        step *= 10


def _bar_chart(names: list[str], values: list[int], winners: list[bool], width: float, title: str):
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    bar_h = 15
    height = max(60, bar_h * len(names)) + 40
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 175, 20
    chart.width, chart.height = width - 175 - 30, height - 45
    # The category axis runs bottom-up: reverse so the first name is on top.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(names))
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    top = max(values) if values and max(values) > 0 else 1
    step = nice_step(top)
    chart.valueAxis.valueMax = (top // step + 1) * step  # room for the bar labels
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.bars.strokeWidth = 0
    chart.barWidth = 10
    chart.groupSpacing = 4
    chart.bars[0].fillColor = colors.HexColor(OTHER)
    for i, win in enumerate(reversed(winners)):
        if win:
            chart.bars[(0, i)].fillColor = colors.HexColor(WINNER)
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    d.add(chart)
    d.add(String(0, height - 12, title, fontName=FONT_BOLD, fontSize=10))
    return d


TOP_SPECIALISTS = 50  # the specialists table after the first page; every specialist is in the annex
NAME_MAX = 44  # characters of a name in a table cell before it is cut with "…"


def _cut(text: str, n: int = NAME_MAX) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _score(x: float | None) -> str:
    if x is None:
        return "–"
    return _num(x) if isinstance(x, float) else str(x)


def write_report(result: TallyResult, campaign: Campaign, path: Path, generated: dt.datetime | None = None,
                 published_by: str | None = None) -> None:
    """Write the Latvian report of ``result`` (kiosk.central.tally) to ``path``.

    ``published_by``: the report is the central office's publication (its window asked the
    person publishing about every file that does not count): it says the results are final and
    how many files were not counted.  Otherwise results with excluded files or undecided
    conflicts are called partial, not to be published as final.

    Page 1: the winners, the rule applied and the integrity summary.  Then the first
    ``TOP_SPECIALISTS`` specialists, every institution, the "look here" signals, the excluded
    batches and the conflicts; then an annex page per institution (its integrity figures,
    its signals and every specialist's paper, online and total votes)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    register_fonts()
    generated = generated or dt.datetime.now(dt.timezone.utc)
    rules = result.rules or campaign.results
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    cell_b = ParagraphStyle("cellb", parent=cell, fontName=FONT_BOLD)
    h1 = ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4)
    warn = ParagraphStyle("warn", parent=body, textColor=colors.HexColor("#b3261e"))

    def esc(s: Any) -> str:
        return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    base_style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD)),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]

    def table(rows: list[list[Any]], widths: list[float], highlight: list[int] = (), head: Any = None) -> Table:
        """A table whose cells wrap (Paragraphs): for the few rows of the first pages."""
        data = [[Paragraph(esc(c), head or cell_b) for c in rows[0]]]
        for r in rows[1:]:
            data.append([Paragraph(esc(c), cell) for c in r])
        tb = Table(data, colWidths=widths, repeatRows=1)
        style = list(base_style)
        for i in highlight:
            style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#e3f1e6")))
        tb.setStyle(TableStyle(style))
        return tb

    def plain(rows: list[list[Any]], widths: list[float], highlight: list[int] = (), numeric_from: int = 99,
              size: float = 7.5) -> Table:
        """A table of one-line cells (names cut to fit): fast for the long tables and the annex."""
        tb = Table([[str(c) for c in r] for r in rows], colWidths=widths, repeatRows=1)
        style = list(base_style) + [
            ("FONT", (0, 0), (-1, -1), FONT, size),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, size),
            ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        ]
        for i in highlight:
            style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#e3f1e6")))
        tb.setStyle(TableStyle(style))
        return tb

    specialists = result.specialists
    institutions = result.institutions
    integrity = result.integrity
    excluded = result.excluded_batches
    title = campaign.title.get("lv") or campaign.id
    width = A4[0] - 36 * mm
    online_total = result.online.total if result.online is not None else 0

    # -- page 1: winners, the rule, the integrity summary --------------------------------------
    story: list[Any] = [
        Paragraph(esc(title), h1),
        Paragraph("Balsojuma rezultātu ziņojums", ParagraphStyle("sub", parent=h2, spaceBefore=0)),
        Paragraph(
            f"Kampaņa: {esc(campaign.id)} · sagatavots {generated.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC<br/>"
            f"Pārbaudītas un ieskaitītas partijas: {result.verified_batches}; izslēgtas: {len(excluded)} · "
            f"ieskaitīti papīra biļeteni: {result.ballots_counted} · tiešsaistes balsis: {online_total}<br/>"
            f"Biļetenu QR autentiskuma zīmes pārbaudītas ar kampaņas atslēgu: "
            f"{'jā' if result.tags_checked else 'nē'}",
            body,
        ),
    ]
    if published_by is not None:
        story.append(Paragraph(
            f"<b>GALĪGIE REZULTĀTI</b>, publicēti {generated.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC "
            f"({esc(published_by)}).", body))
        if excluded:
            story.append(Paragraph(
                f"Faili, kas netika skaitīti: {len(excluded)}. Publicējot tas tika apstiprināts; katrs fails "
                "ir uzskaitīts ar iemeslu sadaļā „Izslēgtās partijas”.",
                warn))
    elif not result.complete:
        story.append(Paragraph(
            f"<b>DAĻĒJI REZULTĀTI</b>: izslēgtas partijas {len(excluded)}, neizlemtas pretrunas "
            f"{len(result.unresolved_conflicts)}. Šos rezultātus nedrīkst publicēt kā galīgos.", warn))

    story.append(Paragraph("Uzvarētāji", h2))
    top = [s for s in specialists if s.winner]
    if top:
        rows = [["Vieta", "Speciālists", "Iestāde", "Papīrs", "Tiešsaistē", "Kopā"]]
        rows += [[f"{s.rank}.", s.name, s.institution, s.paper, s.online, s.votes] for s in top]
        story.append(Paragraph("Labākie klientu apkalpošanas speciālisti", cell_b))
        story.append(table(rows, [12 * mm, 45 * mm, width - 123 * mm, 20 * mm, 24 * mm, 22 * mm]))
    else:
        story.append(Paragraph("Labākie speciālisti: vēl nav nevienas balss.", body))
    best = [i for i in institutions if i.winner]
    story.append(Spacer(1, 6))
    if best:
        rows = [["Vieta", "Iestāde", "Rezultāts", "Pozitīvi", "Tiešsaistē", "Vidējais"]]
        rows += [[f"{i.rank}.", i.name, _score(i.score), i.positive, i.online, _num(i.average_rating)] for i in best]
        story.append(Paragraph("Labākā iestāde", cell_b))
        story.append(table(rows, [12 * mm, width - 102 * mm, 22 * mm, 20 * mm, 24 * mm, 24 * mm]))
    else:
        story.append(Paragraph("Labākā iestāde: vēl nav neviena rezultāta.", body))
    ties = result.ties if result.rules is not None else {"specialists": (), "institutions": ()}
    if ties["specialists"] or ties["institutions"]:
        parts = [f"speciālistu {', '.join(f'{r}.' for r in ties['specialists'])} vietā" if ties["specialists"] else "",
                 f"iestāžu {', '.join(f'{r}.' for r in ties['institutions'])} vietā" if ties["institutions"] else ""]
        story.append(Paragraph(
            "<b>Neizšķirts</b> " + " un ".join(p for p in parts if p) + ": uzvar visi šīs vietas ieguvēji; "
            "neizšķirts netiek izšķirts slēpti.", body))

    story.append(Paragraph("Metode", h2))
    story.append(Paragraph(esc(rule_text(rules, "lv")), body))

    story.append(Paragraph("Integritātes kopsavilkums", h2))
    issued = sum(g.issued for g in integrity)
    returned = sum(g.returned for g in integrity)
    counted = sum(g.counted for g in integrity)
    flagged = [g for g in integrity if g.signals]
    rows = [["Izsniegti", "Atgriezti", "Ieskaitīti", "Noraidīti", "Dublikāti", "Pretrunas", "Izslēgtas partijas",
             "Atgriešanas līmenis"]]
    rows.append([issued, returned, counted, sum(g.rejected for g in integrity), result.duplicate_serials,
                 f"{len(result.conflicts)} (neizlemtas {len(result.unresolved_conflicts)})", len(excluded),
                 _pct(counted / issued if issued else None)])
    story.append(table(rows, [width / 8] * 8, head=ParagraphStyle("th", parent=cell_b, fontSize=7)))
    story.append(Spacer(1, 3))
    story.append(Paragraph(
        f"Iestādes ar „ievērībai” signāliem: {len(flagged)} no {len(integrity)} (skaitļi, nevis secinājumi: "
        "atgriešanas līmenis virs 95 %, viens speciālists ar vairāk nekā 80 % iestādes balsu un vismaz 30 balsīm, "
        "atgriezti biļeteni krietni virs izsniegtajiem, trūkstošas partijas kioska ķēdē). Atgriešanas līmenis = "
        "ieskaitīti / izsniegti.", small))

    # -- the tables -----------------------------------------------------------------------------
    story.append(PageBreak())
    shown = specialists[:TOP_SPECIALISTS]
    story.append(Paragraph(
        "Speciālisti" + (f" (pirmie {TOP_SPECIALISTS} no {len(specialists)}; visi – pielikumā)"
                         if len(specialists) > TOP_SPECIALISTS else ""), h2))
    charted = specialists[:CHART_MAX]
    story.append(_bar_chart([_cut(f"{s.name}", 30) for s in charted], [s.votes for s in charted],
                            [s.winner for s in charted], width, f"Balsis par speciālistiem (pirmie {len(charted)})"))
    story.append(Spacer(1, 6))
    rows = [["Vieta", "Speciālists", "Iestāde", "Papīrs", "Tiešsaistē", "Kopā"]]
    rows += [[s.rank, _cut(s.name, 28), _cut(s.institution, 44), s.paper, s.online, s.votes] for s in shown]
    story.append(plain(rows, [11 * mm, 40 * mm, width - 102 * mm, 16 * mm, 19 * mm, 16 * mm],
                       [n for n, s in enumerate(shown) if s.winner], numeric_from=3))

    story.append(CondPageBreak(60 * mm))
    story.append(Paragraph("Iestādes", h2))
    rows = [["Vieta", "Iestāde", "Rezultāts", "Pozitīvi", "Tiešsaistē", "Vērtējumi", "Vidējais", "Biļeteni"]]
    rows += [[i.rank if i.rank is not None else "–", _cut(i.name, 50), _score(i.score), i.positive, i.online,
              i.ratings, _num(i.average_rating), i.ballots] for i in institutions]
    story.append(plain(rows, [10 * mm, width - 105 * mm, 16 * mm, 15 * mm, 16 * mm, 16 * mm, 15 * mm, 17 * mm],
                       [n for n, i in enumerate(institutions) if i.winner], numeric_from=2, size=7))

    story.append(CondPageBreak(40 * mm))
    story.append(Paragraph("Ievērībai", h2))
    signals = [(g, sig) for g in integrity for sig in g.signals]
    if signals:
        rows = [["Iestāde", "Signāls (skaitļi, nevis secinājums)"]]
        rows += [[g.institution, sig.text("lv")] for g, sig in signals]
        story.append(table(rows, [70 * mm, width - 70 * mm]))
    else:
        story.append(Paragraph("Nav.", body))

    story.append(Paragraph("Izslēgtās partijas", h2))
    if excluded:
        rows = [["Fails", "Kiosks", "Nr.", "Iemesls"]]
        rows += [[Path(e.file).name, e.kiosk_id or "–", e.batch or "–", f"{e.reason}: {e.message}"]
                 for e in excluded]
        story.append(table(rows, [48 * mm, 28 * mm, 10 * mm, width - 86 * mm]))
    else:
        story.append(Paragraph("Nav: visas iesniegtās partijas ir derīgas.", body))

    story.append(Paragraph("Pretrunīgi numuri", h2))
    if result.conflicts:
        rows = [["Numurs", "Kiosks", "Nr.", "Kopija", "Lēmums"]]
        for c in result.conflicts:
            decided = ("neizlemts" if not c.resolved else "skaitīts: nekas" if c.counted is None
                       else f"skaitīts: {c.counted.kiosk_id} {c.counted.batch}")
            if c.note:
                decided += f" ({c.note})"
            for n, cp in enumerate(c.copies):
                what = ("ieskaitīts: " + ", ".join(f"{q}={o}" for q, o in cp.choices)) if cp.status == "counted" \
                    else f"noraidīts ({cp.decided_by})"
                rows.append([c.serial if n == 0 else "", cp.kiosk_id, cp.batch, what, decided if n == 0 else ""])
        story.append(table(rows, [30 * mm, 28 * mm, 10 * mm, width - 103 * mm, 35 * mm]))
        story.append(Paragraph("Viena numura kopijas ar atšķirīgām atzīmēm vai kopija, ko cilvēks noraidīja, "
                               "netiek skaitītas nevienam, kamēr centrālais birojs nav izlēmis.", small))
    else:
        story.append(Paragraph("Nav.", body))

    # -- the annex: a page per institution -------------------------------------------------------
    by_inst: dict[str, list[Any]] = {}
    for s in specialists:
        by_inst.setdefault(s.institution_id, []).append(s)
    places = {i.id: i for i in institutions}
    for g in integrity:
        story.append(PageBreak())
        inst = places.get(g.institution_id)
        story.append(Paragraph(f"Pielikums: {esc(g.institution)}", ParagraphStyle("ah", parent=h2, spaceBefore=0)))
        place = "–" if inst is None or inst.rank is None else f"{inst.rank}."
        story.append(Paragraph(
            f"Vieta: {place} · rezultāts: {_score(inst.score if inst else None)} · pozitīvi vērtējumi: "
            f"{inst.positive if inst else 0} · tiešsaistes balsis par iestādi: {inst.online if inst else 0} · "
            f"vidējais vērtējums: {_num(inst.average_rating if inst else None)} · kioski: {g.kiosks}, "
            f"partijas: {g.batches}", small))
        story.append(Spacer(1, 3))
        rows = [["Izsniegti", "Atgriezti", "Ieskaitīti", "Noraidīti", "Dublikāti", "Pretrunas", "Pārbaudes daļa",
                 "Atgriešanas līmenis", "Trūkstošas partijas"],
                [g.issued, g.returned, g.counted, g.rejected, g.duplicates, g.conflicts, _pct(g.review_share),
                 _pct(g.return_rate), g.missing_batches]]
        story.append(table(rows, [width / 9] * 9, head=ParagraphStyle("th", parent=cell_b, fontSize=7)))
        for sig in g.signals:
            story.append(Paragraph("Ievērībai: " + esc(sig.text("lv")), small))
        story.append(Spacer(1, 4))
        own = by_inst.get(g.institution_id, [])
        half = (len(own) + 1) // 2
        left, right = own[:half], own[half:]
        head = ["Vieta", "Speciālists", "Pap.", "Tieš.", "Kopā"]
        rows = [head + [""] + head]
        for n in range(half):
            row: list[Any] = []
            for side in (left, right):
                if n < len(side):
                    s = side[n]
                    row += [s.rank, _cut(s.name, 24), s.paper, s.online, s.votes]
                else:
                    row += [""] * 5
                if side is left:
                    row.append("")
            rows.append(row)
        col = [11 * mm, 38 * mm, 11 * mm, 11 * mm, 11 * mm]
        gap = width - 2 * sum(col)
        story.append(plain(rows, col + [gap] + col, numeric_from=99, size=7))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(18 * mm, 10 * mm, f"{title} · rezultātu ziņojums")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{doc.page}. lapa")
        canvas.restoreState()

    try:
        doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                                bottomMargin=18 * mm, title=f"{title}: rezultāti", author="urn-kiosk", lang="lv")
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    except OSError as exc:
        raise KioskError("central.output", detail=str(exc)) from None
