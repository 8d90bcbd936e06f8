// Per-keyframe work of the model-free finder (src/vision/model-free-finder.ts),
// at the finder's small working size: sRGB -> CIELAB, colour-histogram bins,
// the saliency map (colour distance from the border's k-means colours blended
// with change against a temporal median) and the labelling of salient regions.
// The arithmetic follows the TS reference (test/helpers/finder-reference.ts)
// step by step, in double with float stores where the reference stores to a
// Float32Array, so results agree to the last bit except where libm's cbrt/pow
// round differently from V8's (packed Lab then differs by at most 1 step).
// Pure kernel: no Node-API; all scratch memory is sized once in Configure.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace maskflow {

// Lab is stored packed: int16 in steps of 1/kLabScale (L 0..100, a/b about +-128).
constexpr int kLabScale = 128;
// Colour histogram layout: L in 8 bins, a and b in 16 bins each over +-64.
constexpr int kColourBins = 8 * 16 * 16;
// Most keyframes the change cue compares against (offsets -1, 1, -3, 3, -6, 6).
constexpr int kMaxOthers = 6;
// Per region in the stats output: pixels, minX, minY, maxX, maxY, mass (saliency sum),
// and the saliency-weighted sums of L, a, b, then the offset of its pixels in `members`.
constexpr int kRegionStride = 10;
// Head of the stats output: region count, saliency summed over the thresholded pixels.
constexpr int kRegionHead = 2;

class FinderKernel {
 public:
  void Configure(int width, int height);
  int Width() const { return width_; }
  int Height() const { return height_; }
  int Pixels() const { return width_ * height_; }
  // Regions after the opening are never 8-adjacent, so each 2x2 block holds at most one.
  int MaxRegions() const { return ((width_ + 1) / 2) * ((height_ + 1) / 2); }

  // rgb: 3 bytes per pixel -> lab: 3 int16 per pixel.
  void Lab(const uint8_t* rgb, int16_t* lab) const;
  // lab -> one histogram bin (0..kColourBins-1) per pixel.
  void Bins(const int16_t* lab, uint16_t* bins) const;
  // Saliency 0..1 of `self` given up to kMaxOthers neighbouring keyframes (the change cue needs 2).
  void Saliency(const int16_t* self, const int16_t* const* others, int otherCount, float* out);
  // Regions of sal >= threshold after a 3x3 opening, 8-connected, numbered in raster order of
  // their first pixel; members lists every region's pixels in flood-fill order, region after region.
  // lab may be null (the colour sums are then 0). stats holds kRegionHead + MaxRegions() * kRegionStride.
  int Regions(const float* sal, double threshold, const int16_t* lab, int32_t* members, double* stats);

 private:
  int width_ = 0;
  int height_ = 0;
  // Scratch, sized by Configure.
  std::vector<float> labF_;      // self as float Lab
  std::vector<float> samples_;   // border ring samples
  std::vector<float> nearest_;   // k-means seeding distances
  std::vector<int32_t> assign_;  // k-means assignment
  std::vector<float> colour_;    // colour cue
  std::vector<float> change_;    // change cue
  std::vector<float> select_;    // quantile copy
  std::vector<float> line_;      // box blur line
  std::vector<uint8_t> binary_;
  std::vector<uint8_t> tmp_;
  std::vector<int32_t> label_;
  std::vector<int32_t> stack_;
};

}  // namespace maskflow
