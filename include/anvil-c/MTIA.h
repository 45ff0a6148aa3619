/*===- anvil-c/MTIA.h - Operations of the MTIA-like PE -------------*- C
-*-===*\
|*                                                                            *|
|* The fixed-function operations a PE program issues: DMA, the dot-product   *|
|* engine (DPE), the SIMD engine (SE), and synchronization. Compiled PE      *|
|* programs call these functions; on the riscv64 target each is a custom     *|
|* instruction, and on the host the simulator (lib/Sim) implements them with *|
|* exact results and modelled time. docs/ISA.md gives each one's operands,   *|
|* semantics, timing formula and encoding.                                   *|
|*                                                                            *|
|* DMA, DPE and SE operations are asynchronous: each returns a token at     *|
|* once, and the program waits on the token before it reads what the        *|
|* operation wrote or overwrites what it reads. Each unit runs its          *|
|* operations in issue order.                                                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef ANVIL_C_MTIA_H
#define ANVIL_C_MTIA_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Memory levels, as DMA operands name them. */
enum { ANVIL_MTIA_DRAM = 0, ANVIL_MTIA_SRAM = 1, ANVIL_MTIA_LOCAL = 2 };

/* Element types of DPE and SE operands (the order of the machine
 * description's type names: i8, i32, f16, bf16, f32). */
enum {
  ANVIL_MTIA_I8 = 0,
  ANVIL_MTIA_I32 = 1,
  ANVIL_MTIA_F16 = 2,
  ANVIL_MTIA_BF16 = 3,
  ANVIL_MTIA_F32 = 4
};

/* SE operations on f32 elements. */
enum {
  ANVIL_MTIA_SE_ADD = 0,
  ANVIL_MTIA_SE_SUB = 1,
  ANVIL_MTIA_SE_MUL = 2,
  ANVIL_MTIA_SE_MAX = 3,
  ANVIL_MTIA_SE_MIN = 4
};

/* SE lookup-table functions. */
enum {
  ANVIL_MTIA_LUT_RELU = 0,
  ANVIL_MTIA_LUT_EXP = 1,
  ANVIL_MTIA_LUT_SIGMOID = 2,
  ANVIL_MTIA_LUT_TANH = 3,
  ANVIL_MTIA_LUT_GELU = 4
};

/* PEs a broadcast DMA reaches: this PE's grid row or column. */
enum { ANVIL_MTIA_ROW = 0, ANVIL_MTIA_COLUMN = 1 };

/* Neighbours on the reduction network. */
enum {
  ANVIL_MTIA_NORTH = 0,
  ANVIL_MTIA_SOUTH = 1,
  ANVIL_MTIA_EAST = 2,
  ANVIL_MTIA_WEST = 3
};

typedef int64_t anvil_mtia_token;

/* A job, as the host side of a compiled program launches it: `program`
 * runs on PEs 0 .. num_pes - 1, each called with its PE index and `ctx`
 * (the kernel's buffers), and the call returns when every PE is done (a
 * barrier). PE programs may wait on each other (anvil_mtia_barrier,
 * semaphores). `name` (the kernel) and `nodes` (the model nodes it came
 * from, comma separated) label the job in reports and traces; either may
 * be null. `predicted_cycles` is the compiler's prediction of the job's
 * cycles, launch and closing barrier included, which reports set beside
 * the measured ones; negative where the compiler made none. */
typedef void (*anvil_mtia_program)(int64_t pe, void *ctx);
void anvil_mtia_job_run(int64_t num_pes, anvil_mtia_program program, void *ctx,
                        const char *name, const char *nodes,
                        int64_t predicted_cycles);

/* The PE running this program, and how many PEs the job spans. */
int64_t anvil_mtia_pe_id(void);
int64_t anvil_mtia_num_pes(void);

/* This PE's local memory, and the chip's SRAM scratchpad. */
void *anvil_mtia_local_base(void);
void *anvil_mtia_sram_base(void);

/* Copies `rows` rows of `row_bytes` bytes from `src` (rows `src_stride`
 * bytes apart, at level `src_level`) to `dst`. One end is this PE's local
 * memory. */
anvil_mtia_token anvil_mtia_dma(void *dst, int32_t dst_level,
                                int64_t dst_stride, const void *src,
                                int32_t src_level, int64_t src_stride,
                                int64_t rows, int64_t row_bytes);

/* As anvil_mtia_dma from SRAM/DRAM, but the rows land at `dst`'s offset in
 * the local memory of every PE of the job in this PE's grid row or column
 * (`axis`), crossing the shared level once. Machines with dma.broadcast. */
