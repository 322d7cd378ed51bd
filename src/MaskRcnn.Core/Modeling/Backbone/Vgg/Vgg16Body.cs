using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.Vgg;

/// <summary>
/// VGG-16's convolutional part as torchvision lays it out (<c>features.0</c> … <c>features.29</c>: thirteen 3×3
/// convolutions with ReLUs, max-pools at 4, 9, 16, 23) without the last max-pool: one output, conv5_3 after its
/// ReLU, 512 channels at stride 16. Not part of maskrcnn-benchmark.
/// </summary>
public sealed class Vgg16Body : BackboneBody
{
    /// <summary>Output channels of each convolution; 0 marks a 2×2 max-pool.</summary>
    static readonly int[] Plan = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512];

    readonly Sequential features;
    readonly List<List<Conv2d>> blocks = [[]];

    public Vgg16Body() : base(nameof(Vgg16Body))
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int inChannels = 3;
        foreach (var width in Plan)
        {
            if (width == 0)
            {
                layers.Add(nn.MaxPool2d(2, 2));
                blocks.Add([]);
                continue;
            }
            // torchvision's VGG initialisation: kaiming_normal (fan_out, ReLU), zero bias.
            var conv = nn.Conv2d(inChannels, width, 3, padding: 1);
            nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            nn.init.zeros_(conv.bias!);
            layers.Add(conv);
            layers.Add(nn.ReLU(inplace: true));
            blocks[^1].Add(conv);
            inChannels = width;
        }
        features = nn.Sequential(layers.ToArray());
        register_module("features", features);
    }

    public override IReadOnlyList<int> OutChannels { get; } = [512];
    public override IReadOnlyList<int> Strides { get; } = [16];

    /// <summary>The five blocks of convolutions between max-pools.</summary>
    public override int FreezableStageCount => blocks.Count;

    public override Tensor[] forward(Tensor input) => [features.call(input)];

    /// <summary>FREEZE_CONV_BODY_AT = k freezes the first k blocks (2: conv1_* and conv2_*).</summary>
    public override void Freeze(int freezeAt)
    {
        if (freezeAt > FreezableStageCount)
            throw new ArgumentException($"Vgg16Body: cannot freeze {freezeAt} of its {FreezableStageCount} blocks");
        for (int i = 0; i < freezeAt; i++)
            foreach (var conv in blocks[i]) FreezeParameters(conv);
    }
}
