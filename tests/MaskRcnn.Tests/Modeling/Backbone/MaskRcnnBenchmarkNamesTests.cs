using System.Text.Json;
using MaskRcnn.Config;
using MaskRcnn.Layers;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.Backbone.Fpn;
using MaskRcnn.Modeling.Backbone.ResNet;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Backbone;

/// <summary>
/// Our backbones against maskrcnn-benchmark's own (scripts/make_backbone_names_fixture.py runs its backbone code):
/// the same state-dict names (TorchSharp lists parameters before buffers, so the order differs), the same shapes, the same trainable parameters after
/// FREEZE_CONV_BODY_AT, and the same output shapes on a 64×96 image — for C4, C5 and FPN bodies, ResNeXt,
/// GroupNorm bodies and FPN (by NUM_GROUPS and by DIM_PER_GP), FPN with ReLU, RetinaNet's P3–P7 and the C4 box head.
/// </summary>
public sealed class MaskRcnnBenchmarkNamesTests
{
    static readonly TensorFixture Fixture = TensorFixture.Load("model/backbone_names.json");

    public static TheoryData<string> Backbones() =>
        [.. Fixture.Cases.Select(c => c.Name).Where(n => !n.StartsWith("ResNetHead"))];

    public static TheoryData<string> Heads() => [.. Fixture.Cases.Select(c => c.Name).Where(n => n.StartsWith("ResNetHead"))];

    [Theory]
    [MemberData(nameof(Backbones))]
    public void BackboneMatchesMaskRcnnBenchmark(string name)
    {
        var c = Fixture[name];
        using var backbone = BackboneFactory.Build(Config(c));
        AssertSameModule(c, backbone, backbone.eval, image => backbone.call(image), [1, 3, 64, 96]);
    }

    [Fact]
    public void RetinaNetPyramidMatchesMaskRcnnBenchmark()
    {
        // maskrcnn-benchmark's R-50-FPN-RETINANET: no P2 (fpn_inner1 skipped), P6 from C5 (USE_C5), then P7.
        var c = Fixture.Cases.Single(x => x.Name.StartsWith("R-50-FPN-RETINANET"));
        using var backbone = BackboneFactory.Build(Config(c));
        Assert.Equal([8, 16, 32, 64, 128], backbone.Strides);
        AssertSameModule(c, backbone, backbone.eval, image => backbone.call(image), [1, 3, 64, 96]);
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void ResNetHeadMatchesMaskRcnnBenchmark(string name)
    {
        var c = Fixture[name];
        using var head = ResNetHead.From(Config(c));
        Assert.Equal(1024, head.InChannels);
        Assert.Equal(2048, head.OutChannels);
        AssertSameModule(c, head, head.eval, features => [head.call(features)], [2, 1024, 14, 14]);
    }

    static MaskRcnnConfig Config(FixtureCase c)
    {
        var overrides = new List<string>();
        foreach (var setting in c.Param("settings").EnumerateObject())
        {
            overrides.Add(setting.Name);
            overrides.Add(setting.Value.ValueKind switch
            {
                JsonValueKind.True => "True",
                JsonValueKind.False => "False",
                JsonValueKind.String => setting.Value.GetString()!,
                _ => setting.Value.GetRawText(),
            });
        }
        return ConfigLoader.Load(null, overrides);
    }

    static void AssertSameModule(FixtureCase c, nn.Module module, Action eval, Func<Tensor, Tensor[]> forward, long[] inputShape)
    {
        var keys = c.Param("keys").EnumerateArray().Select(e => e.GetString()!).ToList();
        var state = module.state_dict();
        Assert.Equal(keys.Order(), state.Keys.Order());
        var shapes = c.Param("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToList();
        for (int i = 0; i < keys.Count; i++)
            Assert.True(shapes[i].SequenceEqual(state[keys[i]].shape), $"{keys[i]}: [{string.Join(", ", state[keys[i]].shape)}], expected [{string.Join(", ", shapes[i])}]");

        var trainable = module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        var expectedTrainable = keys.Where((k, i) => c.Param("trainable")[i].GetBoolean()).ToHashSet();
        Assert.Equal(expectedTrainable.Order(), trainable.Order());

        eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var outputs = forward(torch.zeros(inputShape));
        var expectedShapes = c.Param("output_shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(x => x.GetInt64()).ToArray()).ToList();
        Assert.Equal(expectedShapes.Count, outputs.Length);
        for (int i = 0; i < outputs.Length; i++) Assert.Equal(expectedShapes[i], outputs[i].shape);
    }
}
