"""Trajectories as CSV (long format, parameters in a ``#`` header) and as strict JSON."""

from __future__ import annotations

import csv
import enum
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # optimizers/ is imported lazily by callers; only its type is used here
    from optimizers.trajectory import Trajectory

_CSV_FORMAT = "saddle-lab-trajectories/1"
_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_PART = re.compile(r"[A-Za-z0-9_]+")


def _plain(obj: Any) -> Any:
    """JSON-ready Python: numpy to lists/floats, enums to names, non-finite floats to None."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_plain(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return obj.name.lower()
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, complex):
        return [_plain(obj.real), _plain(obj.imag)]
    return str(obj)


def _dumps(obj: Any) -> str:
    return json.dumps(_plain(obj), allow_nan=False, ensure_ascii=False)


def _key(name: str) -> str:
    """A header key as written: bare when it is an identifier, else a JSON string."""
    name = str(name)
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _num(v: float) -> str:
    """The shortest text that reads back as the same float; nan, inf, -inf when non-finite."""
    v = float(v)
    if math.isfinite(v):
        return repr(v)
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")


def trajectories_to_csv(
    trajectories: Sequence[Trajectory],
    extra_params: Mapping[str, Any] | None = None,
) -> str:
    """Trajectories in long format (one row per run and step), parameters in a header.

    The header is ``#``-comment lines ``# key: json-value`` carrying every parameter: the
    scene (`extra_params`, e.g. the start point) as ``scene.<key>``, the landscape and its
    parameters, and per run ``run.<i>.method``, ``.hyper``, ``.stop``, ``.steps``.  Read it
    back with :func:`csv_parameters`; spreadsheet and pandas users skip it with
    ``comment="#"``.  Columns: ``run, method, step, x0 … x{n-1}, value, grad_norm,
    eig_min, eig_max, stop``; ``run`` tells apart two runs of the same method.  Numbers are
    written exactly (shortest round-trip form; ``nan``, ``inf`` when non-finite).  Lines
    end with CRLF (RFC 4180).

    Parameters
    ----------
    trajectories : sequence of optimizers.trajectory.Trajectory
    extra_params : mapping, optional
        Scene parameters to record (start point, step count, ...).

    Returns
    -------
    str
    """
    runs = list(trajectories)
    dim = max((np.asarray(t.xs).reshape(len(t.xs), -1).shape[1] for t in runs), default=0)
    lines = ["# Saddle Lab trajectories: one row per run and step; parameters below as "
             "'key: JSON value'",
             f"# format: {_dumps(_CSV_FORMAT)}"]
    for key, value in (extra_params or {}).items():
        lines.append(f"# scene.{_key(key)}: {_dumps(value)}")
    shared = bool(runs) and all(
        t.landscape == runs[0].landscape
        and _plain(t.landscape_params) == _plain(runs[0].landscape_params) for t in runs)
    if shared:
        lines.append(f"# landscape: {_dumps(runs[0].landscape)}")
        lines.append(f"# landscape_params: {_dumps(runs[0].landscape_params)}")
    for i, t in enumerate(runs):
        lines.append(f"# run.{i}.method: {_dumps(t.method)}")
        if not shared:
            lines.append(f"# run.{i}.landscape: {_dumps(t.landscape)}")
            lines.append(f"# run.{i}.landscape_params: {_dumps(t.landscape_params)}")
        lines.append(f"# run.{i}.hyper: {_dumps(t.hyper)}")
        lines.append(f"# run.{i}.stop: {_dumps(t.stop)}")
        lines.append(f"# run.{i}.steps: {_dumps(t.steps)}")
    out = io.StringIO()
    out.write("".join(line + "\r\n" for line in lines))
    # CRLF as RFC 4180 says; it also makes the writer quote a field holding a lone "\r"
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["run", "method", "step", *(f"x{j}" for j in range(dim)),
                     "value", "grad_norm", "eig_min", "eig_max", "stop"])
    for i, t in enumerate(runs):
        xs = np.asarray(t.xs, dtype=float).reshape(len(t.xs), -1)
        values = np.asarray(t.values, dtype=float).ravel()
        grads = np.asarray(t.grad_norms, dtype=float).ravel()
        eig = np.asarray(t.eigenvalues, dtype=float)
        eig = eig.reshape(len(eig), -1) if eig.size else np.full((len(xs), 0), np.nan)
        stop = _plain(t.stop)
        for k in range(len(xs)):
            row = xs[k].tolist() + [math.nan] * (dim - xs.shape[1])
            e_min = eig[k, 0] if k < len(eig) and eig.shape[1] else math.nan
            e_max = eig[k, -1] if k < len(eig) and eig.shape[1] else math.nan
            writer.writerow([i, t.method, k, *map(_num, row),
                             _num(values[k] if k < len(values) else math.nan),
                             _num(grads[k] if k < len(grads) else math.nan),
                             _num(e_min), _num(e_max), stop])
    return out.getvalue()


def _parse_key_path(text: str) -> tuple[list[str], str] | None:
    """'run.0.hyper: {...}' -> (['run', '0', 'hyper'], '{...}'); None if not a key line."""
    path, pos, decoder = [], 0, json.JSONDecoder()
    while True:
        if text.startswith('"', pos):
            try:
                part, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                return None
        else:
            m = _KEY_PART.match(text, pos)
            if not m:
                return None
            part, pos = m.group(0), m.end()
        path.append(str(part))
        if text.startswith(": ", pos) or text.startswith(":", pos) and pos + 1 == len(text):
            return path, text[pos + 1:].strip()
        if not text.startswith(".", pos):
            return None
        pos += 1


def csv_parameters(text: str) -> dict:
    """Read back the parameter header written by :func:`trajectories_to_csv`.

    Parameters
    ----------
    text : str
        The CSV text (only its leading ``#`` lines are read).

    Returns
    -------
    dict
        ``{"format": ..., "scene": {...}, "landscape": ..., "landscape_params": {...},
        "runs": [{"method", "hyper", "stop", "steps", ...}, ...]}`` with the values as
        JSON gives them back (lists for arrays, stop reasons as lower-case names).
    """
    params: dict[str, Any] = {"scene": {}, "runs": []}
    runs: dict[int, dict] = {}
    for line in text.split("\n"):  # not splitlines(): JSON keeps e.g. U+2028 unescaped
        line = line.rstrip("\r")
        if not line.startswith("#"):
            break
        parsed = _parse_key_path(line[1:].strip())
        if parsed is None:
            continue
        path, raw = parsed
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if path[0] == "scene" and len(path) == 2:
            params["scene"][path[1]] = value
        elif path[0] == "run" and len(path) == 3 and path[1].isdigit():
            runs.setdefault(int(path[1]), {})[path[2]] = value
        elif len(path) == 1:
            params[path[0]] = value
    params["runs"] = [runs[i] for i in sorted(runs)]
    if "landscape" in params:
        for run in params["runs"]:
            run.setdefault("landscape", params["landscape"])
            run.setdefault("landscape_params", params.get("landscape_params", {}))
    return params


def trajectories_to_json(
    trajectories: Sequence[Trajectory],
    extra_params: Mapping[str, Any] | None = None,
) -> str:
    """``{"scene": extra_params, "trajectories": [t.to_dict(), ...]}`` as strict JSON text.

    The arguments are those of :func:`trajectories_to_csv`.  Non-finite numbers (a diverged
    run) become ``null`` so that any JSON parser, a browser's included, reads the file;
    ``np.asarray(d["xs"], dtype=float)`` turns them back into NaN.
    """
    return _dumps({"scene": dict(extra_params or {}),
                   "trajectories": [t.to_dict() for t in trajectories]})
