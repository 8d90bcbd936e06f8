// Sample aspect and colour tags of the encoded video (src/media/video-tags.ts), and the
// displayed-aspect crop for non-square pixels (src/render/output-size.ts). Rendered files
// are checked in test/inputs-corpus-pixels.test.ts.
import t from 'tap';
import { colorTagOptions, decodeColorMatrix, outputColorTags, outputSampleAspect, sampleAspectFilter } from '../src/media/video-tags.js';
import { reframeSize } from '../src/render/output-size.js';

t.test('sample aspect ratio of the output', async (t) => {
  t.same(outputSampleAspect([64, 45], { width: 720, height: 576 }, { width: 720, height: 576 }), [64, 45], 'same pixels: kept');
  t.equal(outputSampleAspect(undefined, { width: 720, height: 576 }, { width: 720, height: 576 }), undefined, 'square stays square');
  // The 16:9 picture scaled to square pixels at 1024x576: nothing to tag.
  t.equal(outputSampleAspect([64, 45], { width: 720, height: 576 }, { width: 1024, height: 576 }), undefined);
  // Square input squeezed into 720x576 must say so.
  t.same(outputSampleAspect(undefined, { width: 1024, height: 576 }, { width: 720, height: 576 }), [64, 45]);
  t.equal(sampleAspectFilter([64, 45]), 'setsar=sar=64/45:max=65535');
  t.equal(sampleAspectFilter(undefined), undefined);
});

t.test('a W:H reframe is W:H as displayed', async (t) => {
  // PAL 16:9: 720x576 stored, shown 1024x576. 9:16 of a 576-line picture is 324 display pixels wide: 227.8 stored, 226 made even.
  t.same(reframeSize({ width: 720, height: 576 }, '9:16', [64, 45]), { width: 226, height: 576 });
  t.same(reframeSize({ width: 720, height: 576 }, '9:16'), { width: 324, height: 576 }, 'square pixels as before');
  t.equal(reframeSize({ width: 720, height: 576 }, '16:9', [64, 45]), undefined, 'already 16:9 as shown');
});

t.test('colour tags', async (t) => {
  t.same(outputColorTags({ pixFmt: 'yuv420p', color: {} }), { range: 'tv' }, 'untagged input: only the range, which is always limited after decode');
  t.same(outputColorTags({ pixFmt: 'yuvj420p', color: { range: 'pc' } }), { range: 'tv' }, 'full range is converted, not kept');
  t.same(outputColorTags({ pixFmt: 'yuv420p10le', color: { range: 'tv', space: 'bt2020nc', primaries: 'bt2020', transfer: 'smpte2084' } }), {
    range: 'tv',
    space: 'bt2020nc',
    primaries: 'bt2020',
    transfer: 'smpte2084',
  });
  t.same(outputColorTags({ pixFmt: 'yuv420p', color: { space: 'reserved', primaries: 'bt709' } }), { range: 'tv', primaries: 'bt709' }, 'a name ffmpeg does not take is left out');
  t.same(outputColorTags({ pixFmt: 'rgb24', color: {} }), { range: 'tv', space: 'bt709', primaries: 'bt709', transfer: 'iec61966-2-1' });
  t.equal(decodeColorMatrix({ pixFmt: 'gbrp' }), 'bt709');
  t.equal(decodeColorMatrix({ pixFmt: 'argb' }), 'bt709');
  t.equal(decodeColorMatrix({ pixFmt: 'yuv444p' }), undefined);
  t.same(colorTagOptions({ range: 'tv', space: 'bt709' }), ['-color_range', 'tv', '-colorspace', 'bt709']);
});
