"""The student's architecture in PyTorch, for a side-by-side training-throughput figure (docs/benchmarks.md).

Same shape as the `small` preset: vocabulary 2000, width 128, 4 heads, 2 pre-LayerNorm blocks, GELU MLP (4x),
tied head, context 128, batch 32, AdamW. Random tokens. Prints tokens/s, peak RSS and the machine.

    OMP_NUM_THREADS=2 /usr/bin/python3 docs/bench/pytorch_student.py   # Debian python3-torch, libopenblas0-pthread
"""
import os
import platform
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, D, H, L, T, B = 2000, 128, 4, 2, 128, 32
WARMUP, STEPS = 2, 10


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.up, self.down = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
        self.register_buffer("mask", torch.triu(torch.full((T, T), float("-inf")), diagonal=1))

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (z.view(b, t, H, D // H).transpose(1, 2) for z in (q, k, v))
        att = torch.softmax(q @ k.transpose(-2, -1) / (D // H) ** 0.5 + self.mask[:t, :t], dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, D))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


class Student(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok, self.pos = nn.Embedding(V, D), nn.Embedding(T, D)
        self.blocks = nn.ModuleList(Block() for _ in range(L))
        self.ln = nn.LayerNorm(D)

    def forward(self, ids):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.ln(x) @ self.tok.weight.T


def main():
    torch.manual_seed(1)
    model = Student()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    ids = torch.randint(0, V, (B, T + 1))
    for step in range(WARMUP + STEPS):
        if step == WARMUP:
            start = time.perf_counter()
            cpu_start = time.process_time()
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, V), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    params = sum(p.numel() for p in model.parameters())
    print(f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, torch {torch.__version__},"
          f" {torch.get_num_threads()} threads")
    print(f"PyTorch student: {params:,} parameters, {B * T * STEPS / seconds:,.0f} training tokens/s,"
          f" peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    # CPU time is what a loaded machine does not distort much: tokens per CPU-second of the whole process.
    print(f"PyTorch process CPU {cpu_seconds:.1f} s over {seconds:.1f} s wall ({cpu_seconds / seconds:.2f} cores busy):"
          f" {B * T * STEPS / cpu_seconds:,.0f} training tokens per CPU-second")


if __name__ == "__main__":
    main()
