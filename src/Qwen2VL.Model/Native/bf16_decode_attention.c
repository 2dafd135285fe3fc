// Decode-step attention for bf16 KV caches: one new query token per sequence against that sequence's own cache.
//
// Why C: LibTorch's scaled_dot_product_attention costs tens of microseconds per call for a single query, and a decode
// step makes one call per sequence per layer (28 layers × 8 sequences = 224 calls a step at batch 8). Padding the
// caches into one batched call made a sequence's result depend on its neighbours' lengths. Here every (sequence,
// kv head) is one independent unit computed the same way whatever else is in the step, and a whole step's units run
// in one call.
//
// Per unit: the query heads sharing the kv head read each key and value row once; scores are float32 dot products
// (VDPBF16PS), softmax is computed online over blocks of keys (running maximum and sum, no score buffer of the
// cache's length), and the weighted sum of values accumulates in float32, rounded to bf16 once at the end.

#include <immintrin.h>
#include <math.h>

#include "bf16.h"

// Largest head_dim and query-heads-per-kv-head handled (Qwen2-VL: 128 and up to 8); the managed side checks both.
#define MAX_DIM 256
#define MAX_GROUPS 16
// Keys per softmax block: scores of one block for every query head of the group stay on the stack.
#define BLOCK 64

TARGET static inline float dot_bf16(const uint16_t *a, const uint16_t *b, int d)
{
    __m512 acc = _mm512_setzero_ps();
    for (int j = 0; j < d; j += 32)
        acc = _mm512_dpbf16_ps(acc, (__m512bh)_mm512_loadu_si512((const void *)(a + j)), (__m512bh)_mm512_loadu_si512((const void *)(b + j)));
    return _mm512_reduce_add_ps(acc);
}

// 16 bf16 values to float32: a bf16 is the top half of a float32.
TARGET static inline __m512 load_bf16x16(const uint16_t *p)
{
    __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
}

// One kv head of one sequence: `groups` query heads at q (stride d) against `length` keys and values at k and v
// (stride d); results at out (stride d).
TARGET static void attend_unit(const uint16_t *q, int groups, int d, const uint16_t *k, const uint16_t *v, long length, float scale, uint16_t *out)
{
    float acc[MAX_GROUPS][MAX_DIM] __attribute__((aligned(64)));
    float running_max[MAX_GROUPS];
    float running_sum[MAX_GROUPS];
    float scores[MAX_GROUPS][BLOCK];
    for (int g = 0; g < groups; g++)
    {
        running_max[g] = -INFINITY;
        running_sum[g] = 0.0f;
        memset(acc[g], 0, sizeof(float) * (size_t)d);
    }

    for (long start = 0; start < length; start += BLOCK)
    {
        int count = length - start < BLOCK ? (int)(length - start) : BLOCK;
        for (int t = 0; t < count; t++)
        {
            const uint16_t *key = k + (start + t) * d;
            for (int g = 0; g < groups; g++)
                scores[g][t] = dot_bf16(q + g * d, key, d) * scale;
        }

        for (int g = 0; g < groups; g++)
        {
            float block_max = scores[g][0];
            for (int t = 1; t < count; t++)
                block_max = scores[g][t] > block_max ? scores[g][t] : block_max;
            float new_max = block_max > running_max[g] ? block_max : running_max[g];
            float correction = expf(running_max[g] - new_max); // 0 for the first block (max was -inf)
            float sum = running_sum[g] * correction;
            for (int t = 0; t < count; t++)
            {
                scores[g][t] = expf(scores[g][t] - new_max);
                sum += scores[g][t];
            }

            running_sum[g] = sum;
            running_max[g] = new_max;
            if (correction != 1.0f)
            {
                __m512 c = _mm512_set1_ps(correction);
                for (int j = 0; j < d; j += 16)
                    _mm512_store_ps(acc[g] + j, _mm512_mul_ps(_mm512_load_ps(acc[g] + j), c));
            }
        }

        for (int t = 0; t < count; t++)
        {
            const uint16_t *value = v + (start + t) * d;
            for (int j = 0; j < d; j += 16)
            {
                __m512 row = load_bf16x16(value + j);
                for (int g = 0; g < groups; g++)
                    _mm512_store_ps(acc[g] + j, _mm512_fmadd_ps(_mm512_set1_ps(scores[g][t]), row, _mm512_load_ps(acc[g] + j)));
            }
        }
    }

    for (int g = 0; g < groups; g++)
    {
        float inverse = 1.0f / running_sum[g];
        for (int j = 0; j < d; j++)
            out[g * d + j] = to_bf16(acc[g][j] * inverse);
    }
}

// Units [unit_from, unit_to) of a decode step, unit u = sequence u / kv_heads, kv head u % kv_heads.
// q and out: bf16 [sequences, heads, d]; keys[s] and values[s]: bf16 [kv_heads, capacity_s, d] with
// head_strides[s] = capacity_s · d and lengths[s] valid rows (the new token's key already written).
TARGET void q2k_bf16_decode_attention(
    const uint16_t *q, const uint16_t *const *keys, const uint16_t *const *values, const long *head_strides, const long *lengths,
    int heads, int kv_heads, int d, float scale, uint16_t *out, int unit_from, int unit_to)
{
    int groups = heads / kv_heads;
    for (int u = unit_from; u < unit_to; u++)
    {
        int s = u / kv_heads;
        int h = u % kv_heads;
        long offset = (long)s * heads * d + (long)h * groups * d;
        attend_unit(q + offset, groups, d, keys[s] + h * head_strides[s], values[s] + h * head_strides[s], lengths[s], scale, out + offset);
    }
}
