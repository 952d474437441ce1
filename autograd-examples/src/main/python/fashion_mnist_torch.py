# PyTorch eager reference for FashionMnistMlp and FashionMnistCnn: the same models and settings, a plain
# training loop over pre-loaded tensors (no DataLoader), timed per epoch like the Java examples.
# Usage: python fashion_mnist_torch.py cnn|mlp SEED      (needs torch; reads Debian's dataset-fashion-mnist)
import gzip, sys, time
import numpy as np, torch
from torch import nn
D = '/usr/share/datasets/fashion-mnist/'
def idx(name, off):
    with gzip.open(D + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=off)
xtr = torch.tensor(idx('train-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28), dtype=torch.float32) / 255
ytr = torch.tensor(idx('train-labels-idx1-ubyte.gz', 8).astype(np.int64))
xte = torch.tensor(idx('t10k-images-idx3-ubyte.gz', 16).reshape(-1, 1, 28, 28), dtype=torch.float32) / 255
yte = torch.tensor(idx('t10k-labels-idx1-ubyte.gz', 8).astype(np.int64))
kind = sys.argv[1]; seed = int(sys.argv[2])
torch.manual_seed(seed)
if kind == 'cnn':
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1568, 10))
    batch, epochs = 64, 3
else:
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    batch, epochs = 128, 5
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(epochs):
    start = time.perf_counter()
    perm = torch.randperm(len(xtr))
    model.train()
    for i in range(0, len(xtr), batch):
        idx_ = perm[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(xtr[idx_]), ytr[idx_])
        loss.backward()
        opt.step()
    t = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f"{kind} seed {seed} epoch {epoch + 1}: {t:.2f} s, test accuracy {100 * acc:.2f}%", flush=True)
