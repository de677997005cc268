"""What every command shares: exit codes, usage errors, JSON output, opening the kiosk."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..assets import demo_campaign_path
from ..ballot.campaign import load_campaign
from ..errors import KioskError
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
    campaign's first institution) so a first command just works."""
    try:
        kiosk = Kiosk.open(args.data_dir)
    except KioskError as exc:
        if exc.code != "enroll.not_enrolled":
            raise
        campaign_path = getattr(args, "campaign", None) or demo_campaign_path()
        inst = institution or load_campaign(campaign_path).institutions[0].id
        try:
            return Kiosk.enroll(inst, root=args.data_dir, campaign_path=campaign_path)
        except KioskError as lost:
            if lost.code != "enroll.already":
                raise
            kiosk = Kiosk.open(args.data_dir)  # another command enrolled it a moment ago
    if institution and institution != kiosk.institution.id:
        kiosk.close()
        raise KioskError("enroll.already", institution=kiosk.institution.id)
    return kiosk
