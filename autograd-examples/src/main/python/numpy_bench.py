"""numpy side of autograd's benchmark command (dev.autograd.examples.Benchmarks), which runs this script with
python3 and reads its JSON lines; it also runs on its own:  python3 numpy_bench.py [--workloads W1,W2,W3,W4]

The workloads are the reference ones (W1, W2, W3, W4), written as the anchor scripts numpy_matmul.py, numpy_mlp.py
and numpy_elementwise.py write them:
  W1  a @ b of standard-normal matrices (no grad): n x n @ n x n for each --matmul-sizes n, and the three
      forward shapes of W2 ([B,784]@[784,256], [B,256]@[256,128], [B,128]@[128,10], B = --mlp-batch)
  W2  MLP 784-256-128-10, ReLU, softmax cross-entropy, batch --mlp-batch: forward, hand-written backward, SGD
      step (lr 0.01)
  W3  MLP 2-16-16-1, tanh, MSE, batch 32: forward, hand-written backward, SGD
  W4  y = sum(tanh(x*w + b)) over --elements float32 elements, forward plus hand-written backward
each in float32 and float64 (W4: float32 only).

Timing (the rule of numpy_matmul.py, and the one the Java side applies to the engine): run the step for at
least --warmup-runs runs and --warmup-seconds; then time single runs until there are at least --min-runs of
them and they took at least --min-seconds, stopping at --max-runs; report the median, sorted[len // 2].

Output: one JSON line per case, {"type": "result", "id": ..., "median_ns": ..., "min_ns": ..., "samples": ...}
(min_ns: the fastest run, which tells a disturbed median from a steady one), after one
{"type": "info", ...} line naming the numpy, BLAS and Python versions. Without numpy it prints one
{"type": "error", "message": ...} line and exits with status 3. The ids are those the Java side gives its
own cases: the command matches the two by id.
"""
import argparse
import json
import platform
import sys
import time


def emit(**fields):
    print(json.dumps(fields), flush=True)


try:
    import numpy as np
except ImportError as e:
    emit(type="error", message=f"numpy is not installed for {sys.executable} ({e})")
    sys.exit(3)


def measure(step, opts):
    t_end = time.perf_counter() + opts.warmup_seconds
    k = 0
    while k < opts.warmup_runs or time.perf_counter() < t_end:
        step()
        k += 1
    ts = []
    t_start = time.perf_counter()
    while len(ts) < opts.max_runs and (len(ts) < opts.min_runs or time.perf_counter() - t_start < opts.min_seconds):
        t0 = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2], ts[0], len(ts)


def matmul_id(m, k, n, dtype):
    return f"W1 matmul {m}x{k} @ {k}x{n} {dtype.__name__}"


def matmul_case(m, k, n, dtype):
    rng = np.random.default_rng(m * k * n)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    return lambda: a @ b


def mlp_case(batch, dtype, sizes=(784, 256, 128, 10), activation="relu", loss="ce"):
    """numpy_mlp.py's step: W2 (784-256-128-10 ReLU, softmax cross-entropy) or W3 (2-16-16-1 tanh, MSE),
    hand-written backward, SGD with lr 0.01."""
    rng = np.random.default_rng(0)
    ws = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b, dtype) for b in sizes[1:]]
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    yi = rng.integers(0, sizes[-1], batch)
    target = rng.standard_normal((batch, sizes[-1])).astype(dtype)
    if activation == "relu":
        f, df = (lambda z: np.maximum(z, 0)), (lambda z, a: (z > 0).astype(dtype))
    else:
        f, df = np.tanh, (lambda z, a: 1 - a * a)

    def step():
        a = [x]
        zs = []
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = a[-1] @ w + b
            zs.append(z)
            a.append(f(z) if i < len(ws) - 1 else z)
        out = a[-1]
        if loss == "ce":
            m = out - out.max(1, keepdims=True)
            p = np.exp(m)
            p /= p.sum(1, keepdims=True)
            g = p
            g[np.arange(batch), yi] -= 1
            g /= dtype(batch)
        else:
            g = (out - target) * dtype(2 / out.size)
        for i in reversed(range(len(ws))):
            gw = a[i].T @ g
            gb = g.sum(0)
            if i > 0:
                g = (g @ ws[i].T) * df(zs[i - 1], a[i])
            ws[i] -= dtype(0.01) * gw
            bs[i] -= dtype(0.01) * gb
    return step


def elementwise_case(n):
    """numpy_elementwise.py's W4 step: forward and the hand-written backward gb = 1 - t^2, gx = gb w, gw = gb x."""
    rng = np.random.default_rng(4)
    x, w, b = (rng.standard_normal(n).astype(np.float32) for _ in range(3))

    def step():
        t = np.tanh(x * w + b)
        y = t.sum()
        gb = np.float32(1) - t * t
        return y, gb * w, gb * x, gb
    return step


def cases(opts):
    wanted = set(opts.workloads.split(","))
    dtypes = (np.float32, np.float64)
    batch = opts.mlp_batch
    if "W1" in wanted:
        for dt in dtypes:
            for n in opts.matmul_sizes:
                yield matmul_id(n, n, n, dt), lambda n=n, dt=dt: matmul_case(n, n, n, dt)
        for dt in dtypes:
            for k, n in ((784, 256), (256, 128), (128, 10)):
                yield matmul_id(batch, k, n, dt), lambda k=k, n=n, dt=dt: matmul_case(batch, k, n, dt)
    if "W2" in wanted:
        for dt in dtypes:
            yield f"W2 MLP 784-256-128-10 batch {batch} {dt.__name__}", lambda dt=dt: mlp_case(batch, dt)
    if "W3" in wanted:
        for dt in dtypes:
            yield (f"W3 MLP 2-16-16-1 batch 32 {dt.__name__}",
                   lambda dt=dt: mlp_case(32, dt, (2, 16, 16, 1), "tanh", "mse"))
    if "W4" in wanted:
        yield f"W4 sum(tanh(x*w+b)) {opts.elements} float32", lambda: elementwise_case(opts.elements)


def blas():
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name', '?')} {info.get('version', '?')}"
    except Exception:  # older numpy has no mode="dicts": the version alone still says which numpy ran
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="W1,W2,W3,W4")
    parser.add_argument("--matmul-sizes", default="256,512,1024", type=lambda s: [int(v) for v in s.split(",")])
    parser.add_argument("--mlp-batch", default=128, type=int)
    parser.add_argument("--elements", default=1 << 20, type=int)
    parser.add_argument("--warmup-runs", default=3, type=int)
    parser.add_argument("--warmup-seconds", default=2.0, type=float)
    parser.add_argument("--min-runs", default=10, type=int)
    parser.add_argument("--min-seconds", default=1.0, type=float)
    parser.add_argument("--max-runs", default=200, type=int)
    opts = parser.parse_args()
    emit(type="info", numpy=np.__version__, blas=blas(), python=platform.python_version())
    for case_id, setup in cases(opts):
        median, fastest, samples = measure(setup(), opts)
        emit(type="result", id=case_id, median_ns=round(median * 1e9), min_ns=round(fastest * 1e9), samples=samples)


if __name__ == "__main__":
    main()
