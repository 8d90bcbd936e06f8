// pixelate-background: a mosaic of the background. Each plane is cut into
// blocks of `size` luma pixels (chroma sample i belongs to the block of luma
// 2i), every block is replaced by its rounded mean, and the mosaic is blended
// in where the mask says background. The frame is processed one band of block
// rows at a time: the band is summed (vector adds into 16-bit column sums),
// the block means are expanded into one background row, and only then are the
// band's rows blended, so in place is safe and the band is read from cache.
#include <algorithm>
#include <vector>

#include "kernels/effect.h"
#include "kernels/mask_source.h"
#include "kernels/rows.h"

namespace maskflow {
namespace {

MASKFLOW_CLONES void AddRow(uint16_t* __restrict sums, const uint8_t* __restrict row, size_t n) {
  for (size_t i = 0; i < n; ++i) sums[i] = static_cast<uint16_t>(sums[i] + row[i]);
}

// Block layout of one plane: which block each column belongs to and where each band of rows starts.
struct Grid {
  int w = 0, h = 0;
  std::vector<int> blockStart;  // first column of each block, plus w at the end
  std::vector<int> bandStart;   // first row of each band, plus h at the end
  std::vector<uint16_t> sums;   // column sums of the current band
  std::vector<uint8_t> row;     // the band's mosaic row (block means expanded)

  // Samples at `step` luma pixels each (1 luma, 2 chroma) grouped into blocks of `size` luma pixels.
  void Configure(int width, int height, int step, int size) {
    w = width;
    h = height;
    auto starts = [&](int n) {
      std::vector<int> s;
      for (int i = 0; i < n; ++i) {
        if (i == 0 || (i * step) / size != ((i - 1) * step) / size) s.push_back(i);
      }
      s.push_back(n);
      return s;
    };
    blockStart = starts(w);
    bandStart = starts(h);
    sums.assign(size_t(w), 0);
    row.assign(size_t(w), 0);
  }

  // Sums the band's rows of `plane` and writes the mosaic row.
  void Mosaic(const uint8_t* plane, size_t band) {
    const int y0 = bandStart[band], y1 = bandStart[band + 1];
    std::fill(sums.begin(), sums.end(), 0);
    for (int y = y0; y < y1; ++y) AddRow(sums.data(), plane + size_t(y) * w, size_t(w));
    const uint32_t rows = static_cast<uint32_t>(y1 - y0);
    for (size_t b = 0; b + 1 < blockStart.size(); ++b) {
      const int x0 = blockStart[b], x1 = blockStart[b + 1];
      uint32_t sum = 0;
      for (int x = x0; x < x1; ++x) sum += sums[x];
      const uint32_t n = rows * static_cast<uint32_t>(x1 - x0);
      const uint8_t mean = static_cast<uint8_t>((sum + n / 2) / n);
      std::fill(row.begin() + x0, row.begin() + x1, mean);
    }
  }
};

class PixelateBackground final : public Effect {
 public:
  std::string Configure(const FrameGeometry& g, const EffectParams& p) override {
    g_ = g;
    feather_ = p.Int(pixelate_background::kFeather);
    const int size = p.Int(pixelate_background::kSize);
    luma_.Configure(g.w, g.h, 1, size);
    u_.Configure(g.cw, g.ch, 2, size);
    v_.Configure(g.cw, g.ch, 2, size);
    return std::string();
  }

  void Apply(uint8_t* frame, FrameContext& ctx) override {
    const uint8_t* mask = ctx.mask->Feathered(feather_);
    uint8_t* Y = frame;
    uint8_t* U = frame + g_.LumaBytes();
    uint8_t* V = U + g_.ChromaBytes();
    const uint8_t *ma, *mb;
    uint16_t mf;
    RowUpsampler& mY = ctx.mask->Luma();
    mY.Bind(mask);
    for (size_t band = 0; band + 1 < luma_.bandStart.size(); ++band) {
      luma_.Mosaic(Y, band);
      for (int y = luma_.bandStart[band]; y < luma_.bandStart[band + 1]; ++y) {
        mY.Rows(y, &ma, &mb, &mf);
        MixRowLerp(Y + size_t(y) * g_.w, ma, mb, mf, luma_.row.data(), luma_.row.data(), 0, g_.w);
      }
    }
    RowUpsampler& mC = ctx.mask->Chroma();
    mC.Bind(mask);
    for (size_t band = 0; band + 1 < u_.bandStart.size(); ++band) {
      u_.Mosaic(U, band);
      v_.Mosaic(V, band);
      for (int y = u_.bandStart[band]; y < u_.bandStart[band + 1]; ++y) {
        mC.Rows(y, &ma, &mb, &mf);
        MixRowLerp(U + size_t(y) * g_.cw, ma, mb, mf, u_.row.data(), u_.row.data(), 0, g_.cw);
        MixRowLerp(V + size_t(y) * g_.cw, ma, mb, mf, v_.row.data(), v_.row.data(), 0, g_.cw);
      }
    }
  }

 private:
  FrameGeometry g_;
  int feather_ = 0;
  Grid luma_, u_, v_;
};

}  // namespace

std::unique_ptr<Effect> MakePixelateBackground() { return std::make_unique<PixelateBackground>(); }

}  // namespace maskflow
