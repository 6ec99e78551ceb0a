"""Seed 000 Fig 7 (ResNet v1 against v2) at several sizes: which "last layer", which size.

One set-up per call (depth, planes, image side, networks, directions[, radius]); prints one
JSON line per statistic group::

    python benchmarks/cnn_fig7_sizes.py 56 16 16 6 2 >> benchmarks/results/cnn_fig7_sizes.jsonl

For the logits and the last residual block's output (every channel at every position) and
the loss: ``[v1, v2, v1 − v2, [lo, hi]]`` of the spectral centroid and of ``h`` (the
difference with its paired delete-one-network jackknife 95 % interval: v1 and v2 share conv
shapes, so the same seeds draw the same weights, directions and minibatches), and the
log10 fraction of the power above k = 10.  ReLU, shortcuts (nu = 1), batchnorm, T = 100,
radius 1, 8 digits images per network (``ringing.experiments.seed000_cnn.zoo_walk``).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from ringing.experiments.seed000_cnn import paired_difference, zoo_walk
from ringing.simulate.model_walks import ModelWalkConfig
from ringing.simulate.zoo import ZooSpec
from ringing.stats import jackknife_ci


def main(argv: list[str]) -> None:
    depth, channels, size, networks, directions = (int(a) for a in argv[:5])
    radius = float(argv[5]) if len(argv) > 5 else 1.0
    cfg = ModelWalkConfig(points=100, radius=radius, networks=networks,
                          directions=directions, inputs=8, device="cpu")
    t0, w0 = time.process_time(), time.time()
    res = {a: zoo_walk(ZooSpec(a, depth, activation="relu", shortcut=1.0, channels=channels),
                       cfg, size=size) for a in ("resnet_v1", "resnet_v2")}
    a, b = res["resnet_v1"], res["resnet_v2"]
    out: dict[str, object] = {"setup": [depth, channels, size, networks, directions, radius],
                              "cpu": time.process_time() - t0, "wall": time.time() - w0}
    for name, row in (("last block", -3), ("logits", -2), ("loss", -1)):
        for stat in ("centroid", "h"):
            d, (lo, hi) = paired_difference(a, b, row, stat=stat)
            v1, v2 = ((r.spectral_centroid[row] if stat == "centroid"
                       else r.fractal_exponent[row]) for r in (a, b))
            out[f"{name} {stat}"] = [round(float(v1), 3), round(float(v2), 3), round(d, 3),
                                     [round(lo, 3), round(hi, 3)]]
    print(json.dumps(out))
    nf = a.k.size

    def tail(p: np.ndarray) -> np.ndarray:
        return np.asarray(np.log10(p[..., 10:].sum(-1) / p.sum(-1)))

    for name, row in (("last block", -3), ("logits", -2)):
        units = np.concatenate([a.unit_power[:, row], b.unit_power[:, row]], axis=-1)
        est, lo, hi = jackknife_ci(lambda p: tail(p[..., :nf]) - tail(p[..., nf:]), units,
                                   groups=a.groups)
        print(json.dumps({f"{name} log10 tail(k>10) v1-v2": [
            round(float(tail(a.power[row])), 3), round(float(tail(b.power[row])), 3),
            round(float(est), 3), [round(float(lo), 3), round(float(hi), 3)]]}))


if __name__ == "__main__":
    main(sys.argv[1:])
