"""Deep linear networks (Saxe et al. 2014) and the linear autoencoder (Baldi & Hornik 1989).

Loss 1/2 ||Y - W_D ... W_1 X||_F^2.  Parameters are W_1, ..., W_D flattened row-major
(W_l has shape (n_l, n_{l-1})) and concatenated.  With whitened inputs (X = I) and
Y = Sigma31 = U diag(s) V^T this is Saxe's setting; with X = Y = Sigma^(1/2) it is the
linear autoencoder's 1/2 tr[(I - AB) Sigma (I - AB)^T], A = W_2, B = W_1.

Exact Hessian.  With A_l = W_D ... W_{l+1}, B_l = W_{l-1} ... W_1 X, E = Y - P:

    dP/d(W_l)_ab          = A_l[:, a] B_l[b, :]
    Gauss-Newton block    G[(l,a,b), (k,c,d)] = (A_l^T A_k)[a, c] (B_l B_k^T)[b, d]
    residual term (l < k) R[(k,c,d), (l,a,b)] = -(A_k^T E B_l^T)[c, b] (W_{k-1} ... W_{l+1})[d, a]

and H = G + R (R is zero inside a layer, P being linear in each W_l).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ._jit import helper, metric_kernel, value_kernel, vgh_kernel
from .analytic import random_orthogonal
from .base import Kernels, Kind, build, check_finite, check_int, register

# packed: [depth, m, n_0 .. n_D, X (n_0 x m), Y (n_D x m)]


@helper
def _layout(p):
    depth = int(p[0])
    m = int(p[1])
    widths = np.empty(depth + 1, dtype=np.int64)
    for i in range(depth + 1):
        widths[i] = int(p[2 + i])
    off = 2 + depth + 1
    n0, nd = widths[0], widths[depth]
    x_data = p[off : off + n0 * m].reshape((n0, m))
    y_data = p[off + n0 * m : off + n0 * m + nd * m].reshape((nd, m))
    offsets = np.zeros(depth + 1, dtype=np.int64)
    for layer in range(depth):
        offsets[layer + 1] = offsets[layer] + widths[layer + 1] * widths[layer]
    return depth, m, widths, offsets, x_data, y_data


@helper
def _products(theta, widths, offsets, x_data):
    """Prefix products B_l (n_{l-1} x m) and suffix products A_l (n_D x n_l), padded.

    Layer l = 1..D is stored at index l - 1.
    """
    depth = widths.shape[0] - 1
    m = x_data.shape[1]
    big = max(np.max(widths), m)
    mats = np.zeros((depth, big, big))
    for layer in range(depth):
        r, c = widths[layer + 1], widths[layer]
        mats[layer, :r, :c] = theta[offsets[layer] : offsets[layer + 1]].reshape((r, c))
    before = np.zeros((depth, big, big))
    before[0, : widths[0], :m] = x_data
    for layer in range(1, depth):
        r, k = widths[layer], widths[layer - 1]
        before[layer, :r, :m] = np.ascontiguousarray(mats[layer - 1, :r, :k]) @ np.ascontiguousarray(
            before[layer - 1, :k, :m]
        )
    nd = widths[depth]
    after = np.zeros((depth, big, big))
    for i in range(nd):
        after[depth - 1, i, i] = 1.0
    for layer in range(depth - 2, -1, -1):
        c = widths[layer + 1]
        k = widths[layer + 2]
        after[layer, :nd, :c] = np.ascontiguousarray(after[layer + 1, :nd, :k]) @ np.ascontiguousarray(
            mats[layer + 1, :k, :c]
        )
    last = widths[depth - 1]
    prod = np.ascontiguousarray(mats[depth - 1, :nd, :last]) @ np.ascontiguousarray(before[depth - 1, :last, :m])
    return mats, before, after, prod


@value_kernel
def _linear_value(theta, p):
    depth, m, widths, offsets, x_data, y_data = _layout(p)
    _, _, _, prod = _products(theta, widths, offsets, x_data)
    e = y_data - prod
    return 0.5 * np.sum(e * e)


@helper
def _gauss_newton(widths, offsets, before, after, out):
    depth = widths.shape[0] - 1
    nd = widths[depth]
    m = before.shape[2]
    for l in range(depth):
        nl, nl1 = widths[l + 1], widths[l]
        al = np.ascontiguousarray(after[l, :nd, :nl])
        bl = np.ascontiguousarray(before[l, :nl1, :m])
        for k in range(l, depth):
            nk, nk1 = widths[k + 1], widths[k]
            ak = np.ascontiguousarray(after[k, :nd, :nk])
            bk = np.ascontiguousarray(before[k, :nk1, :m])
            aa = al.T @ ak
            bb = bl @ bk.T
            for a in range(nl):
                for b in range(nl1):
                    i = offsets[l] + a * nl1 + b
                    for c in range(nk):
                        for d in range(nk1):
                            j = offsets[k] + c * nk1 + d
                            v = aa[a, c] * bb[b, d]
                            out[i, j] = v
                            out[j, i] = v


@vgh_kernel
def _linear_vgh(theta, p, g, h):
    depth, m, widths, offsets, x_data, y_data = _layout(p)
    mats, before, after, prod = _products(theta, widths, offsets, x_data)
    nd = widths[depth]
    e = y_data - prod
    for l in range(depth):
        nl, nl1 = widths[l + 1], widths[l]
        grad_l = -(np.ascontiguousarray(after[l, :nd, :nl]).T @ e @ np.ascontiguousarray(before[l, :nl1, :m]).T)
        g[offsets[l] : offsets[l + 1]] = grad_l.ravel()
    _gauss_newton(widths, offsets, before, after, h)
    # Residual term between layers l < k, with the middle product M = W_{k-1} ... W_{l+1}.
    for l in range(depth):
        nl, nl1 = widths[l + 1], widths[l]
        bl = np.ascontiguousarray(before[l, :nl1, :m])
        middle = np.eye(nl)
        for k in range(l + 1, depth):
            nk, nk1 = widths[k + 1], widths[k]
            if k > l + 1:
                middle = np.ascontiguousarray(mats[k - 1, :nk1, : widths[k - 1]]) @ middle
            ak = np.ascontiguousarray(after[k, :nd, :nk])
            aeb = ak.T @ e @ bl.T
            for c in range(nk):
                for d in range(nk1):
                    j = offsets[k] + c * nk1 + d
                    for a in range(nl):
                        for b in range(nl1):
                            i = offsets[l] + a * nl1 + b
                            v = -aeb[c, b] * middle[d, a]
                            h[i, j] += v
                            h[j, i] += v
    return 0.5 * np.sum(e * e)


@metric_kernel
def _linear_metric(theta, p, out):
    depth, m, widths, offsets, x_data, y_data = _layout(p)
    _, before, after, _ = _products(theta, widths, offsets, x_data)
    _gauss_newton(widths, offsets, before, after, out)


def _pack(widths, x_data, y_data) -> np.ndarray:
    depth = len(widths) - 1
    return np.concatenate([[depth, x_data.shape[1]], widths, x_data.ravel(), y_data.ravel()])


def unflatten(theta, widths) -> list[np.ndarray]:
    """Split a parameter vector into the weight matrices W_1 .. W_D."""
    out, start = [], 0
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        out.append(np.asarray(theta[start : start + n_in * n_out]).reshape(n_out, n_in))
        start += n_in * n_out
    return out


def flatten(weights) -> np.ndarray:
    """Concatenate W_1 .. W_D row-major (the inverse of ``unflatten``)."""
    return np.concatenate([np.asarray(w, dtype=float).ravel() for w in weights])


def _grad(widths, x_data, y_data):
    """Gradient without the dense Hessian (numpy; used for large networks)."""

    def grad(theta):
        ws = unflatten(theta, widths)
        before = [x_data]
        for w in ws:
            before.append(w @ before[-1])
        e = y_data - before[-1]
        out, after = [], np.eye(widths[-1])
        for layer in range(len(ws) - 1, -1, -1):
            out.append(-(after.T @ e @ before[layer].T))
            after = after @ ws[layer]
        return flatten(out[::-1])

    return grad


def _hvp(widths, x_data, y_data):
    """Matrix-free Hessian-vector product (numpy; used for large networks)."""

    def hvp(theta, v):
        ws, vs = unflatten(theta, widths), unflatten(v, widths)
        depth = len(ws)
        before, d_before = [x_data], [np.zeros_like(x_data)]
        for layer in range(depth):
            before.append(ws[layer] @ before[-1])
            d_before.append(vs[layer] @ before[-2] + ws[layer] @ d_before[-1])
        e = y_data - before[-1]
        jv = d_before[-1]  # directional derivative of P
        nd = widths[-1]
        after, d_after = [np.eye(nd)], [np.zeros((nd, nd))]
        for layer in range(depth - 1, 0, -1):
            d_after.append(d_after[-1] @ ws[layer] + after[-1] @ vs[layer])
            after.append(after[-1] @ ws[layer])
        after, d_after = after[::-1], d_after[::-1]
        out = []
        for layer in range(depth):
            a, da, b, db = after[layer], d_after[layer], before[layer], d_before[layer]
            out.append(a.T @ jv @ b.T - da.T @ e @ b.T - a.T @ e @ db.T)
        return flatten(out)

    return hvp


def _saxe_data(n_in, n_out, s, seed):
    rng = np.random.default_rng(seed)
    r = len(s)
    u = random_orthogonal(n_out, int(rng.integers(2**31)))[:, :r]
    v = random_orthogonal(n_in, int(rng.integers(2**31)))[:, :r]
    return u, v, (u * s) @ v.T


@register("linear_net")
def linear_net(depth=2, widths=None, s=(3.0, 2.0, 1.0, 0.5), seed=0):
    """Deep linear network on whitened inputs, loss 1/2 ||Sigma31 - W_D ... W_1||_F^2,
    Sigma31 = U diag(s) V^T with seeded random orthonormal U, V.

    ``widths`` (n_0, ..., n_D) defaults to len(s) units in every layer.
    """
    depth = check_int("depth", depth, 1, 50)
    s = check_finite("s", s)
    if s.ndim != 1 or s.size == 0 or np.any(s < 0):
        raise ValueError(f"s (data singular values) must be a non-empty list of numbers >= 0, got {s.tolist()}")
    if widths is None:
        widths = [s.size] * (depth + 1)
    widths = [check_int("widths", w, 1, 1000) for w in np.atleast_1d(widths)]
    if len(widths) != depth + 1:
        raise ValueError(f"widths must list depth + 1 = {depth + 1} layer sizes, got {len(widths)}")
    if s.size > min(widths[0], widths[-1]):
        raise ValueError(f"len(s) = {s.size} must be at most min(n_0, n_D) = {min(widths[0], widths[-1])}")
    seed = check_int("seed", seed, 0, 2**32 - 1)
    n_params = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    u, v, sigma31 = _saxe_data(widths[0], widths[-1], s, seed)
    x_data = np.eye(widths[0])
    critical = []
    r = int(np.sum(s > 0))
    if depth >= 2 and n_params <= 4000:
        if depth == 2:
            idx = widths[1] * r
            degenerate = n_params > 2 * widths[1] * r
        else:
            idx, degenerate = 0, True
        kind = Kind.SADDLE if r else Kind.MINIMUM
        critical.append((np.zeros(n_params), kind, idx, degenerate, "the origin: the plateau's saddle"))
        if min(widths[1:-1]) >= s.size:
            root = s ** (1.0 / depth)
            ws = []
            for layer in range(depth):
                w = np.zeros((widths[layer + 1], widths[layer]))
                w[: s.size, : s.size] = np.diag(root)
                ws.append(w)
            ws[0] = ws[0][:, : s.size] @ v.T
            ws[-1] = u @ ws[-1][: s.size, :]
            critical.append((flatten(ws), Kind.MINIMUM, 0, True, "a balanced global minimum"))
    scale = max(1.0, 1.5 * float(np.max(s, initial=1.0)) ** (1.0 / depth))
    return build(
        "linear_net",
        dict(depth=depth, widths=list(widths), s=s.tolist(), seed=seed),
        _pack(np.array(widths, dtype=float), x_data, sigma31),
        Kernels(_linear_value, _linear_vgh, _linear_metric),
        bounds=[(-scale, scale)] * n_params,
        formula=r"f(W_1,\dots,W_D) = \tfrac12\left\|\Sigma_{31} - W_D\cdots W_1\right\|_F^2,"
        r"\quad \Sigma_{31} = U\operatorname{diag}(s)V^\top",
        description="A deep linear network: the origin is a saddle whose plateau slows "
        "gradient descent; every local minimum is global.",
        critical=critical,
        extras={"U": u, "V": v, "sigma31": sigma31, "widths": list(widths),
                "hvp": _hvp(list(widths), x_data, sigma31), "grad": _grad(list(widths), x_data, sigma31)},
    )


@register("linear_autoencoder")
def linear_autoencoder(eigenvalues=(5.0, 4.0, 3.0, 2.0, 1.0), p=2, seed=0):
    """Baldi & Hornik's linear autoencoder, 1/2 tr[(I - AB) Sigma (I - AB)^T] with
    Sigma = U diag(eigenvalues) U^T (U seeded), A: n x p, B: p x n.

    Parameters are B = W_1 (p x n) then A = W_2 (n x p), flattened row-major.
    """
    lam = check_finite("eigenvalues", eigenvalues)
    if lam.ndim != 1 or lam.size < 2 or np.any(lam <= 0):
        raise ValueError(f"eigenvalues must be at least two positive numbers, got {lam.tolist()}")
    if len(np.unique(lam)) != lam.size:
        raise ValueError(f"eigenvalues must be distinct, got {lam.tolist()}")
    n = lam.size
    p = check_int("p", p, 1, n - 1)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    lam = np.sort(lam)[::-1]
    u = random_orthogonal(n, seed)
    root = (u * np.sqrt(lam)) @ u.T
    widths = [n, p, n]
    critical = []
    for subset in combinations(range(n), p):
        ui = u[:, subset]
        others = [j for j in range(n) if j not in subset]
        index = sum(1 for i in subset for j in others if lam[j] > lam[i])
        kind = Kind.MINIMUM if index == 0 else Kind.SADDLE
        label = "{" + ", ".join(str(i + 1) for i in subset) + "}"
        critical.append((flatten([ui.T, ui]), kind, index, True, f"I = {label}"))
    critical.append((np.zeros(2 * n * p), Kind.SADDLE, n * p, False, "the origin"))
    return build(
        "linear_autoencoder",
        dict(eigenvalues=lam.tolist(), p=p, seed=seed),
        _pack(np.array(widths, dtype=float), root, root),
        Kernels(_linear_value, _linear_vgh, _linear_metric),
        bounds=[(-1.5, 1.5)] * (2 * n * p),
        formula=r"f(A, B) = \tfrac12 \operatorname{tr}\left[(I - AB)\Sigma(I - AB)^\top\right]",
        description="Baldi & Hornik: every critical point projects onto a subset I of the "
        "covariance eigenvectors; only the top-p subset is a minimum, all others are saddles.",
        critical=critical,
        extras={"U": u, "widths": widths, "hvp": _hvp(widths, root, root), "grad": _grad(widths, root, root)},
    )
