using System.Text.Json;
using MaskRcnn.Config;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// The MODEL keys that make a trained model what it is, as text (<see cref="ConfigWriter.Format"/>): every MODEL key
/// except where it runs (<c>DEVICE</c>), where its first weights came from (<c>WEIGHT</c>) and the inference-only
/// thresholds (<c>*_TEST</c>, the ROI heads' score threshold, NMS and detections per image, mask post-processing), nor
/// the training-time sampling choices (<c>*_TRAIN</c>, IoU thresholds, batch sizes per image, positive fractions).
/// Checkpoints carry it, and resuming with a config whose identity differs is refused: the weights would be trained on
/// as another model (other classes, another backbone, other anchors) or not load at all.
/// </summary>
public static class ModelIdentity
{
    static readonly HashSet<string> FreeKeys = new(StringComparer.Ordinal)
    {
        "MODEL.DEVICE", "MODEL.WEIGHT", "MODEL.ROI_HEADS.SCORE_THRESH", "MODEL.ROI_HEADS.NMS", "MODEL.ROI_HEADS.DETECTIONS_PER_IMG",
        "MODEL.ROI_MASK_HEAD.POSTPROCESS_MASKS", "MODEL.ROI_MASK_HEAD.POSTPROCESS_MASKS_THRESHOLD",
    };

    public static SortedDictionary<string, string> Of(MaskRcnnConfig cfg)
    {
        var keys = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in cfg.Model.Flatten("MODEL."))
            if (!FreeKeys.Contains(key) && !key.EndsWith("_TEST", StringComparison.Ordinal) && !IsTrainingChoice(key))
                keys[key] = ConfigWriter.Format(value);
        return keys;
    }

    // How training samples and weighs (proposal counts, IoU thresholds, batch sizes per image, the loss's beta): a
    // resumed run may change them, as maskrcnn-benchmark lets it; they change neither the weights' shapes nor the model.
    static bool IsTrainingChoice(string key) =>
        key.EndsWith("_TRAIN", StringComparison.Ordinal) ||
        TrainingChoiceSuffixes.Any(suffix => key.EndsWith(suffix, StringComparison.Ordinal));

    static readonly string[] TrainingChoiceSuffixes =
        [".FG_IOU_THRESHOLD", ".BG_IOU_THRESHOLD", ".BATCH_SIZE_PER_IMAGE", ".POSITIVE_FRACTION", ".SMOOTH_L1_BETA"];

    public static string Serialize(IReadOnlyDictionary<string, string> identity) => JsonSerializer.Serialize(identity);

    /// <summary>The keys of a checkpoint's identity, or null when the text is not one (then nothing can be compared).</summary>
    public static Dictionary<string, string>? Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>"KEY saved, now" for each key both know that differs. A key only one side has (another version of the
    /// tool) is not compared: the weights' shapes are still checked when they load.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> saved, IReadOnlyDictionary<string, string> now) =>
        saved.Where(kv => now.TryGetValue(kv.Key, out var value) && value != kv.Value)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} {kv.Value} in the checkpoint, {now[kv.Key]} now")
            .ToList();
}
