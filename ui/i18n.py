"""Widget strings: Latvian in the source, English from Qt Linguist files.

Every widget string is written in Latvian (the kiosk's language) inside
``self.tr()`` or ``QCoreApplication.translate()``; English comes from
``resources/translations/urn_kiosk_en.ts`` (Qt Linguist XML).  The compiled
``.qm`` is not kept in git: ``install("en")`` builds it with
``pyside6-lrelease`` when it is missing or older than the ``.ts``, and falls
back to reading the ``.ts`` directly if lrelease cannot run.  A bundle ships
the ``.qm`` compiled when it was built (it has no lrelease) and uses it as it is.

Numbers that agree with their words are written with Qt's ``%n``:
``self.tr("Drukāt %n biļetenus", "", n)``.  Their Latvian forms (1, 21, 31 …;
the other numbers; 0, in Qt's order for Latvian) are in
``resources/translations/urn_kiosk_lv.ts``, which holds the plural messages
only, so Latvian is installed like any other language.

Qt's own dialogs (files, printing, the buttons of message boxes) speak the
same language: ``install`` also loads Qt's ``qtbase_<lang>.qm``, which
PySide6 ships.

``install(PSEUDO)`` switches to a pseudo-language whose every string is the
Latvian one stretched by 40 %: a layout that clips a label shows it
(tests/test_ui_layout.py), before a translator finds it.

Maintainers::

    python -m ui.i18n update   # pyside6-lupdate: add new strings from ui/ to the .ts files
    python -m ui.i18n build    # pyside6-lrelease: .ts -> .qm
    python -m ui.i18n check    # fail if a string is missing or unfinished

Core messages (``KioskError``) come from ``kiosk.errors.CATALOG`` in both
languages; the UI asks them for ``err.message(ctx.lang)``.
"""
from __future__ import annotations

import logging
import math
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from kiosk import assets
from kiosk.datadir import APP_NAME

log = logging.getLogger("kiosk.ui.i18n")

UI_DIR = Path(__file__).resolve().parent  # the sources lupdate scans (maintainers only)
# The maintainer commands edit the .ts of the source tree the ui/ package sits in.
SOURCE_TS_DIR = UI_DIR.parent / "resources" / "translations"
LANGS = ("lv", "en")
PSEUDO = "pseudo"  # every string stretched by 40 % (layout tests)
STRETCH = 0.4


def plural_form(lang: str, n: int) -> int:
    """The index of the numerus form Qt uses for ``n``: Latvian (as Qt orders its forms)
    0 for 1, 21, 31 … (not 11), 2 for 0, 1 for the rest; English 0 for 1, 1 otherwise."""
    if lang == "lv":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        return 1 if n != 0 else 2
    return 0 if n == 1 else 1


def ts_path(lang: str) -> Path:
    return assets.translations_dir() / f"urn_kiosk_{lang}.ts"


def _tool(name: str) -> str | None:
    for local in (Path(sys.executable).parent / name, Path(sys.executable).parent / f"{name}.exe"):
        if local.exists():
            return str(local)
    return shutil.which(name)


def build_qm(lang: str, out_dir: Path | None = None) -> Path:
    """Compile the .ts to .qm with pyside6-lrelease (only when stale)."""
    ts = ts_path(lang)
    out_dir = out_dir or assets.translations_dir()
    qm = out_dir / f"urn_kiosk_{lang}.qm"
    if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
        return qm
    tool = _tool("pyside6-lrelease")
    if tool is None:
        if qm.exists():  # compiled when the bundle was built; a bundle has no lrelease
            return qm
        raise FileNotFoundError("pyside6-lrelease")
    out_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or not qm.exists():
        raise RuntimeError(f"lrelease failed: {done.stderr or done.stdout}")
    return qm


class TsTranslator(QTranslator):
    """Reads a Qt Linguist .ts directly (the fallback when .qm cannot be built)."""

    def __init__(self, ts: Path, lang: str = "en") -> None:
        super().__init__()
        self.lang = lang
        self.table: dict[tuple[str, str], str | list[str]] = {}
        for ctx in ET.parse(ts).getroot().iter("context"):
            name = ctx.findtext("name") or ""
            for msg in ctx.iter("message"):
                tr = msg.find("translation")
                if tr is None or tr.get("type") in ("unfinished", "obsolete", "vanished"):
                    continue
                text: str | list[str] = tr.text or ""
                if msg.get("numerus") == "yes":
                    text = [f.text or "" for f in tr.iter("numerusform")]
                if text:
                    self.table[(name, msg.findtext("source") or "")] = text

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return not self.table

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt API
        text = self.table.get((context, source), "")
        if isinstance(text, list):
            text = text[min(plural_form(self.lang, max(n, 0)), len(text) - 1)]
        return text


