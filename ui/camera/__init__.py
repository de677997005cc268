"""Camera intake: ballots held up to a webcam, read while the helper holds them.

One module per part:

* ``panel``        ``CameraPanel``: sources (a camera or a video file), frames
                   to the analyser, the preview, the outcome banner, trouble;
* ``analyser``     ``FrameAnalyser``: the streaming job (``ui.worker``) that
                   reads frames and stores one outcome per ballot;
* ``frames``       frames to grayscale arrays and previews; ``FrameInfo``;
* ``devices``      the camera list, the format asked for, ``LiveCamera``;
* ``permissions``  the platform's camera permission, refusals said plainly;
* ``preview``, ``banner``  the two widgets;
* ``stats``        frames received, analysed, dropped; the rate; outcomes.

The helper's hands are full: no clicks between ballots.  A large banner
shows the last outcome (green counted, amber needs review, red rejected,
with the reason in plain words) until the next ballot's outcome.
"""
from .devices import CAMERA_SOURCE
from .panel import CameraPanel

__all__ = ["CAMERA_SOURCE", "CameraPanel"]
