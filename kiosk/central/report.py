"""The central office's PDF report of a tally, in Latvian, with charts.

Input: the ``TallyResult`` of ``kiosk.central.tally.tally`` and the campaign.  Fonts: the
embedded DejaVu Sans (every Latvian letter).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..ballot.campaign import Campaign
from ..ballot.layout import FONT, FONT_BOLD, register_fonts
from ..errors import KioskError
from ..lang import lv_count
from .tally import TallyResult

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


def write_report(result: TallyResult, campaign: Campaign, path: Path, generated: dt.datetime | None = None) -> None:
    """Write the Latvian report of ``result`` (kiosk.central.tally) to ``path``."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    register_fonts()
    generated = generated or dt.datetime.now(dt.timezone.utc)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    cell_b = ParagraphStyle("cellb", parent=cell, fontName=FONT_BOLD)
    h1 = ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4)

    def esc(s: Any) -> str:
        return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def table(rows: list[list[Any]], widths: list[float], highlight: list[int] = (), head: Any = None) -> Table:
        data = [[Paragraph(esc(c), head or cell_b) for c in rows[0]]]
        for r in rows[1:]:
            data.append([Paragraph(esc(c), cell) for c in r])
        tb = Table(data, colWidths=widths, repeatRows=1)
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD)),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        for i in highlight:
            style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#e3f1e6")))
        tb.setStyle(TableStyle(style))
        return tb

    specialists = result.specialists
    institutions = result.institutions
    excluded = result.excluded_batches
    title = campaign.title.get("lv") or campaign.id
    width = A4[0] - 36 * mm
    story: list[Any] = [
        Paragraph(esc(title), h1),
        Paragraph("Balsojuma rezultātu ziņojums", ParagraphStyle("sub", parent=h2, spaceBefore=0)),
        Paragraph(
            f"Kampaņa: {esc(campaign.id)} · sagatavots {generated.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC<br/>"
            f"Pārbaudītas un ieskaitītas partijas: {result.verified_batches}; izslēgtas: {len(excluded)}<br/>"
            f"Ieskaitīti biļeteni: {result.ballots_counted}; vairākās partijās atrasti numuri: "
            f"{result.duplicate_serials}; pretrunīgi (netiek skaitīti, kamēr nav izlemts): "
            f"{len(result.unresolved_conflicts)}<br/>"
            f"Biļetenu QR autentiskuma zīmes pārbaudītas ar kampaņas atslēgu: "
            f"{'jā' if result.tags_checked else 'nē'}",
            body,
        ),
    ]
    if not result.complete:
        story.append(Paragraph(
            f"<b>DAĻĒJI REZULTĀTI</b>: izslēgtas partijas {len(excluded)}, neizlemtas pretrunas "
            f"{len(result.unresolved_conflicts)}. Šos rezultātus nedrīkst publicēt kā galīgos.",
            ParagraphStyle("warn", parent=body, textColor=colors.HexColor("#b3261e"))))
    story.append(Paragraph("Uzvarētāji", h2))
    top = [s for s in specialists if s.winner]
    if top:
        lines = "<br/>".join(
            f"{s.rank}. vieta: <b>{esc(s.name)}</b> ({esc(s.institution)}) – {lv_count(s.votes, 'balss', 'balsis')}"
            for s in top
        )
        story.append(Paragraph("Labākie klientu apkalpošanas speciālisti:<br/>" + lines, body))
    else:
        story.append(Paragraph("Labākie speciālisti: vēl nav nevienas balss.", body))
    best = [i for i in institutions if i.winner]
    if best:
        story.append(Spacer(1, 4))
        story.append(Paragraph(
            "Labākā iestāde:<br/>" + "<br/>".join(
                f"<b>{esc(i.name)}</b> – {lv_count(i.evaluations, 'novērtējums', 'novērtējumi')}, vidējais vērtējums "
                f"{_num(i.average_rating)}" for i in best),
            body))
    if len({s.rank for s in top}) < len(top) or len(best) > 1:
        story.append(Paragraph("Vienāds balsu skaits dod vienādu vietu (piemēram, 1., 1., 3.).", small))

    shown = specialists[:CHART_MAX]
    story.append(Spacer(1, 8))
    story.append(_bar_chart(
        [f"{s.name}" for s in shown], [s.votes for s in shown], [s.winner for s in shown], width,
        "Balsis par speciālistiem" + (f" (pirmie {CHART_MAX})" if len(specialists) > CHART_MAX else ""),
    ))
    story.append(Spacer(1, 6))
    story.append(_bar_chart(
        [i.name if len(i.name) <= 38 else i.name[:36] + "…" for i in institutions],
        [i.evaluations for i in institutions], [i.winner for i in institutions], width,
        "Iestāžu novērtējumu skaits",
    ))

    rows = [["Vieta", "Speciālists", "Iestāde", "Balsis"]]
    rows += [[s.rank, s.name, s.institution, s.votes] for s in specialists]
    story += [Paragraph("Speciālisti", h2),
              table(rows, [14 * mm, 50 * mm, width - 84 * mm, 20 * mm], [n for n, s in enumerate(specialists) if s.winner])]

    rows = [["Vieta", "Iestāde", "Novērtējumi", "Vidējais vērtējums"]]
    rows += [[i.rank, i.name, i.evaluations, _num(i.average_rating)] for i in institutions]
    story += [Paragraph("Iestādes", h2),
              table(rows, [14 * mm, width - 74 * mm, 25 * mm, 35 * mm], [n for n, i in enumerate(institutions) if i.winner])]

    rows = [["Iestāde", "Izsniegti", "Skenēti", "Ieskaitīti", "Pārbaudē", "Noraidīti", "Dublikāti", "Aktivitāte"]]
    rows += [[g.institution, g.issued, g.scanned, g.counted, g.in_review, g.rejected, g.duplicates,
              _pct(g.turnout)] for g in result.integrity]
    story.append(KeepTogether([
        Paragraph("Integritāte", h2),
        table(rows, [width - 7 * 17 * mm] + [17 * mm] * 7, head=ParagraphStyle("th", parent=cell_b, fontSize=7)),
        Spacer(1, 3),
        Paragraph(
            "Izsniegti, skenēti, pārbaudē, noraidīti un dublikāti: katra kioska pēdējās ieskaitītās partijas "
            "kopējie skaitļi, saskaitīti pa iestādēm. Ieskaitīti: biļeteni šajā rezultātā (katrs numurs vienreiz). "
            "Dublikāti ietver arī numurus, kas atrasti vairākās partijās. Aktivitāte = ieskaitīti / izsniegti.",
            small),
    ]))

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
            for n, cp in enumerate(c.copies):
                what = ("ieskaitīts: " + ", ".join(f"{q}={o}" for q, o in cp.choices)) if cp.status == "counted" \
                    else f"noraidīts ({cp.decided_by})"
                rows.append([c.serial if n == 0 else "", cp.kiosk_id, cp.batch, what, decided if n == 0 else ""])
        story.append(table(rows, [30 * mm, 28 * mm, 10 * mm, width - 103 * mm, 35 * mm]))
        story.append(Paragraph("Viena numura kopijas ar atšķirīgām atzīmēm vai kopija, ko cilvēks noraidīja, "
                               "netiek skaitītas nevienam, kamēr centrālais birojs nav izlēmis.", small))
    else:
        story.append(Paragraph("Nav.", body))

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
