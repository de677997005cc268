"""Widget strings: Latvian in the source, a complete English .ts, a .qm built from it."""
from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

from PySide6.QtCore import QTranslator
from test_ui_support import OFFSCREEN_NOISE

from ui import i18n

pytestmark = OFFSCREEN_NOISE


def sources(ts) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {(c.findtext("name"), m.findtext("source")) for c in root.iter("context") for m in c.iter("message")}


def test_english_translation_is_complete():
    assert i18n.unfinished("en") == []


def test_ts_is_in_sync_with_the_sources(tmp_path):
    """lupdate over ui/ finds no string the .ts lacks (run `python -m ui.i18n update`).

    The .ts compared is the one beside these sources, in the same source tree: the
    installed copy of the resources may come from another checkout of the project."""
    ts = i18n.UI_DIR.parent / "resources" / "translations" / "urn_kiosk_en.ts"
    copy = tmp_path / "check_en.ts"
    shutil.copy(ts, copy)
    tool = i18n._tool("pyside6-lupdate")
    done = subprocess.run([tool, *i18n.sources(), "-no-obsolete", "-locations", "none", "-source-language", "lv",
                           "-target-language", "en", "-ts", str(copy)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sources(copy) == sources(ts)


def test_qm_is_built_from_the_ts_and_the_fallback_agrees(tmp_path):
    qm = i18n.build_qm("en", tmp_path)
    tr = QTranslator()
    assert tr.load(str(qm))
    fallback = i18n.TsTranslator(i18n.ts_path("en"))
    for ctx, src in [("SignInScreen", "Palīgs"), ("PrintScreen", "Drukāt vienu biļetenu"), ("MainWindow", "Iestatījumi")]:
        assert tr.translate(ctx, src) == fallback.translate(ctx, src) != ""
    assert tr.translate("PrintScreen", "Drukāt vienu biļetenu") == "Print one ballot"


def test_latvian_sources_keep_their_diacritics():
    text = i18n.ts_path("en").read_text(encoding="utf-8")
    for word in ("Reģistratūra", "Palīgs", "biļetenu", "Iestatījumi", "Pārbaudīt", "Ieskaitīti", "Dublikāti"):
        assert word in text


def test_a_shipped_qm_is_used_where_lrelease_is_missing(tmp_path, monkeypatch):
    """A bundle: the .qm compiled at build time, no lrelease, file times as copied."""
    shipped = tmp_path / "translations"
    shipped.mkdir()
    qm = i18n.build_qm("en", tmp_path / "build")
    shutil.copyfile(qm, shipped / "urn_kiosk_en.qm")
    shutil.copyfile(i18n.ts_path("en"), shipped / "urn_kiosk_en.ts")  # copied later: newer than the .qm
    os.utime(shipped / "urn_kiosk_en.qm", (1_000_000_000, 1_000_000_000))
    monkeypatch.setattr(i18n.assets, "translations_dir", lambda: shipped)
    monkeypatch.setattr(i18n, "_tool", lambda name: None)
    tr = i18n.make_translator("en")
    assert not isinstance(tr, i18n.TsTranslator)  # the compiled file, with its plural forms
    assert tr.translate("PrintScreen", "Drukāt vienu biļetenu") == "Print one ballot"


def test_latvian_plural_forms_are_complete_and_in_sync(tmp_path):
    """The Latvian .ts holds every %n string of the sources (lupdate -pluralonly), each with
    Qt's three Latvian forms filled in."""
    ts = i18n.UI_DIR.parent / "resources" / "translations" / "urn_kiosk_lv.ts"
    copy = tmp_path / "check_lv.ts"
    shutil.copy(ts, copy)
    tool = i18n._tool("pyside6-lupdate")
    done = subprocess.run([tool, *i18n.sources(), "-no-obsolete", "-locations", "none", "-pluralonly",
                           "-source-language", "lv", "-target-language", "lv", "-ts", str(copy)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sources(copy) == sources(ts) and sources(ts)
    assert i18n.unfinished("lv") == []
    forms = [len(list(m.iter("numerusform"))) for m in ET.parse(ts).getroot().iter("message")]
    assert set(forms) == {3}


def test_latvian_plurals_from_the_compiled_file_and_the_fallback_agree(tmp_path):
    qm = i18n.build_qm("lv", tmp_path)
    compiled = QTranslator()
    assert compiled.load(str(qm))
    fallback = i18n.TsTranslator(i18n.ts_path("lv"), "lv")
    source = "Drukāt %n biļetenus"
    expected = {1: "Drukāt %n biļetenu", 2: "Drukāt %n biļetenus", 10: "Drukāt %n biļetenus",
                21: "Drukāt %n biļetenu", 22: "Drukāt %n biļetenus", 11: "Drukāt %n biļetenus"}
    for n, text in expected.items():
        assert compiled.translate("PrintScreen", source, None, n) == text, n
        assert fallback.translate("PrintScreen", source, None, n) == text, n
    assert [i18n.plural_form("lv", n) for n in (0, 1, 2, 10, 11, 21, 22, 101, 111)] == [2, 0, 1, 1, 1, 0, 1, 0, 1]
