// Grey-level erosion (minimum over a square window, clamp-to-edge borders) of a
// mask plane: pulls the feather inside the subject (see MaskSource).
#pragma once
#include <cstdint>

namespace maskflow {

// dst(x, y) = min of src over [x-r, x+r] x [y-r, y+r] clipped to the plane (the same
// as clamp-to-edge for a minimum). tmp holds w*h bytes, pad w + 2r bytes; src, dst,
// tmp are different buffers. Cost ~ w*h*(2r+1)/16 vector ops per axis (r is small:
// a feather radius at analysis resolution).
void ErodeBox(const uint8_t* __restrict src, uint8_t* __restrict dst, int w, int h, int r, uint8_t* __restrict tmp,
              uint8_t* __restrict pad);

}  // namespace maskflow
