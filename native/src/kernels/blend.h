// Mask blend of one 8-bit plane: dst = dst*(255-m)/255 + src*m/255, rounded.
// Pure C++ over raw bytes: no Node-API types here.
#pragma once
#include <cstddef>
#include <cstdint>

namespace maskflow {

// Blends `src` into `dst` in place where `mask` is high (255 = all src).
// All three buffers hold `count` bytes.
void BlendPlane(uint8_t* __restrict dst, const uint8_t* __restrict src,
                const uint8_t* __restrict mask, size_t count);

// Exact rounded division of a 16-bit product by 255, branch-free.
inline uint32_t Div255(uint32_t v) { return (v + 128 + ((v + 128) >> 8)) >> 8; }

}  // namespace maskflow
