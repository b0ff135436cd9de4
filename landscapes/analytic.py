"""Closed-form landscapes: quadratics, classic and degenerate saddles, Himmelblau, small nets."""

from __future__ import annotations

import numpy as np

from ._jit import metric_kernel, value_kernel, vgh_kernel
from .base import Kernels, Kind, build, check_finite, check_int, check_range, classify_eigenvalues, register

# ---------------------------------------------------------------------------------------
# quadratic: f(x) = 0.5 (x - c)^T H (x - c),  H = V diag(eigenvalues) V^T
# packed: [n, c_1..c_n, H_11..H_nn]


@value_kernel
def _quadratic_value(x, p):
    n = int(p[0])
    f = 0.0
    for i in range(n):
        di = x[i] - p[1 + i]
        for j in range(n):
            f += 0.5 * di * p[1 + n + i * n + j] * (x[j] - p[1 + j])
    return f


@vgh_kernel
def _quadratic_vgh(x, p, g, h):
    n = int(p[0])
    f = 0.0
    for i in range(n):
        gi = 0.0
        for j in range(n):
            hij = p[1 + n + i * n + j]
            h[i, j] = hij
            gi += hij * (x[j] - p[1 + j])
        g[i] = gi
        f += 0.5 * (x[i] - p[1 + i]) * gi
    return f


def rotation_2d(angle: float) -> np.ndarray:
    """Columns are the eigenvectors v_1 = (cos a, sin a), v_2 = (-sin a, cos a)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def random_orthogonal(n: int, seed: int) -> np.ndarray:
    """Haar-random orthogonal matrix (QR of a Gaussian matrix with the sign fix)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return q * np.sign(np.diag(r))


@register("quadratic")
def quadratic(eigenvalues=(10.0, -2.0), angle=0.0, center=None, seed=0):
    """f(x) = 1/2 (x - c)^T V diag(eigenvalues) V^T (x - c).

    In 2D the eigenvectors are rotated by ``angle`` (radians); in N-D they form a Haar-random
    orthogonal basis drawn from ``seed``.  The defaults give the saddle 5x^2 - y^2.
    """
    lam = check_finite("eigenvalues", eigenvalues)
    if lam.ndim != 1 or not 1 <= lam.size <= 500:
        raise ValueError(f"eigenvalues must be a list of 1 to 500 numbers, got shape {lam.shape}")
    if np.any(np.abs(lam) > 1e6):
        raise ValueError("eigenvalues must lie in [-1e6, 1e6]")
    n = lam.size
    angle = check_range("angle", angle, -1e3, 1e3)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    c = np.zeros(n) if center is None else check_finite("center", center, (n,))
    if n == 1:
        V = np.ones((1, 1))
    elif n == 2:
        V = rotation_2d(angle)
    else:
        V = random_orthogonal(n, seed)
    H = (V * lam) @ V.T
    H = 0.5 * (H + H.T)
    packed = np.concatenate([[n], c, H.ravel()])
    kernels = Kernels(_quadratic_value, _quadratic_vgh)

    # A quadratic is its own second-order model: the Hessian decides, and with a zero
    # eigenvalue the remaining signs still do (a flat valley of minima, or of maxima).
    kind, neg, zero = classify_eigenvalues(lam)
    if kind is Kind.DEGENERATE and lam.max() > 0:
        kind = Kind.MINIMUM
    elif kind is Kind.DEGENERATE and lam.min() < 0:
        kind = Kind.MAXIMUM
    note = "a whole line/plane of critical points (zero eigenvalue)" if zero else ""
    terms = "".join(
        f"{('-' if v < 0 else '') if i == 0 else (' - ' if v < 0 else ' + ')}{abs(0.5 * v):g}\\,\\varepsilon_{i + 1}^2"
        for i, v in enumerate(lam[:4])
    )
    formula = (
        r"f(\theta) = \tfrac12 (\theta-c)^\top V \operatorname{diag}(\lambda) V^\top (\theta-c)"
        + (rf" = {terms}" if n <= 4 else "")
    )
    half = 2.0
    return build(
        "quadratic",
        dict(eigenvalues=lam.tolist(), angle=angle, center=c.tolist(), seed=seed),
        packed,
        kernels,
        bounds=[(ci - half, ci + half) for ci in c],
        formula=formula,
        description="Quadratic with the Hessian's eigenvalues set directly; "
        "f is its own second-order Taylor model, so the slides' update rules hold exactly.",
        critical=[(c, kind, neg, zero, note)],
        extras={"eigenvectors": V, "eigenvalues": lam},
    )


