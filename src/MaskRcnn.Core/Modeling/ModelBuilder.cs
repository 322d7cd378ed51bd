using MaskRcnn.Config;
using MaskRcnn.Modeling.MetaArch;

namespace MaskRcnn.Modeling;

/// <summary>Builds the configured model: the <see cref="Detector"/> of <c>MODEL.META_ARCHITECTURE</c>.</summary>
public static class ModelBuilder
{
    public static Detector Build(MaskRcnnConfig cfg) => MetaArchitectures.Registry.Get(cfg.Model.MetaArchitecture)(cfg);
}
