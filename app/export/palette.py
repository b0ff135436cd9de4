"""One 256-colour palette for every GIF frame (no flicker), and exact nearest-colour indexing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image


def build_palette(sample: Image.Image, exact: Sequence[tuple[int, int, int]]) -> list[int]:
    """A 256-colour palette as a flat [r, g, b, r, g, b, ...] list of 768 ints.

    The traces' colours (`exact`) and the sample's most frequent colours are kept exactly
    (paper, plot area and contour fills stay true); median cut picks the rest.
    """
    exact = list(dict.fromkeys(exact))[:48]
    counts = sample.getcolors(maxcolors=sample.width * sample.height) or []
    frequent = [rgb for count, rgb in sorted(counts, key=lambda c: -c[0])[:96]
                if count * 2000 >= sample.width * sample.height]  # >= 0.05 % of the pixels
    keep = list(dict.fromkeys([tuple(c) for c in exact] + [tuple(c) for c in frequent]))
    quantized = sample.quantize(colors=256 - len(keep), method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette()[: 3 * (256 - len(keep))]
    for color in keep:
        palette += list(color)
    return palette + [0] * (768 - len(palette))


class Indexer:
    """RGB pixels -> indices of the exactly nearest palette colour.

    Pillow's own palette conversion looks colours up on a coarse grid (white can come out
    as (252, 253, 253)); this keeps a sorted cache of the colours already seen.
    """

    def __init__(self, palette: list[int]):
        self.palette = palette
        self.rgb = np.asarray(palette, dtype=np.int32).reshape(256, 3)
        self.keys = np.empty(0, dtype=np.uint32)
        self.values = np.empty(0, dtype=np.uint8)

    def _nearest(self, packed: np.ndarray) -> np.ndarray:
        rgb = np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255],
                       axis=1).astype(np.int32)
        out = np.empty(len(rgb), dtype=np.uint8)
        for lo in range(0, len(rgb), 2048):
            d = ((rgb[lo:lo + 2048, None, :] - self.rgb[None, :, :]) ** 2).sum(axis=-1)
            out[lo:lo + 2048] = d.argmin(axis=1)
        return out

    def indices(self, pixels: np.ndarray) -> np.ndarray:
        """Palette indices, shape (...), of an (..., 3) uint8 array of colours."""
        a = np.asarray(pixels, dtype=np.uint32)
        packed = (a[..., 0] << 16) | (a[..., 1] << 8) | a[..., 2]
        uniq, inverse = np.unique(packed.ravel(), return_inverse=True)
        pos = np.minimum(np.searchsorted(self.keys, uniq), max(len(self.keys) - 1, 0))
        found = (self.keys[pos] == uniq) if len(self.keys) else np.zeros(len(uniq), bool)
        index = np.empty(len(uniq), dtype=np.uint8)
        index[found] = self.values[pos[found]]
        if not found.all():
            new = uniq[~found]
            index[~found] = values = self._nearest(new)
            keys = np.concatenate([self.keys, new])
            order = np.argsort(keys, kind="stable")
            self.keys, self.values = keys[order], np.concatenate([self.values, values])[order]
        return index[inverse].reshape(packed.shape)

    def image(self, indices: np.ndarray) -> Image.Image:
        """A palette image of an index array."""
        result = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8))
        result.putpalette(self.palette)
        return result
