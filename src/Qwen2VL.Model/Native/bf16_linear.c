// Few-row bf16 products y = x·Wᵀ (+ b) for decode steps, with AVX512-BF16 dot products.
//
// Why C: .NET 10 exposes no AVX512-BF16 intrinsic, and LibTorch's bf16 GEMM reads the weights of a 1–16 row product
// at 20–25 GB/s on AVX-512 CPUs without AMX, well under the memory's speed. Decoding is nothing but such products, so
// this file streams W once per call and computes every input row against it with VDPBF16PS (32 multiply-adds per
// instruction, float32 accumulation), which keeps even 8 or 16 rows close to memory-bound.
//
// Each output y[t, r] is one float32 accumulator summed over k in the same order whatever the number of rows, so a
// sequence's result does not depend on which other sequences share its step (batch invariance).
//
// The managed side (Layers/Bf16NativeLinear.cs) splits the output rows across threads and calls q2k_bf16_linear_rows for
// each part; q2k_supported says whether this CPU runs the AVX512-BF16 code at all.

#include <immintrin.h>

#include "bf16.h"

// Output rows computed together: their weights are loaded once per 32-element chunk and reused by every input row.
#define ROWS 4
// Input rows computed together: ROWS × TILE accumulators stay in registers (16 of the 32).
#define TILE 4
#ifndef PREFETCH_HINT
#define PREFETCH_HINT _MM_HINT_T1
#endif

int q2k_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
}

TARGET static inline __m512bh load_bh(const uint16_t *p)
{
    return (__m512bh)_mm512_loadu_si512((const void *)p);
}

TARGET static inline __m512bh load_bh_tail(const uint16_t *p, __mmask32 mask)
{
    return (__m512bh)_mm512_maskz_loadu_epi16(mask, (const void *)p);
}

// ROWS weight rows starting at w (stride k) against `tile` input rows starting at x (stride k); results into
// y[t * n + column + i]. `tile` is a compile-time constant at every call site, so the loops unroll into registers.
// The rows of the next group at `next` whose bits are set in `prefetch` are prefetched line by line along the way.
TARGET static inline __attribute__((always_inline)) void rows_by_tile(
    const uint16_t *x, int tile, long k, const uint16_t *w, const float *bias, uint16_t *y, long n, long column,
    const uint16_t *next, unsigned prefetch)
{
    __m512 acc[TILE][ROWS];
    for (int t = 0; t < tile; t++)
        for (int i = 0; i < ROWS; i++)
            acc[t][i] = _mm512_setzero_ps();

    long j = 0;
    for (; j + 32 <= k; j += 32)
    {
        for (int i = 0; i < ROWS; i++)
            if (prefetch & (1u << i))
                _mm_prefetch((const char *)(next + i * k + j), PREFETCH_HINT);
        __m512bh wv[ROWS];
        for (int i = 0; i < ROWS; i++)
            wv[i] = load_bh(w + i * k + j);
        for (int t = 0; t < tile; t++)
        {
            __m512bh xv = load_bh(x + t * k + j);
            for (int i = 0; i < ROWS; i++)
                acc[t][i] = _mm512_dpbf16_ps(acc[t][i], wv[i], xv);
        }
    }

    if (j < k)
    {
        __mmask32 mask = (__mmask32)((1ull << (k - j)) - 1);
        __m512bh wv[ROWS];
        for (int i = 0; i < ROWS; i++)
            wv[i] = load_bh_tail(w + i * k + j, mask);
        for (int t = 0; t < tile; t++)
        {
            __m512bh xv = load_bh_tail(x + t * k + j, mask);
            for (int i = 0; i < ROWS; i++)
                acc[t][i] = _mm512_dpbf16_ps(acc[t][i], wv[i], xv);
        }
    }

    for (int t = 0; t < tile; t++)
        for (int i = 0; i < ROWS; i++)
        {
            float sum = _mm512_reduce_add_ps(acc[t][i]);
            if (bias)
                sum += bias[column + i];
            y[t * n + column + i] = to_bf16(sum);
        }
}

// One weight row against `tile` input rows: the remainder when the part's row count is not a multiple of ROWS.
TARGET static void one_row(const uint16_t *x, int m, long k, const uint16_t *w, const float *bias, uint16_t *y, long n, long column)
{
    for (int t = 0; t < m; t++)
    {
        __m512 acc = _mm512_setzero_ps();
        long j = 0;
        for (; j + 32 <= k; j += 32)
            acc = _mm512_dpbf16_ps(acc, load_bh(w + j), load_bh(x + t * k + j));
        if (j < k)
        {
            __mmask32 mask = (__mmask32)((1ull << (k - j)) - 1);
            acc = _mm512_dpbf16_ps(acc, load_bh_tail(w + j, mask), load_bh_tail(x + t * k + j, mask));
        }

        float sum = _mm512_reduce_add_ps(acc);
        if (bias)
            sum += bias[column];
        y[t * n + column] = to_bf16(sum);
    }
}

// y[t, r] = Σ_j x[t, j]·w[r, j] (+ bias[r]) for t < m and row_from ≤ r < row_to.
// x: bf16 [m, k]; w: bf16 [n, k], both row-major and contiguous; bias: float32 [n] or NULL; y: bf16 [m, n].
TARGET void q2k_bf16_linear_rows(
    const uint16_t *x, int m, long k, const uint16_t *w, long n, const float *bias, uint16_t *y, long row_from, long row_to)
{
    // Memory streams the next group of weight rows while this group computes from cache: each tile prefetches its
    // share of the next group's rows, so the reads spread evenly over the group's arithmetic instead of every group's
    // first tile waiting on memory with the arithmetic units idle.
    int tiles = (m + TILE - 1) / TILE;
    long r = row_from;
    for (; r + ROWS <= row_to; r += ROWS)
    {
        const uint16_t *wr = w + r * k;
        // The last group prefetches itself again: harmless, and it keeps the loop free of a check per group.
        const uint16_t *next = r + 2 * ROWS <= row_to ? wr + ROWS * k : wr;
        for (int tile = 0; tile < tiles; tile++)
        {
            unsigned prefetch = 0;
            for (int i = 0; i < ROWS; i++)
                if (i % tiles == tile)
                    prefetch |= 1u << i;
            int t = tile * TILE;
            switch (m - t < TILE ? m - t : TILE)
            {
            case 4:
                rows_by_tile(x + t * k, 4, k, wr, bias, y + t * n, n, r, next, prefetch);
                break;
            case 3:
                rows_by_tile(x + t * k, 3, k, wr, bias, y + t * n, n, r, next, prefetch);
                break;
            case 2:
                rows_by_tile(x + t * k, 2, k, wr, bias, y + t * n, n, r, next, prefetch);
                break;
            default:
                rows_by_tile(x + t * k, 1, k, wr, bias, y + t * n, n, r, next, prefetch);
                break;
            }
        }
    }

    for (; r < row_to; r++)
        one_row(x, m, k, w + r * k, bias, y, n, r);
}
