"""Peak memory of ``mmkit magnify`` on a long high-resolution clip: streaming keeps it flat.

Run: ``python -m mmkit.bench.memory --method CHECKPOINT_OR_NAME`` (default: a 300-frame 720 x 720 clip).
It renders a synthetic clip to a temporary mp4, runs ``mmkit magnify`` on it in a child process, and
prints the child's peak resident memory beside the size the whole clip would take as float32, and the
frames per second.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from ..data.samples import VibrationClip
from ..video_io import write_video


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--method", default="light", help="model name, checkpoint path, or linear")
    p.add_argument("--frames", type=int, default=300)
    p.add_argument("--size", type=int, default=720)
    p.add_argument("--bf16", action="store_true", help="pass --bf16 to mmkit magnify")
    args = p.parse_args(argv)
    clip = VibrationClip(height=args.size, width=args.size, n_frames=args.frames, radius=args.size / 4)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.mp4", Path(tmp) / "out.mp4"
        write_video(src, (f for f in clip.render()), clip.fps)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mmkit", "magnify", str(src), "-o", str(out), "--alpha", "10",
                        "--method", args.method, "--quiet", *(["--bf16"] if args.bf16 else [])], check=True)
        seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    whole_mb = args.frames * args.size * args.size * 3 * 4 / 2**20
    print(f"{args.frames} frames of {args.size} x {args.size}, method {args.method}{' (bf16)' if args.bf16 else ''}")
    print(f"peak resident memory of mmkit magnify: {peak_mb:.0f} MiB "
          f"(the clip as float32 would be {whole_mb:.0f} MiB); {args.frames / seconds:.2f} frames/s")


if __name__ == "__main__":
    main()
