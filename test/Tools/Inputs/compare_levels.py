"""Compares two simulated runs of one model: the outputs must be the same
bits, and the first run's DRAM bytes fewer than the second's. Prints each
run's DRAM and SRAM bytes' ratio for FileCheck."""

import json
import sys

import numpy as np


def report(path):
    text = open(path).read()
    return json.loads(text)["simulation"]


def main():
    placed, apart = report(sys.argv[1]), report(sys.argv[2])
    out_placed, out_apart = np.load(sys.argv[3]), np.load(sys.argv[4])
    assert out_placed.tobytes() == out_apart.tobytes(), "outputs differ"
    print("same outputs")
    for level in ("dram", "sram"):
        a, b = placed["bytes"][level], apart["bytes"][level]
        print(f"{level}: {'fewer' if a < b else 'more' if a > b else 'same'}")


main()
