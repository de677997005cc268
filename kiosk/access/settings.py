"""Kiosk settings: every key, its default, its check and the role that may change it."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..audit.log import record
from ..errors import KioskError
from ..reading.imaging import DEFAULT_LIMITS, Limits
from ..reading.reader import Thresholds
from ..storage.store import Store
from .roles import Action, Session, require

IDLE_DEFAULT_S = 180
IDLE_MIN_S, IDLE_MAX_S = 30, 3600
PIN_LENGTH_MIN, PIN_LENGTH_MAX = 4, 8
PIN_LENGTH_PREFIX = "auth.pin_length."  # + role: the fewest digits a new PIN of the role may have
SETTLE_DEFAULT_S = 10  # a network scanner may pause several seconds between the chunks of one file


@dataclass(frozen=True)
class SettingSpec:
    key: str
    action: Action         # who may change it
    default: str
    check: Callable[[str], str]  # returns the normalised value or raises ValueError


def _int_between(lo: int, hi: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        n = int(str(value).strip())
        if not lo <= n <= hi:
            raise ValueError(f"{lo}–{hi}")
        return str(n)
    return check


def _float_between(lo: float, hi: float) -> Callable[[str], str]:
    def check(value: str) -> str:
        x = float(str(value).strip().replace(",", "."))
        if not lo <= x <= hi:
            raise ValueError(f"{lo}–{hi}")
        return repr(round(x, 4))
    return check


def _one_of(*choices: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(" / ".join(choices))
        return value
    return check


def _text(value: str) -> str:
    return str(value).strip()


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("ui.language", Action.SETTINGS, "lv", _one_of("lv", "en")),
    SettingSpec("ui.idle_seconds", Action.SETTINGS, str(IDLE_DEFAULT_S), _int_between(IDLE_MIN_S, IDLE_MAX_S)),
    SettingSpec("print.printer", Action.CHOOSE_PRINTER, "", _text),      # CUPS name; "" = none chosen
    SettingSpec("print.pdf_dir", Action.CHOOSE_PRINTER, "", _text),      # folder for "save as PDF"
    SettingSpec("print.paper", Action.CHOOSE_PRINTER, "", _one_of("", "a4", "a5")),  # the print dialog's paper
    SettingSpec("print.tray", Action.CHOOSE_PRINTER, "", _text),         # its paper source (IPP media-source)
    SettingSpec("scan.folder", Action.SCAN, "", _text),                  # scan-to-folder directory to watch
    SettingSpec("export.dir", Action.EXPORT, "", _text),                 # where batches go ("": <data>/exports)
    SettingSpec("export.images", Action.EXPORT, "0", _one_of("0", "1")), # put the scans into the batch
    # the PIN length policy, per role (kiosk.access.auth): applies to PINs set from now on
    SettingSpec(PIN_LENGTH_PREFIX + "front_desk", Action.USERS, "4", _int_between(PIN_LENGTH_MIN, PIN_LENGTH_MAX)),
    SettingSpec(PIN_LENGTH_PREFIX + "helper", Action.USERS, "4", _int_between(PIN_LENGTH_MIN, PIN_LENGTH_MAX)),
    SettingSpec(PIN_LENGTH_PREFIX + "office", Action.USERS, "6", _int_between(PIN_LENGTH_MIN, PIN_LENGTH_MAX)),
    # the scanner folder is watched ("1") until someone turns it off: across sign-out and restart
    SettingSpec("scan.watch", Action.SCAN, "0", _one_of("0", "1")),
    # a file in the scanner folder is taken once its size and time stayed the same this long
    # (longer than the longest pause of the scanner's writing) and it is structurally complete
    SettingSpec("scan.settle_seconds", Action.SETTINGS, str(SETTLE_DEFAULT_S), _int_between(1, 600)),
    # resource caps of reading (kiosk.reading.imaging.Limits): above them a file is refused with its reason
    SettingSpec("scan.max_pages", Action.SETTINGS, str(DEFAULT_LIMITS.max_pages), _int_between(1, 100_000)),
    SettingSpec("scan.max_megapixels", Action.SETTINGS, str(DEFAULT_LIMITS.max_pixels // 1_000_000),
                _int_between(1, 1_000)),
    SettingSpec("scan.max_file_mb", Action.SETTINGS, str(DEFAULT_LIMITS.max_file_bytes >> 20), _int_between(1, 4_096)),
    SettingSpec("scan.max_video_frames", Action.SETTINGS, str(DEFAULT_LIMITS.max_video_frames),
                _int_between(100, 10_000_000)),
)}
# The reader's mark thresholds (every field of kiosk.reading.reader.Thresholds) appear
# as settings "reader.<field>", fractions 0..1, kept in the reader's own JSON
# setting so ``kiosk.intake.context`` uses them.
READER_SETTING = "reader_thresholds"  # a JSON object of Thresholds fields (kiosk.intake.context reads it)
READER_PREFIX = "reader."
_reader_check = _float_between(0.0, 1.0)


def _reader_defaults() -> dict[str, float]:
    return Thresholds().to_dict()


def get_settings(store: Store) -> dict[str, str]:
    """Every known kiosk setting, with defaults filled in."""
    stored = store.settings()
    out = {key: stored.get(key, spec.default) for key, spec in SETTINGS.items()}
    defaults = _reader_defaults()
    try:
        saved = json.loads(stored.get(READER_SETTING) or "{}")
    except (ValueError, TypeError):
        saved = {}
    for name, value in defaults.items():
        out[READER_PREFIX + name] = repr(round(float(saved.get(name, value)), 4))
    return out


def reader_thresholds(store: Store) -> Thresholds:
    """The reader's thresholds as set on this kiosk (defaults for what is not set)."""
    try:
        saved = json.loads(store.get_setting(READER_SETTING) or "{}")
    except (ValueError, TypeError):
        saved = {}
    return Thresholds.from_dict(saved if isinstance(saved, dict) else {})


