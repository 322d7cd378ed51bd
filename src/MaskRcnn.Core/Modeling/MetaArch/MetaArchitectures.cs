using MaskRcnn.Config;
using MaskRcnn.Modeling.Yolact;

namespace MaskRcnn.Modeling.MetaArch;

/// <summary>The architectures by MODEL.META_ARCHITECTURE name; a new one is a folder of its own here and one entry.</summary>
public static class MetaArchitectures
{
    public delegate Detector Builder(MaskRcnnConfig cfg);

    public static readonly Registry<Builder> Registry = new("MODEL.META_ARCHITECTURE",
        ("GeneralizedRCNN", GeneralizedRcnnBuilder.Build),
        ("YOLACT", YolactBuilder.Build));
}
