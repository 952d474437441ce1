"""Reference values for PyTorchReferenceTest, from PyTorch's own nn.MultiheadAttention,
nn.TransformerEncoderLayer and nn.TransformerEncoder (batch_first=True, dropout 0).

Every tensor of a module's state dict, taken in state-dict order (k = 0, 1, ...), is filled with
    value[i] = 0.4 * sin(1.3 * i + 0.7 * k + 0.2)      (i = row-major index)
and inputs with
    x[i] = cos(0.9 * i + seed).
The Java test builds the same modules, fills them the same way and compares. Run:
    python attention_reference.py      (PyTorch 2.x; tested with 2.13.0+cpu)
and paste the printed arrays into PyTorchReferenceTest.java. Grad mode stays on so that PyTorch takes its
reference ("slow") path rather than the inference fast path, which zeroes padded positions.
"""
import math
import torch
from torch import nn

torch.set_default_dtype(torch.float64)


def fill(module):
    with torch.no_grad():
        for k, (name, t) in enumerate(module.state_dict(keep_vars=True).items()):
            n = t.numel()
            v = torch.tensor([0.4 * math.sin(1.3 * i + 0.7 * k + 0.2) for i in range(n)])
            t.copy_(v.reshape(t.shape))


def inputs(seed, *shape):
    n = math.prod(shape)
    return torch.tensor([math.cos(0.9 * i + seed) for i in range(n)]).reshape(shape)


def show(name, t):
    values = ", ".join(repr(float(v)) for v in t.detach().reshape(-1))
    print(f"    static final double[] {name} = {{{values}}};")


# 1. Self-attention E=4, 2 heads, N=2, L=3: key padding (sequence 0's last key) and the causal mask,
#    per-head weights.
mha = nn.MultiheadAttention(4, 2, batch_first=True)
fill(mha)
x = inputs(0.0, 2, 3, 4)
pad = torch.tensor([[False, False, True], [False, False, False]])
causal = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
out, w = mha(x, x, x, key_padding_mask=pad, attn_mask=causal, need_weights=True, average_attn_weights=False)
show("SELF_OUT", out)
show("SELF_WEIGHTS", w)

# 2. Cross-attention: L=2 queries, S=3 keys/values, an additive float mask [L, S], averaged weights.
q = inputs(1.0, 2, 2, 4)
kv = inputs(2.0, 2, 3, 4)
additive = inputs(3.0, 2, 3)
out, w = mha(q, kv, kv * 0.5, attn_mask=additive, need_weights=True, average_attn_weights=True)
show("CROSS_OUT", out)
show("CROSS_WEIGHTS", w)

# 3. Encoder layers dModel=4, 2 heads, feed-forward 6, with the causal and padding masks.
for name, norm_first, act in (("POST_RELU", False, "relu"), ("PRE_GELU", True, "gelu")):
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation=act, batch_first=True,
                                       norm_first=norm_first)
    fill(layer)
    show(name, layer(x, src_mask=causal, src_key_padding_mask=pad))

# 4. A stack of 2 pre-norm GELU layers with a final norm, no masks.
enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu",
                                                       batch_first=True, norm_first=True),
                            2, norm=nn.LayerNorm(4), enable_nested_tensor=False)
fill(enc)
show("STACK", enc(x))
print("    // state dict names:", list(enc.state_dict().keys())[:12], "...", len(enc.state_dict()))
