"""The data directory: the one place that knows where a kiosk keeps its files.

::

    <root>/kiosk.db               SQLite database (kiosk.storage)
    <root>/kiosk.db.lock          held while the schema is created or upgraded
    <root>/.enroll.lock           held while the data directory is enrolled
    <root>/keys/institution.key   the institution's ballot key (hex, owner-only)
    <root>/keys/kiosk-ed25519.pem the kiosk's batch signing key (owner-only)
    <root>/<kiosk-id>.pub         the kiosk's public key, for the central office
    <root>/images/<sh>/<sha256>.<ext>  content-addressed originals of scans
    <root>/logs/kiosk.log         the log (bugs with their traces)
    <root>/exports/               default folder for signed batches
    <root>/pdf/                   default folder for ballots saved as PDF
    <root>/spool/<job>.pdf        a print job's ballots until the spooler has them

The root is ``--data-dir``, else ``$KIOSK_DATA_DIR``, else the platform's
user data directory.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from . import platform

APP_NAME = "urn-kiosk"
ENV_VAR = "KIOSK_DATA_DIR"
DB_NAME = "kiosk.db"


def db_lock(db: str | Path) -> Path:
    """The lock file held while the database ``db`` is created or upgraded."""
    db = Path(db)
    return db.with_name(db.name + ".lock")


def default_root() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def locate(cls, explicit: str | Path | None = None) -> "DataDir":
        """``explicit``, else $KIOSK_DATA_DIR, else the user data directory."""
        if isinstance(explicit, DataDir):
            return explicit
        if explicit:
            return cls(Path(explicit))
        env = os.environ.get(ENV_VAR)
        return cls(Path(env) if env else default_root())

    def ensure_private(self) -> None:
        """Create the directory, readable by its owner only."""
        platform.make_private_dir(self.root)

    def exposed_keys(self) -> list[Path]:
        """The key files that users other than their owner may read or write
        (POSIX permission bits; elsewhere nothing is reported)."""
        if os.name != "posix":  # pragma: no cover - access control lists are the system's business there
            return []
        exposed = []
        for path in (self.institution_key, self.signing_key):
            try:
                mode = path.stat().st_mode
            except FileNotFoundError:
                continue
            if mode & 0o077:
                exposed.append(path)
        return exposed

    # -- files ------------------------------------------------------------------
    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def institution_key(self) -> Path:
        return self.keys / "institution.key"

    @property
    def signing_key(self) -> Path:
        return self.keys / "kiosk-ed25519.pem"

    def public_key(self, kiosk_id: str) -> Path:
        return self.root / f"{kiosk_id}.pub"

    @property
    def images(self) -> Path:
        return self.root / "images"

    def original(self, sha256: str, ext: str) -> Path:
        """Where a stored original with this content hash lives."""
        return self.images / sha256[:2] / f"{sha256}.{ext}"

    def resolve(self, stored_path: str | Path) -> Path:
        """A path as recorded in the database (absolute, or relative to the root)."""
        path = Path(stored_path)
        return path if path.is_absolute() else self.root / path

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "kiosk.log"

    @property
    def exports(self) -> Path:
        """The default folder for signed batches."""
        return self.root / "exports"

    @property
    def pdf(self) -> Path:
        """The default folder for ballots saved as PDF."""
        return self.root / "pdf"

    @property
    def shared(self) -> tuple[Path, ...]:
        """The folders of the data directory a person may see and choose in a folder
        dialog (batches, ballots saved as PDF); everything else in it is the kiosk's own."""
        return (self.exports, self.pdf)

    @property
    def print_spool(self) -> Path:
        """Ballots on their way to the printer: one file per job in flight, deleted
        once the spooler has them (and, after a crash, on the next open)."""
        return self.root / "spool"

    def spool_file(self, job_id: int) -> Path:
        return self.print_spool / f"{job_id:016x}.pdf"

    @property
    def enroll_lock(self) -> Path:
        return self.root / ".enroll.lock"

    @property
    def export_lock(self) -> Path:
        return self.root / ".export.lock"

    @property
    def tmp(self) -> Path:
        """Temporary files that must stay on the data directory's file system."""
        return self.root


CENTRAL_APP_NAME = "urn-kiosk-central"
CENTRAL_ENV_VAR = "KIOSK_CENTRAL_DIR"
CENTRAL_DB_NAME = "central.db"


@dataclass(frozen=True)
class CentralDir:
    """The central office's data directory: the one place that knows its layout.

    ::

        <root>/central.db               SQLite database (kiosk.storage.central)
        <root>/central.db.lock          held while the schema is created or upgraded
        <root>/campaign.toml            the campaign file the office counts
        <root>/keys/master.key          the campaign master key (hex, owner-only)
        <root>/keys/trust/<kiosk-id>.pub  kiosk keys trusted by hand (version 1 batches)
        <root>/revoked.txt              the revocation list (kiosk ids, one a line)
        <root>/batches/<sha256>.zip     every batch file received, by its content
        <root>/reports/                 published reports (PDF, CSV, XLSX, JSON)
        <root>/logs/central.log         the log (bugs with their traces)

    The root is ``--data-dir``, else ``$KIOSK_CENTRAL_DIR``, else the platform's
    user data directory for the central office (never a kiosk's).
    """

    root: Path

    @classmethod
    def locate(cls, explicit: str | Path | None = None) -> "CentralDir":
        if isinstance(explicit, CentralDir):
            return explicit
        if explicit:
            return cls(Path(explicit))
        env = os.environ.get(CENTRAL_ENV_VAR)
        return cls(Path(env) if env else Path(platformdirs.user_data_dir(CENTRAL_APP_NAME, appauthor=False)))

    def ensure_private(self) -> None:
        platform.make_private_dir(self.root)
        for sub in (self.batches, self.reports, self.logs, self.keys):
            platform.make_private_dir(sub)

    @property
    def db(self) -> Path:
        return self.root / CENTRAL_DB_NAME

    @property
    def campaign(self) -> Path:
        return self.root / "campaign.toml"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def master_key(self) -> Path:
        return self.keys / "master.key"

    @property
    def trust(self) -> Path:
        """Public keys trusted by hand (``<kiosk-id>.pub``), for version 1 batches."""
        return self.keys / "trust"

    @property
    def revocations(self) -> Path:
        return self.root / "revoked.txt"

    @property
    def batches(self) -> Path:
        return self.root / "batches"

    def batch_file(self, sha256: str) -> Path:
        """Where a received batch file with this content hash is kept."""
        return self.batches / f"{sha256}.zip"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "central.log"