# ---------------------------------------------------------------------------------------
# monkey saddle: x^3 - 3 x y^2  (Hessian 0 at the origin)


@value_kernel
def _monkey_value(x, p):
    return x[0] ** 3 - 3.0 * x[0] * x[1] ** 2


@vgh_kernel
def _monkey_vgh(x, p, g, h):
    a, b = x[0], x[1]
    g[0] = 3.0 * a * a - 3.0 * b * b
    g[1] = -6.0 * a * b
    h[0, 0] = 6.0 * a
    h[0, 1] = -6.0 * b
    h[1, 0] = -6.0 * b
    h[1, 1] = -6.0 * a
    return a**3 - 3.0 * a * b * b


@register("monkey_saddle")
def monkey_saddle():
    """x^3 - 3 x y^2: three valleys, and a Hessian that vanishes at the origin."""
    return build(
        "monkey_saddle",
        {},
        np.zeros(1),
        Kernels(_monkey_value, _monkey_vgh),
        bounds=[(-1.5, 1.5), (-1.5, 1.5)],
        formula=r"f(x, y) = x^3 - 3xy^2",
        description="A degenerate saddle: three descending valleys meet at the origin, "
        "where the Hessian is exactly zero, so second-order tests see nothing.",
        critical=[((0.0, 0.0), Kind.SADDLE, 0, True, "H = 0: a monkey saddle")],
    )


# ---------------------------------------------------------------------------------------
# degenerate saddle: x^2 - y^4 (the Hessian says "minimum along y"; the quartic says otherwise)


@value_kernel
def _quartic_value(x, p):
    return x[0] ** 2 - x[1] ** 4


@vgh_kernel
def _quartic_vgh(x, p, g, h):
    g[0] = 2.0 * x[0]
    g[1] = -4.0 * x[1] ** 3
    h[0, 0] = 2.0
    h[0, 1] = 0.0
    h[1, 0] = 0.0
    h[1, 1] = -12.0 * x[1] ** 2
    return x[0] ** 2 - x[1] ** 4


@register("degenerate_saddle")
def degenerate_saddle():
    """x^2 - y^4: Hessian diag(2, 0) at the origin, yet a saddle; escape is polynomially slow."""
    return build(
        "degenerate_saddle",
        {},
        np.zeros(1),
        Kernels(_quartic_value, _quartic_vgh),
        bounds=[(-1.5, 1.5), (-1.5, 1.5)],
        formula=r"f(x, y) = x^2 - y^4",
        description="Eigenvalues 2 and 0 at the origin: the second-order test is silent, "
        "the quartic term makes it a saddle, and gradient descent leaves it only polynomially.",
        critical=[((0.0, 0.0), Kind.SADDLE, 0, True, "H = diag(2, 0)")],
    )


# ---------------------------------------------------------------------------------------
# Himmelblau: (x^2 + y - 11)^2 + (x + y^2 - 7)^2


@value_kernel
def _himmelblau_value(x, p):
    a = x[0] ** 2 + x[1] - 11.0
    b = x[0] + x[1] ** 2 - 7.0
    return a * a + b * b


@vgh_kernel
def _himmelblau_vgh(x, p, g, h):
    u, v = x[0], x[1]
    a = u * u + v - 11.0
    b = u + v * v - 7.0
    g[0] = 4.0 * u * a + 2.0 * b
    g[1] = 2.0 * a + 4.0 * v * b
    h[0, 0] = 4.0 * a + 8.0 * u * u + 2.0
    h[0, 1] = 4.0 * (u + v)
    h[1, 0] = h[0, 1]
    h[1, 1] = 2.0 + 4.0 * b + 8.0 * v * v
    return a * a + b * b


