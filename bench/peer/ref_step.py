#!/usr/bin/python3
"""PyTorch peer of bench/ref_step.ts: the same reference training steps (ref-dense, ref-moe-ec,
ref-moe-tc), same shapes and parameter layout, Adam, fp32. Run with Debian's python3-torch and
libopenblas0 (without OpenBLAS Debian's torch uses the reference BLAS, ~25x slower).

Usage: /usr/bin/python3 bench/peer/ref_step.py --config ref-dense --steps 5 --warmup 2 --threads 2
Prints one JSON object: step times (ms), peak RSS, sgemm GFLOP/s, torch version.
"""
import argparse, json, math, resource, time

import torch
import torch.nn as nn
import torch.nn.functional as F

B, IMG, C_IN, P, D, L, H, FF, K = 32, 32, 3, 4, 192, 6, 3, 768, 10
N = (IMG // P) ** 2


def gelu(x):
    return F.gelu(x, approximate='tanh')


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(D, D) for _ in range(4))

    def forward(self, x):
        b, n, _ = x.shape
        split = lambda t: t.view(b, n, H, D // H).transpose(1, 2)  # [B, H, N, Dh]
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // H), dim=-1)
        return self.o((a @ v).transpose(1, 2).reshape(b, n, D))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.w1, self.w2 = nn.Linear(D, FF), nn.Linear(FF, D)

    def forward(self, x):
        return self.w2(gelu(self.w1(x))), 0.0


class Moe(nn.Module):
    """8 experts; expert choice (capacity 1.0) or token choice top-2 (capacity 1.25)."""

    def __init__(self, router):
        super().__init__()
        self.kind, self.E = router, 8
        self.router = nn.Parameter(torch.randn(D, self.E) * 0.02)
        self.w1 = nn.Parameter(torch.randn(self.E, D, FF) / math.sqrt(D))
        self.b1 = nn.Parameter(torch.zeros(self.E, 1, FF))
        self.w2 = nn.Parameter(torch.randn(self.E, FF, D) / math.sqrt(FF))
        self.b2 = nn.Parameter(torch.zeros(self.E, 1, D))

    def forward(self, x):
        b, n, _ = x.shape
        T, E = b * n, self.E
        xf = x.reshape(T, D)
        logits = xf @ self.router
        probs = torch.softmax(logits, -1)  # [T, E]
        with torch.no_grad():
            if self.kind == 'ec':
                cap = round(1.0 * T / E)
                tok = torch.topk(probs.t(), cap, dim=1).indices  # [E, C]
            else:
                cap = round(1.25 * 2 * T / E)
                top = torch.topk(probs, 2, dim=1).indices  # [T, 2]
                tok = torch.full((E, cap), -1, dtype=torch.long)
                for e in range(E):
                    chosen = torch.nonzero((top == e).any(1)).flatten()[:cap]  # overflow drops late tokens
                    tok[e, :chosen.numel()] = chosen
            valid = (tok >= 0).float()
            tok = tok.clamp(min=0)
        xe = xf[tok.flatten()].view(E, cap, D)
        he = gelu(torch.bmm(xe, self.w1) + self.b1)
        ye = torch.bmm(he, self.w2) + self.b2  # [E, C, D]
        w = probs[tok.flatten(), torch.arange(E).repeat_interleave(cap)] * valid.flatten()
        out = torch.zeros(T, D).index_add(0, tok.flatten(), ye.reshape(E * cap, D) * w[:, None])
        z = torch.logsumexp(logits, -1).square().mean()
        top1 = F.one_hot(probs.argmax(-1), E).float().mean(0)
        balance = (probs.mean(0) * top1).sum() * E
        return out.view(b, n, D), 0.01 * z + 0.01 * balance


class Layer(nn.Module):
    def __init__(self, moe):
        super().__init__()
        self.ln1, self.ln2, self.attn = nn.LayerNorm(D, eps=1e-6), nn.LayerNorm(D, eps=1e-6), Attention()
        self.mlp = Moe(moe) if moe else Mlp()

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        y, aux = self.mlp(self.ln2(x))
        return x + y, aux


class RefModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        moe = {'ref-dense': None, 'ref-moe-ec': 'ec', 'ref-moe-tc': 'tc'}[config]
        self.patch, self.proj, self.ln_in = nn.Linear(P * P * C_IN, D), nn.Linear(D, D), nn.LayerNorm(D, eps=1e-6)
        self.pos_h, self.pos_w = nn.Parameter(torch.randn(8, D) * 0.02), nn.Parameter(torch.randn(8, D) * 0.02)
        self.layers = nn.ModuleList(Layer(moe if (moe and i % 2 == 1) else None) for i in range(L))
        self.ln_f, self.head = nn.LayerNorm(D, eps=1e-6), nn.Linear(D, K)

    def forward(self, img):
        b = img.shape[0]
        p = img.view(b, IMG // P, P, IMG // P, P, C_IN).permute(0, 1, 3, 2, 4, 5).reshape(b, N, P * P * C_IN)
        x = self.ln_in(self.proj(self.patch(p)))
        x = x + (self.pos_h[:, None, :] + self.pos_w[None, :, :]).reshape(N, D)
        aux = 0.0
        for layer in self.layers:
            x, a = layer(x)
            aux = aux + a
        return self.head(self.ln_f(x).mean(1)), aux


def sgemm_gflops(n=1024, reps=10):
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(2):
        a @ b
    t = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', default='ref-dense', choices=['ref-dense', 'ref-moe-ec', 'ref-moe-tc'])
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--sgemm', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = RefModel(args.config)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    img, labels = torch.randn(B, IMG, IMG, C_IN), torch.randint(0, K, (B,))
    times, losses = [], []
    for i in range(args.warmup + args.steps):
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        logits, aux = model(img)
        loss = F.cross_entropy(logits, labels) + aux
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if i >= args.warmup:
            times.append((time.perf_counter() - t) * 1000)
    out = {
        'config': args.config, 'threads': args.threads, 'times_ms': times, 'loss': losses[-1],
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'torch': torch.__version__,
        'params': sum(p.numel() for p in model.parameters()),
    }
    if args.sgemm:
        out['sgemm_gflops'] = sgemm_gflops()
    print(json.dumps(out))


if __name__ == '__main__':
    main()
