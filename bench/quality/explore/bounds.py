#!/usr/bin/python3
"""Exploration aid (not part of the benchmark or the product): how well can ANY settings predictor do on
the protocol's match task, given what the mix and the reference tell about the goal's levels?

For the 40 dev excerpts (../shared/eval, the protocol's own cutting and degradation seeds) it measures the
levels of goal A, reference B and mix M, then:
  1. what a level error alone costs in mrstft (A against A 1 dB louder);
  2. how far the goals peak above the -1 dBTP ceiling (where loudness and PLR cannot both be matched);
  3. leave-one-out linear predictions of the goal's loudness (from B's loudness and PLR minus M's PLR)
     and PLR (from M's and B's PLR), and the loudness / PLR errors a perfect chain would reach with them
     through the ceiling, giving up a share s of the excess in loudness and the rest in PLR.

    python3 bench/quality/explore/bounds.py [../shared]
"""
import sys
import zlib

import numpy as np

shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
sys.path.insert(0, f"{shared}/eval")
from audio_io import load  # noqa: E402
from degrade import apply, draw_params  # noqa: E402
from metrics import integrated_loudness, mrstft, true_peak  # noqa: E402
from run_eval import SR, find_tracks  # noqa: E402

CEILING_DBTP = -1.02
n = int(25 * SR)
rows, level_cost = [], []
for t in [t for t in find_tracks(f"{shared}/audio/dev") if "/full/" not in str(t)]:
    x, _ = load(t, SR)
    a, b = x[:n], x[-n:]
    m, _ = apply(a, SR, draw_params(zlib.crc32(t.stem.encode()) % 2**31))
    rows.append([f(s) for s in (a, b, m) for f in (lambda s: integrated_loudness(s, SR), true_peak)])
    level_cost.append(mrstft(a * 10 ** (1 / 20), a)[0])
la, ta, lb, tb, lm, tm = np.array(rows).T
pa, pb, pm = ta - la, tb - lb, tm - lm
print(f"mrstft of a 1 dB level error alone: {np.mean(level_cost):.3f}")
excess = np.maximum(0, ta - CEILING_DBTP)
print(f"goals peaking above {CEILING_DBTP} dBTP: {np.sum(excess > 0)}/{len(ta)}, mean excess {excess.mean():.2f} dB "
      "(with perfect knowledge d_lufs + d_plr >= that)")


def loo(features, y):
    X = np.column_stack([np.ones(len(y))] + features)
    out = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        w, *_ = np.linalg.lstsq(X[keep], y[keep], rcond=None)
        out.append(X[i] @ w)
    return np.array(out)


est_l = lb + loo([pb - pm], la - lb)
est_p = loo([pm, pb], pa)
print(f"copying the reference's loudness: d_lufs {np.mean(abs(lb - la)):.3f}")
print(f"leave-one-out predictions: loudness {np.mean(abs(est_l - la)):.3f} LU, PLR {np.mean(abs(est_p - pa)):.3f} dB")
for s in (0, 0.25, 0.5, 1):
    over = np.maximum(0, est_l + est_p - CEILING_DBTP)
    out_l, out_p = est_l - s * over, est_p - (1 - s) * over
    print(f"  through the ceiling, loudness share {s}: d_lufs {np.mean(abs(out_l - la)):.3f}  d_plr {np.mean(abs(out_p - pa)):.3f}")