anvil_mtia_token anvil_mtia_dma_broadcast(void *dst, int64_t dst_stride,
                                          const void *src, int32_t src_level,
                                          int64_t src_stride, int64_t rows,
                                          int64_t row_bytes, int32_t axis);

/* Row i of dst (rows `dst_stride` bytes apart, local) = row indices[i] of
 * the table (`table_rows` rows `table_stride` bytes apart at
 * `table_level`), `row_bytes` each, for `count` indices of `index_bytes`
 * (4 or 8) bytes in local memory. An index outside the table faults.
 * Machines with dma.gather. */
anvil_mtia_token anvil_mtia_dma_gather(void *dst, int64_t dst_stride,
                                       const void *table, int32_t table_level,
                                       int64_t table_stride, int64_t table_rows,
                                       int64_t row_bytes, const void *indices,
                                       int32_t index_bytes, int64_t count);

/* Blocks the program until the operation of `token` has completed. */
void anvil_mtia_wait(anvil_mtia_token token);

/* C[m x n] (+)= A[m x k] * B[k x n], all in local memory, rows lda/ldb/ldc
 * elements apart. A and B are of `in_type` (i8, f16 or bf16, as the machine
 * takes them); C is of its accumulator type (i32 or f32). Products are
 * exact and summed in the accumulator type. `accumulate` = 0 overwrites C. */
anvil_mtia_token anvil_mtia_dpe_matmul(void *c, int64_t ldc, const void *a,
                                       int64_t lda, const void *b, int64_t ldb,
                                       int64_t m, int64_t k, int64_t n,
                                       int32_t in_type, int32_t accumulate);

/* Converts n elements between f32 and f16/bf16/i8 (round to nearest even;
 * i8 saturates) in local memory. */
anvil_mtia_token anvil_mtia_se_convert(void *dst, int32_t dst_type,
                                       const void *src, int32_t src_type,
                                       int64_t n);

/* dst[i] = a[i] OP b[i] on n f32 elements in local memory. */
anvil_mtia_token anvil_mtia_se_binary(float *dst, const float *a,
                                      const float *b, int64_t n, int32_t op);

/* dst[i] = function(src[i]) on n f32 elements in local memory (the SE's
 * lookup tables; results are those of the f32 function). */
anvil_mtia_token anvil_mtia_se_lut(float *dst, const float *src, int64_t n,
                                   int32_t function);

/* Reduction engine: dst[i] += src[i] on n elements of `type` (f32 or i32)
 * in local memory. */
anvil_mtia_token anvil_mtia_re_accumulate(void *dst, const void *src, int64_t n,
                                          int32_t type);

/* Reduction engine: adds n elements of `type` (f32 or i32) at `src` into
 * the neighbouring PE's local memory in `direction`, at the offset `dst`
 * has in this PE's local memory. */
anvil_mtia_token anvil_mtia_re_forward(void *dst, const void *src, int64_t n,
                                       int32_t type, int32_t direction);

/* Holds this PE until every PE of the job has arrived. */
void anvil_mtia_barrier(void);

/* Holds this PE, one of PEs first .. first + count - 1 of the job, until
 * all of those have arrived: the barrier of a kernel that shares its job
 * with kernels on other PEs. */
void anvil_mtia_barrier_pes(int64_t first, int64_t count);

/* Accounting, not an instruction (nothing on hardware): this PE enters the
 * next wave of a program of several kernels (docs/Rammer.md); `kernels`
 * and `nodes` (comma separated) label it in reports, `predicted_cycles`
 * is the cost model's cycles for its longest kernel as a job of its own
 * (negative: none). The first PE to enter a wave opens it. */
void anvil_mtia_wave(const char *kernels, const char *nodes,
                     int64_t predicted_cycles);

/* Adds one to semaphore `sem` of PE `pe`. */
void anvil_mtia_sem_signal(int64_t pe, int32_t sem);

/* Holds this PE until its semaphore `sem` has `count` signals, and takes
 * them. */
void anvil_mtia_sem_wait(int32_t sem, int64_t count);

/* Charges the vector core for `ops` element operations of `type` done by
 * ordinary code of the PE program (loops the fixed-function units do not
 * take); the code itself runs as written. */
void anvil_mtia_vector_work(int32_t type, int64_t ops);

/* Charges traffic that ordinary code moves at a level without the DMA
 * engine (loads and stores of the vector core). */
void anvil_mtia_vector_traffic(int32_t level, int64_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* ANVIL_C_MTIA_H */
