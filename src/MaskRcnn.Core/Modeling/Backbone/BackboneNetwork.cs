using MaskRcnn.Modeling.Backbone.Fpn;
using MaskRcnn.Modeling.Backbone.Fusion;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone;

/// <summary>
/// The model's backbone: the body (<c>body.*</c>) and, for FPN backbones, the pyramid (<c>fpn.*</c>), as
/// maskrcnn-benchmark's Sequential(body, fpn). Image batch [N, 3, H, W] → feature maps finest first (P2…P6 for
/// FPN), each with <see cref="OutChannels"/> channels (the body's last output without FPN) at <see cref="Strides"/>.
/// </summary>
public sealed class BackboneNetwork : nn.Module<Tensor, Tensor[]>, IInferenceFusable
{
    readonly BackboneBody body;
    readonly FeaturePyramidNetwork? fpn;

    public BackboneNetwork(BackboneBody body, FeaturePyramidNetwork? fpn) : base(nameof(BackboneNetwork))
    {
        if (fpn is not null && !fpn.InChannels.Where(c => c > 0).SequenceEqual(body.OutChannels.Skip(fpn.InChannels.TakeWhile(c => c == 0).Count())))
            throw new ArgumentException($"BackboneNetwork: FPN inputs [{string.Join(", ", fpn.InChannels)}] do not match the body outputs [{string.Join(", ", body.OutChannels)}]");
        if (fpn is not null && fpn.InChannels.Count != body.OutChannels.Count)
            throw new ArgumentException($"BackboneNetwork: FPN takes {fpn.InChannels.Count} levels, the body gives {body.OutChannels.Count}");
        this.body = body;
        this.fpn = fpn;
        register_module("body", body);
        if (fpn is not null) register_module("fpn", fpn);
        if (fpn is null)
        {
            OutChannels = body.OutChannels[^1];
            Strides = body.Strides;
        }
        else
        {
            OutChannels = fpn.OutChannels;
            int skipped = fpn.InChannels.TakeWhile(c => c == 0).Count();
            var strides = body.Strides.Skip(skipped).ToList();
            while (strides.Count < fpn.OutputCount) strides.Add(strides[^1] * 2);
            Strides = strides;
        }
    }

    public BackboneBody Body => body;
    public FeaturePyramidNetwork? Fpn => fpn;
    public int OutChannels { get; }

    /// <summary>Stride of each output, finest first (4, 8, 16, 32, 64 for FPN).</summary>
    public IReadOnlyList<int> Strides { get; }

    /// <summary>Folds the frozen batch norms of the body for inference (eval mode); see <see cref="IInferenceFusable"/>.</summary>
    public void Fuse() => IInferenceFusable.Apply(this, fuse: true);

    public void Unfuse() => IInferenceFusable.Apply(this, fuse: false);

    public bool IsFused => IInferenceFusable.AnyFused(this);

    /// <summary>Layers are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under the field's name.</summary>
    protected override void RegisterComponents() { }

    public override Tensor[] forward(Tensor images)
    {
        if (images.dim() != 4 || images.size(1) != 3)
            throw new ArgumentException($"backbone: expected images [N, 3, H, W], got [{string.Join(", ", images.shape)}]");
        var features = body.call(images);
        if (fpn is null) return features;
        try
        {
            return fpn.call(features);
        }
        finally
        {
            foreach (var f in features) f.Dispose();
        }
    }
}
