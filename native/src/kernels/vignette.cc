#include "kernels/vignette.h"

#include <cmath>
#include <cstddef>

namespace maskflow {

void VignetteMap(int w, int h, double strength, double radius, uint8_t* out) {
  const int rows = (h + 1) / 2;
  const double halfDiag = std::sqrt(double(w) * w + double(h) * h) / 2;
  for (int y = 0; y < rows; ++y) {
    const double dy = y + 0.5 - h / 2.0;
    for (int x = 0; x < w; ++x) {
      const double dx = x + 0.5 - w / 2.0;
      const double r = std::sqrt(dx * dx + dy * dy) / halfDiag;
      double t = radius >= 1 ? 0 : (r - radius) / (1 - radius);
      t = t < 0 ? 0 : (t > 1 ? 1 : t);
      const double d = std::floor(255 * strength * (t * t * (3 - 2 * t)) + 0.5);
      out[size_t(y) * w + x] = static_cast<uint8_t>(d < 0 ? 0 : (d > 255 ? 255 : d));
    }
  }
}

}  // namespace maskflow