_HIMMELBLAU_POINTS = [
    ((3.0, 2.0), Kind.MINIMUM, 0),
    ((-2.805118, 3.131312), Kind.MINIMUM, 0),
    ((-3.779310, -3.283186), Kind.MINIMUM, 0),
    ((3.584428, -1.848126), Kind.MINIMUM, 0),
    ((-0.270845, -0.923039), Kind.MAXIMUM, 2),
    ((0.086677, 2.884254), Kind.SADDLE, 1),
    ((-3.073026, -0.081353), Kind.SADDLE, 1),
    ((3.385154, 0.073852), Kind.SADDLE, 1),
    ((-0.127961, -1.953715), Kind.SADDLE, 1),
]


@register("himmelblau")
def himmelblau():
    """Himmelblau's function: four minima, four saddles and one maximum."""
    return build(
        "himmelblau",
        {},
        np.zeros(1),
        Kernels(_himmelblau_value, _himmelblau_vgh),
        bounds=[(-5.0, 5.0), (-5.0, 5.0)],
        formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        description="Four minima, four saddles, one maximum: Newton's method has an attractor "
        "at every one of them.",
        critical=[(pos, kind, idx, False, "") for pos, kind, idx in _HIMMELBLAU_POINTS],
    )


# ---------------------------------------------------------------------------------------
# two-parameter net: 0.5 (1 - w1 w2)^2  (science.md section 5)


@value_kernel
def _two_param_value(x, p):
    r = 1.0 - x[0] * x[1]
    return 0.5 * r * r


@vgh_kernel
def _two_param_vgh(x, p, g, h):
    w1, w2 = x[0], x[1]
    r = 1.0 - w1 * w2
    g[0] = -r * w2
    g[1] = -r * w1
    h[0, 0] = w2 * w2
    h[0, 1] = 2.0 * w1 * w2 - 1.0
    h[1, 0] = h[0, 1]
    h[1, 1] = w1 * w1
    return 0.5 * r * r


@metric_kernel
def _two_param_metric(x, p, out):
    # Gauss-Newton / Fisher for unit Gaussian noise: J^T J with J = -(w2, w1).
    w1, w2 = x[0], x[1]
    out[0, 0] = w2 * w2
    out[0, 1] = w1 * w2
    out[1, 0] = w1 * w2
    out[1, 1] = w1 * w1


@register("two_param_net")
def two_param_net():
    """y = w2 w1 x fitted to y = x: f = 1/2 (1 - w1 w2)^2, with its Gauss-Newton metric."""
    return build(
        "two_param_net",
        {},
        np.zeros(1),
        Kernels(_two_param_value, _two_param_vgh, _two_param_metric),
        bounds=[(-2.0, 2.0), (-2.0, 2.0)],
        formula=r"f(w_1, w_2) = \tfrac12 (1 - w_1 w_2)^2",
        description="The smallest deep linear network. The origin is a strict saddle "
        "(eigenvalues -1, +1); the minima form the valley w1 w2 = 1; the Fisher matrix "
        "J^T J has rank one and vanishes at the origin.",
        critical=[
            ((0.0, 0.0), Kind.SADDLE, 1, False, "strict saddle, eigenvalues -1 and +1"),
            ((1.0, 1.0), Kind.MINIMUM, 0, True, "on the valley w1 w2 = 1"),
            ((-1.0, -1.0), Kind.MINIMUM, 0, True, "on the valley w1 w2 = 1"),
        ],
    )


# ---------------------------------------------------------------------------------------
# symmetric net: y(x) = (1 + w1 x)(1 + w2 x), least squares against a teacher (1 + a x)(1 + b x)
# with features x and x^2 orthonormal on the data:
#   f = 1/2 [(w1 + w2 - s)^2 + (w1 w2 - q)^2],   s = a + b,  q = a b.
# Swapping the hidden units (w1 <-> w2) leaves f unchanged, so the minima (a, b) and (b, a)
# come in a pair; the segment between them crosses the diagonal w1 = w2, where the
# Gauss-Newton metric is singular and a saddle sits.  packed: [s, q]


