"""The CAE epoch of the udtl bench in PyTorch, as a speed peer for tfjs-wasm and oneDNN.

Same work as ZeroBiasCAE.fit for the first layer of zero-bias-cae's default configuration: random
k x k patches (8 per map, zero outside the map, standardised inputs) of n 7x7xC maps, a tied
dense auto-encoder on the flattened patches (W [D, F], decoder bias c [D]), TRec (z > theta),
MSE, Adam (lr 1e-3), batch 256. Prints one JSON line; `--matmul` instead times the CAE's GEMMs.

    python3 cae_epoch.py [--maps 2400] [--filters 512] [--kernel 3] [--threads 1] [--matmul]
"""
import argparse
import json
import time

import numpy as np
import torch


def random_maps(n, h, w, c, rng):
    """Non-negative-ish correlated maps (a few latent factors per position), like the JS bench's."""
    rank = 16
    basis = rng.uniform(-1, 1, (rank, c)).astype(np.float32)
    f = rng.uniform(-1, 1, (n * h * w, rank)).astype(np.float32)
    return (f @ basis + 0.2 * rng.uniform(0, 1, (n * h * w, c)).astype(np.float32)).reshape(n, h, w, c)


def cae_epoch(args):
    rng = np.random.default_rng(args.seed)
    maps = random_maps(args.maps, 7, 7, args.channels, rng)
    t0, c0 = time.perf_counter(), time.process_time()
    mean = maps.mean(axis=(0, 1, 2))
    inv_std = 1 / np.maximum(maps.std(axis=(0, 1, 2)), 1e-6)
    k, r = args.kernel, args.kernel // 2
    padded = np.zeros((args.maps, 7 + 2 * r, 7 + 2 * r, args.channels), np.float32)
    padded[:, r:r + 7, r:r + 7] = (maps - mean) * inv_std
    padded = torch.from_numpy(padded)
    d = k * k * args.channels
    g = torch.Generator().manual_seed(args.seed)
    W = (torch.randn(d, args.filters, generator=g) / d ** 0.5).requires_grad_()
    c = torch.zeros(d, requires_grad=True)
    opt = torch.optim.Adam([W, c], lr=1e-3)
    total = args.maps * args.patches_per_map
    offsets = torch.arange(k)
    losses = []
    for done in range(0, total, args.batch):
        rows = min(args.batch, total - done)
        pos = torch.randint(0, args.maps * 49, (rows,), generator=g)
        img, y0, x0 = pos // 49, (pos % 49) // 7, pos % 7
        ys = (y0[:, None] + offsets)[:, :, None].expand(rows, k, k)
        xs = (x0[:, None] + offsets)[:, None, :].expand(rows, k, k)
        x = padded[img[:, None, None], ys, xs].reshape(rows, d)  # (dy, dx, c) order, as in JS
        z = x @ W
        h = z * (z > args.theta).float()
        loss = torch.mean((h @ W.t() + c - x) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"seconds": time.perf_counter() - t0, "cpuSeconds": time.process_time() - c0, "loss": float(np.mean(losses)), "steps": len(losses)}


SHAPES = [  # (m, k, n, transposeA, transposeB), as in bench/run.ts
    (256, 2880, 512, False, False),
    (256, 512, 2880, False, True),
    (2880, 256, 512, True, False),
    (12544, 320, 2048, False, False),
]


def matmul_rates(seconds=1.0):
    """GFLOP/s by process CPU time (this machine is shared: wall time would measure the neighbours)."""
    out = []
    for m, k, n, ta, tb in SHAPES:
        a = torch.rand(k, m).t() if ta else torch.rand(m, k)
        b = torch.rand(n, k).t() if tb else torch.rand(k, n)
        a @ b
        reps, t0 = 0, time.process_time()
        while time.process_time() - t0 < seconds:
            a @ b
            reps += 1
        out.append(2 * m * k * n * reps / (time.process_time() - t0) / 1e9)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--maps", type=int, default=2400)
    p.add_argument("--channels", type=int, default=320)
    p.add_argument("--filters", type=int, default=512)
    p.add_argument("--kernel", type=int, default=3)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--patches-per-map", type=int, default=8)
    p.add_argument("--theta", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--matmul", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    info = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    if args.matmul:
        info["gflops"] = matmul_rates()
    else:
        info.update(cae_epoch(args))
    print(json.dumps(info))


if __name__ == "__main__":
    main()
