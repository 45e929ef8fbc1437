#!/usr/bin/python3
"""Exploration aid (not part of the benchmark or the product): where a system's match-task mrstft comes
from. Each master is corrected toward its goal A step by step with what a settings predictor could at
best get right, and mrstft is measured after every step:

  raw     the master as scored;
  level   + its integrated loudness set to the goal's (a perfect loudness estimate);
  eq      + a zero-phase static EQ taking its long-term spectrum to the goal's (1/3-octave smoothing:
          a perfect tonal-balance estimate), loudness set again;
  width   + its side/mid energy ratio set to the goal's.

What is left after `width` is the time-varying part: dynamics (the un-mastering's expander against the
chain's leveler, compressor and limiter) and the ceiling. For the mix the known degradation itself is
undone instead (its EQ and width inverted exactly: what a perfect EQ and width could reach from the
mix), then a fixed-ratio leveler of the protocol's own detector shape shows what undoing the expander
could give.

    node dist/bench/quality/run.js --system analytic --tasks match --keep KEEP --out OUT
    python3 bench/quality/explore/decompose.py KEEP analytic [../shared]
"""
import json
import sys
from pathlib import Path

import numpy as np
from scipy import signal
from scipy.io import wavfile

keep, system = Path(sys.argv[1]), sys.argv[2]
shared = sys.argv[3] if len(sys.argv) > 3 else "../shared"
sys.path.insert(0, f"{shared}/eval")
from degrade import _biquad, _envelope_db  # noqa: E402
from metrics import integrated_loudness, mrstft  # noqa: E402
from run_eval import SR  # noqa: E402

DEGRADATIONS = json.loads(Path(f"{shared}/eval/results/dev/degradations-seed0.json").read_text())
SMOOTHING_OCTAVES = 1 / 3
WELCH_SEGMENT = 8192
#: the leveler ratio tried on the mix: the middle of the protocol's expander ratios (degrade.py: 1.15-1.6)
LEVELER_RATIO = 1.38


def load(path):
    return wavfile.read(path)[1].astype(np.float64)


def at_loudness(x, goal):
    return x * 10 ** ((integrated_loudness(goal, SR) - integrated_loudness(x, SR)) / 20)


def eq_to(x, goal):
    """Zero-phase static EQ (whole-signal FFT) taking x's smoothed long-term spectrum to goal's."""
    f, px = signal.welch(x.mean(1), SR, nperseg=WELCH_SEGMENT)
    _, pg = signal.welch(goal.mean(1), SR, nperseg=WELCH_SEGMENT)
    half = 2 ** (SMOOTHING_OCTAVES / 2)
    ratio = np.ones_like(f)
    for i, fi in enumerate(f[1:], 1):
        band = (f >= fi / half) & (f <= fi * half)
        ratio[i] = np.sqrt(pg[band].sum() / max(px[band].sum(), 1e-20))
    gains = np.interp(np.fft.rfftfreq(len(x), 1 / SR), f, ratio)
    return np.stack([np.fft.irfft(np.fft.rfft(x[:, c]) * gains, len(x)) for c in range(2)], 1)


def mid_side(x):
    return (x[:, 0] + x[:, 1]) / 2, (x[:, 0] - x[:, 1]) / 2


def width_to(x, goal):
    m, s = mid_side(x)
    gm, gs = mid_side(goal)
    k = np.sqrt((gs @ gs) / (gm @ gm) / max((s @ s) / (m @ m), 1e-20))
    return np.stack([m + k * s, m - k * s], 1)


def undo_degradation(x, p):
    """The protocol's EQ and width (degrade.py apply) inverted exactly: RBJ sections with negated gains."""
    sos = [_biquad("lowshelf", p["low_shelf"]["freq_hz"], -p["low_shelf"]["gain_db"], 0, SR),
           _biquad("highshelf", p["high_shelf"]["freq_hz"], -p["high_shelf"]["gain_db"], 0, SR)]
    sos += [_biquad("peak", b["freq_hz"], -b["gain_db"], b["q"], SR) for b in p["peaks"]]
    m, s = mid_side(signal.sosfilt(np.array(sos), x, axis=0))
    return np.stack([m + s / p["width"], m - s / p["width"]], 1)


def level(x, ratio, attack_ms=5.0, release_ms=150.0):
    """Broadband linked leveler on degrade.py's own envelope (the expander's detector): gain
    (1/ratio - 1)(env - P90) within +-9 dB; the pivot only sets the overall level, which is re-matched."""
    env_db = _envelope_db(x, SR, attack_ms, release_ms)
    gain_db = np.clip((1 / ratio - 1) * (env_db - np.percentile(env_db, 90)), -9, 9)
    return x * 10 ** (gain_db / 20)[:, None]


def steps(x, goal):
    x1 = at_loudness(x, goal)
    x2 = at_loudness(eq_to(x1, goal), goal)
    return [mrstft(s, goal)[0] for s in (x, x1, x2, width_to(x2, goal))]


masters, mixes = [], []
for stem in DEGRADATIONS:
    goal = load(keep / f"{stem}-goal.wav")
    masters.append(steps(load(keep / "match" / f"{stem}-{system}.wav"), goal))
    undone = at_loudness(undo_degradation(load(keep / f"{stem}-mix.wav"), DEGRADATIONS[stem]), goal)
    mixes.append([mrstft(undone, goal)[0], mrstft(at_loudness(level(undone, LEVELER_RATIO), goal), goal)[0]])
    print(stem, " ".join(f"{v:.3f}" for v in masters[-1] + mixes[-1]), flush=True)

raw, lev, eq, wid = np.mean(masters, 0)
print(f"\n{system} (match, {len(masters)} excerpts), mean mrstft: raw {raw:.3f}, + level {lev:.3f}, + static EQ {eq:.3f}, + width {wid:.3f}")
undone, leveled = np.mean(mixes, 0)
print(f"the mix with its EQ and width undone, at the goal's loudness: {undone:.3f}; + a {LEVELER_RATIO}:1 leveler: {leveled:.3f}")
