"""The kiosk as a service: a data directory, its enrollment and its workflows.

The CLI and the Qt UI both talk to ``Kiosk``; neither holds business rules.
A ``Kiosk`` owns one SQLite connection, so each thread opens its own.
"""
from __future__ import annotations

import base64
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from . import keys, payload
from .campaign import Campaign, Institution, demo_campaign_path, load_campaign
from .errors import KioskError
from .layout import build_layout, layouts_for
from .printing import PrintCancelled, send_to_printer, write_pdf
from .storage import Store

DB_NAME = "kiosk.db"
MAX_PRINT = 10_000


def data_dir(explicit: str | Path | None = None) -> Path:
    """KIOSK_DATA_DIR, else the platform's user data directory."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("urn-kiosk", appauthor=False))


def _ensure_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)


@dataclass
class PrintResult:
    job_id: int
    count: int
    layout_id: int
    target: str  # file path, or "printer:NAME"
    serials: list[bytes]


class Kiosk:
    """An enrolled data directory: campaign, institution, keys and database."""

    def __init__(self, root: Path, store: Store, campaign: Campaign, institution: Institution) -> None:
        self.root = root
        self.store = store
        self.campaign = campaign
        self.institution = institution
        self.kiosk_id = store.get_setting("kiosk_id") or ""
        self.tag_key = keys.read_hex_key(root / "keys" / "institution.key")
        self.store.register_layouts(layouts_for(campaign, institution))

    # -- opening and enrolling ------------------------------------------------
    @staticmethod
    def open_store(root: Path) -> Store:
        _ensure_private_dir(root)
        db = root / DB_NAME
        fresh = not db.exists()
        store = Store(db)
        if fresh:
            os.chmod(db, 0o600)
        return store

    @classmethod
    def open(cls, root: str | Path | None = None, *, campaign_path: str | Path | None = None) -> "Kiosk":
        """Open an enrolled data directory (raises enroll.not_enrolled otherwise)."""
        root = data_dir(root)
        store = cls.open_store(root)
        try:
            settings = store.settings()
            if "institution_id" not in settings:
                raise KioskError("enroll.not_enrolled")
            path = campaign_path or settings["campaign_path"]
            campaign = load_campaign(path)
            if campaign.id != settings["campaign_id"]:
                raise KioskError("campaign.mismatch", expected=settings["campaign_id"], actual=campaign.id)
            if campaign_path and str(campaign_path) != settings["campaign_path"]:
                store.set_settings({"campaign_path": str(Path(campaign_path).resolve())})
            institution = campaign.institution(settings["institution_id"])
            kiosk = cls(root, store, campaign, institution)
            store.recover_interrupted_jobs()
            return kiosk
        except BaseException:
            store.close()
            raise

    @classmethod
    def enroll(
        cls,
        institution_id: str,
        *,
        root: str | Path | None = None,
        campaign_path: str | Path | None = None,
        key_file: str | Path | None = None,
    ) -> "Kiosk":
        """Bind a data directory to one institution of a campaign.

        The institution key comes from ``key_file`` (issued by the central
        office) or, for a demo campaign only, is derived from its demo master key.
        """
        root = data_dir(root)
        campaign_path = Path(campaign_path or demo_campaign_path()).resolve()
        campaign = load_campaign(campaign_path)
        institution = campaign.institution(institution_id)
        store = cls.open_store(root)
        try:
            existing = store.get_setting("institution_id")
            if existing is not None:
                raise KioskError("enroll.already", institution=existing)
            if key_file is not None:
                tag_key = keys.read_hex_key(Path(key_file))
            elif campaign.demo_master_key is not None:
                tag_key = payload.derive_institution_key(campaign.demo_master_key, campaign.id, institution.id)
            else:
                raise KioskError("enroll.no_key")
            keydir = root / "keys"
            keys.write_hex_key(keydir / "institution.key", tag_key)
            signing = keys.new_signing_key()
            keys.save_signing_key(keydir / "kiosk-ed25519.pem", signing)
            kiosk_id = "kiosk-" + base64.b32encode(secrets.token_bytes(5)).decode().lower()
            (root / f"{kiosk_id}.pub").write_text(keys.public_hex(signing) + "\n")
            store.set_settings(
                {
                    "kiosk_id": kiosk_id,
                    "campaign_id": campaign.id,
                    "campaign_path": str(campaign_path),
                    "institution_id": institution.id,
                }
            )
            return cls(root, store, campaign, institution)
        except BaseException:
            store.close()
            raise

    @classmethod
    def open_or_enroll_demo(cls, root: str | Path | None = None) -> "Kiosk":
        """Open the data directory; a fresh one enrolls itself in the demo
        campaign's first institution."""
        try:
            return cls.open(root)
        except KioskError as exc:
            if exc.code != "enroll.not_enrolled":
                raise
        demo = load_campaign(demo_campaign_path())
        return cls.enroll(demo.institutions[0].id, root=root, campaign_path=demo_campaign_path())

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Kiosk":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def public_key_path(self) -> Path:
        return self.root / f"{self.kiosk_id}.pub"

    def signing_key(self):
        return keys.load_signing_key(self.root / "keys" / "kiosk-ed25519.pem")

    # -- layouts ----------------------------------------------------------------
    def layout(self, page_size: str | None = None) -> dict[str, Any]:
        return build_layout(self.campaign, self.institution, page_size)

    def known_layouts(self) -> frozenset[int]:
        return self.store.layout_ids(self.campaign.id, self.institution.id)

    def verify_payload(self, data: str | bytes) -> payload.Payload:
        return payload.verify(
            data,
            campaign=self.campaign.hash,
            institution=self.institution.hash,
            key=self.tag_key,
            known_layouts=self.known_layouts(),
        )

    # -- issuing ----------------------------------------------------------------
    def print_ballots(
        self,
        count: int,
        *,
        out: str | Path | None = None,
        printer: str | None = None,
        page_size: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> PrintResult:
        """Issue ``count`` ballots into a PDF file or onto a CUPS printer.

        The serials and their job are recorded in one transaction before any
        ballot exists on paper; a failed or cancelled job voids them all.
        """
        if not 1 <= count <= MAX_PRINT:
            raise KioskError("print.count", max=MAX_PRINT)
        if (out is None) == (printer is None):
            raise KioskError("usage", detail="give either an output file or a printer")
        spec = self.layout(page_size)
        self.store.register_layouts([spec])
        target = f"printer:{printer}" if printer else str(Path(out).resolve())
        job = {
            "kiosk_id": self.kiosk_id,
            "campaign_id": self.campaign.id,
            "institution_id": self.institution.id,
            "layout_id": spec["id"],
            "target": target,
        }
        for _attempt in range(5):
            serials = list({payload.new_serial() for _ in range(count)})
            if len(serials) != count:
                continue
            try:
                job_id = self.store.record_issue(job, serials)
                break
            except sqlite3.IntegrityError:
                continue  # a 64-bit collision with an earlier serial: draw again
        else:  # pragma: no cover - astronomically unlikely
            raise RuntimeError("could not draw unique serials")
        inst_hash = self.institution.hash
        ballots = [
            (
                payload.make_payload(self.tag_key, self.campaign.hash, inst_hash, spec["id"], s).text(),
                payload.serial_text(s),
            )
            for s in serials
        ]
        try:
            if printer:
                with tempfile.TemporaryDirectory(dir=self.root) as tmp:
                    pdf = Path(tmp) / "ballots.pdf"
                    write_pdf(spec, ballots, pdf, progress, cancelled)
                    send_to_printer(pdf, printer)
            else:
                write_pdf(spec, ballots, out, progress, cancelled)
        except PrintCancelled:
            voided = self.store.void_job(job_id, serials, "cancelled")
            raise KioskError("print.cancelled", voided=voided) from None
        except KioskError as exc:
            voided = self.store.void_job(job_id, serials, exc.code)
            raise KioskError("print.failed", detail=exc.message(), voided=voided) from exc
        except BaseException as exc:
            self.store.void_job(job_id, serials, f"bug: {type(exc).__name__}")
            raise
        self.store.finish_job(job_id)
        return PrintResult(job_id, count, spec["id"], target, serials)
