using System.Text.Json;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

/// <summary>
/// dbolya/yolact's own outputs on rule-generated weights (<see cref="ReferenceWeights"/> under the reference's
/// state-dict names), written by scripts/make_yolact_fixture.py: Fixtures/model/yolact_r50_small.json (R-50 at 160,
/// 5 classes: anchors, features, prototypes, head outputs, losses, detections) and yolact_r50_550.json (R-50 at 550 as
/// the reference: detections, feature and prototype means). The script's docstring documents every entry; this
/// reader rebuilds the inputs the script made (raw image, ground truth) and decodes the masks.
/// </summary>
public sealed class YolactFixture
{
    public const string SmallFile = "model/yolact_r50_small.json";
    public const string LargeFile = "model/yolact_r50_550.json";

    /// <summary>One ground-truth object of the small case: 0-based label and the rectangles whose union is its mask.</summary>
    public sealed record Target(int Label, IReadOnlyList<int[]> Rects);

    public FixtureCase Case { get; }

    YolactFixture(FixtureCase fixtureCase) => Case = fixtureCase;

    public static YolactFixture Small() => new(TensorFixture.Load(SmallFile)["r50_small"]);
    public static YolactFixture Large() => new(TensorFixture.Load(LargeFile)["r50_550"]);

    /// <summary>The original image's height and width (before the squash to <see cref="MaxSize"/>²).</summary>
    public int Height => Case.Int("height");
    public int Width => Case.Int("width");

    JsonElement Config => Case.Param("config");
    public int NumClasses => Config.GetProperty("num_classes").GetInt32();
    public int MaxSize => Config.GetProperty("max_size").GetInt32();
    public int MaskDim => Config.GetProperty("mask_dim").GetInt32();
    public bool SquareAnchors => Config.GetProperty("use_square_anchors").GetBoolean();
    public int MasksToTrain => Config.GetProperty("masks_to_train").GetInt32();

    /// <summary>The anchor scale (pixels on the squashed input) of each FPN level P3..P7.</summary>
    public int[] AnchorScales => Config.GetProperty("pred_scales").EnumerateArray().Select(s => s[0].GetInt32()).ToArray();

    public double ConfigDouble(string referenceKey) => Config.GetProperty(referenceKey).GetDouble();

    /// <summary>Every <see cref="AnchorStride"/>-th anchor's head outputs are stored (loc/conf/coeffs_everyN).</summary>
    public int AnchorStride => Case.Int("anchor_stride");

    /// <summary>How many detections' full-size masks are stored (the first ones, in the reference's order).</summary>
    public int MaskCount => Case.Int("mask_count");

    public Tensor Tensor(string name) => Case.Tensor(name);

    public Tensor Every(string head) => Case.Tensor($"{head}_every{AnchorStride}");

    /// <summary>A stored scalar (loss, count) as a double.</summary>
    public double Scalar(string name)
    {
        using var t = Case.Tensor(name);
        return t.to(ScalarType.Float64).item<double>();
    }

    /// <summary>The reference's loss after its normalisation: B (boxes), C (classes), M (masks), S (semantic).</summary>
    public double Loss(string key) => Scalar("loss_" + key);

    /// <summary>The reference's state-dict names and shapes (the small case), for <see cref="ReferenceWeights"/>.</summary>
    public IReadOnlyList<(string Key, long[] Shape)> StateDict() =>
        Case.Param("state_dict").EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(x => x.GetInt64()).ToArray()))
            .ToList();

    /// <summary>
    /// The raw RGB uint8 image [H, W, 3] the script fed (as BGR) to the reference's transform: element
    /// (y·W + x)·3 + c is floor(u·256) of the rule's u for the key "image".
    /// </summary>
    public Tensor RawImage()
    {
        int n = Height * Width * 3;
        var h = ReferenceWeights.Fnv1a(Case.Param("image_key").GetString()!);
        var data = new byte[n];
        for (int i = 0; i < n; i++) data[i] = (byte)Math.Floor(ReferenceWeights.Uniform(h, i) * 256);
        return torch.tensor(data, [Height, Width, 3], ScalarType.Byte);
    }

    JsonElement TargetsNode => Case.Param("targets");

    /// <summary>The ground truth of the small case; the last <see cref="NumCrowds"/> are crowds.</summary>
    public IReadOnlyList<Target> Targets()
    {
        var labels = TargetsNode.GetProperty("labels").EnumerateArray().Select(l => l.GetInt32()).ToArray();
        var rects = TargetsNode.GetProperty("rects").EnumerateArray()
            .Select(o => (IReadOnlyList<int[]>)o.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList())
            .ToArray();
        return labels.Select((label, i) => new Target(label, rects[i])).ToList();
    }

    public int NumCrowds => TargetsNode.GetProperty("num_crowds").GetInt32();

    /// <summary>The square canvas the ground-truth masks are drawn on (the squashed input size).</summary>
    public int TargetCanvas => TargetsNode.GetProperty("canvas").GetInt32();

    /// <summary>The targets' masks [n, S, S] (float 0/1): each the union of its half-open rectangles [x1, y1, x2, y2).</summary>
    public Tensor TargetMasks()
    {
        var targets = Targets();
        int s = TargetCanvas;
        var data = new float[targets.Count * s * s];
        for (int i = 0; i < targets.Count; i++)
            foreach (var r in targets[i].Rects)
                for (int y = r[1]; y < r[3]; y++)
                    Array.Fill(data, 1f, i * s * s + y * s + r[0], r[2] - r[0]);
        return torch.tensor(data, [targets.Count, s, s]);
    }

    /// <summary>The targets' boxes [n, 4], x1, y1, x2, y2 relative: their masks' half-open bounds divided by the canvas.</summary>
    public Tensor TargetBoxes()
    {
        var targets = Targets();
        double s = TargetCanvas;
        var data = new float[targets.Count * 4];
        for (int i = 0; i < targets.Count; i++)
        {
            var rects = targets[i].Rects;
            data[i * 4] = (float)(rects.Min(r => r[0]) / s);
            data[i * 4 + 1] = (float)(rects.Min(r => r[1]) / s);
            data[i * 4 + 2] = (float)(rects.Max(r => r[2]) / s);
            data[i * 4 + 3] = (float)(rects.Max(r => r[3]) / s);
        }
        return torch.tensor(data, [targets.Count, 4]);
    }

    /// <summary>The first <see cref="MaskCount"/> detections' full-size (H×W) masks, from their COCO uncompressed RLE.</summary>
    public IReadOnlyList<Rle> Masks()
    {
        var lengths = Case.Tensor("mask_rle_lengths").data<long>().ToArray();
        var counts = Case.Tensor("mask_rle_counts").data<long>().ToArray();
        var masks = new List<Rle>(lengths.Length);
        long offset = 0;
        foreach (var length in lengths)
        {
            var runs = counts.AsSpan((int)offset, (int)length).ToArray().Select(c => checked((uint)c)).ToArray();
            masks.Add(CocoSegmentation.FromUncompressedRle(runs, Height, Width));
            offset += length;
        }
        if (offset != counts.Length) throw new FormatException($"mask RLE lengths cover {offset} of {counts.Length} counts");
        return masks;
    }
}
