// Shared by grayscale-background and dim-background: pulls background samples
// toward a target (neutral chroma; black luma) by `amount`, weighted by the mask.
#pragma once
#include <cstdint>

#include "kernels/effect.h"

namespace maskflow {

// amount256 = round(amount * 256); pulls chroma to 128 and, with `luma`, luma to 16.
void PullBackground(uint8_t* frame, const FrameGeometry& g, FrameContext& ctx, int feather, uint16_t amount256, bool luma);

}  // namespace maskflow
