"""The kiosk station: one enrolled data directory, its campaign, institution and keys.

``Kiosk.open`` opens an enrolled data directory, ``Kiosk.enroll`` binds a
fresh one to an institution.  The workflows (issuing, intake, export) take a
``Kiosk``; the CLI and the Qt UI reach them through ``kiosk.session``.
A ``Kiosk`` owns one SQLite connection, so each thread opens its own.
"""
from __future__ import annotations

import base64
import secrets
import shlex
from pathlib import Path

from . import platform
from .assets import demo_campaign_path
from .audit.log import os_actor, record
from .ballot import keys, payload
from .ballot.campaign import Campaign, Institution, load_campaign
from .ballot.layout import build_layout, layouts_for
from .ballot.spec import LayoutSpec
from .datadir import DataDir
from .errors import KioskError
from .locks import interprocess_lock
from .storage.store import Store


class Kiosk:
    """An enrolled data directory: campaign, institution, keys and database."""

    def __init__(self, datadir: DataDir, store: Store, campaign: Campaign, institution: Institution) -> None:
        exposed = datadir.exposed_keys()
        if exposed:
            store.close()  # the caller handed it over to this kiosk, which will not exist
            raise KioskError("datadir.keys_exposed", files=" ".join(shlex.quote(str(p)) for p in exposed))
        self.datadir = datadir
        self.root = datadir.root
        self.store = store
        self.campaign = campaign
        self.institution = institution
        self.kiosk_id = store.get_setting("kiosk_id") or ""
        # what opening found of print jobs whose process had died (Kiosk.open)
        self.recovered: dict[str, int] = {"voided_jobs": 0, "voided": 0, "unsettled": 0}
        self.tag_key = keys.read_hex_key(datadir.institution_key)
        self.store.register_layouts(layouts_for(campaign, institution))

    # -- opening and enrolling ------------------------------------------------
    @staticmethod
    def open_store(datadir: DataDir) -> Store:
        datadir.ensure_private()
        fresh = not datadir.db.exists()
        store = Store(datadir.db)
        if fresh:
            platform.make_private_file(datadir.db)
        return store

    @classmethod
    def open(cls, root: str | Path | DataDir | None = None, *, campaign_path: str | Path | None = None) -> "Kiosk":
        """Open an enrolled data directory (raises enroll.not_enrolled otherwise)."""
        datadir = DataDir.locate(root)
        store = cls.open_store(datadir)
        try:
            settings = store.settings()
            if "institution_id" not in settings:
                raise KioskError("enroll.not_enrolled")
            path = campaign_path or settings["campaign_path"]
            campaign = load_campaign(path, check_rosters=False)  # this kiosk lays out its own ballot below
            if campaign.id != settings["campaign_id"]:
                raise KioskError("campaign.mismatch", expected=settings["campaign_id"], actual=campaign.id)
            if campaign_path and str(campaign_path) != settings["campaign_path"]:
                store.set_settings({"campaign_path": str(Path(campaign_path).resolve())})
            institution = campaign.institution(settings["institution_id"])
            kiosk = cls(datadir, store, campaign, institution)
            kiosk.recovered = store.recover_interrupted_jobs()
            kiosk.clean_print_spool()
            return kiosk
        except BaseException:
            store.close()
            raise

    @classmethod
    def enroll(
        cls,
        institution_id: str,
        *,
        root: str | Path | DataDir | None = None,
        campaign_path: str | Path | None = None,
        key_file: str | Path | None = None,
    ) -> "Kiosk":
        """Bind a data directory to one institution of a campaign.

        The institution key comes from ``key_file`` (issued by the central
        office) or, for a demo campaign only, is derived from its demo master key.
        """
        datadir = DataDir.locate(root)
        campaign_path = Path(campaign_path or demo_campaign_path()).resolve()
        campaign = load_campaign(campaign_path)
        institution = campaign.institution(institution_id)
        datadir.ensure_private()
        # two commands enrolling one fresh data directory at once: one enrolls, the other
        # finds it enrolled (keys and kiosk id always belong together)
        with interprocess_lock(datadir.enroll_lock):
            return cls._enroll(datadir, campaign_path, campaign, institution, key_file)

    @classmethod
    def _enroll(cls, datadir: DataDir, campaign_path: Path, campaign: Campaign, institution: Institution,
                key_file: str | Path | None) -> "Kiosk":
        store = cls.open_store(datadir)
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
            keys.write_hex_key(datadir.institution_key, tag_key)
            signing = keys.new_signing_key()
            keys.save_signing_key(datadir.signing_key, signing)
            kiosk_id = "kiosk-" + base64.b32encode(secrets.token_bytes(5)).decode().lower()
            keys.write_private(datadir.public_key(kiosk_id), (keys.public_hex(signing) + "\n").encode("ascii"))
            # the institution key certifies this kiosk's public key: every batch carries it
            certificate = keys.kiosk_certificate(tag_key, kiosk_id, bytes.fromhex(keys.public_hex(signing)))
            store.set_settings(
                {
                    "kiosk_certificate": certificate,
                    "kiosk_id": kiosk_id,
                    "campaign_id": campaign.id,
                    "campaign_path": str(campaign_path),
                    "institution_id": institution.id,
                }
            )
            record(store, "kiosk.enrolled", os_actor(), kiosk_id=kiosk_id, campaign=campaign.id,
                   institution=institution.id)
            return cls(datadir, store, campaign, institution)
        except BaseException:
            store.close()
            raise

    @classmethod
    def open_or_enroll_demo(cls, root: str | Path | DataDir | None = None) -> "Kiosk":
        """Open the data directory; a fresh one enrolls itself in the demo
        campaign's demo institution (its first institution if it names none)."""
        try:
            return cls.open(root)
        except KioskError as exc:
            if exc.code != "enroll.not_enrolled":
                raise
        demo = load_campaign(demo_campaign_path())
        try:
            return cls.enroll(demo.demo_institution or demo.institutions[0].id, root=root,
                              campaign_path=demo_campaign_path())
        except KioskError as exc:
            if exc.code != "enroll.already":
                raise
            return cls.open(root)  # another process enrolled it a moment ago

    def close(self) -> None:
        self.store.close()

    def clean_print_spool(self) -> int:
        """Delete ballot files of print jobs no running process prints (left by a crash)."""
        spool = self.datadir.print_spool
        if not spool.is_dir():
            return 0
        keep = set()
        for job_id in self.store.live_print_jobs():
            name = self.datadir.spool_file(job_id).name
            keep |= {name, f".{name}.part"}  # the file, and while it is drawn, its part file
        removed = 0
        for path in spool.iterdir():
            if path.name not in keep and path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def __enter__(self) -> "Kiosk":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def public_key_path(self) -> Path:
        return self.datadir.public_key(self.kiosk_id)

    def signing_key(self) -> keys.Ed25519PrivateKey:
        return keys.load_signing_key(self.datadir.signing_key)

    @property
    def certificate(self) -> str:
        """The enrollment certificate: this kiosk's id and public key under the institution key
        (written at enrollment; made from the keys for a kiosk enrolled before certificates)."""
        stored = self.store.get_setting("kiosk_certificate")
        if stored:
            return stored
        public = bytes.fromhex(keys.public_hex(self.signing_key()))
        return keys.kiosk_certificate(self.tag_key, self.kiosk_id, public)

    # -- layouts ----------------------------------------------------------------
    def layout(self, page_size: str | None = None) -> LayoutSpec:
        """The current layout for this institution (the campaign's page size by default)."""
        return build_layout(self.campaign, self.institution, page_size)

    def stored_layout(self, layout_id: int) -> LayoutSpec | None:
        """A layout this kiosk registered (every earlier roster's layout stays readable)."""
        return self.store.layout(self.campaign.id, self.institution.id, layout_id)

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
