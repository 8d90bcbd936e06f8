#include "kernels/effects/pull_background.h"

#include "kernels/mask_source.h"
#include "kernels/rows.h"

namespace maskflow {

void PullBackground(uint8_t* frame, const FrameGeometry& g, FrameContext& ctx, int feather, uint16_t amount256, bool luma) {
  const uint8_t* mask = ctx.mask->Feathered(feather);
  uint8_t* U = frame + g.LumaBytes();
  uint8_t* V = U + g.ChromaBytes();
  const uint8_t *ma, *mb;
  uint16_t mf;
  if (luma) {
    RowUpsampler& mY = ctx.mask->Luma();
    mY.Bind(mask);
    for (int y = 0; y < g.h; ++y) {
      mY.Rows(y, &ma, &mb, &mf);
      PullRow(frame + size_t(y) * g.w, ma, mb, mf, amount256, 16, g.w);
    }
  }
  RowUpsampler& mC = ctx.mask->Chroma();
  mC.Bind(mask);
  for (int y = 0; y < g.ch; ++y) {
    mC.Rows(y, &ma, &mb, &mf);
    PullRow(U + size_t(y) * g.cw, ma, mb, mf, amount256, 128, g.cw);
    PullRow(V + size_t(y) * g.cw, ma, mb, mf, amount256, 128, g.cw);
  }
}

}  // namespace maskflow
