"""Does OpenVINO run a clip faster with two streams than with one request (docs/benchmarks.md)?

    python scripts/openvino_streams.py --model light --size 720 --frames 12

Times, in one run and twice over, the shipped network converted as ``mmkit.magnify`` converts it, on random frame
pairs: one infer request with the LATENCY hint (what the engine does), two streams with the THROUGHPUT hint fed by
an asynchronous queue (two frame pairs in flight), and one request on batches of two pairs. Frames per second.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import openvino as ov

from mmkit import openvino_runtime as ovr
from mmkit.pretrained import load_pretrained


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="light")
    ap.add_argument("--size", type=int, default=720)
    ap.add_argument("--frames", type=int, default=12)
    args = ap.parse_args()
    net = load_pretrained(args.model).eval()
    model = ovr._read_or_convert(net, ovr.weights_key(net), "whole")
    core, n = ovr._ov_core(), args.frames
    rng = np.random.default_rng(0)
    frames = [rng.uniform(-1, 1, (1, 3, args.size, args.size)).astype(np.float32) for _ in range(n + 2)]

    def one_request(batch: int) -> float:
        request = core.compile_model(model, "CPU", ovr.COMPILE_PROPERTIES).create_infer_request()  # as the engine
        a, b = np.concatenate(frames[:batch]), np.concatenate(frames[1:batch + 1])
        alpha = np.full(batch, 10.0, np.float32)
        request.infer([a, b, alpha])  # the first call sets up the kernels
        start = time.perf_counter()
        for _ in range(0, n, batch):
            request.infer([a, b, alpha])
        return n / (time.perf_counter() - start)

    def two_streams() -> float:
        streams = {**ovr.COMPILE_PROPERTIES, "PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": "2"}
        compiled = core.compile_model(model, "CPU", streams)
        queue, alpha = ov.AsyncInferQueue(compiled, 2), np.array([10.0], np.float32)
        for i in range(2):
            queue.start_async([frames[i], frames[i + 1], alpha])
        queue.wait_all()
        start = time.perf_counter()
        for i in range(n):
            queue.start_async([frames[i], frames[i + 1], alpha])
        queue.wait_all()
        return n / (time.perf_counter() - start)

    for _ in range(2):
        print(f"{args.model} at {args.size} px, frames/s: one request {one_request(1):.2f}, two streams "
              f"{two_streams():.2f}, one request on batches of 2 {one_request(2):.2f}", flush=True)


if __name__ == "__main__":
    main()
