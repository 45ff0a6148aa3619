/*===- anvil-c/Kernels.h - Host compute kernels -------------------*- C -*-===*
 *
 * Hand-written kernels that compiled artifacts call for the operations a
 * compiler-generated loop nest does badly on a CPU. They are linked into
 * every host artifact, so an artifact needs no Anvil library at run time.
 *
 *===----------------------------------------------------------------------===*/
#ifndef ANVIL_C_KERNELS_H
#define ANVIL_C_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* C (+)= A B for row-major A [m x k], B [k x n], C [m x n] with leading
 * dimensions (elements between rows) lda, ldb, ldc. C is overwritten when
 * `accumulate` is 0 and added to otherwise. Runs on the calling thread with
 * the widest vector instructions this CPU has (chosen once, at first call):
 * AVX-512F, AVX2 with FMA, or portable C++. */
void anvil_sgemm(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                 const float *b, int64_t ldb, float *c, int64_t ldc,
                 int32_t accumulate);

/* Which path anvil_sgemm takes on this CPU: "avx512", "avx2" or "generic". */
const char *anvil_sgemm_isa(void);

#ifdef __cplusplus
}
#endif

#endif /* ANVIL_C_KERNELS_H */
