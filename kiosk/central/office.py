"""The central office's own data directory: what it received, decided and published.

``CentralOffice.open(dir)`` opens (or creates) a data directory like a kiosk's
(``kiosk.datadir.CentralDir``, SQLite through ``kiosk.storage.central``) and gives
the workflows of the central office without any Qt, for the window and the tests:

* ``configure``: the campaign file, the campaign master key (every kiosk of every
  institution is trusted through its enrollment certificate), a trust directory for
  version 1 batches and the revocation list;
* ``import_paths``: files and folders (a USB stick): each batch file is copied into
  the data directory under its SHA-256 and verified on its own; a file received
  before changes nothing;
* ``overview``: per institution and kiosk, the batches received and the chain's state,
  and every excluded file with its reason, from the stored outcomes (no file re-read);
* ``count``: every batch verified again and tallied with the people's decisions;
  conflicting serials come out of it, with ``copy_image`` for each copy's image;
* ``decide`` / ``withdraw``: a decision on a conflicting serial, with a note, stored
  with who and when; changeable until ``publish``, frozen after it;
* ``import_online``: the online vote (``institution_id,specialist_id,votes``);
* ``publish``: the final count with the decisions and the online vote, the reports
  (PDF, XLSX, CSV and the JSON with the decisions) written into the data directory, and
  the publication recorded.

One ``CentralOffice`` per thread (its SQLite connection is the thread's own).
"""
from __future__ import annotations

import datetime as dt
import gc
import getpass
import hashlib
import json
import os
import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import platform
from ..ballot.campaign import Campaign, load_campaign
from ..ballot.keys import read_hex_key, write_hex_key
from ..datadir import CentralDir
from ..errors import KioskError
from ..storage.central import (
    BatchFile,
    CentralStore,
    Decision,
    OnlineImport,
    Publication,
)
from .images import ballot_image
from .online import OnlineVotes, parse_online
from .report import write_report
from .tables import write_csv, write_xlsx
from .tally import Resolution, SerialConflict, SerialCopy, TallyResult, tally
from .verify import (
    REASONS,
    BatchCheck,
    KioskChain,
    Shared,
    chained,
    check_chains,
    kiosk_chains,
    load_trust,
    parse_revocations,
    verify_file,
)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
COPY_CHUNK = 1 << 20
MAX_ONLINE_BYTES = 64 << 20  # an online vote file larger than this is refused unread


def _never() -> bool:
    return False


def _no_progress(done: int, total: int) -> None:
    pass


# -- what the office reports -------------------------------------------------------

@dataclass(frozen=True)
class ImportOutcome:
    """What one import did: files new to the office, files it had already, files it could not read."""

    new: tuple[BatchFile, ...]
    unchanged: tuple[str, ...]  # names of files received before (same content)
    unreadable: tuple[tuple[str, str], ...]  # (name, why)


@dataclass(frozen=True)
class ExcludedFile:
    """A file that does not count, and why (``reason`` is one of ``verify.REASONS``)."""

    sha256: str
    name: str
    kiosk_id: str | None
    batch: int | None
    reason: str
    detail: str

    def message(self, lang: str | None = None) -> str:
        return KioskError(f"batch.{self.reason}", detail=self.detail).message(lang)


@dataclass(frozen=True)
class Overview:
    """The state of what was received, from the stored outcomes (no file read again)."""

    files: int
    unverified: int
    institutions: dict[str, tuple[KioskChain, ...]]  # institution id -> its kiosks, in the campaign's order
    excluded: tuple[ExcludedFile, ...]


@dataclass
class Count:
    """A count of every received batch with the decisions as they stand."""

    result: TallyResult  # with the online vote (``result.online``) and the rules applied
    decisions: dict[str, Decision]
    files: dict[str, str] = field(default_factory=dict)  # the name a check carries -> the stored file's SHA-256

    @property
    def conflicts(self) -> tuple[SerialConflict, ...]:
        return self.result.conflicts


# -- the office ------------------------------------------------------------------------