@value_kernel
def _symmetric_value(x, p):
    r1 = x[0] + x[1] - p[0]
    r2 = x[0] * x[1] - p[1]
    return 0.5 * (r1 * r1 + r2 * r2)


@vgh_kernel
def _symmetric_vgh(x, p, g, h):
    w1, w2 = x[0], x[1]
    r1 = w1 + w2 - p[0]
    r2 = w1 * w2 - p[1]
    g[0] = r1 + r2 * w2
    g[1] = r1 + r2 * w1
    h[0, 0] = 1.0 + w2 * w2
    h[0, 1] = 1.0 + w1 * w2 + r2
    h[1, 0] = h[0, 1]
    h[1, 1] = 1.0 + w1 * w1
    return 0.5 * (r1 * r1 + r2 * r2)


@metric_kernel
def _symmetric_metric(x, p, out):
    # J^T J with J = [[1, 1], [w2, w1]]; det = (w1 - w2)^2, singular on the symmetry line.
    w1, w2 = x[0], x[1]
    out[0, 0] = 1.0 + w2 * w2
    out[0, 1] = 1.0 + w1 * w2
    out[1, 0] = out[0, 1]
    out[1, 1] = 1.0 + w1 * w1


@register("symmetric_net")
def symmetric_net(a=1.5, b=0.5):
    """Two hidden units with a permutation symmetry; minima (a, b) and (b, a) over a saddle.

    The network y(x) = (1 + w1 x)(1 + w2 x) is fitted by least squares to the teacher
    (1 + a x)(1 + b x) on data whose features x and x^2 are orthonormal, which gives
    f = 1/2 [(w1 + w2 - (a + b))^2 + (w1 w2 - a b)^2].
    """
    a = check_range("a", a, -5.0, 5.0)
    b = check_range("b", b, -5.0, 5.0)
    if abs(a - b) < 1e-3:
        raise ValueError(f"a and b must differ by at least 1e-3 (two distinct minima), got {a}, {b}")
    s, q = a + b, a * b
    critical = [
        ((a, b), Kind.MINIMUM, 0, False, "global minimum"),
        ((b, a), Kind.MINIMUM, 0, False, "its mirror image under w1 <-> w2"),
    ]
    # On the diagonal w1 = w2 = t the gradient vanishes where t^3 + (2 - q) t - s = 0.
    # There the eigenvalues are 2(1 + t^2) + r2 along (1, 1) and -r2 along (1, -1), r2 = t^2 - q.
    for t in np.roots([1.0, 0.0, 2.0 - q, -s]):
        if abs(t.imag) > 1e-9:
            continue
        t = float(t.real)
        r2 = t * t - q
        along, across = 2.0 * (1.0 + t * t) + r2, -r2
        index = int(along < 0) + int(across < 0)
        kind = {0: Kind.MINIMUM, 1: Kind.SADDLE, 2: Kind.MAXIMUM}[index]
        degenerate = min(abs(along), abs(across)) < 1e-8
        critical.append(((t, t), kind, index, degenerate, "on the symmetry line w1 = w2"))
    lo, hi = min(a, b) - 1.5, max(a, b) + 1.5
    return build(
        "symmetric_net",
        dict(a=a, b=b),
        np.array([s, q]),
        Kernels(_symmetric_value, _symmetric_vgh, _symmetric_metric),
        bounds=[(lo, hi), (lo, hi)],
        formula=r"f(w_1, w_2) = \tfrac12\left[(w_1 + w_2 - (a+b))^2 + (w_1 w_2 - ab)^2\right]",
        description="A two-unit network y = (1 + w1 x)(1 + w2 x). Swapping the units gives the "
        "same function, so the minima come in mirror pairs and the path between them crosses "
        "a saddle on the line w1 = w2, where the Fisher matrix is singular.",
        critical=critical,
    )