_PLACEHOLDER = re.compile(r"(\{[a-z_]*\}|%n|%\d|<[^>]*>|&[a-z]+;)")
_PAD = "ĀŠĒŽĪŅŪ"


def pseudo_text(source: str) -> str:
    """A source string 40 % longer, placeholders, markup and line breaks kept: each
    line gets its padding as one more word, so wrapping labels can still wrap it."""
    lines = []
    for line in source.split("\n"):
        plain = _PLACEHOLDER.sub("", line)
        extra = math.ceil(STRETCH * len(plain.strip()))
        pad = "".join(_PAD[i % len(_PAD)] for i in range(extra))
        lines.append(f"{line} {pad}" if extra and line.strip() else line)
    return "\n".join(lines)


class PseudoTranslator(QTranslator):
    """Every string of the application (not Qt's own) as its Latvian source stretched by 40 %."""

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt API
        if not source or context.startswith("Q"):  # Qt's own classes keep their words
            return ""
        return pseudo_text(source)


_installed: list[QTranslator] = []
_current = ["lv"]


def current() -> str:
    return _current[0]


def make_translator(lang: str) -> QTranslator | None:
    """The application's translator for ``lang`` (Latvian: its plural forms)."""
    if lang == PSEUDO:
        return PseudoTranslator()
    if not ts_path(lang).exists():
        return None
    tr = QTranslator()
    try:
        try:
            qm = build_qm(lang)
        except OSError:  # a read-only installation: build into a private temp dir
            qm = build_qm(lang, Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "translations")
        if tr.load(str(qm)):
            return tr
        log.warning("could not load %s", qm)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        log.warning("building %s translations failed (%s); reading the .ts instead", lang, exc)
    return TsTranslator(ts_path(lang), lang)


def qt_translator(lang: str) -> QTranslator | None:
    """Qt's own words (file and print dialogs, standard buttons) in ``lang``, from the
    ``qtbase_<lang>.qm`` PySide6 ships; None where Qt has none."""
    tr = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if tr.load(f"qtbase_{'lv' if lang == PSEUDO else lang}", folder):
        return tr
    log.warning("Qt's own %s translations were not found in %s", lang, folder)
    return None


def install(lang: str) -> None:
    """Switch the application's language live (every widget retranslates)."""
    app = QCoreApplication.instance()
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    for tr in (qt_translator(lang), make_translator(lang)):
        if tr is not None:
            app.installTranslator(tr)
            _installed.append(tr)
    _current[0] = lang
    # deliver the LanguageChange events now, so the window is retranslated on return
    from PySide6.QtCore import QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


# -- maintenance --------------------------------------------------------------

def sources() -> list[str]:
    return sorted(str(p) for p in UI_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def source_ts_path(lang: str) -> Path:
    """The .ts of the checkout these sources belong to (where ``update`` and ``check`` work)."""
    return SOURCE_TS_DIR / f"urn_kiosk_{lang}.ts"


def update() -> int:
    """New strings into the English .ts, new plural strings into the Latvian one."""
    tool = _tool("pyside6-lupdate")
    done = 0
    for lang, extra in (("en", []), ("lv", ["-pluralonly"])):
        args = [tool, *sources(), "-no-obsolete", "-locations", "none", *extra, "-source-language", "lv",
                "-target-language", lang, "-ts", str(source_ts_path(lang))]
        done = done or subprocess.run(args).returncode
    return done


def unfinished(lang: str = "en") -> list[str]:
    root = ET.parse(source_ts_path(lang)).getroot()
    out = []
    for ctx in root.iter("context"):
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            forms = [f.text for f in tr.iter("numerusform")] if tr is not None else []
            if (tr is None or tr.get("type") in ("unfinished",) or not (tr.text or list(tr))
                    or (msg.get("numerus") == "yes" and not all(forms))):
                out.append(f"{ctx.findtext('name')}: {msg.findtext('source')}")
    return out


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "build"
    if cmd == "update":
        return update()
    if cmd == "build":
        for lang in LANGS:
            print(build_qm(lang))
        return 0
    if cmd == "check":
        missing = [m for lang in LANGS for m in unfinished(lang)]
        for m in missing:
            print("unfinished:", m)
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
