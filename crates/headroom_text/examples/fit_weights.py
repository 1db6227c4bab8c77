#!/usr/bin/env python3
"""Fits the weights of headroom_text's relevance model (src/relevance.rs) by softmax
regression: for each question, which unit of its paragraph holds the answer (the
likelihood of the answer-holding units among all units of the paragraph, L2 1e-3,
Adam, 150 epochs). No dependencies.

    cargo run -p headroom_text --release --example features > /tmp/features.txt
    python3 crates/headroom_text/examples/fit_weights.py /tmp/features.txt

Prints the top-1 rate of the current weights (WEIGHTS below, keep in sync by hand), a
cross-check (fit on alternate blocks of 40 paragraphs, about one article each, test on
the others) and the weights fitted on everything. The last feature (heading) never fires
on SQuAD and is set by hand.
"""
import math
import sys

WEIGHTS = [0.794, 1.087, 0.839, 0.185, 1.155, 0.332, 0.779, 0.890, -0.928, 0.410, 0.223,
           0.863, 1.262, 0.594, 0.823, -0.292, 0.564, 0.775, 0.371, 0.938, 0.519, 0.523,
           1.004, 0.3]

qs = {}
for line in open(sys.argv[1]):
    r = line.split()
    qs.setdefault(int(r[0]), [int(r[1]), []])[1].append((int(r[2]), [float(x) for x in r[3:]]))
Q = [(pi, units) for pi, units in qs.values() if any(l for l, _ in units)]
K = len(Q[0][1][0][1])
USE = list(range(K - 1))


def part(data, p):
    return [q for q in data if (q[0] // 40) % 2 == p]


def top1(w, data):
    ok = 0
    for _, units in data:
        best = max(range(len(units)), key=lambda i: (sum(w[k] * units[i][1][k] for k in USE), -i))
        ok += units[best][0]
    return ok / len(data)


def train(data, epochs=150, lr=0.05, l2=1e-3):
    w, m, v = [0.0] * K, [0.0] * K, [0.0] * K
    for ep in range(1, epochs + 1):
        g = [0.0] * K
        for _, units in data:
            s = [sum(w[k] * f[k] for k in USE) for _, f in units]
            mx = max(s)
            e = [math.exp(x - mx) for x in s]
            z = sum(e)
            zp = sum(e[i] for i, (l, _) in enumerate(units) if l)
            for i, (l, f) in enumerate(units):
                c = e[i] / z - (e[i] / zp if l else 0.0)
                for k in USE:
                    g[k] += c * f[k]
        for k in USE:
            gk = g[k] / len(data) + l2 * w[k]
            m[k] = 0.9 * m[k] + 0.1 * gk
            v[k] = 0.999 * v[k] + 0.001 * gk * gk
            w[k] -= lr * (m[k] / (1 - 0.9 ** ep)) / (math.sqrt(v[k] / (1 - 0.999 ** ep)) + 1e-8)
    return w


print(f"current weights: top-1 {top1(WEIGHTS, Q):.4f} (A {top1(WEIGHTS, part(Q, 0)):.4f}, "
      f"B {top1(WEIGHTS, part(Q, 1)):.4f})")
wa, wb = train(part(Q, 0)), train(part(Q, 1))
print(f"fit on A, test on B: {top1(wa, part(Q, 1)):.4f}; fit on B, test on A: {top1(wb, part(Q, 0)):.4f}")
w = train(Q)
print(f"fit on all: top-1 {top1(w, Q):.4f}")
print("weights", ", ".join(f"{x:.3f}" for x in w[:-1]))
