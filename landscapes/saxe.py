"""Learning dynamics of linear networks (Saxe, McClelland & Ganguli 2014, arXiv 1312.6120).

Setting: whitened inputs, input-output correlation Sigma31 = U diag(s) V^T, loss
1/2 ||Sigma31 - W_D ... W_1||_F^2 (the ``linear_net`` landscape).  Gradient descent with step
eta is the gradient flow with time constant tau = 1/eta, time measured in iterations.  From a
decoupled start each mode's strength u_alpha = U[:, alpha]^T W_D ... W_1 V[:, alpha] learns on
its own:

    two layers      tau du/dt = 2 u (s - u),
                    u(t) = s e^{2st/tau} / (e^{2st/tau} - 1 + s/u_0),
                    t(u_f) = (tau / 2s) ln[u_f (s - u_0) / (u_0 (s - u_f))]
    D balanced      tau du/dt = D u^{2 - 2/D} (s - u)

With per-layer strength a (u_0 = a^D) and step 0.01/D, the time to learn levels off as D grows
when a = 1 (orthogonal layers) and grows exponentially in D when a < 1: the deeper the net,
the flatter the plateau around the saddle at the origin.

This module holds the closed forms, the ODE (scipy), the starts that make the closed forms
exact, and a compiled gradient-descent loop for the long depth sweeps (the trajectory runner of
``optimizers`` builds a dense Hessian at every step, which the sweeps do not need).  It also
checks Baldi & Hornik's (1989) critical points of the linear autoencoder against the
landscape's own Hessian: for every p-subset I of the covariance eigenvectors,

    error  1/2 (tr Sigma - sum_{i in I} lambda_i),   index  #{(i in I, j not in I): lambda_j > lambda_i}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate

from ._jit import helper
from .analytic import random_orthogonal
from .base import Landscape, check_int, check_range, get
from .nets import flatten, unflatten

# -- closed forms and the ODE ---------------------------------------------------------------


def _check_mode(s, u0):
    s = np.asarray(s, dtype=float)
    u0 = np.asarray(u0, dtype=float)
    if not (np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError(f"s (mode singular value) must be > 0, got {s.tolist()}")
    if not (np.all(np.isfinite(u0)) and np.all(u0 > 0)):
        raise ValueError(
            f"u0 (initial mode strength) must be > 0, got {u0.tolist()}: a mode that starts at "
            "or below zero sits on the saddle's stable manifold and the formula does not apply"
        )
    return s, u0


def _tau(lr) -> float:
    lr = check_range("lr (step eta)", lr, 0.0, 1e3, open_lo=True)
    return 1.0 / lr


def mode_strength(t, s, u0, lr):
    """Two-layer mode strength u(t) under gradient descent (Saxe et al. eq. 6).

    u(t) = s e^{2st/tau} / (e^{2st/tau} - 1 + s/u_0), tau = 1/lr, written as
    s / (1 + (s/u_0 - 1) e^{-2st/tau}) so that large t does not overflow.

    Parameters
    ----------
    t : array_like
        Time in iterations.
    s : float or array_like
        Singular value of the mode (> 0); broadcast against ``t`` and ``u0``.
    u0 : float or array_like
        Initial strength (> 0).
    lr : float
        Step eta of gradient descent.

    Returns
    -------
    ndarray
        u(t), broadcast shape of (t, s, u0).
    """
    s, u0 = _check_mode(s, u0)
    tau = _tau(lr)
    t = np.asarray(t, dtype=float)
    with np.errstate(over="ignore"):
        return s / (1.0 + (s / u0 - 1.0) * np.exp(-2.0 * s * t / tau))


def time_to_reach(u_final, s, u0, lr):
    """Iterations for a two-layer mode to grow from u0 to u_final (0 < u0, u_final < s).

    t = (tau / 2s) ln[u_f (s - u_0) / (u_0 (s - u_f))], tau = 1/lr.
    """
    s, u0 = _check_mode(s, u0)
    u_final = np.asarray(u_final, dtype=float)
    if np.any(u_final <= 0) or np.any(u_final >= s) or np.any(u0 >= s):
        raise ValueError("time_to_reach needs 0 < u0, u_final < s")
    tau = _tau(lr)
    return tau / (2.0 * s) * np.log(u_final * (s - u0) / (u0 * (s - u_final)))


def _deep_rate(u, s, depth, tau):
    return depth * np.abs(u) ** (2.0 - 2.0 / depth) * (s - u) / tau


def deep_mode_strength(t, s, u0, lr, depth):
    """Mode strengths of a deep balanced chain, tau du/dt = D u^{2-2/D} (s - u), by scipy.

    Parameters
    ----------
    t : array_like, shape (k,)
        Increasing times in iterations (t[0] >= 0).
    s, u0 : array_like, shape (r,)
        Singular values and initial strengths of the r modes (> 0).
    lr : float
        Step eta; tau = 1/eta.
    depth : int
        Number of layers D >= 1 (D = 2 gives ``mode_strength``).

    Returns
    -------
    ndarray, shape (k, r)
    """
    depth = check_int("depth D", depth, 1, 1000)
    s, u0 = _check_mode(np.atleast_1d(s), np.atleast_1d(u0))
    s, u0 = np.broadcast_arrays(s, u0)
    tau = _tau(lr)
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if t.ndim != 1 or np.any(np.diff(t) < 0) or t[0] < 0:
        raise ValueError("t must be a 1-D array of increasing times >= 0")
    # In log u the flow is smooth over the many decades a small start crosses on its plateau.
    def rhs(_, log_u):
        u = np.exp(log_u)
        return _deep_rate(u, s, depth, tau) / u

    sol = integrate.solve_ivp(rhs, (0.0, float(t[-1]) if t[-1] > 0 else 1.0), np.log(u0),
                              t_eval=t, method="LSODA", rtol=1e-10, atol=1e-12)
    if not sol.success:  # pragma: no cover - LSODA does not fail on this smooth flow
        raise RuntimeError(f"deep-chain ODE failed: {sol.message}")
    return np.exp(sol.y.T)


def deep_time_to_reach(u_final, s, u0, lr, depth):
    """Iterations for a deep balanced mode to grow from u0 to u_final (0 < u0 < u_final < s).

    t = tau * integral_{u0}^{u_f} du / (D u^{2-2/D} (s - u)), by quadrature in v = ln u.
    """
    depth = check_int("depth D", depth, 1, 1000)
    s, u0 = _check_mode(s, u0)
    s, u0 = float(s), float(u0)
    u_final = float(u_final)
    if not 0 < u0 < u_final < s:
        raise ValueError(f"deep_time_to_reach needs 0 < u0 < u_final < s, got {u0}, {u_final}, {s}")
    tau = _tau(lr)

    def integrand(v):
        u = np.exp(v)
        return tau * u ** (-1.0 + 2.0 / depth) / (depth * (s - u))

    value, _ = integrate.quad(integrand, np.log(u0), np.log(u_final), limit=200, epsabs=0, epsrel=1e-10)
    return value


def deep_time_to_relative_error(s, u0, lr, depth, target=0.01):
    """Iterations until the decoupled chain's loss 1/2 sum (s_a - u_a)^2 falls to
    ``target`` times its value at the origin, 1/2 sum s_a^2 (the ODE's answer).

    Parameters
    ----------
    s, u0 : array_like, shape (r,)
    lr : float
    depth : int
    target : float in (0, 1)

    Returns
    -------
    float
    """
    depth = check_int("depth D", depth, 1, 1000)
    target = check_range("target relative error", target, 0.0, 1.0, open_lo=True)
    s, u0 = _check_mode(np.atleast_1d(s), np.atleast_1d(u0))
    s, u0 = np.broadcast_arrays(s, u0)
    tau = _tau(lr)
    scale = 0.5 * np.sum(s**2)

    def rhs(_, log_u):
        u = np.exp(log_u)
        return _deep_rate(u, s, depth, tau) / u

    def reached(_, log_u):
        return 0.5 * np.sum((s - np.exp(log_u)) ** 2) / scale - target

    reached.terminal = True
    if reached(0.0, np.log(u0)) <= 0:
        return 0.0
    horizon = 1.0
    while True:  # the plateau's length is not known beforehand: extend the horizon
        sol = integrate.solve_ivp(rhs, (0.0, horizon * tau), np.log(u0), events=reached,
                                  method="LSODA", rtol=1e-10, atol=1e-12)
        if sol.t_events[0].size:
            return float(sol.t_events[0][0])
        horizon *= 10.0
        if horizon > 1e12:
            return float("inf")


# -- mode strengths of a network --------------------------------------------------------------


def _check_linear_net(L: Landscape):
    if not isinstance(L, Landscape) or L.name != "linear_net":
        raise ValueError("L must be a linear_net landscape: landscapes.get('linear_net', ...)")


def product(L: Landscape, theta) -> np.ndarray:
    """The end-to-end map W_D ... W_1, shape (n_D, n_0)."""
    _check_linear_net(L)
    ws = unflatten(np.asarray(theta, dtype=float), L.extras["widths"])
    out = ws[0]
    for w in ws[1:]:
        out = w @ out
    return out


def mode_strengths(L: Landscape, thetas) -> np.ndarray:
    """u_alpha = U[:, alpha]^T W_D ... W_1 V[:, alpha] for every mode.

    Parameters
    ----------
    L : Landscape
        A ``linear_net``.
    thetas : array_like, shape (n,) or (k, n)
        One parameter vector or a trajectory of them.

    Returns
    -------
    ndarray, shape (r,) or (k, r)
    """
    _check_linear_net(L)
    thetas = np.asarray(thetas, dtype=float)
    u, v = L.extras["U"], L.extras["V"]
    single = thetas.ndim == 1
    rows = np.atleast_2d(thetas)
    out = np.array([np.einsum("ia,ij,ja->a", u, product(L, th), v) for th in rows])
    return out[0] if single else out


def relative_error(L: Landscape, values) -> np.ndarray:
    """Loss divided by the loss at the origin, 1/2 ||Sigma31||_F^2 (1 on the plateau, 0 when learned)."""
    _check_linear_net(L)
    return np.asarray(values, dtype=float) / (0.5 * float(np.sum(L.extras["sigma31"] ** 2)))


# -- starts --------------------------------------------------------------------------------------


def _frames(widths, r, seed):
    """Orthonormal r-frames R_l (n_l x r) for the hidden layers, seeded."""
    rng = np.random.default_rng(seed)
    return [random_orthogonal(n, int(rng.integers(2**31)))[:, :r] for n in widths[1:-1]]


def decoupled_start(L: Landscape, u0, seed: int = 0) -> np.ndarray:
    """The balanced decoupled start that makes Saxe's closed forms exact.

    W_1 = a R_1 V^T, W_l = a R_l R_{l-1}^T, W_D = a U R_{D-1}^T with a = u0^{1/D} per mode and
    seeded orthonormal frames R_l, so W_D ... W_1 = U diag(u0) V^T: every mode starts at
    strength u0 and stays decoupled.  With u0 = 1 and square layers every W_l is orthogonal.

    Parameters
    ----------
    L : Landscape
        A ``linear_net`` whose hidden layers have at least r = len(s) units.
    u0 : float or array_like, shape (r,)
        Initial mode strengths (> 0).
    seed : int

    Returns
    -------
    ndarray, shape (n,)
    """
    _check_linear_net(L)
    widths = L.extras["widths"]
    r = L.extras["U"].shape[1]
    depth = len(widths) - 1
    u0 = np.broadcast_to(np.asarray(u0, dtype=float), (r,))
    if not (np.all(np.isfinite(u0)) and np.all(u0 > 0)):
        raise ValueError(f"u0 (initial mode strength) must be > 0, got {u0.tolist()}")
    if min(widths[1:-1], default=r) < r:
        raise ValueError(f"every hidden layer needs at least r = {r} units for a decoupled start")
    a = np.diag(u0 ** (1.0 / depth))
    frames = [L.extras["V"]] + _frames(widths, r, check_int("seed", seed, 0, 2**32 - 1)) + [L.extras["U"]]
    weights = [frames[l + 1] @ a @ frames[l].T for l in range(depth)]
    return flatten(weights)


def orthogonal_start(L: Landscape, gain: float = 1.0, seed: int = 0, *, aligned: bool = True) -> np.ndarray:
    """Orthogonal layers times ``gain`` (Saxe et al. sec. 3): the product's singular values are
    gain^D whatever the depth, so with gain 1 no mode starts on the plateau.

    aligned : bool
        True: the decoupled start with per-layer strength ``gain`` (u0 = gain^D, product
        gain^D U V^T; with square layers of width r every W_l is gain times an orthogonal
        matrix).  False: every W_l is gain times a Haar-random (semi-)orthogonal matrix; when the
        net is square, one row of W_1 is flipped if det(W_D ... W_1) and det(U V^T) differ in
        sign, because such a product can only reach U diag(s) V^T by passing a singular
        product -- a saddle -- and would sit on a second plateau.
    """
    _check_linear_net(L)
    gain = check_range("gain", gain, 0.0, 10.0, open_lo=True)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    widths = L.extras["widths"]
    if aligned:
        return decoupled_start(L, gain ** (len(widths) - 1), seed)
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        q = random_orthogonal(max(n_in, n_out), int(rng.integers(2**31)))
        weights.append(gain * q[:n_out, :n_in])
    u, v = L.extras["U"], L.extras["V"]
    if len(set(widths)) == 1 and u.shape[1] == widths[0]:
        theta = flatten(weights)
        if np.linalg.det(product(L, theta)) * np.linalg.det(u @ v.T) < 0:
            weights[0][0] *= -1.0
    return flatten(weights)


def small_random_start(L: Landscape, scale: float = 1e-2, seed: int = 0) -> np.ndarray:
    """Independent Gaussian weights of standard deviation ``scale``: a start near the saddle at
    the origin, on its plateau."""
    _check_linear_net(L)
    scale = check_range("scale", scale, 0.0, 10.0, open_lo=True)
    rng = np.random.default_rng(check_int("seed", seed, 0, 2**32 - 1))
    return scale * rng.standard_normal(L.dim)


# -- fast gradient descent for long runs ------------------------------------------------------


@dataclass(frozen=True)
class GDRun:
    """Gradient descent on a linear network, recorded every ``every`` iterations.

    Attributes
    ----------
    iterations : ndarray of int, shape (k,)
    values : ndarray, shape (k,)
        Loss 1/2 ||Sigma31 - W_D ... W_1||^2 at those iterations.
    strengths : ndarray, shape (k, r)
        Mode strengths u_alpha.
    thetas : ndarray, shape (k, n)
        Parameters at those iterations.
    final : ndarray, shape (n,)
        Parameters after the last iteration taken.
    steps : int
        Iterations taken (fewer than asked when the target error was reached).
    """

    iterations: np.ndarray
    values: np.ndarray
    strengths: np.ndarray
    thetas: np.ndarray
    final: np.ndarray
    steps: int


@helper
def _matmul_into(a, b, out, rows, inner, cols):
    """out[:rows, :cols] = a[:rows, :inner] @ b[:inner, :cols] (explicit loops: these matrices
    are tiny, and loops compile in a fraction of the time BLAS calls on slices take)."""
    for i in range(rows):
        for j in range(cols):
            acc = 0.0
            for k in range(inner):
                acc += a[i, k] * b[k, j]
            out[i, j] = acc


@helper
def _gd_chain(theta, widths, sigma31, u, v, lr, steps, every, target_value, values, strengths, thetas, iters):
    depth = widths.shape[0] - 1
    nmax = 0
    for w in widths:
        nmax = max(nmax, w)
    offsets = np.zeros(depth + 1, dtype=np.int64)
    for l in range(depth):
        offsets[l + 1] = offsets[l] + widths[l + 1] * widths[l]
    n0, nd = widths[0], widths[depth]
    # before[l] = W_l ... W_1 (n_l x n_0), after[l] = W_D ... W_{l+1} (n_D x n_l), 1-based layers
    before = np.zeros((depth + 1, nmax, n0))
    after = np.zeros((depth + 1, nd, nmax))
    for i in range(n0):
        before[0, i, i] = 1.0
    for i in range(nd):
        after[depth, i, i] = 1.0
    e = np.empty((nd, n0))
    left = np.empty((nmax, n0))
    x = theta.copy()
    rec = 0
    taken = steps
    for t in range(steps + 1):
        for l in range(depth):
            r, c = widths[l + 1], widths[l]
            w = x[offsets[l] : offsets[l + 1]].reshape((r, c))
            _matmul_into(w, before[l], before[l + 1], r, c, n0)
        for l in range(depth - 1, -1, -1):
            r, c = widths[l + 1], widths[l]
            w = x[offsets[l] : offsets[l + 1]].reshape((r, c))
            _matmul_into(after[l + 1], w, after[l], nd, r, c)
        f = 0.0
        for i in range(nd):
            for j in range(n0):
                e[i, j] = sigma31[i, j] - before[depth, i, j]
                f += 0.5 * e[i, j] * e[i, j]
        done = f <= target_value or t == steps or not np.isfinite(f)
        if t % every == 0 or done:
            values[rec] = f
            iters[rec] = t
            thetas[rec, :] = x
            for a in range(u.shape[1]):
                acc = 0.0
                for i in range(nd):
                    for j in range(n0):
                        acc += u[i, a] * before[depth, i, j] * v[j, a]
                strengths[rec, a] = acc
            rec += 1
        if done:
            taken = t
            break
        for l in range(depth):
            r, c = widths[l + 1], widths[l]
            # dW_l = lr * A^T E B^T with A = after[l + 1] (n_D x r), B = before[l] (c x n_0)
            for i in range(r):
                for j in range(n0):
                    acc = 0.0
                    for k in range(nd):
                        acc += after[l + 1, k, i] * e[k, j]
                    left[i, j] = acc
            for i in range(r):
                for j in range(c):
                    acc = 0.0
                    for k in range(n0):
                        acc += left[i, k] * before[l, j, k]
                    x[offsets[l] + i * c + j] += lr * acc
    return x, rec, taken


def gradient_descent(L: Landscape, theta0, lr: float, steps: int, *, every: int = 1,
                     target: float | None = None) -> GDRun:
    """Plain gradient descent theta <- theta - lr grad f on a ``linear_net``, compiled, without
    the Hessian (for the long runs of a depth sweep; ``optimizers.run(L, "gd", ...)`` takes the
    same steps and also records the Hessian's extreme eigenvalues).

    Parameters
    ----------
    L : Landscape
        A ``linear_net``.
    theta0 : array_like, shape (n,)
    lr : float
        Step eta.
    steps : int
        At most this many iterations.
    every : int
        Record every ``every`` iterations (and the last one).
    target : float, optional
        Stop once the relative error (loss over 1/2 ||Sigma31||^2) is at most ``target``.

    Returns
    -------
    GDRun
    """
    _check_linear_net(L)
    theta0 = np.ascontiguousarray(np.asarray(theta0, dtype=float))
    if theta0.shape != (L.dim,) or not np.all(np.isfinite(theta0)):
        raise ValueError(f"theta0 must be a finite array of shape ({L.dim},)")
    lr = check_range("lr (step eta)", lr, 0.0, 1e3, open_lo=True)
    steps = check_int("steps", steps, 0, 10_000_000)
    every = check_int("every", every, 1, 10_000_000)
    target_value = -1.0
    if target is not None:
        target = check_range("target relative error", target, 0.0, 1.0)
        target_value = target * 0.5 * float(np.sum(L.extras["sigma31"] ** 2))
    n_rec = steps // every + 2
    r = L.extras["U"].shape[1]
    values = np.empty(n_rec)
    strengths = np.empty((n_rec, r))
    iters = np.empty(n_rec, dtype=np.int64)
    thetas = np.empty((n_rec, L.dim))
    with np.errstate(all="ignore"):
        x, rec, taken = _gd_chain(
            theta0, np.asarray(L.extras["widths"], dtype=np.int64),
            np.ascontiguousarray(L.extras["sigma31"]), np.ascontiguousarray(L.extras["U"]),
            np.ascontiguousarray(L.extras["V"]), lr, steps, every, target_value, values, strengths,
            thetas, iters,
        )
    return GDRun(iters[:rec].copy(), values[:rec].copy(), strengths[:rec].copy(),
                 thetas[:rec].copy(), x, int(taken))


def first_crossing(iterations, values, level) -> float:
    """First iteration at which ``values`` reaches ``level`` from below, interpolated linearly
    between recorded iterations (``nan`` if it never does).

    Parameters
    ----------
    iterations : array_like, shape (k,)
    values : array_like, shape (k,)
    level : float
    """
    iterations = np.asarray(iterations, dtype=float)
    values = np.asarray(values, dtype=float)
    above = np.flatnonzero(values >= level)
    if above.size == 0:
        return float("nan")
    k = int(above[0])
    if k == 0:
        return float(iterations[0])
    frac = (level - values[k - 1]) / (values[k] - values[k - 1])
    return float(iterations[k - 1] + frac * (iterations[k] - iterations[k - 1]))


def time_to_relative_error(L: Landscape, theta0, lr: float, target: float = 0.01,
                           max_steps: int = 2_000_000) -> float:
    """Iterations of gradient descent until the relative error is at most ``target``
    (``inf`` if not reached within ``max_steps``)."""
    run = gradient_descent(L, theta0, lr, max_steps, every=max_steps, target=target)
    reached = relative_error(L, run.values[-1]) <= target
    return float(run.steps) if reached else float("inf")


@dataclass(frozen=True)
class DepthSweep:
    """Time to learn against depth, simulated and predicted.

    Attributes
    ----------
    depths : ndarray of int, shape (k,)
    strength : float
        Per-layer strength a of the decoupled start (u0 = a^D).
    simulated : ndarray, shape (k,)
        Gradient-descent iterations to the target relative error on the network.
    predicted : ndarray, shape (k,)
        The same from the deep-chain ODE.
    lr : ndarray, shape (k,)
        Step used at each depth, ``lr_times_depth / D``.
    """

    depths: np.ndarray
    strength: float
    simulated: np.ndarray
    predicted: np.ndarray
    lr: np.ndarray


def depth_sweep(depths, strength: float, *, s=(3.0, 2.0, 1.0, 0.5), lr_times_depth: float = 0.01,
                target: float = 0.01, seed: int = 0, max_steps: int = 2_000_000,
                progress=None) -> DepthSweep:
    """Time to reach ``target`` relative error against depth, from the decoupled start with
    per-layer strength ``strength`` (u0 = strength^D) and step lr_times_depth / D (Saxe's setting:
    the step shrinks with depth because the Hessian's scale grows like D).

    ``progress(done, total)`` is called after each depth.
    """
    strength = check_range("strength a", strength, 0.0, 2.0, open_lo=True)
    depths = np.array([check_int("depth D", d, 1, 50) for d in np.atleast_1d(depths)], dtype=np.int64)
    s = np.asarray(s, dtype=float)
    simulated, predicted, lrs = [], [], []
    for i, depth in enumerate(depths):
        L = get("linear_net", depth=int(depth), s=tuple(s), seed=seed)
        lr = lr_times_depth / depth
        u0 = strength**depth
        simulated.append(time_to_relative_error(L, decoupled_start(L, u0, seed), lr, target, max_steps))
        predicted.append(deep_time_to_relative_error(s, np.full(s.size, u0), lr, int(depth), target))
        lrs.append(lr)
        if progress is not None:
            progress(i + 1, len(depths))
    return DepthSweep(depths, strength, np.array(simulated), np.array(predicted), np.array(lrs))


# -- the Hessian along a run ----------------------------------------------------------------


@dataclass(frozen=True)
class SpectrumAlong:
    """Hessian index and extreme eigenvalue at points of a run.

    Attributes
    ----------
    index : ndarray of int, shape (k,)
        Number of negative Hessian eigenvalues (below -tol times the spectral scale).
    smallest : ndarray, shape (k,)
        Most negative (smallest) eigenvalue.
    """

    index: np.ndarray
    smallest: np.ndarray


def hessian_index_along(L: Landscape, thetas, tol: float = 1e-8) -> SpectrumAlong:
    """Index of the exact Hessian (numpy ``eigvalsh`` of ``L.hess``) at every row of ``thetas``
    (k, n): on the plateau around the origin it is the saddle's index, and it falls as the
    modes are learned."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    index, smallest = [], []
    for theta in thetas:
        lam = np.linalg.eigvalsh(L.hess(theta))
        scale = max(1.0, float(np.max(np.abs(lam))))
        index.append(int(np.sum(lam < -tol * scale)))
        smallest.append(float(lam[0]))
    return SpectrumAlong(np.array(index, dtype=np.int64), np.array(smallest))


# -- Baldi & Hornik ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AutoencoderCriticalPoint:
    """A critical point A = U_I, B = U_I^T of the linear autoencoder, measured and predicted.

    Attributes
    ----------
    subset : tuple of int
        I, 1-based indices of the covariance eigenvectors it projects onto.
    position : ndarray, shape (n,)
    error : float
        The landscape's value there.
    error_formula : float
        1/2 (tr Sigma - sum_{i in I} lambda_i).
    eigenvalues : ndarray, shape (n,)
        Hessian eigenvalues (numpy ``eigvalsh`` of ``L.hess``), ascending.
    index : int
        Number of negative eigenvalues.
    index_formula : int
        #{(i in I, j not in I): lambda_j > lambda_i}.
    zero_eigenvalues : int
        Number of numerically zero eigenvalues (p^2 from the GL(p) symmetry A C, C^-1 B).
    grad_norm : float
    """

    subset: tuple
    position: np.ndarray
    error: float
    error_formula: float
    eigenvalues: np.ndarray
    index: int
    index_formula: int
    zero_eigenvalues: int
    grad_norm: float

    @property
    def label(self) -> str:
        return "{" + ", ".join(map(str, self.subset)) + "}"


def baldi_hornik_points(L: Landscape, tol: float = 1e-8) -> list[AutoencoderCriticalPoint]:
    """Every full-rank critical point of a ``linear_autoencoder``, sorted by error.

    The subset I is read off the point itself (the columns of A = W_2 are eigenvectors of
    Sigma), the index from the exact Hessian; both are set beside Baldi & Hornik's formulas.
    """
    if not isinstance(L, Landscape) or L.name != "linear_autoencoder":
        raise ValueError("L must be a linear_autoencoder landscape")
    lam = np.asarray(L.params["eigenvalues"], dtype=float)  # descending
    n, p = lam.size, int(L.params["p"])
    u = L.extras["U"]
    out = []
    for cp in L.critical_points:
        a = cp.position[n * p :].reshape(n, p)
        if not np.any(a):
            continue  # the origin is rank deficient: not one of the subsets
        overlap = np.abs(u.T @ a)  # (n, p): one entry near 1 per column
        subset = tuple(sorted(int(i) for i in np.argmax(overlap, axis=0)))
        others = [j for j in range(n) if j not in subset]
        f, g, h = L.value_grad_hess(cp.position)
        eig = np.linalg.eigvalsh(h)
        scale = max(1.0, float(np.max(np.abs(eig))))
        out.append(AutoencoderCriticalPoint(
            subset=tuple(i + 1 for i in subset),
            position=cp.position,
            error=f,
            error_formula=0.5 * (lam.sum() - lam[list(subset)].sum()),
            eigenvalues=eig,
            index=int(np.sum(eig < -tol * scale)),
            index_formula=sum(1 for i in subset for j in others if lam[j] > lam[i]),
            zero_eigenvalues=int(np.sum(np.abs(eig) <= tol * scale)),
            grad_norm=float(np.linalg.norm(g)),
        ))
    return sorted(out, key=lambda c: (c.error, c.subset))