class CentralOffice:
    """The central office's data directory, open on this thread."""

    def __init__(self, cdir: CentralDir, store: CentralStore, operator: str,
                 cache: dict[str, BatchCheck] | None = None) -> None:
        self.dir = cdir
        self.store = store
        self.operator = operator
        self._campaign: Campaign | None = None
        # sha256 -> the file's own check with its ballots: files are read once per cache
        self._files: dict[str, BatchCheck] = {} if cache is None else cache
        self._shared = Shared()  # what the files verified by this office share (speed only)

    @classmethod
    def open(cls, root: str | Path | CentralDir | None = None, operator: str | None = None,
             cache: dict[str, BatchCheck] | None = None) -> CentralOffice:
        """Open (or create) the data directory.  ``cache``: checks of files read earlier, shared
        by the offices a program opens one after another (each on its own thread, one at a time)."""
        cdir = CentralDir.locate(root)
        cdir.ensure_private()
        store = CentralStore(cdir.db)
        if operator is None:
            try:
                operator = getpass.getuser()
            except Exception:  # noqa: BLE001 - no login name (a service): say so
                operator = "?"
        return cls(cdir, store, operator, cache)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> CentralOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- configuration ---------------------------------------------------------------
    @property
    def configured(self) -> bool:
        return self.dir.campaign.exists()

    @property
    def campaign(self) -> Campaign:
        if self._campaign is None:
            if not self.dir.campaign.exists():
                raise KioskError("central.no_campaign")
            # its rosters were laid out when it was configured: reading it again need not
            self._campaign = load_campaign(self.dir.campaign, check_rosters=False)
        return self._campaign

    @property
    def master(self) -> bytes | None:
        """The campaign master key the office holds (else a demo campaign's own)."""
        if self.dir.master_key.exists():
            return read_hex_key(self.dir.master_key)
        return self.campaign.demo_master_key

    @property
    def has_master_key(self) -> bool:
        return self.dir.master_key.exists()

    @property
    def trust(self) -> dict[str, bytes]:
        """Public keys of kiosks trusted by hand (version 1 batches carry no certificate)."""
        return load_trust(self.dir.trust) if self.dir.trust.is_dir() else {}

    @property
    def revocations(self) -> dict[str, dt.date | None]:
        if not self.dir.revocations.exists():
            return {}
        return parse_revocations(self.dir.revocations.read_text(encoding="utf-8"), self.dir.revocations.name)

    @property
    def revocations_text(self) -> str:
        return self.dir.revocations.read_text(encoding="utf-8") if self.dir.revocations.exists() else ""

    def configure(self, *, campaign: str | Path | None = None, master: str | Path | None = None,
                  trust: str | Path | None = None, revocations: str | None = None) -> None:
        """Set what the office counts with; each given item is checked before anything is
        written.  A new campaign, key or trust means every file is verified again
        (``verify_pending``); a revocation list only changes the chains."""
        if self.published is not None and (campaign is not None or master is not None or trust is not None):
            raise KioskError("central.published")
        new_campaign = load_campaign(campaign) if campaign is not None else None
        new_master = read_hex_key(Path(master)) if master is not None else None
        new_trust = load_trust(trust) if trust is not None else None
        if revocations is not None:
            parse_revocations(revocations, self.dir.revocations.name)  # every bad line named, nothing written
        if new_campaign is not None:
            platform.write_private(self.dir.campaign, Path(campaign).read_bytes())
            self._campaign = new_campaign
        if new_master is not None:
            write_hex_key(self.dir.master_key, new_master)
        if new_trust is not None:
            platform.make_private_dir(self.dir.trust)
            for old in self.dir.trust.glob("*.pub"):
                old.unlink()
            for kiosk_id, key in new_trust.items():
                platform.write_private(self.dir.trust / f"{kiosk_id}.pub", key.hex().encode() + b"\n")
        if revocations is not None:
            platform.write_private(self.dir.revocations, revocations.encode("utf-8"))
        if new_campaign is not None or new_master is not None or new_trust is not None:
            self.store.unverify_files()
            self._files.clear()
            self._shared = Shared()

    # -- receiving files ----------------------------------------------------------------
    @staticmethod
    def batch_paths(items: Iterable[str | Path]) -> list[Path]:
        """Files as given; a folder stands for every ``*.zip`` under it (a USB stick's
        folders too), hidden files and a kiosk's unfinished temporary files left out."""
        paths: list[Path] = []
        for item in items:
            p = Path(item)
            if p.is_dir():
                for found in sorted(p.rglob("*.zip")):
                    rel = found.relative_to(p)
                    if found.is_file() and not any(part.startswith(".") for part in rel.parts):
                        paths.append(found)
            else:
                paths.append(p)
        return paths

    def import_paths(self, items: Iterable[str | Path], progress: Progress = _no_progress,
                     cancelled: Cancelled = _never, verify: bool = True) -> ImportOutcome:
        """Copy each batch file into the data directory by its SHA-256 and (``verify``) verify
        the new ones; without ``verify`` they wait for ``verify_pending`` (a caller that
        reports that progress on its own).  A file that cannot be read is named and the
        others go on."""
        paths = self.batch_paths(items)
        self._campaign_or_raise()
        new: list[str] = []
        unchanged: list[str] = []
        unreadable: list[tuple[str, str]] = []
        total = len(paths)
        for n, path in enumerate(paths):
            if cancelled():
                break
            progress(n, total)
            try:
                sha, size = self._receive(path)
            except KioskError as exc:
                unreadable.append((path.name, exc.message()))
                continue
            if self.store.add_file(sha, path.name, size):
                new.append(sha)
            else:
                unchanged.append(path.name)
        progress(total, total)
        if verify:
            self.verify_pending(cancelled=cancelled, only=set(new))
        files = {f.sha256: f for f in self.store.files()}
        return ImportOutcome(tuple(files[s] for s in new if s in files), tuple(unchanged), tuple(unreadable))

    def files(self) -> list[BatchFile]:
        """Every file received, with its own outcome as it stands."""
        return self.store.files()

    def _receive(self, path: Path) -> tuple[str, int]:
        """Copy a file into the batches folder under its SHA-256 (atomically); its hash and size."""
        h = hashlib.sha256()
        size = 0
        tmp = self.dir.batches / f".incoming-{os.getpid()}-{id(path):x}.tmp"
        try:
            if not path.is_file():
                raise KioskError("central.import", detail=f"{path}: not a regular file")
            with open(path, "rb") as src, open(tmp, "wb") as dst:
                while chunk := src.read(COPY_CHUNK):
                    h.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            sha = h.hexdigest()
            target = self.dir.batch_file(sha)
            if target.exists():
                tmp.unlink()
            else:
                os.replace(tmp, target)
                platform.fsync_dir(self.dir.batches)
            return sha, size
        except OSError as exc:
            raise KioskError("central.import", detail=f"{path}: {exc.strerror or exc}") from None
        finally:
            if tmp.exists():
                tmp.unlink()

    def verify_pending(self, progress: Progress = _no_progress, cancelled: Cancelled = _never,
                       only: set[str] | None = None) -> int:
        """Verify the files not verified with the current configuration; how many were."""
        pending = [f for f in self.store.files() if not f.verified and (only is None or f.sha256 in only)]
        keys = (self.trust, self.master) if pending else None
        for n, f in enumerate(pending):
            if cancelled():
                break
            progress(n, len(pending))
            check = self._verify(f, keys)
            self.store.set_outcomes([_outcome(f.sha256, check)])
        progress(len(pending), len(pending))
        return len(pending)

    def _verify(self, f: BatchFile, keys: tuple[dict[str, bytes], bytes | None] | None = None) -> BatchCheck:
        trust, master = keys if keys is not None else (self.trust, self.master)
        check = verify_file(self.dir.batch_file(f.sha256), trust, self.campaign, master, shared=self._shared)
        self._files[f.sha256] = check
        freeze_survivors()  # what a file's check keeps lives as long as the office's cache
        return check

    def _campaign_or_raise(self) -> Campaign:
        return self.campaign

    # -- the state of what was received ---------------------------------------------------
    def overview(self) -> Overview:
        files = self.store.files()
        names = _display_names(files)
        checks: list[BatchCheck] = []
        for f in files:
            c = BatchCheck(names[f.sha256], f.sha256, ok=f.verified and f.reason is None,
                           reason=f.reason if f.verified else None, detail=f.detail, kiosk_id=f.kiosk_id,
                           institution_id=f.institution_id, batch=f.batch, previous_sha256=f.previous_sha256,
                           manifest={"created_at": f.created_at} if f.created_at else {})
            checks.append(c)
        verified = [c for c, f in zip(checks, files) if f.verified]
        for c in verified:  # what was stored is each file's own outcome
            c.file_reason, c.file_detail = c.reason, c.detail
        check_chains(verified, self.revocations)
        chains: dict[str, list[KioskChain]] = defaultdict(list)
        for chain in kiosk_chains(verified):
            chains[chain.institution_id].append(chain)
        order = [i.id for i in self.campaign.institutions] if self.configured else []
        institutions = {iid: tuple(chains[iid]) for iid in order if iid in chains}
        institutions.update({iid: tuple(v) for iid, v in chains.items() if iid not in institutions})
        excluded = tuple(ExcludedFile(c.file_sha256, c.path, c.kiosk_id, c.batch, c.reason, c.detail)
                         for c in verified if not c.ok and c.reason in REASONS)
        return Overview(len(files), sum(not f.verified for f in files), institutions, excluded)

    # -- counting -------------------------------------------------------------------------
    def count(self, lang: str | None = None, progress: Progress = _no_progress,
              cancelled: Cancelled = _never) -> Count:
        """Every received file verified (a file verified earlier in this office's life is
        not read again), the chains worked out with the revocations as they stand, and
        the tally with the decisions as they stand."""
        files = self.store.files()
        names = _display_names(files)
        outcomes = []
        keys = (self.trust, self.master) if any(f.sha256 not in self._files for f in files) else None
        for n, f in enumerate(files):
            if cancelled():
                raise KioskError("central.not_counted")
            progress(n, len(files))
            if f.sha256 not in self._files:
                check = self._verify(f, keys)
                if not f.verified:
                    outcomes.append(_outcome(f.sha256, check))
            self._files[f.sha256].path = names[f.sha256]
        if outcomes:
            self.store.set_outcomes(outcomes)
        progress(len(files), len(files))
        checks = chained([self._files[f.sha256] for f in files], self.revocations)
        decisions = self.store.decisions()
        result = tally(checks, self.campaign, lang, _resolutions(decisions),
                       online=self.online_votes()).with_tags_checked(self.master is not None)
        return Count(result, decisions, {names[f.sha256]: f.sha256 for f in files})

    def copy_image(self, count: Count, copy: SerialCopy, serial: str) -> tuple[bytes, str] | None:
        """The image of one copy of a serial as its batch carries it (data and extension,
        checked against its record's hash), None when the batch carries no images."""
        sha = count.files.get(copy.file)
        if sha is None:
            return None
        found = ballot_image(self.dir.batch_file(sha), serial)
        return None if found is None else (found[1], found[0])

    # -- decisions ------------------------------------------------------------------------
    def decide(self, count: Count, serial: str, copy: SerialCopy | None, note: str = "") -> Decision:
        """The copy that counts for ``serial`` (None: none counts), with a note.  The serial
        must be a conflict of ``count`` and the copy one of its copies."""
        conflict = next((c for c in count.conflicts if c.serial == serial), None)
        if conflict is None:
            raise KioskError("central.no_conflict", serial=serial, detail="not a conflicting serial")
        if copy is not None and not any((c.kiosk_id, c.batch) == (copy.kiosk_id, copy.batch) for c in conflict.copies):
            raise KioskError("central.no_conflict", serial=serial, detail=f"{copy.kiosk_id} {copy.batch}")
        if copy is not None and copy.status != "counted":
            raise KioskError("central.no_conflict", serial=serial, detail=f"{copy.kiosk_id} {copy.batch}: rejected")
        if copy is None:
            return self.store.add_decision(serial, "none", None, None, note.strip(), self.operator)
        return self.store.add_decision(serial, "copy", copy.kiosk_id, copy.batch, note.strip(), self.operator)

    def withdraw(self, serial: str, note: str = "") -> None:
        """The serial is undecided again."""
        self.store.add_decision(serial, "withdrawn", None, None, note.strip(), self.operator)

    def decisions(self) -> dict[str, Decision]:
        return self.store.decisions()

    # -- the online vote ------------------------------------------------------------------
    def import_online(self, path: str | Path) -> OnlineImport:
        """Read ``institution_id,specialist_id,votes`` (``kiosk.central.online``): a file naming
        an id the campaign does not know, or not a count, is refused with every bad line
        named, and the vote imported before stands.  A new import replaces the one before."""
        if self.published is not None:
            raise KioskError("central.published")
        path = Path(path)
        try:
            if path.stat().st_size > MAX_ONLINE_BYTES:
                raise KioskError("central.online", detail=f"{path.name}: larger than {MAX_ONLINE_BYTES >> 20} MiB")
            data = path.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KioskError("central.online", detail=f"{path}: {exc}") from None
        votes = parse_online(text, self.campaign, path.name)
        rows = dict(votes.specialists)
        rows.update({(iid, ""): n for iid, n in votes.institutions.items()})
        return self.store.add_online(hashlib.sha256(data).hexdigest(), path.name, self.operator, votes.lines, rows)

    def online_votes(self) -> OnlineVotes | None:
        """The online vote as imported last (None: none imported)."""
        imported = self.store.online_import()
        if imported is None:
            return None
        rows = self.store.online_votes()
        return OnlineVotes({k: n for k, n in rows.items() if k[1]}, {k[0]: n for k, n in rows.items() if not k[1]},
                           imported.lines, imported.name)

    def online_import(self) -> OnlineImport | None:
        return self.store.online_import()

    # -- publishing -----------------------------------------------------------------------
    @property
    def published(self) -> Publication | None:
        return self.store.publication()

    def publish(self, count: Count | None = None, lang: str | None = None, progress: Progress = _no_progress,
                cancelled: Cancelled = _never, now: dt.datetime | None = None) -> Publication:
        """Count once more with every decision, refuse while a conflict is undecided, write
        the reports into ``reports/`` and record the publication (decisions freeze)."""
        if self.published is not None:
            raise KioskError("central.published")
        count = self.count(lang, progress, cancelled) if count is None else count
        if count.result.unresolved_conflicts:
            raise KioskError("central.undecided", count=len(count.result.unresolved_conflicts))
        now = now or dt.datetime.now(dt.timezone.utc)
        stem = f"results-{now.astimezone(dt.timezone.utc):%Y%m%d-%H%M%S}"
        pdf = self.dir.reports / f"{stem}.pdf"
        document = self.result_document(count)
        # final: a person publishing was asked about every file that does not count (listed with its reason)
        document["published"] = {"at": now.astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
                                 "by": self.operator, "final": True,
                                 "files_not_counted": len(count.result.excluded_batches)}
        text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_reports(count.result, self.dir.campaign, self.dir.reports / stem, now, lang, self.operator)
        platform.write_private(self.dir.reports / f"{stem}.json", text.encode("utf-8"))
        return self.store.publish(self.operator, hashlib.sha256(text.encode("utf-8")).hexdigest(), str(pdf), text)

    def result_document(self, count: Count) -> dict[str, Any]:
        """The tally's JSON with the people's decisions and the online vote beside it."""
        doc = count.result.to_json()
        doc["decisions"] = {s: {"kind": d.kind, "kiosk_id": d.kiosk_id, "batch": d.batch, "note": d.note,
                                "decided_by": d.decided_by, "decided_at": d.decided_at}
                            for s, d in sorted(count.decisions.items())}
        online = self.online_import()
        if online is not None:
            doc["online_file"] = {"name": online.name, "sha256": online.sha256, "imported_at": online.imported_at,
                                  "imported_by": online.imported_by}
        return doc


