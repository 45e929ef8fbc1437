"""Reference output of ../shared/eval/degrade.py for tests/bench/quality-protocol.test.ts.

For each track: A = the first SEG s at 44.1 kHz (audio_io.load, as run_eval.py cuts it), mix = degrade(A)
with run_eval.py's seed (base seed + crc32(stem) mod 2^31). Writes OUT/<stem>.A.f64 and OUT/<stem>.mix.f64
(interleaved stereo float64, little-endian) and prints {stem: params} as JSON.

Usage: degrade-reference.py EVAL_DIR OUT_DIR SEG SEED TRACK...
"""
import json
import sys
import zlib
from pathlib import Path

eval_dir, out_dir, seg, base_seed = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, eval_dir)
from audio_io import load  # noqa: E402
from degrade import degrade  # noqa: E402

SR = 44100
n = int(seg * SR)
params = {}
for track in sys.argv[5:]:
    stem = Path(track).stem
    x, _ = load(track, SR)
    mix, params[stem] = degrade(x[:n], SR, base_seed + zlib.crc32(stem.encode()) % 2**31)
    x[:n].astype("<f8").tofile(out_dir / f"{stem}.A.f64")
    mix.astype("<f8").tofile(out_dir / f"{stem}.mix.f64")
print(json.dumps(params))
