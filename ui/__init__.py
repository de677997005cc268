"""The Qt application (PySide6).  kiosk/ never imports this package."""
from __future__ import annotations

import sys


def _guard_none_refcount() -> bool:
    """Work around PySide6 abi3 wheels built against Python >= 3.12 headers.

    Such a build's ``Py_RETURN_NONE`` / ``Py_RETURN_TRUE`` skip the increment
    (None, True and False are immortal from 3.12 on, PEP 683), so on Python
    3.11 every call of a void Qt method (``setText``, ``update``,
    ``processEvents`` ...) takes one reference from None and every
    ``Signal.emit`` one from True; after a few thousand calls the interpreter
    aborts with "none_dealloc: deallocating None" (or bool_dealloc).  Giving
    these singletons a huge reference count makes them effectively immortal,
    as they are on 3.12.  Measured on PySide6 6.12.0 / CPython 3.11.7
    (tests/test_ui_support.py checks it).
    """
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        return False
    import ctypes

    for obj in (None, True, False, NotImplemented, Ellipsis):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field of PyObject
        if refcnt.value < 1 << 40:
            refcnt.value += 1 << 40
    return True


_guard_none_refcount()