# -- helpers ---------------------------------------------------------------------------

def freeze_survivors() -> None:
    """Collect the cyclic garbage among the objects made since the last call, then move
    every object still alive out of the cyclic collector's way (``gc.freeze``).

    The collector's automatic full passes walk every tracked object in one call that holds
    the interpreter: with a million ballots' checks and a campaign's results in memory, a
    window's event loop on another thread stalled 120-300 ms.  Frozen objects are never
    walked again and are still freed by reference counting when they are dropped; the
    collection first (only over what was made since the last freeze, so short when called
    often) means no garbage is frozen with them."""
    gc.collect()
    gc.freeze()


REPORT_MODULES = ["kiosk.central.report", "kiosk.central.tables"]


def _report_context() -> Any:
    return platform.process_context(preload=REPORT_MODULES)


def start_report_process() -> None:
    """Start the process that report processes are forked from now, while this process is
    small (a program about to hold a campaign's results calls it first): forking a large
    process later holds the interpreter for as long as copying its memory map takes."""
    ctx = _report_context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


PICKLE_PART = 1000  # specialists pickled in one call (a few milliseconds)


def write_reports(result: TallyResult, campaign_file: Path, stem: Path, now: dt.datetime,
                  lang: str | None = None, published_by: str | None = None) -> None:
    """``<stem>.pdf``, ``.xlsx`` and ``.csv``, written in a process of their own: the PDF and
    workbook writers hold the interpreter in long calls (up to half a second for a campaign of
    200 institutions), which a window's event loop on another thread would feel.

    What goes to that process is kept small per call too: the campaign as its file (read
    there), the result pickled here a part at a time (pickling 12,000 specialists and the
    campaign's roster in the pool's one call held the interpreter for 70-80 ms)."""
    head, parts = _pickled_in_parts(result)
    with ProcessPoolExecutor(max_workers=1, mp_context=_report_context(), initializer=platform.start_background) as pool:
        failed = pool.submit(_write_reports, head, parts, campaign_file, stem, now, lang, published_by).result()
    if failed is not None:
        raise KioskError(failed[0], **failed[1])


