"""Qt's file and printer dialogs as the kiosk offers them.

They speak the kiosk's language (``ui.i18n`` installs Qt's own translations with
the kiosk's), they are Qt's own widgets rather than the desktop's (so that the
restrictions below hold on every system), and they are restricted:

* nobody renames, deletes or creates anything in them (read-only, no context
  menu, no "new folder" button);
* nobody sees the data directory's own files (keys, database, originals, logs,
  spool): only its shared folders (``DataDir.shared``) show;
* the front desk and the helper move only within preset folders (``roots``: the
  folders the office set in Settings, the data directory's default one and
  removable drives); the office may browse.

The printer dialog offers printers, paper and copies only: no "print to file".
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QDir, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QUrl
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QFileSystemModel, QToolButton, QWidget

from kiosk import platform
from kiosk.access.roles import Action, Session
from kiosk.datadir import DataDir


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class _Visible(QSortFilterProxyModel):
    """Hides what a person may not see: the data directory's own files, and (for the
    front desk and the helper) everything off the way to and outside the preset folders."""

    def __init__(self, dialog: "KioskFileDialog") -> None:
        super().__init__(dialog)
        self.dialog = dialog

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        index = model.index(row, 0, parent)
        if not isinstance(model, QFileSystemModel):
            return True
        return self.dialog.visible(Path(model.filePath(index)))


class KioskFileDialog(QFileDialog):
    """A folder or file dialog restricted as the module says (``roots`` None: free to browse)."""

    def __init__(self, parent: QWidget | None, title: str, start: str | Path, *, datadir: DataDir,
                 roots: Iterable[Path] | None = None, folders: bool = True, filters: str = "") -> None:
        super().__init__(parent, title, str(start))
        self.setObjectName("kioskFileDialog")
        self.datadir = datadir
        self.roots = None if roots is None else [Path(r).resolve() for r in roots]
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.setOption(QFileDialog.Option.ReadOnly, True)
        self.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        if folders:
            self.setFileMode(QFileDialog.FileMode.Directory)
            self.setOption(QFileDialog.Option.ShowDirsOnly, True)
        else:
            self.setFileMode(QFileDialog.FileMode.ExistingFiles)
            if filters:
                self.setNameFilter(filters)
        self.setFilter(QDir.Filter.AllDirs | QDir.Filter.Files | QDir.Filter.NoDotAndDotDot | QDir.Filter.Drives)
        self.setProxyModel(_Visible(self))
        places = self.roots if self.roots is not None else [Path.home(), *self.datadir.shared,
                                                            *platform.removable_folders()]
        self.setSidebarUrls([QUrl.fromLocalFile(str(p)) for p in places if p.is_dir()])
        for view in self.findChildren(QAbstractItemView):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # no rename, delete, new folder
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for name in ("newFolderButton",):
            button = self.findChild(QToolButton, name)
            if button is not None:
                button.hide()
        # Qt's own Latvian lacks a few of these words (with their shortcut marks): ours, in every language
        self.setLabelText(QFileDialog.DialogLabel.LookIn, self.tr("Meklēt:"))
        self.setLabelText(QFileDialog.DialogLabel.FileName, self.tr("Mape:") if folders else self.tr("Faili:"))
        self.setLabelText(QFileDialog.DialogLabel.FileType, self.tr("Failu veids:"))
        self.setLabelText(QFileDialog.DialogLabel.Accept, self.tr("Izvēlēties"))
        self.setLabelText(QFileDialog.DialogLabel.Reject, self.tr("Atcelt"))
        self.directoryEntered.connect(self._entered)
        if self.roots is not None and not any(_inside(Path(start).resolve(), r) for r in self.roots) and self.roots:
            self.setDirectory(str(self.roots[0]))

    def visible(self, path: Path) -> bool:
        """Whether the dialog shows this file or folder."""
        try:
            path = path.resolve()
        except OSError:
            return False
        data = self.datadir.root.resolve()
        if _inside(path, data) and path != data and not any(_inside(path, s.resolve()) for s in self.datadir.shared):
            return False
        if self.roots is None:
            return True
        return any(_inside(path, r) or path in r.parents for r in self.roots)  # in a root, or on the way to one

    def allowed(self, path: Path) -> bool:
        """Whether this folder or file may be chosen (and entered)."""
        if not self.visible(path):
            return False
        return self.roots is None or any(_inside(path.resolve(), r) for r in self.roots)

    def _entered(self, folder: str) -> None:
        if not self.allowed(Path(folder)):
            back = self.roots[0] if self.roots else self.datadir.root.parent
            self.setDirectory(str(back))

    def accept(self) -> None:
        chosen = [Path(f) for f in self.selectedFiles()]
        if chosen and all(self.allowed(p) for p in chosen):
            super().accept()


def folder_roots(session: Session | None, *folders: str | Path) -> list[Path] | None:
    """The folders a person may move in: None (free) for the office, else the given
    preset folders that exist and the removable drives."""
    if session is not None and session.may(Action.SETTINGS):
        return None
    seen: list[Path] = []
    for f in [*folders, *platform.removable_folders()]:
        if f and Path(f).is_dir() and Path(f).resolve() not in seen:
            seen.append(Path(f).resolve())
    return seen


def print_dialog(printer, parent: QWidget | None):
    """Qt's printer dialog with printers, paper and copies only (no printing to a file)."""
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog

    dialog = QPrintDialog(printer, parent)
    dialog.setOptions(QAbstractPrintDialog.PrintDialogOption.PrintShowPageSize)
    return dialog
