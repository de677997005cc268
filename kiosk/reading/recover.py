"""A ballot whose QR code cannot be decoded: find the page without it, then rescue the code.

A voter's pen across the QR code happens.  When no code is decoded, the
reader (``kiosk.reading.reader``) asks here:

1. ``mark_quads``: the page's four solid corner squares, found without the
   QR code's help: solid, isolated, print-dark squares anywhere in the image
   (``solid_squares``), then the four of one size that lie outermost in the
   image's four diagonal directions and form the right rectangle
   (perspective allowed).  Each such quadrilateral is offered in the four
   ways it can map onto the page's marks; the reader checks each against its
   layouts' boxes and keeps the one whose box outlines are all there.
2. ``rescue_qr``: with the page located, the QR code's place is known.  Its
   modules are sampled through the homography (each module's centre, the
   threshold between the symbol's own dark and light modules), the
   function patterns that every version-3 symbol has (finder patterns,
   their separators, timing rows, the alignment pattern, the dark module)
   are drawn anew over whatever covered them, and the clean symbol is
   decoded as a pure image.  Reed-Solomon error correction (level M)
   repairs what a scribble did to the data.  The text is then verified like
   any decoded code, so a rescued code is exactly as trustworthy.

Pure numpy on the reader's grayscale page; zxing-cpp decodes the rebuilt symbol.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

import numpy as np

MODULES = 29  # version 3
QUIET = 4
PX = 8  # pixels per module of the rebuilt symbol


@dataclass(frozen=True)
class Square:
    x: float  # centre, image pixels
    y: float
    size: float  # side, pixels
    darkness: float


# -- solid squares anywhere ------------------------------------------------------------

def _paper_map(gray: np.ndarray, block: int) -> np.ndarray:
    """The paper's brightness around every pixel: the 90th percentile of each block (a block
    that is mostly print borrows its brightest neighbour's), repeated over the block."""
    h, w = gray.shape
    ph, pw = -h % block, -w % block
    g = np.pad(gray, ((0, ph), (0, pw)), mode="edge")
    bh, bw = g.shape[0] // block, g.shape[1] // block
    small = g.reshape(bh, block, bw, block).transpose(0, 2, 1, 3).reshape(bh, bw, -1)
    level = np.percentile(small, 90, axis=2).astype(np.float32)
    pad = np.pad(level, 1, mode="edge")
    level = np.max(np.stack([pad[1:-1, 1:-1], pad[:-2, 1:-1], pad[2:, 1:-1], pad[1:-1, :-2], pad[1:-1, 2:]]), axis=0)
    return np.repeat(np.repeat(level, block, axis=0), block, axis=1)[:h, :w]


