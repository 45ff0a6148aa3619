// --emit=obj for an accelerator target writes a riscv64 (+v) ELF object of
// the PE code, in which the PE operations are custom-0 instructions
// (docs/ISA.md): the disassembly has DMA (funct3 0), DPE (1), SE convert
// (2) and wait (4) encodings, and no calls of those operations remain;
// job control stays as calls of the device runtime.
// RUN: rm -rf %t && mkdir -p %t
// RUN: anvil-compile %s --target=mtia-v1 --emit=obj -o %t/mm.o
// RUN: llvm-readelf -h %t/mm.o | FileCheck %s --check-prefix=ELF
// RUN: llvm-objdump -d -r %t/mm.o > %t/mm.txt
// RUN: %python %S/decode_custom.py %t/mm.txt | FileCheck %s --check-prefix=OPS
// RUN: FileCheck %s --check-prefix=CALLS --implicit-check-not=anvil_mtia_dma --implicit-check-not=anvil_mtia_dpe_matmul --implicit-check-not=anvil_mtia_wait --implicit-check-not=anvil_mtia_vector_work < %t/mm.txt

// ELF: Class: ELF64
// ELF: Machine: RISC-V

// OPS: dma (funct3 0, funct7 0)
// OPS: dpe_matmul (funct3 1, funct7 0)
// OPS: se_convert (funct3 2, funct7 0)
// OPS: wait (funct3 4, funct7 0)

// CALLS: anvil_mtia_job_run

func.func @main_graph(%a: tensor<70x100xf32> {anvil.name = "a"},
                      %b: tensor<100x90xf32> {anvil.name = "b"})
    -> (tensor<70x90xf32> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32>
  return %0 : tensor<70x90xf32>
}
