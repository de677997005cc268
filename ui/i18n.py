"""Widget strings: Latvian in the source, English from Qt Linguist files.

Every widget string is written in Latvian (the kiosk's language) inside
``self.tr()`` or ``QCoreApplication.translate()``; English comes from
``resources/translations/urn_kiosk_en.ts`` (Qt Linguist XML).  The compiled
``.qm`` is not kept in git: ``install("en")`` builds it with
``pyside6-lrelease`` when it is missing or older than the ``.ts``, and falls
back to reading the ``.ts`` directly if lrelease cannot run.  A bundle ships
the ``.qm`` compiled when it was built (it has no lrelease) and uses it as it is.

Maintainers::

    python -m ui.i18n update   # pyside6-lupdate: add new strings from ui/ to the .ts
    python -m ui.i18n build    # pyside6-lrelease: .ts -> .qm
    python -m ui.i18n check    # fail if a string is missing or unfinished

Core messages (``KioskError``) come from ``kiosk.errors.CATALOG`` in both
languages; the UI asks them for ``err.message(ctx.lang)``.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QTranslator

from kiosk import assets
from kiosk.datadir import APP_NAME

log = logging.getLogger("kiosk.ui.i18n")

UI_DIR = Path(__file__).resolve().parent  # the sources lupdate scans (maintainers only)
# The maintainer commands edit the .ts of the source tree the ui/ package sits in.
SOURCE_TS_DIR = UI_DIR.parent / "resources" / "translations"
LANGS = ("lv", "en")


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

    def __init__(self, ts: Path) -> None:
        super().__init__()
        self.table: dict[tuple[str, str], str] = {}
        for ctx in ET.parse(ts).getroot().iter("context"):
            name = ctx.findtext("name") or ""
            for msg in ctx.iter("message"):
                tr = msg.find("translation")
                if tr is None or tr.get("type") in ("unfinished", "obsolete", "vanished"):
                    continue
                text = tr.text or ""
                if msg.get("numerus") == "yes":
                    forms = [f.text or "" for f in tr.iter("numerusform")]
                    text = forms[0] if forms else text
                if text:
                    self.table[(name, msg.findtext("source") or "")] = text

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return not self.table

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt API
        return self.table.get((context, source), "")


_installed: list[QTranslator] = []
_current = ["lv"]


def current() -> str:
    return _current[0]


def make_translator(lang: str) -> QTranslator | None:
    if lang == "lv":
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
    return TsTranslator(ts_path(lang))


def install(lang: str) -> None:
    """Switch the application's language live (every widget retranslates)."""
    app = QCoreApplication.instance()
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    tr = make_translator(lang)
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
    tool = _tool("pyside6-lupdate")
    args = [tool, *sources(), "-no-obsolete", "-locations", "none", "-source-language", "lv",
            "-target-language", "en", "-ts", str(source_ts_path("en"))]
    return subprocess.run(args).returncode


def unfinished(lang: str = "en") -> list[str]:
    root = ET.parse(source_ts_path(lang)).getroot()
    out = []
    for ctx in root.iter("context"):
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is None or tr.get("type") in ("unfinished",) or not (tr.text or list(tr)):
                out.append(f"{ctx.findtext('name')}: {msg.findtext('source')}")
    return out


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "build"
    if cmd == "update":
        return update()
    if cmd == "build":
        print(build_qm("en"))
        return 0
    if cmd == "check":
        missing = unfinished("en")
        for m in missing:
            print("unfinished:", m)
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
