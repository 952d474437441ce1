"""Reference files for SafeTensorsHalfTest: FLOAT16 and BFLOAT16 tensors as PyTorch and numpy write them.

Writes, into autograd-nn/src/test/resources/half/:
  torch_half.safetensors  (safetensors.torch.save_file) with
      f32          float32 source values: edge cases (zeros, subnormals, the largest finite values, values that
                   overflow binary16, midpoints between neighbours of both formats and their float neighbours,
                   NaN, infinities) and 256 seeded values spread over exponents -30 .. 20
      f16, bf16    f32.to(torch.float16), f32.to(torch.bfloat16): PyTorch's round to nearest even
      f64          float64 values just above and below binary16 midpoints, where rounding through float32
                   would round twice
      f16_from_f64 numpy's float64 -> float16 conversion of f64 (numpy rounds directly from the double; torch
                   goes through float32, so it is not used for this one)
  half_only.safetensors   only f16 and bf16, for comparing a writer's data section byte for byte.
Run with PyTorch 2.13.0+cpu, numpy 2.x and safetensors 0.8:
    python half_safetensors_reference.py <output folder>
"""
import sys

import numpy as np
import torch
from safetensors.torch import save_file

out = sys.argv[1] if len(sys.argv) > 1 else "."

edge = [0.0, -0.0, 1.0, -2.5, 0.1, 1 / 3, np.pi, 65504.0, 65519.0, 65520.0, 70000.0, -1e30, 3.3e38,
        2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26, 1e-8, 3e-8, 6e-5, 2.0 ** -14, 2.0 ** -14 - 2.0 ** -24,
        2.0 ** -126, 2.0 ** -133, 1e-40, float("inf"), float("-inf"), float("nan")]
for base in (1.0, 1.0 + 2 ** -10, 1000.0, 2.0 ** -20):
    for half_ulp in (2.0 ** -11, 2.0 ** -8):
        mid = np.float32(base + base * half_ulp) if base >= 1 else np.float32(base * (1 + half_ulp))
        edge += [float(mid), float(np.nextafter(mid, np.float32(np.inf))), float(np.nextafter(mid, np.float32(0)))]
rng = np.random.default_rng(20261130)
spread = rng.standard_normal(256) * 2.0 ** rng.integers(-30, 21, 256)
f32 = torch.tensor(np.array(edge + list(spread), dtype=np.float32))

mids = np.array([1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11, 2048 + 1, 0.5 + 2.0 ** -12, 2.0 ** -20 * (1 + 2.0 ** -11)])
f64 = np.concatenate([mids + mids * 2.0 ** -40, mids - mids * 2.0 ** -40, -(mids + mids * 2.0 ** -40)])

save_file({
    "f32": f32,
    "f16": f32.to(torch.float16),
    "bf16": f32.to(torch.bfloat16),
    "f64": torch.from_numpy(f64),
    "f16_from_f64": torch.from_numpy(f64.astype(np.float16)),
}, out + "/torch_half.safetensors")
save_file({"f16": f32.to(torch.float16), "bf16": f32.to(torch.bfloat16)}, out + "/half_only.safetensors")
print("wrote", out, "with", f32.numel(), "float32 values and", f64.size, "float64 values")