def solid_squares(gray: np.ndarray, min_share: float = 0.009, max_share: float = 0.045) -> list[Square]:
    """Solid dark squares with paper around them, any rotation, biggest first; their sides from
    ``min_share`` to ``max_share`` of the image's longer side (a page's corner square is 6 mm
    of 210, or 8.1 of 297, and a page fills from about half to all of the image)."""
    h, w = gray.shape
    step = max(1, int(min(h, w) // 600))  # work near 600 px on the short side
    g = gray[::step, ::step].astype(np.float32)
    gh, gw = g.shape
    paper = _paper_map(g, max(16, min(gh, gw) // 24))
    dark = (g < paper * 0.55) & (paper > 60)
    ii = np.zeros((gh + 1, gw + 1), dtype=np.int32)
    ii[1:, 1:] = dark.astype(np.int32).cumsum(0).cumsum(1)
    found: list[Square] = []
    longest = max(gh, gw)
    m = max(3, int(longest * min_share * 0.6))
    while m <= longest * max_share * 0.6:
        sums = ii[m:, m:] - ii[:-m, m:] - ii[m:, :-m] + ii[:-m, :-m]
        ys, xs = np.nonzero(sums >= 0.95 * m * m)
        if len(xs):
            # paper round it: the ring between 0.85 and 1.3 sides from the centre (a square of side m / 0.6)
            side = m / 0.6
            cy, cx = ys + m / 2, xs + m / 2
            keep = (cx - 1.3 * side >= 0) & (cy - 1.3 * side >= 0) & (cx + 1.3 * side < gw) & (cy + 1.3 * side < gh)
            ys, xs, cy, cx = ys[keep], xs[keep], cy[keep], cx[keep]

            def count(r: float) -> np.ndarray:
                x0, x1 = (cx - r).astype(np.intp), (cx + r).astype(np.intp)
                y0, y1 = (cy - r).astype(np.intp), (cy + r).astype(np.intp)
                return ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0], (x1 - x0) * (y1 - y0)

            outer, outer_n = count(1.3 * side)
            inner, inner_n = count(0.85 * side)
            ring = (outer - inner) / np.maximum(outer_n - inner_n, 1)
            keep = ring < 0.12
            ys, xs = ys[keep], xs[keep]
        if len(xs):
            # one try per cell of the window's size
            _, first = np.unique((ys // m) * (gw // m + 1) + xs // m, return_index=True)
            for j in first[:400]:
                sq = _square_at(g, dark, paper, xs[j] + m / 2, ys[j] + m / 2)
                if sq is not None and not any(abs(sq.x - f.x) < f.size * 0.6 and abs(sq.y - f.y) < f.size * 0.6
                                              for f in found):
                    found.append(sq)
        m = int(math.ceil(m * 1.35))
    out = [Square(s.x * step + (step - 1) / 2, s.y * step + (step - 1) / 2, s.size * step, s.darkness) for s in found]
    out.sort(key=lambda s: -s.size)
    return out[:60]


def _square_at(g: np.ndarray, dark: np.ndarray, paper: np.ndarray, cx: float, cy: float) -> Square | None:
    """The solid blob around a point: its extent by growing while rows and columns stay dark,
    then the checks (square, solid, paper all round)."""
    h, w = dark.shape
    x, y = int(cx), int(cy)
    if not (0 <= x < w and 0 <= y < h) or not dark[y, x]:
        return None
    # extent along the row and the column through the point
    row, col = dark[y], dark[:, x]
    x0 = x
    while x0 > 0 and row[x0 - 1]:
        x0 -= 1
    x1 = x
    while x1 < w - 1 and row[x1 + 1]:
        x1 += 1
    y0 = y
    while y0 > 0 and col[y0 - 1]:
        y0 -= 1
    y1 = y
    while y1 < h - 1 and col[y1 + 1]:
        y1 += 1
    sw, sh = x1 - x0 + 1, y1 - y0 + 1
    if min(sw, sh) < 4 or max(sw, sh) > 1.6 * min(sw, sh):
        return None
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    # a rotated square's extent through its centre is up to 1.41x its side
    side = math.sqrt(float(dark[max(0, int(my - sh)): int(my + sh) + 1, max(0, int(mx - sw)): int(mx + sw) + 1].sum())) \
        if sw * sh > 0 else 0.0
    if side < 4:
        return None
    r = int(math.ceil(side * 1.3))
    ax0, ay0, ax1, ay1 = int(mx) - r, int(my) - r, int(mx) + r + 1, int(my) + r + 1
    if ax0 < 0 or ay0 < 0 or ax1 > w or ay1 > h:
        return None
    win = dark[ay0:ay1, ax0:ax1]
    dx = np.abs(np.arange(ax0, ax1) + 0.5 - mx)[None, :]
    dy = np.abs(np.arange(ay0, ay1) + 0.5 - my)[:, None]
    cheb = np.maximum(dx, dy)
    core = cheb <= side * 0.3
    ring = (cheb > side * 0.85) & (cheb <= side * 1.3)
    if core.sum() == 0 or win[core].mean() < 0.97 or win[ring].mean() > 0.1:
        return None
    mass = float(win[cheb <= side * 0.85].sum())
    if not 0.8 * side * side <= mass <= 1.2 * side * side:
        return None
    level = float(g[int(my), int(mx)]) / max(float(paper[int(my), int(mx)]), 1.0)
    return Square(mx, my, math.sqrt(mass), 1.0 - level)


# -- four of them: the page's corners -------------------------------------------------------------

def _h4(src: np.ndarray, dst: np.ndarray) -> np.ndarray | None:
    """The homography taking four points exactly onto four points."""
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    try:
        h = np.linalg.solve(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    except np.linalg.LinAlgError:
        return None
    return np.append(h, 1.0).reshape(3, 3)


def project(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    pts = np.asarray(pts, dtype=np.float64)
    q = pts @ hm[:, :2].T + hm[:, 2]
    return q[..., :2] / q[..., 2:3]


def mark_quads(squares: list[Square], marks_mm: np.ndarray, mark_mm: float, limit: int = 24) -> list[np.ndarray]:
    """Homographies (layout mm -> image px) from four squares that could be the page's
    marks, in each of the four ways they can lie; the likeliest first."""
    out: list[tuple[float, np.ndarray]] = []
    if len(squares) < 4:
        return []
    pts = np.array([(s.x, s.y) for s in squares])
    sizes = np.array([s.size for s in squares])
    # the marks' rectangle in layout mm, corners in the order TL, TR, BR, BL
    order_mm = marks_mm[[0, 1, 3, 2]]
    side_mm = np.hypot(*(order_mm[1] - order_mm[0])), np.hypot(*(order_mm[3] - order_mm[0]))
    for size in sorted(set(np.round(sizes, 0)), reverse=True):
        group = np.nonzero(np.abs(sizes - size) <= 0.3 * size)[0]
        if len(group) < 4:
            continue
        g = pts[group]
        c = g.mean(axis=0)
        picks = []
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):  # image TL, TR, BR, BL
            score = (g[:, 0] - c[0]) * dx + (g[:, 1] - c[1]) * dy
            picks.append(list(np.argsort(-score)[:2]))
        for choice in product(*picks):
            if len(set(choice)) < 4:
                continue
            quad = g[list(choice)]
            ppm = float(np.median(sizes[group[list(choice)]])) / mark_mm
            sides = [np.hypot(*(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
            if min(sides) < 20:
                continue
            a, b = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
            for turn in range(4):
                # image corner i is the page's mark (i + turn) % 4
                la, lb = (side_mm[0], side_mm[1]) if turn % 2 == 0 else (side_mm[1], side_mm[0])
                if not 0.8 < (a / b) / (la / lb) < 1.25 or not 0.55 < a / (la * ppm) < 1.8:
                    continue
                src = np.array([order_mm[(i + turn) % 4] for i in range(4)])
                hm = _h4(src, quad)
                if hm is None:
                    continue
                err = abs(math.log((a / b) / (la / lb)))
                out.append((err, hm))
    out.sort(key=lambda t: t[0])
    return [hm for _, hm in out[:limit]]


# -- the QR code, rebuilt ---------------------------------------------------------------------------

def bilinear(gray: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Grey levels at fractional pixel positions (pixel centres at +0.5)."""
    h, w = gray.shape
    x = np.clip(x - 0.5, 0, w - 1.001)
    y = np.clip(y - 0.5, 0, h - 1.001)
    x0, y0 = x.astype(np.intp), y.astype(np.intp)
    fx, fy = x - x0, y - y0
    a = gray[y0, x0].astype(np.float32)
    b = gray[y0, x0 + 1].astype(np.float32)
    c = gray[y0 + 1, x0].astype(np.float32)
    d = gray[y0 + 1, x0 + 1].astype(np.float32)
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def function_patterns() -> tuple[np.ndarray, np.ndarray]:
    """(where, value): the modules every version-3 symbol has in the same place, and whether each is dark."""
    n = MODULES
    where = np.zeros((n, n), dtype=bool)
    value = np.zeros((n, n), dtype=bool)

    def finder(r0: int, c0: int) -> None:
        for r in range(-1, 8):
            for c in range(-1, 8):
                rr, cc = r0 + r, c0 + c
                if 0 <= rr < n and 0 <= cc < n:
                    where[rr, cc] = True
                    inside = 0 <= r <= 6 and 0 <= c <= 6
                    ring = inside and (r in (0, 6) or c in (0, 6))
                    centre = 2 <= r <= 4 and 2 <= c <= 4
                    value[rr, cc] = ring or centre

    finder(0, 0)
    finder(0, n - 7)
    finder(n - 7, 0)
    for i in range(8, n - 8):  # timing
        where[6, i] = where[i, 6] = True
        value[6, i] = value[i, 6] = i % 2 == 0
    a = n - 7  # alignment pattern centre (22, 22)
    for r in range(-2, 3):
        for c in range(-2, 3):
            where[a + r, a + c] = True
            value[a + r, a + c] = max(abs(r), abs(c)) != 1
    where[n - 8, 8] = value[n - 8, 8] = True  # the dark module
    return where, value


_FUNCTION = function_patterns()


def sample_modules(gray: np.ndarray, hm: np.ndarray, qr_x: float, qr_y: float, qr_size: float) -> np.ndarray:
    """Each module's darkness (0 paper .. 1 ink) at its centre, through the homography."""
    mod = qr_size / MODULES
    offs = (np.arange(MODULES) + 0.5) * mod
    # 3 x 3 samples around each centre (a third of a module apart), averaged
    sub = np.array([-1 / 3, 0, 1 / 3]) * mod
    u = qr_x + offs[None, :, None, None] + sub[None, None, None, :]
    v = qr_y + offs[:, None, None, None] + sub[None, None, :, None]
    u, v = np.broadcast_arrays(u, v)
    p = project(hm, np.stack([u, v], axis=-1))
    vals = bilinear(gray, p[..., 0], p[..., 1]).mean(axis=(2, 3))
    # paper: the quiet zone around the symbol
    ring = np.concatenate([np.linspace(-2.5 * mod, qr_size + 2.5 * mod, 40)])
    edge = np.concatenate([
        np.stack([ring, np.full_like(ring, -2.5 * mod)], 1), np.stack([ring, np.full_like(ring, qr_size + 2.5 * mod)], 1),
        np.stack([np.full_like(ring, -2.5 * mod), ring], 1), np.stack([np.full_like(ring, qr_size + 2.5 * mod), ring], 1)])
    q = project(hm, edge + np.array([qr_x, qr_y]))
    paper = float(np.percentile(bilinear(gray, q[:, 0], q[:, 1]), 75))
    return np.clip(1.0 - vals / max(paper, 1.0), 0.0, 1.0)


def _otsu(values: np.ndarray) -> float:
    v = np.sort(values.ravel())
    best, cut = -1.0, float(v.mean())
    for i in range(1, len(v)):
        a, b = v[:i], v[i:]
        score = len(a) * len(b) * (a.mean() - b.mean()) ** 2
        if score > best:
            best, cut = score, float((v[i - 1] + v[i]) / 2)
    return cut


def rebuild(darkness: np.ndarray) -> np.ndarray:
    """The symbol as a clean image: modules thresholded, function patterns drawn anew, quiet zone, 8 px a module."""
    where, value = _FUNCTION
    data = ~where
    cut = _otsu(darkness[data])
    modules = darkness > cut
    modules[where] = value[where]
    img = np.full(((MODULES + 2 * QUIET) * PX,) * 2, 255, dtype=np.uint8)
    big = np.repeat(np.repeat(modules, PX, axis=0), PX, axis=1)
    img[QUIET * PX: (QUIET + MODULES) * PX, QUIET * PX: (QUIET + MODULES) * PX][big] = 0
    return img


def decode_pure(img: np.ndarray) -> list[str]:
    import zxingcpp

    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode, is_pure=True, try_rotate=False,
                                   try_downscale=False, try_invert=False)
    return [r.text for r in found if r.valid]


def rescue_qr(gray: np.ndarray, hm: np.ndarray, qr_x: float, qr_y: float, qr_size: float) -> list[str]:
    """The texts of the QR code at its known place, rebuilt from its modules (none if it stays unreadable).

    Each module is sampled at its centre and, since a located page is still
    off by a fraction of a module in places, at centres shifted by a sixth of
    a module each way; every variant is rebuilt and decoded."""
    mod = qr_size / MODULES
    texts: list[str] = []
    for dx, dy in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
        darkness = sample_modules(gray, hm, qr_x + dx * mod / 6, qr_y + dy * mod / 6, qr_size)
        for t in decode_pure(rebuild(darkness)):
            if t not in texts:
                texts.append(t)
        if texts:
            break
    return texts


def rectified(gray: np.ndarray, hm: np.ndarray, region: tuple[float, float, float, float],
              px_per_mm: float = 8.0) -> np.ndarray:
    """A region of the page (layout mm: x, y, w, h) cut out of the image through the
    homography, upright, at ``px_per_mm`` (a write-in line or the printed serial, shown large)."""
    x, y, w, h = region
    nu, nv = max(2, int(round(w * px_per_mm))), max(2, int(round(h * px_per_mm)))
    u, v = np.meshgrid(x + (np.arange(nu) + 0.5) / px_per_mm, y + (np.arange(nv) + 0.5) / px_per_mm)
    p = project(hm, np.stack([u, v], axis=-1))
    return np.clip(bilinear(gray, p[..., 0], p[..., 1]) + 0.5, 0, 255).astype(np.uint8)
