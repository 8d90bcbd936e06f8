// Bilinear resampling of 8-bit planes in fixed point (1/256 pixel).
// Sample positions are pixel centres: dst pixel i maps to the source coordinate
// (i + 0.5) * scale - 0.5 (plus a crop offset), clamped inside the source.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace maskflow {

// Taps for one axis: src positions i0/i1 (i1 = min(i0 + 1, n - 1)) and weight f (0..255) of i1.
// For the SIMD gather, outputs go in groups of 16: when a group's taps lie within
// 16 source bytes starting at groupBase[g] (always true when upsampling), one
// unaligned load and two byte shuffles (shuffle[64g..64g+31]: i0 then i1 offsets)
// fetch all 32 taps. A "wide" group (wide[g] = 1: taps within 32 bytes, i.e. steps up
// to about 2 source pixels, as in a mask warp at a size ratio near 1) loads two
// vectors and shuffles each (64 bytes: i0 low, i1 low, i0 high, i1 high; lanes
// whose tap is in the other vector hold 0x80, which pshufb turns into 0).
// groupBase[g] = -1 marks groups done one pixel at a time.
struct AxisTaps {
  std::vector<int32_t> i0, i1;
  std::vector<uint16_t> f;
  std::vector<int32_t> groupBase;
  std::vector<uint8_t> wide;
  std::vector<uint8_t> shuffle;
  void Resize(int n) {
    i0.resize(n);
    i1.resize(n);
    f.resize(n);
    groupBase.resize(size_t(n) / 16);
    wide.resize(size_t(n) / 16);
    shuffle.resize(size_t(n) / 16 * 64);
  }
};

// Fills groupBase/shuffle from i0/i1 (called by the axis builders).
// `slack`: bytes readable past the end of every source row (padding the caller
// owns), so 16/32-byte loads near the right edge stay inside the allocation.
void PrepareGather(AxisTaps* taps, int sn, int slack = 0);

// Padding chain-owned source planes carry for the SIMD gather's edge loads.
constexpr int kGatherSlack = 32;

// out[i] = (src[i0[i]]*(256-f[i]) + src[i1[i]]*f[i] + 128) >> 8 for i < taps.f.size();
// src holds the sn bytes the taps were built for.
void GatherLerp(uint8_t* __restrict out, const uint8_t* __restrict src, const AxisTaps& taps);

// Exact integer map for a rational scale num/den (src pixels per dst pixel):
// p = floor((2i+1) * num * 128 / den) - 128, clamped to [0, 256*(sn-1)].
void RationalAxis(int dn, int sn, int64_t num, int64_t den, AxisTaps* taps, int slack = 0);

// Map for a crop: p = floor((start + (i + 0.5) * step - 0.5) * 256) in doubles, clamped.
void CropAxis(int dn, int sn, double start, double step, AxisTaps* taps);

// Upsamples a plane one output row at a time: horizontal pass per source row
// (cached: neighbouring output rows share source rows), then a vectorised
// vertical lerp. Buffers are allocated in Configure only.
class RowUpsampler {
 public:
  // slack: bytes readable past each source row (see PrepareGather).
  void Configure(int sw, int sh, int dw, int dh, int64_t numX, int64_t denX, int64_t numY, int64_t denY, int slack = 0);
  // Starts a new source plane (sw x sh, tightly packed); forgets cached rows.
  void Bind(const uint8_t* src);
  // Output row y as two horizontally resampled rows and the vertical weight of b:
  // row = (a*(256-f) + b*f + 128) >> 8 (f = 0: a itself). Valid until the next call.
  void Rows(int y, const uint8_t** a, const uint8_t** b, uint16_t* f);

 private:
  const uint8_t* SourceRow(int sy, int avoidSlot, int* slot);
  const uint8_t* src_ = nullptr;
  int sw_ = 0, dw_ = 0;
  AxisTaps x_, y_;
  std::vector<uint8_t> slots_[2];
  int slotRow_[2] = {-1, -1};
};

// Crop-and-resample of one plane: vertical lerp of the two source rows over the
// crop's column span, then a horizontal gather. `rowScratch` holds sw bytes.
void CropResamplePlane(const uint8_t* __restrict src, int sw, int sh, uint8_t* __restrict dst, int dw, int dh,
                       const AxisTaps& xt, const AxisTaps& yt, uint8_t* __restrict rowScratch);

// Reframing / zoom on whole yuv420p frames. Crop in source luma pixels, clamped
// inside the source (w, h at most the source size, at least 1/256 px).
struct CropRect {
  double x, y, w, h;
};
CropRect ClampCrop(CropRect c, int sw, int sh);

class FrameResampler {
 public:
  void Configure(int sw, int sh, int dw, int dh);
  void Apply(const uint8_t* src, uint8_t* dst, CropRect crop);
  size_t SrcBytes() const;
  size_t DstBytes() const;

 private:
  int sw_ = 0, sh_ = 0, dw_ = 0, dh_ = 0;
  AxisTaps lx_, ly_, cx_, cy_;
  std::vector<uint8_t> row_;
};

// Bytes of a yuv420p frame: Y w*h, U and V ceil(w/2)*ceil(h/2) each.
inline size_t Yuv420Bytes(int w, int h) {
  const size_t cw = (size_t(w) + 1) / 2, ch = (size_t(h) + 1) / 2;
  return size_t(w) * h + 2 * cw * ch;
}

}  // namespace maskflow
