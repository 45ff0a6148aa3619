"""Lists the custom-0 instructions in llvm-objdump's disassembly of a
riscv64 object (which prints them as <unknown> with their 32-bit word), by
the PE operation docs/ISA.md assigns to their funct3 and funct7."""
import re
import sys

OPERATIONS = {(0, 0): "dma", (0, 1): "dma_broadcast", (0, 2): "dma_gather",
              (1, 0): "dpe_matmul", (2, 0): "se_convert", (2, 1): "se_binary",
              (2, 2): "se_lut", (3, 0): "re_accumulate", (3, 1): "re_forward",
              (4, 0): "wait", (4, 1): "barrier", (4, 2): "sem_signal",
              (4, 3): "sem_wait", (5, 0): "pe_id", (5, 1): "num_pes",
              (5, 2): "local_base"}

found = set()
for line in open(sys.argv[1]):
    match = re.search(r"^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s+<unknown>", line)
    if not match:
        continue
    word = int(match.group(1), 16)
    if word & 0x7F != 0x0B:
        continue
    key = ((word >> 12) & 0x7, word >> 25)
    found.add(key)
for key in sorted(found):
    print("%s (funct3 %d, funct7 %d)" % (OPERATIONS.get(key, "UNKNOWN"), *key))
