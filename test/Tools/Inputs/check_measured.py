"""Checks anvil-compile --roller-measure's decisions in linalg IR.

Every product that carries anvil.product_measured must have as its decision
(tiles, buffers, staging) the measured candidate with the fewest simulated
cycles (the policy's earlier one on a tie), with `count` candidates measured.
--same: every product's measurements are equal (one shape, measured once).
--cycles REPORT: the simulator report of the compiled model ran as many
cycles as that fastest candidate did alone (a model of one product).
"""
import argparse
import json
import re

ATTRS = re.compile(r"linalg\.(?:matmul|batch_matmul|conv_2d_\w+) \{([^}]*)\}")


def ints(text):
    return [int(v) for v in re.findall(r"-?\d+", text)]


def flags(text):
    return [1 if v == "true" else 0 for v in re.findall(r"true|false", text)]


def decisions(ir):
    for attrs in ATTRS.findall(ir):
        measured = re.search(r"anvil\.product_measured = \[(.*?)\]", attrs)
        if not measured:
            continue
        candidates = [ints(c) for c in
                      re.findall(r"array<i64: ([^>]*)>", measured.group(1))]
        tiles = ints(re.search(r"anvil\.product_tiles = array<i64: ([^>]*)>",
                               attrs).group(1))
        buffers = int(re.search(r"anvil\.product_buffers = (\d+)",
                                attrs).group(1))
        staging = flags(re.search(r"anvil\.product_staging = array<i1: ([^>]*)>",
                                  attrs).group(1))
        yield candidates, tiles + [buffers] + staging


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ir")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--products", type=int, required=True)
    parser.add_argument("--same", action="store_true")
    parser.add_argument("--cycles")
    args = parser.parse_args()
    found = list(decisions(open(args.ir).read()))
    assert len(found) == args.products, found
    for candidates, decision in found:
        assert len(candidates) == args.count, candidates
        assert all(len(c) == 8 and c[7] > 0 for c in candidates), candidates
        fastest = min(range(len(candidates)),
                      key=lambda i: (candidates[i][7], i))
        assert candidates[fastest][:6] == decision, (candidates, decision)
        print("decision: candidate %d of %d, %d simulated cycles"
              % (fastest, len(candidates), candidates[fastest][7]))
    if args.same:
        assert all(c == found[0][0] for c, _ in found), found
    if args.cycles:
        with open(args.cycles) as f:
            text = f.read()
        report = json.loads(text)["simulation"]
        fastest = min(c[7] for c in found[0][0])
        assert report["cycles"] == fastest, (report["cycles"], fastest)
        print("the compiled model ran the fastest candidate's cycles")


main()
