using MaskRcnn.Config;
using MaskRcnn.Modeling.RetinaNet;
using MaskRcnn.Modeling.Yolact;

namespace MaskRcnn.Modeling.MetaArch;

/// <summary>The architectures by MODEL.META_ARCHITECTURE name; a new one is a folder of its own here and one entry.</summary>
public static class MetaArchitectures
{
    public delegate Detector Builder(MaskRcnnConfig cfg);

    public static readonly Registry<Builder> Registry = new("MODEL.META_ARCHITECTURE",
        // maskrcnn-benchmark builds RetinaNet as a GeneralizedRCNN whose RPN is the RetinaNet module (RETINANET_ON).
        ("GeneralizedRCNN", cfg => cfg.Model.RetinanetOn ? RetinaNetBuilder.Build(cfg) : GeneralizedRcnnBuilder.Build(cfg)),
        ("YOLACT", YolactBuilder.Build));
}
