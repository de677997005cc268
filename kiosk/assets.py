"""The application's data files, found the same way in a source checkout, an
installed wheel and a frozen bundle.

People edit them in the repository's ``resources/`` (fonts, translations,
styles, icons) and ``ballots/`` (campaign files); the packaging maps those
folders into the ``kiosk.resources`` and ``kiosk.ballots`` packages, and
this module is the only place that knows it.  Everything goes through
``importlib.resources``, never through ``__file__``.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

RESOURCES = "kiosk.resources"
BALLOTS = "kiosk.ballots"

FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"
FONT_CONDENSED = "DejaVuSansCondensed.ttf"  # long rosters
FONT_CONDENSED_BOLD = "DejaVuSansCondensed-Bold.ttf"


def _path(package: str, *parts: str) -> Path:
    """A data file or folder as a real file-system path (fonts and campaign
    files are handed to libraries that want paths)."""
    item = resources.files(package).joinpath(*parts)
    path = Path(str(item))
    if not path.exists():
        raise FileNotFoundError(f"{package}: {'/'.join(parts)} is not installed")
    return path


def resource(*parts: str) -> Path:
    """A file or folder under ``resources/``: ``resource("fonts", "DejaVuSans.ttf")``."""
    return _path(RESOURCES, *parts)


def font(name: str = FONT_REGULAR) -> Path:
    return resource("fonts", name)


def fonts_dir() -> Path:
    return resource("fonts")


def translations_dir() -> Path:
    return resource("translations")


def style(name: str = "kiosk.qss") -> Path:
    return resource("styles", name)


def icons_dir() -> Path:
    return resource("icons")


def campaign_file(name: str) -> Path:
    """A campaign file shipped in ``ballots/``."""
    return _path(BALLOTS, name)


def demo_campaign_path() -> Path:
    return campaign_file("demo.toml")
