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

/* The entry point of an artifact, anvil_model_run, calls its graph through
 * anvil_run_guarded, which returns 0, or ANVIL_RUN_OUT_OF_MEMORY where a
 * buffer of the run could not be allocated: the run stops there and the
 * buffers it had taken are freed. An allocation that fails inside an OpenMP
 * parallel region cannot unwind its team: it prints why and aborts. */
#define ANVIL_RUN_OUT_OF_MEMORY 2
int anvil_run_guarded(void (*body)(void **), void **buffers);

/* anvil_sgemm keeps a tile of C in vector registers: ANVIL_SGEMM_TILE_ROWS
 * rows by ANVIL_SGEMM_TILE_VECTORS vectors of the widest registers
 * (AVX-512F: 6 x 32 floats, AVX2: 6 x 16). A caller that cuts a product
 * into blocks wastes least with block sizes that are multiples of it. On
 * AVX-512F a product of at most 16 columns takes a 12 x 16 tile instead. */
#define ANVIL_SGEMM_TILE_ROWS 6
#define ANVIL_SGEMM_TILE_VECTORS 2

/* anvil_sgemm with what commonly follows a product folded into its last
 * write of C: a per-row bias (NULL: none) and a clamp,
 *   C = min(max((accumulate ? C : 0) + A B + row_bias[i], lo), hi)
 * where lo = -INFINITY and hi = INFINITY clamp nothing and NaNs pass
 * through (a convolution's bias and ReLU or ReLU6). */
void anvil_sgemm_fused(int64_t m, int64_t n, int64_t k, const float *a,
                       int64_t lda, const float *b, int64_t ldb, float *c,
                       int64_t ldc, int32_t accumulate, const float *row_bias,
                       float lo, float hi);

/* anvil_sgemm_fused in cache blocks the caller chose: an mc x kc block of A
 * packed for the second-level cache, a kc x nc block of B for the last
 * level, kc-long slivers of each streamed through the first. A size that
 * is not positive takes the kernel's own (as anvil_sgemm does); mc and nc
 * are rounded up to whole register tiles (ANVIL_SGEMM_TILE_ROWS rows,
 * ANVIL_SGEMM_TILE_VECTORS vectors) and no block is made larger than the
 * product. The blocking changes the speed, never the result beyond the
 * rounding of a differently ordered sum. */
void anvil_sgemm_blocked(int64_t m, int64_t n, int64_t k, const float *a,
                         int64_t lda, const float *b, int64_t ldb, float *c,
                         int64_t ldc, int32_t accumulate, const float *row_bias,
                         float lo, float hi, int64_t mc, int64_t kc,
                         int64_t nc);

/* Depthwise 2-D convolution of `channels` NCHW planes, f32:
 *   out[c][y][x] = min(max((accumulate ? out[c][y][x] : 0) + bias[c] +
 *                          sum over ky < kh, kx < kw of
 *                          w[c][ky][kx] * padded[c][y*sh + ky*dh][x*sw + kx*dw],
 *                          lo), hi)
 * for y < oh, x < ow, where padded[c] is in[c] with pad_top rows of zeros
 * above, pad_bottom below, pad_left columns to the left and pad_right to
 * the right; `bias` may be NULL, and lo = -INFINITY, hi = INFINITY clamp
 * nothing. Planes are contiguous and row-major: in[c] is ih x iw, w[c]
 * kh x kw, out[c] oh x ow, with (oh-1)*sh + (kh-1)*dh < ih + pad_top +
 * pad_bottom and (ow-1)*sw + (kw-1)*dw < iw + pad_left + pad_right. Runs on
 * the calling thread with the same instruction-set choice as anvil_sgemm. */
void anvil_sdwconv2d(int64_t channels, const float *in, int64_t ih, int64_t iw,
                     int64_t pad_top, int64_t pad_left, int64_t pad_bottom,
                     int64_t pad_right, const float *w, int64_t kh, int64_t kw,
                     int64_t sh, int64_t sw, int64_t dh, int64_t dw, float *out,
                     int64_t oh, int64_t ow, int32_t accumulate,
                     const float *bias, float lo, float hi);

/* A 3 x 3 convolution of stride 1 by Winograd's minimal filtering F(4x4, 3x3)
 * (Lavin and Gray, 2016): each 4 x 4 tile of an output plane from a 6 x 6
 * tile of the input, with 36 products per channel pair instead of 144.
 *   U[p] = (G g G^T)[p]      filters x channels, per point p < 36
 *   V[p] = (B^T d B)[p]      channels x tiles
 *   M[p] = U[p] V[p]         filters x tiles (36 anvil_sgemm products)
 *   Y    = A^T M A           per tile
 * Tiles are numbered row by row, tiles_h x tiles_w of them covering the
 * output (tiles_h = ceil(oh / 4), tiles_w = ceil(ow / 4)). */
#define ANVIL_WINOGRAD_TILE 4
#define ANVIL_WINOGRAD_POINTS 36

/* U of `filters` x `channels` 3 x 3 filters g (row-major, [f][c][3][3]) into
 * u[p * filters * channels + f * channels + c]. */
void anvil_swinograd_filter(int64_t filters, int64_t channels, const float *g,
                            float *u);

/* V of `channels` contiguous ih x iw planes of one image, padded by pad_top
 * rows and pad_left columns of zeros (and zeros past the bottom and right
 * edges), into v[p * v_plane + c * tiles + t] for tiles = tiles_h * tiles_w.
 * A block of channels c0.. is in + c0 * ih * iw and v + c0 * tiles. */
void anvil_swinograd_input(int64_t channels, const float *in, int64_t ih,
                           int64_t iw, int64_t pad_top, int64_t pad_left,
                           int64_t tiles_h, int64_t tiles_w, float *v,
                           int64_t v_plane);

/* Y of `filters` planes of M (m[p * m_plane + f * tiles + t]) into oh x ow
 * output planes, finished as anvil_sgemm_fused finishes C:
 *   out[f] = min(max((accumulate ? out[f] : 0) + Y[f] + bias[f], lo), hi)
 * with `bias` NULL for none. A block of filters f0.. is m + f0 * tiles,
 * out + f0 * oh * ow and bias + f0. */
void anvil_swinograd_output(int64_t filters, const float *m, int64_t m_plane,
                            int64_t tiles_h, int64_t tiles_w, float *out,
                            int64_t oh, int64_t ow, int32_t accumulate,
                            const float *bias, float lo, float hi);

/* Which path anvil_sgemm and anvil_sdwconv2d take on this CPU: "avx512",
 * "avx2" or "generic". */
const char *anvil_sgemm_isa(void);

#ifdef __cplusplus
}
#endif

#endif /* ANVIL_C_KERNELS_H */
