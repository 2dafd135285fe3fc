// What both kernel files need: the instruction set they are compiled for, and float32 → bf16 rounding.
#ifndef Q2K_BF16_H
#define Q2K_BF16_H

#include <stdint.h>
#include <string.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

// Round to nearest even, as LibTorch does; a NaN stays a NaN.
static inline uint16_t to_bf16(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
    {
        return (uint16_t)((bits >> 16) | 0x40); // stays a NaN after truncation
    }

    bits += 0x7FFFu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

#endif
