"""A one-hidden-layer tanh network on scikit-learn's bundled 8x8 digits (no download).

    y_hat(x) = W_2 tanh(W_1 x + b_1) + b_2,    f = 1/(2m) sum_i ||y_hat(x_i) - y_i||^2

with one-hot targets y_i.  The 64 pixels are reduced by PCA to ``n_components`` whitened
features so that the exact Hessian stays small (Dauphin et al. 2014 downsampled MNIST to 10x10
for the same reason).  Parameters are W_1 (h x d) row-major, b_1 (h), W_2 (k x h) row-major,
b_2 (k), concatenated: n = h d + h + k h + k.

Exact derivatives.  With residuals r_io = y_hat_io - y_io, a = tanh(z), a' = 1 - a^2,
a'' = -2 a a', x~ = (x, 1) (the 1 carries b_1) and delta_ij = sum_o r_io W_2[o, j]:

    J rows (i, o):   d y_hat_io / d W_1[j, l] = W_2[o, j] a'_ij x~_il
                     d y_hat_io / d W_2[o', j] = [o = o'] a_ij,   d y_hat_io / d b_2[o'] = [o = o']
    H = (J^T J + R) / m,  R[W_2[o, j], W_1[j, l]]  = sum_i r_io a'_ij x~_il
                          R[W_1[j, l], W_1[j, l']] = sum_i delta_ij a''_ij x~_il x~_il'

(R vanishes elsewhere).  The metric is the Gauss-Newton matrix J^T J / m.

A known saddle: W_1 = 0, b_1 = 0, W_2 = 0, b_2 = mean(y).  Every hidden unit is idle and the
net is locally linear (tanh'(0) = 1), so, as at the origin of a linear network, the Hessian is
I on b_2 and [[0, C], [C^T, 0]] for each hidden unit, C = (1/m) sum_i r_i x_i^T: eigenvalues
+-sigma_q(C), each h times.  Its index is h rank(C).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._jit import helper, metric_kernel, value_kernel, vgh_kernel
from .base import Kernels, Kind, Landscape, build, check_int, check_range, register

# packed: [d, h, k, m, X (m x d), Y (m x k)]


@helper
def _layout(p):
    d, h, k, m = int(p[0]), int(p[1]), int(p[2]), int(p[3])
    x_data = p[4 : 4 + m * d].reshape((m, d))
    y_data = p[4 + m * d : 4 + m * d + m * k].reshape((m, k))
    return d, h, k, m, x_data, y_data


@helper
def _forward(theta, d, h, k, x_data):
    """Hidden activations a (m x h) and outputs y_hat (m x k)."""
    m = x_data.shape[0]
    w1 = theta[: h * d].reshape((h, d))
    b1 = theta[h * d : h * d + h]
    off2 = h * d + h
    w2 = theta[off2 : off2 + k * h].reshape((k, h))
    b2 = theta[off2 + k * h : off2 + k * h + k]
    a = np.empty((m, h))
    out = np.empty((m, k))
    for i in range(m):
        for j in range(h):
            z = b1[j]
            for l in range(d):
                z += w1[j, l] * x_data[i, l]
            a[i, j] = np.tanh(z)
        for o in range(k):
            y = b2[o]
            for j in range(h):
                y += w2[o, j] * a[i, j]
            out[i, o] = y
    return a, out


@helper
def _symmetrize(a):
    """BLAS's J^T J is symmetric only to round-off; the Hessian must be exactly symmetric."""
    n = a.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            v = 0.5 * (a[i, j] + a[j, i])
            a[i, j] = v
            a[j, i] = v


@value_kernel
def _mlp_value(theta, p):
    d, h, k, m, x_data, y_data = _layout(p)
    _, out = _forward(theta, d, h, k, x_data)
    f = 0.0
    for i in range(m):
        for o in range(k):
            r = out[i, o] - y_data[i, o]
            f += r * r
    return 0.5 * f / m


@helper
def _jacobian(theta, d, h, k, x_data, a):
    """J (m k x n): rows (i, o) in sample-major order."""
    m = x_data.shape[0]
    n = theta.shape[0]
    off2 = h * d + h
    off3 = off2 + k * h
    w2 = theta[off2:off3].reshape((k, h))
    jac = np.zeros((m * k, n))
    for i in range(m):
        for o in range(k):
            row = i * k + o
            for j in range(h):
                da = 1.0 - a[i, j] * a[i, j]
                c = w2[o, j] * da
                for l in range(d):
                    jac[row, j * d + l] = c * x_data[i, l]
                jac[row, h * d + j] = c
                jac[row, off2 + o * h + j] = a[i, j]
            jac[row, off3 + o] = 1.0
    return jac


