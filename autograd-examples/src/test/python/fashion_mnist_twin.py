"""PyTorch's side of FashionMnistPyTorchTwinTest: the Fashion-MNIST CNN of FashionMnistCnn, trained by PyTorch from
its own initial weights on its own batch order, for the first STEPS steps. It writes the initial state dict and the
batch order as safetensors files (plain float32 tensors, so the Java reader needs nothing else) and prints the
losses the Java test compares with. Run (PyTorch 2.x CPU, Debian's dataset-fashion-mnist):
    python fashion_mnist_twin.py ../resources/pytorch-twin
"""
import gzip, json, struct, sys
import numpy as np, torch
from torch import nn

STEPS, BATCH, SEED = 100, 64, 42
D = '/usr/share/datasets/fashion-mnist/'


def idx(name, off):
    with gzip.open(D + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=off)


def save(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


out = sys.argv[1]
x = torch.tensor(idx('train-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28), dtype=torch.float32) / 255
y = torch.tensor(idx('train-labels-idx1-ubyte.gz', 8).astype(np.int64))
torch.manual_seed(SEED)
model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                      nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1568, 10))
order = torch.randperm(len(x))[:STEPS * BATCH]
save(out + '/cnn-initial.safetensors', dict(model.state_dict()))
save(out + '/batch-order.safetensors', {'order': order})
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for step in range(STEPS):
    b = order[step * BATCH:(step + 1) * BATCH]
    opt.zero_grad()
    loss = loss_fn(model(x[b]), y[b])
    loss.backward()
    opt.step()
    print(f'{step} {loss.item():.9f}')