def reader_defaults() -> dict[str, str]:
    """The reader's built-in thresholds as settings keys (for "restore defaults")."""
    return {READER_PREFIX + k: repr(round(v, 4)) for k, v in _reader_defaults().items()}


def update_settings(store: Store, session: Session | None, values: dict[str, Any]) -> dict[str, str]:
    """Validate and store settings, each checked against the role that may change it
    (at the screen and on the command line alike), and write the change to the audit log."""
    reader_names = set(_reader_defaults())
    clean: dict[str, str] = {}
    for key, value in values.items():
        if key.startswith(READER_PREFIX) and key[len(READER_PREFIX):] in reader_names:
            action, check = Action.SETTINGS, _reader_check
        elif key in SETTINGS:
            action, check = SETTINGS[key].action, SETTINGS[key].check
        else:
            raise KioskError("settings.unknown", key=key)
        require(session, action)
        try:
            clean[key] = check(value)
        except (TypeError, ValueError) as exc:
            raise KioskError("settings.invalid", key=key, detail=str(exc) or repr(value)) from None
    plain = {k: v for k, v in clean.items() if not k.startswith(READER_PREFIX)}
    reader = {k[len(READER_PREFIX):]: float(v) for k, v in clean.items() if k.startswith(READER_PREFIX)}
    if reader:
        try:
            current = json.loads(store.get_setting(READER_SETTING) or "{}")
        except (ValueError, TypeError):
            current = {}
        plain[READER_SETTING] = json.dumps({**current, **reader}, sort_keys=True)
    if plain:
        store.set_settings(plain)
    if clean:
        record(store, "settings.changed", session.role.value, values=clean)
    return get_settings(store)


def pin_min_length(store: Store, role: str) -> int:
    """The fewest digits a new PIN of ``role`` may have."""
    spec = SETTINGS[PIN_LENGTH_PREFIX + role]
    try:
        return int(spec.check(store.get_setting(spec.key) or spec.default))
    except ValueError:
        return int(spec.default)
def scan_limits(store: Store) -> Limits:
    """The resource caps of reading as set on this kiosk (defaults for what is not set)."""
    s = get_settings(store)
    return Limits(
        max_pages=int(s["scan.max_pages"]),
        max_pixels=int(s["scan.max_megapixels"]) * 1_000_000,
        max_file_bytes=int(s["scan.max_file_mb"]) << 20,
        max_video_frames=int(s["scan.max_video_frames"]),
    )


def watch_settings(store: Store) -> tuple[bool, str, int]:
    """(watching on, the scanner folder, settle seconds) as set on this kiosk."""
    s = get_settings(store)
    return s["scan.watch"] == "1", s["scan.folder"], int(s["scan.settle_seconds"])


def idle_seconds(store: Store) -> int:
    return int(get_settings(store)["ui.idle_seconds"])
