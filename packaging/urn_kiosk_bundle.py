"""The bundle's entry point: the ``kiosk`` command, and the GUI with no arguments.

PyInstaller freezes this script (``packaging/urn-kiosk.spec``).  It is the one
place that names both the core and the UI: the core never imports the UI, so
the GUI runners (the kiosk's and the central office window's) are handed to
the command line here instead of being found through package metadata (a
bundle has none).
"""
import multiprocessing
import sys


def run_gui(**kwargs):
    # imported on demand: the headless commands never load Qt
    from ui.app import run

    return run(**kwargs)


def run_central_gui(**kwargs):
    from ui.central.app import run

    return run(**kwargs)


def main() -> int:
    # First of all: a worker process, the fork server or the resource tracker
    # started from this executable runs its own code here and exits.
    multiprocessing.freeze_support()
    from kiosk.cli.main import main as cli

    return cli(gui_runner=run_gui, central_gui_runner=run_central_gui)


if __name__ == "__main__":
    sys.exit(main())
