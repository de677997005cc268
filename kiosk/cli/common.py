"""What every command shares: exit codes, usage errors, JSON output, opening the kiosk."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..assets import demo_campaign_path
from ..ballot.campaign import load_campaign
from ..errors import KioskError
from ..issuing.jobs import settle_interrupted
from ..station import Kiosk

EXIT_OK, EXIT_KNOWN, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 70


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits; we want our own status
        raise UsageError(f"{self.prog}: {message}")


def out(obj: Any) -> None:
    """One JSON object on one line of stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def open_kiosk(args: argparse.Namespace, institution: str | None = None) -> Kiosk:
    """Open the data directory; a fresh one enrolls (in ``institution`` or the
    campaign's first institution) so a first command just works.  Print jobs a
    dead process left behind are settled, and the voided ones told on stderr."""
    try:
        kiosk = Kiosk.open(args.data_dir)
    except KioskError as exc:
        if exc.code != "enroll.not_enrolled":
            raise
        campaign_path = getattr(args, "campaign", None) or demo_campaign_path()
        inst = institution or load_campaign(campaign_path).institutions[0].id
        return Kiosk.enroll(inst, root=args.data_dir, campaign_path=campaign_path)
    if institution and institution != kiosk.institution.id:
        kiosk.close()
        raise KioskError("enroll.already", institution=kiosk.institution.id)
    try:
        settled = settle_interrupted(kiosk)
    except BaseException:
        kiosk.close()
        raise
    jobs = kiosk.recovered["voided_jobs"] + settled.voided_jobs
    if jobs:
        voided = kiosk.recovered["voided"] + settled.voided
        notice = KioskError("print.interrupted", jobs=jobs, voided=voided).message(getattr(args, "lang", None))
        sys.stderr.write(f"kiosk: {notice}\n")
    return kiosk