def _pickled_in_parts(result: TallyResult) -> tuple[bytes, list[bytes]]:
    head = pickle.dumps(replace(result, specialists=()), pickle.HIGHEST_PROTOCOL)
    parts = [pickle.dumps(result.specialists[i:i + PICKLE_PART], pickle.HIGHEST_PROTOCOL)
             for i in range(0, len(result.specialists), PICKLE_PART)]
    return head, parts


def _unpickled(head: bytes, parts: list[bytes]) -> TallyResult:
    return replace(pickle.loads(head), specialists=tuple(s for part in parts for s in pickle.loads(part)))


def _write_reports(head: bytes, parts: list[bytes], campaign_file: Path, stem: Path, now: dt.datetime,
                   lang: str | None, published_by: str | None) -> tuple[str, dict[str, Any]] | None:
    """In the report process: the files, or the known error as (code, params)."""
    try:
        result = _unpickled(head, parts)
        campaign = load_campaign(campaign_file, check_rosters=False)
        write_report(result, campaign, stem.with_suffix(".pdf"), now, published_by)
        write_xlsx(result, stem.with_suffix(".xlsx"), lang)
        write_csv(result, stem.with_suffix(".csv"))
    except KioskError as exc:
        return exc.code, exc.params
    return None


def _resolutions(decisions: dict[str, Decision]) -> dict[str, Resolution]:
    return {s: Resolution(s, d.kiosk_id if d.kind == "copy" else None, d.batch if d.kind == "copy" else None)
            for s, d in decisions.items()}


def _outcome(sha256: str, check: BatchCheck) -> dict[str, Any]:
    """A file's own outcome (``verify_file`` checks nothing across files) as stored."""
    m = check.manifest or {}
    records = m.get("records")
    return {"sha256": sha256, "kiosk_id": check.kiosk_id, "institution_id": check.institution_id,
            "batch": check.batch, "previous_sha256": check.previous_sha256, "created_at": m.get("created_at"),
            "records": records.get("count") if isinstance(records, dict) else None,
            "counted": check.counted if check.ok else None, "reason": check.reason, "detail": check.detail}


def _display_names(files: list[BatchFile]) -> dict[str, str]:
    """sha256 -> the name a file is shown under: the name it arrived with, and its hash's
    first digits where two different files arrived under one name."""
    by_name: dict[str, int] = defaultdict(int)
    for f in files:
        by_name[f.name] += 1
    return {f.sha256: f.name if by_name[f.name] == 1 else f"{f.name} ({f.sha256[:8]})" for f in files}
