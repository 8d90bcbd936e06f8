// Box filters for the background blur and the mask feather. Clamp-to-edge
// borders; integer sums with a 16-bit reciprocal so each output is
// (sum * R + 32768) >> 16, R = round(65536 / window). Sliding windows make the
// cost independent of the radius.
#pragma once
#include <cstddef>
#include <cstdint>

namespace maskflow {

// Average of s x s blocks (s a power of two, 1..16; shift = 2*log2(s)) of a w x h
// plane into lw x lh = ceil(w/s) x ceil(h/s); edge blocks repeat the last row/column.
// rowSums holds 2 * lw * s uint16 values.
void DownsampleBox(const uint8_t* __restrict src, int w, int h, int s, int shift, uint8_t* __restrict dst, int lw,
                   int lh, uint16_t* __restrict rowSums);

uint32_t BoxReciprocal(int radius);

// Horizontal box of radius r (window 2r+1) on each row, src -> dst (different buffers).
void BoxBlurH(const uint8_t* __restrict src, uint8_t* __restrict dst, int w, int h, int r);

// Vertical box of radius r, src -> dst (different buffers). colSums holds w uint32 values.
void BoxBlurV(const uint8_t* __restrict src, uint8_t* __restrict dst, int w, int h, int r,
              uint32_t* __restrict colSums);

}  // namespace maskflow
