#include "kernels/erode.h"

#include <algorithm>
#include <cstring>

#include "kernels/rows.h"

namespace maskflow {

MASKFLOW_CLONES static void MinInto(uint8_t* __restrict out, const uint8_t* __restrict in, int n) {
  for (int i = 0; i < n; ++i) out[i] = in[i] < out[i] ? in[i] : out[i];
}

void ErodeBox(const uint8_t* __restrict src, uint8_t* __restrict dst, int w, int h, int r, uint8_t* __restrict tmp,
              uint8_t* __restrict pad) {
  if (r <= 0) {
    std::memcpy(dst, src, size_t(w) * h);
    return;
  }
  // Rows: the row padded with 255 (the identity of min) on both sides, then the
  // window minimum as 2r+1 shifted vector mins.
  std::memset(pad, 255, size_t(r));
  std::memset(pad + r + w, 255, size_t(r));
  for (int y = 0; y < h; ++y) {
    std::memcpy(pad + r, src + size_t(y) * w, size_t(w));
    uint8_t* out = tmp + size_t(y) * w;
    std::memcpy(out, pad, size_t(w));
    for (int k = 1; k <= 2 * r; ++k) MinInto(out, pad + k, w);
  }
  // Columns: each output row is the min of the input rows in its clipped window.
  for (int y = 0; y < h; ++y) {
    const int y0 = std::max(0, y - r), y1 = std::min(h - 1, y + r);
    uint8_t* out = dst + size_t(y) * w;
    std::memcpy(out, tmp + size_t(y0) * w, size_t(w));
    for (int yy = y0 + 1; yy <= y1; ++yy) MinInto(out, tmp + size_t(yy) * w, w);
  }
}

}  // namespace maskflow
