using System.Text.Json;
using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

/// <summary>Our typed defaults against maskrcnn-benchmark's <c>config/defaults.py</c>, as dumped by
/// scripts/make_config_defaults_fixture.py into Fixtures/maskrcnn_benchmark_defaults.json.</summary>
public class DefaultsTests
{
    // Keys whose default cannot be the same here, with the reason.
    static readonly Dictionary<string, string> Deliberate = new()
    {
        ["PATHS_CATALOG"] = "a Python file path there; empty selects the built-in catalog here",
        ["MODEL.RPN.FPN_POST_NMS_PER_BATCH"] = "per image here; maskrcnn-benchmark's per-batch choice is its known quirk (issue #672)",
    };

    static readonly IReadOnlyList<(string Key, string Type, JsonElement Value)> Reference = LoadReference();

    static List<(string, string, JsonElement)> LoadReference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("maskrcnn_benchmark_defaults.json")));
        return doc.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("key").GetString()!, e.GetProperty("type").GetString()!, e.GetProperty("value").Clone()))
            .ToList();
    }

    [Fact]
    public void FixtureHasAllOfDefaultsPy() => Assert.Equal(171, Reference.Count);

    [Fact]
    public void EveryReferenceKeyExistsWithTheSameDefault()
    {
        var ours = new MaskRcnnConfig().Flatten().ToDictionary(kv => kv.Key, kv => kv.Value);
        var problems = new List<string>();
        foreach (var (key, type, value) in Reference)
        {
            if (!ours.TryGetValue(key, out var mine)) { problems.Add($"missing {key}"); continue; }
            if (Deliberate.ContainsKey(key)) continue;
            if (!SameValue(mine, value)) problems.Add($"{key}: ours {ConfigWriter.Format(mine)}, theirs {value}");
            if (!CompatibleType(mine, type, value)) problems.Add($"{key}: ours {mine?.GetType().Name}, theirs {type}");
        }
        Assert.Empty(problems);
    }

    // Keys this tool adds to maskrcnn-benchmark's, each documented in README's config section.
    static readonly string[] Additions = ["MODEL.BOX_CONVENTION", "MODEL.BACKBONE.FROZEN_BN_EPS", "MODEL.ROI_HEADS.MIN_SIZE", "MODEL.ROI_BOX_HEAD.SMOOTH_L1_BETA",
        "MODEL.RETINANET.BBOX_REG_WEIGHTS", "MODEL.RETINANET.LOSS_NORMALIZATION",
        // YOLACT (README: "YOLACT").
        "MODEL.YOLACT.NUM_CLASSES", "MODEL.YOLACT.ANCHOR_SCALES", "MODEL.YOLACT.ASPECT_RATIOS", "MODEL.YOLACT.SQUARE_ANCHORS", "MODEL.YOLACT.FPN_CHANNELS", "MODEL.YOLACT.NUM_PROTOTYPES", "MODEL.YOLACT.PROTO_CHANNELS", "MODEL.YOLACT.HEAD_CHANNELS", "MODEL.YOLACT.USE_GN", "MODEL.YOLACT.POSITIVE_IOU_THRESHOLD", "MODEL.YOLACT.NEGATIVE_IOU_THRESHOLD", "MODEL.YOLACT.CROWD_IOU_THRESHOLD", "MODEL.YOLACT.NEG_POS_RATIO", "MODEL.YOLACT.MASKS_TO_TRAIN", "MODEL.YOLACT.BOX_LOSS_WEIGHT", "MODEL.YOLACT.CLASS_LOSS_WEIGHT", "MODEL.YOLACT.MASK_LOSS_WEIGHT", "MODEL.YOLACT.SEMANTIC_LOSS_WEIGHT", "MODEL.YOLACT.NMS", "MODEL.YOLACT.NMS_TOP_K", "MODEL.YOLACT.NMS_THRESH", "MODEL.YOLACT.SCORE_THRESH", "MODEL.YOLACT.DETECTIONS_PER_IMG",
        "INPUT.MAX_IMAGE_PIXELS", "INPUT.SQUASH_SIZE", "DATALOADER.SKIP_BAD_SAMPLES",
        "SOLVER.LR_SCHEDULER", "SOLVER.CLIP_GRADIENTS_NORM", "SOLVER.CHECKPOINTS_TO_KEEP", "SEED"];

    [Fact]
    public void OnlyDocumentedKeysBeyondTheReference()
    {
        var reference = Reference.Select(r => r.Key).ToHashSet();
        Assert.Equal(Additions, new MaskRcnnConfig().Flatten().Select(kv => kv.Key).Where(k => !reference.Contains(k)));
    }

    static bool SameValue(object? mine, JsonElement theirs) => (mine, theirs.ValueKind) switch
    {
        (bool b, JsonValueKind.True or JsonValueKind.False) => b == theirs.GetBoolean(),
        (int i, JsonValueKind.Number) => i == theirs.GetDouble(),
        (double d, JsonValueKind.Number) => d == theirs.GetDouble(),
        (string s, JsonValueKind.String) => s == theirs.GetString(),
        (Array a, JsonValueKind.Array) => a.Length == theirs.GetArrayLength()
            && a.Cast<object?>().Zip(theirs.EnumerateArray()).All(p => SameValue(p.First, p.Second)),
        _ => false,
    };

    // yacs types: an int default may be a float here (BIAS_LR_FACTOR = 2), never the other way round.
    static bool CompatibleType(object? mine, string type, JsonElement value) => (mine, type) switch
    {
        (bool, "bool") or (int, "int") or (double, "float") or (double, "int") or (string, "str") => true,
        (Array, "tuple" or "list") => true,
        _ => false,
    };
}