@vgh_kernel
def _mlp_vgh(theta, p, g, hess):
    d, h, k, m, x_data, y_data = _layout(p)
    n = theta.shape[0]
    off2 = h * d + h
    w2 = theta[off2 : off2 + k * h].reshape((k, h))
    a, out = _forward(theta, d, h, k, x_data)
    resid = np.empty(m * k)
    f = 0.0
    for i in range(m):
        for o in range(k):
            r = out[i, o] - y_data[i, o]
            resid[i * k + o] = r
            f += r * r
    jac = _jacobian(theta, d, h, k, x_data, a)
    g[:] = (jac.T @ resid) / m
    hess[:, :] = (jac.T @ jac) / m
    # Residual term R / m: only W_2-W_1 pairs of the same hidden unit and W_1-W_1 pairs of
    # the same hidden unit are non-zero.
    inv_m = 1.0 / m
    for i in range(m):
        for j in range(h):
            aij = a[i, j]
            da = 1.0 - aij * aij
            dda = -2.0 * aij * da
            delta = 0.0
            for o in range(k):
                delta += resid[i * k + o] * w2[o, j]
            for l in range(d + 1):
                xl = x_data[i, l] if l < d else 1.0
                il = j * d + l if l < d else h * d + j
                for o in range(k):
                    v = inv_m * resid[i * k + o] * da * xl
                    io = off2 + o * h + j
                    hess[io, il] += v
                    hess[il, io] += v
                c = inv_m * delta * dda * xl
                for l2 in range(d + 1):
                    xl2 = x_data[i, l2] if l2 < d else 1.0
                    il2 = j * d + l2 if l2 < d else h * d + j
                    hess[il, il2] += c * xl2
    _symmetrize(hess)
    return 0.5 * f / m


@metric_kernel
def _mlp_metric(theta, p, out):
    d, h, k, m, x_data, y_data = _layout(p)
    a, _ = _forward(theta, d, h, k, x_data)
    jac = _jacobian(theta, d, h, k, x_data, a)
    out[:, :] = (jac.T @ jac) / m
    _symmetrize(out)


# -- data -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    data = load_digits()
    return data.data.astype(float), data.target.astype(int)


def digits_features(n_components: int, n_classes: int, n_samples: int, seed: int):
    """PCA-whitened digits of the classes 0 .. n_classes - 1, a seeded sample of n_samples.

    Returns
    -------
    x : ndarray, shape (n_samples, n_components)
        Centred features with unit variance per component.
    labels : ndarray of int, shape (n_samples,)
    explained : float
        Fraction of the pixel variance the components keep.
    """
    pixels, labels = _digits()
    keep = labels < n_classes
    pixels, labels = pixels[keep], labels[keep]
    if n_samples > labels.size:
        raise ValueError(
            f"n_samples must be at most {labels.size} (digits of {n_classes} classes), got {n_samples}"
        )
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(labels.size, size=n_samples, replace=False))
    pixels, labels = pixels[pick], labels[pick]
    centred = pixels - pixels.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    # The sign of each principal direction is fixed so that the features do not depend on LAPACK.
    signs = np.sign(vt[:, np.argmax(np.abs(vt), axis=1)].diagonal())
    vt = vt * signs[:, None]
    x = centred @ vt[:n_components].T
    x /= x.std(axis=0)
    explained = float(np.sum(sv[:n_components] ** 2) / np.sum(sv**2))
    return x, labels, explained


def _layout_sizes(n_features, hidden, n_classes):
    return hidden * n_features + hidden + n_classes * hidden + n_classes


def unpack(theta, L: Landscape) -> dict:
    """Split a parameter vector of ``tanh_mlp`` into W1 (h, d), b1 (h,), W2 (k, h), b2 (k,)."""
    d, h, k = L.extras["n_features"], L.extras["hidden"], L.extras["n_classes"]
    theta = np.asarray(theta, dtype=float)
    off2 = h * d + h
    return {
        "W1": theta[: h * d].reshape(h, d),
        "b1": theta[h * d : off2],
        "W2": theta[off2 : off2 + k * h].reshape(k, h),
        "b2": theta[off2 + k * h :],
    }


