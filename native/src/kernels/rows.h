// Row primitives shared by every effect. All arithmetic is 8-bit fixed point in
// 16-bit lanes so g++ -O3 vectorises each loop (8 or 16 pixels per instruction);
// test/helpers/reference-effects.ts mirrors every formula bit for bit.
//
// Mask values m (0..255, 255 = subject) become blend weights 0..256 via
// m + (m >> 7), so a blend is a multiply and a shift, with 255 meaning "all".
#pragma once
#include <cstddef>
#include <cstdint>

// On x86-64 Linux (glibc ifunc) the hot loops are also compiled for AVX2 and the
// loader picks the best clone at run time; the binary stays baseline x86-64.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && defined(__GLIBC__) && \
    !defined(MASKFLOW_SANITIZE)
#define MASKFLOW_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MASKFLOW_CLONES
#endif

namespace maskflow {

// Every mask-driven op reads its mask row as two horizontally upsampled rows
// (ma, mb) and the vertical weight mf: m = (ma*(256-mf) + mb*mf + 128) >> 8.
// Fusing that lerp into the op saves a pass over each row.

// v = (v*w + bg*(256-w) + 128) >> 8, w = weight(m): subject keeps v, background becomes bg.
void MixRowConst(uint8_t* __restrict v, const uint8_t* __restrict ma, const uint8_t* __restrict mb, uint16_t mf,
                 uint8_t bg, size_t n);
// Same with a background row that is itself a vertical lerp of (ba, bb) by bf (bf = 0: ba as is).
void MixRowLerp(uint8_t* __restrict v, const uint8_t* __restrict ma, const uint8_t* __restrict mb, uint16_t mf,
                const uint8_t* __restrict ba, const uint8_t* __restrict bb, uint16_t bf, size_t n);

// Pulls the background toward `target` by amount256 (0..256):
// d = (amount256 * (255 - m) + 128) >> 8, d' = weight(d), v = (v*(256-d') + target*d' + 128) >> 8.
void PullRow(uint8_t* __restrict v, const uint8_t* __restrict ma, const uint8_t* __restrict mb, uint16_t mf,
             uint16_t amount256, uint8_t target, size_t n);

// Same pull with a precomputed per-pixel d (the vignette's gain map).
void PullRowByMap(uint8_t* __restrict v, const uint8_t* __restrict d, uint8_t target, size_t n);

// out = (a*(256-f) + b*f + 128) >> 8, f in 0..255 (the vertical step of a bilinear resample).
void LerpRows(uint8_t* __restrict out, const uint8_t* __restrict a, const uint8_t* __restrict b, uint16_t f, size_t n);

// out[i] = (src[i0[i]]*(256-f[i]) + src[i1[i]]*f[i] + 128) >> 8 (the horizontal step; a gather).
void GatherLerpRow(uint8_t* __restrict out, const uint8_t* __restrict src, const int32_t* __restrict i0,
                   const int32_t* __restrict i1, const uint16_t* __restrict f, size_t n);

}  // namespace maskflow
