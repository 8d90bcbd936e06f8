#include "kernels/blend.h"

namespace maskflow {

void BlendPlane(uint8_t* __restrict dst, const uint8_t* __restrict src,
                const uint8_t* __restrict mask, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const uint32_t m = mask[i];
    const uint32_t v = dst[i] * (255u - m) + src[i] * m;
    dst[i] = static_cast<uint8_t>(Div255(v));
  }
}

}  // namespace maskflow
