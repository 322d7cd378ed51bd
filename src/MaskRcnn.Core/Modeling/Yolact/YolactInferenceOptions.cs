using MaskRcnn.Config;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>How YOLACT turns predictions into detections (MODEL.YOLACT's NMS keys).</summary>
/// <param name="FastNms">Fast NMS (the reference's default) rather than greedy NMS per class.</param>
public sealed record YolactInferenceOptions(bool FastNms, int TopK, double NmsThreshold, double ScoreThreshold, int DetectionsPerImage)
{
    public static YolactInferenceOptions From(YolactConfig cfg) =>
        new(cfg.Nms == "fast", cfg.NmsTopK, cfg.NmsThresh, cfg.ScoreThresh, cfg.DetectionsPerImg);
}