def pack(W1, b1, W2, b2) -> np.ndarray:
    """The inverse of ``unpack``."""
    return np.concatenate([np.ravel(W1), np.ravel(b1), np.ravel(W2), np.ravel(b2)]).astype(float)


def _check_mlp(L):
    if not isinstance(L, Landscape) or L.name != "tanh_mlp":
        raise ValueError("L must be a tanh_mlp landscape: landscapes.get('tanh_mlp', ...)")


def plateau_start(L: Landscape, scale: float = 1e-2, seed: int = 0) -> np.ndarray:
    """The idle-units saddle (W = 0, b_2 = mean target) plus Gaussian noise of std ``scale``:
    a start on the plateau around it."""
    _check_mlp(L)
    scale = check_range("scale", scale, 0.0, 10.0)
    rng = np.random.default_rng(check_int("seed", seed, 0, 2**32 - 1))
    return L.extras["idle_saddle"] + scale * rng.standard_normal(L.dim)


def random_start(L: Landscape, seed: int = 0) -> np.ndarray:
    """Glorot-style start: W_1 ~ N(0, 1/d), W_2 ~ N(0, 1/h), zero biases."""
    _check_mlp(L)
    rng = np.random.default_rng(check_int("seed", seed, 0, 2**32 - 1))
    d, h, k = L.extras["n_features"], L.extras["hidden"], L.extras["n_classes"]
    return pack(rng.standard_normal((h, d)) / np.sqrt(d), np.zeros(h),
                rng.standard_normal((k, h)) / np.sqrt(h), np.zeros(k))


def classification_error(L: Landscape, theta) -> float:
    """Fraction of training digits whose largest output is not the true class."""
    _check_mlp(L)
    w = unpack(theta, L)
    out = np.tanh(L.extras["x"] @ w["W1"].T + w["b1"]) @ w["W2"].T + w["b2"]
    return float(np.mean(np.argmax(out, axis=1) != L.extras["labels"]))


@register("tanh_mlp")
def tanh_mlp(hidden=4, n_components=6, n_classes=4, n_samples=200, seed=0):
    """One hidden tanh layer with squared loss on PCA-reduced 8x8 digits (scikit-learn's
    bundled copy).  ``n_classes`` keeps the digits 0 .. n_classes - 1; ``seed`` picks the
    sample."""
    hidden = check_int("hidden (units)", hidden, 1, 64)
    n_components = check_int("n_components (PCA features)", n_components, 1, 64)
    n_classes = check_int("n_classes", n_classes, 2, 10)
    n_samples = check_int("n_samples", n_samples, 10, 1797)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    n = _layout_sizes(n_components, hidden, n_classes)
    if n > 2000:
        raise ValueError(f"the network has {n} parameters; at most 2000 keep the exact Hessian small")
    x, labels, explained = digits_features(n_components, n_classes, n_samples, seed)
    targets = np.eye(n_classes)[labels]
    mean_target = targets.mean(axis=0)
    idle = pack(np.zeros((hidden, n_components)), np.zeros(hidden),
                np.zeros((n_classes, hidden)), mean_target)
    coupling = (mean_target - targets).T @ x / n_samples  # C (k x d) at the idle saddle
    rank = int(np.linalg.matrix_rank(coupling, tol=1e-10 * max(1.0, np.abs(coupling).max())))
    critical = [(idle, Kind.SADDLE, hidden * rank, True,
                 "idle hidden units (W = 0, b2 = mean target): the net is locally linear")]
    packed = np.concatenate([[n_components, hidden, n_classes, n_samples], x.ravel(), targets.ravel()])
    return build(
        "tanh_mlp",
        dict(hidden=hidden, n_components=n_components, n_classes=n_classes, n_samples=n_samples, seed=seed),
        packed,
        Kernels(_mlp_value, _mlp_vgh, _mlp_metric),
        bounds=[(-3.0, 3.0)] * n,
        formula=r"f(\theta) = \frac{1}{2m}\sum_{i=1}^m \left\|W_2 \tanh(W_1 x_i + b_1) + b_2 - y_i\right\|^2",
        description=f"A tanh network with {hidden} hidden units on {n_samples} digits "
        f"(classes 0-{n_classes - 1}), {n_components} PCA features keeping "
        f"{100 * explained:.0f}% of the pixel variance; {n} parameters.",
        critical=critical,
        extras={"x": x, "labels": labels, "targets": targets, "n_features": n_components,
                "hidden": hidden, "n_classes": n_classes, "explained_variance": explained,
                "idle_saddle": idle, "coupling": coupling},
    )
