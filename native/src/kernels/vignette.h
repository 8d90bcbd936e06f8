// Vignette darkening map, computed once per chain.
#pragma once
#include <cstdint>

namespace maskflow {

// d(x, y) = round(255 * strength * smoothstep(t)), t = clamp((r - radius) / (1 - radius), 0, 1)
// (t = 0 everywhere when radius >= 1), r = distance of the pixel centre from the frame
// centre over the half-diagonal. The map is symmetric top/bottom, so only the top
// ceil(h/2) rows are stored: out holds w * ceil(h/2) bytes; row y uses min(y, h-1-y).
void VignetteMap(int w, int h, double strength, double radius, uint8_t* out);

}  // namespace maskflow
