using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using MaskRcnn.Modeling.RoiHeads.Keypoint;
using TorchSharp;

namespace MaskRcnn.Tests.Modeling.RoiHeads.Keypoint;

/// <summary>Heatmap decoding against OpenCV's cubic resize and maskrcnn-benchmark's decoding steps, run by
/// <c>scripts/make_keypoint_decode_fixture.py</c>: the resized maps bit for bit, and every keypoint and score.</summary>
public class KeypointDecoderOpenCvParityTests
{
    static readonly string Dir = TestPaths.Fixture("keypoint_decode");

    static float[] Floats(string name)
    {
        using var file = File.OpenRead(Path.Combine(Dir, name));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return MemoryMarshal.Cast<byte, float>(bytes.ToArray()).ToArray();
    }

    static (float[] Maps, float[] Rois, int N, int K, int S) Inputs()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "rois.json")));
        var shape = doc.RootElement.GetProperty("heatmaps").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var rois = doc.RootElement.GetProperty("rois").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(x => (float)x.GetDouble())).ToArray();
        return (Floats("heatmaps.f32.gz"), rois, shape[0], shape[1], shape[2]);
    }

    [Fact]
    public void TheCubicResizeIsOpenCvsBitForBit()
    {
        var (maps, _, _, k, s) = Inputs();
        var expected = Floats("resized.f32.gz");
        int h = 23, w = 10; // RoI 0: 9.25 × 22.75 pixels, rounded up
        Assert.Equal(k * h * w, expected.Length);
        for (int j = 0; j < k; j++)
        {
            var ours = BicubicResize.Resize(maps.AsSpan(j * s * s, s * s), s, s, h, w, j, k);
            Assert.Equal(expected.AsSpan(j * h * w, h * w).ToArray(), ours);
        }
    }

    [Fact]
    public void KeypointsAndScoresAreMaskrcnnBenchmarks()
    {
        var (maps, rois, n, k, s) = Inputs();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")));
        var expectedKeypoints = doc.RootElement.GetProperty("keypoints").EnumerateArray()
            .SelectMany(r => r.EnumerateArray().SelectMany(p => p.EnumerateArray().Select(x => (float)x.GetDouble()))).ToArray();
        var expectedScores = doc.RootElement.GetProperty("scores").EnumerateArray().SelectMany(r => r.EnumerateArray().Select(x => (float)x.GetDouble())).ToArray();
        var (keypoints, scores) = KeypointDecoder.Decode(torch.tensor(maps, [n, k, s, s]), torch.tensor(rois, [n, 4]));
        Assert.Equal(expectedKeypoints, keypoints.data<float>().ToArray());
        Assert.Equal(expectedScores, scores.data<float>().ToArray());
    }
}
