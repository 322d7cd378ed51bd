using MaskRcnn.Solver;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Solver;

public class OptimizerBuilderTests
{
    /// <summary>A frozen conv (as a frozen backbone stage) followed by a trainable one.</summary>
    static Sequential FrozenThenTrainable()
    {
        var model = nn.Sequential(("frozen", nn.Conv2d(1, 2, 3)), ("head", nn.Conv2d(2, 2, 1)));
        foreach (var (name, p) in model.named_parameters())
            if (name.StartsWith("frozen.", StringComparison.Ordinal)) p.requires_grad = false;
        return model;
    }

    static readonly SolverOptions Options = new() { BaseLr = 0.01, BiasLrFactor = 2, Momentum = 0.9, WeightDecay = 1e-4, WeightDecayBias = 0 };

    [Fact]
    public void BiasesGetTheirOwnLrAndDecayAndFrozenParametersAreLeftOut()
    {
        using var model = FrozenThenTrainable();
        using var optimizer = OptimizerBuilder.Build(model, Options);
        var names = model.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);

        var groups = optimizer.ParamGroups.Cast<SGD.ParamGroup>().ToList();
        Assert.Equal(2, groups.Count);
        Assert.Equal(["head.weight"], groups[0].Parameters.Select(p => names[p.Handle]));
        Assert.Equal((0.01, 1e-4, 0.9), (groups[0].LearningRate, groups[0].Options.weight_decay!.Value, groups[0].Momentum));
        Assert.Equal(["head.bias"], groups[1].Parameters.Select(p => names[p.Handle]));
        Assert.Equal((0.02, 0.0, 0.9), (groups[1].LearningRate, groups[1].Options.weight_decay!.Value, groups[1].Momentum));
        Assert.Equal(["head.weight", "head.bias"], optimizer.parameters().Select(p => names[p.Handle]));
    }

    [Fact]
    public void AStepMovesOnlyTrainableParametersWithTheGroupsSettings()
    {
        using var model = FrozenThenTrainable();
        using var optimizer = OptimizerBuilder.Build(model, Options with { Momentum = 0 });
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var loss = model.call(ones(1, 1, 5, 5)).sum();
        loss.backward();
        var grads = model.named_parameters().Where(p => p.parameter.requires_grad).ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        optimizer.step();
        var after = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());

        Assert.True(after["frozen.weight"].equal(before["frozen.weight"]).all().item<bool>());
        Assert.True(after["frozen.bias"].equal(before["frozen.bias"]).all().item<bool>());
        // Plain SGD with L2 decay: w ← w − lr·(g + wd·w); biases at twice the lr and no decay.
        Assert.True(after["head.weight"].allclose(before["head.weight"] - 0.01 * (grads["head.weight"] + 1e-4 * before["head.weight"]), rtol: 0, atol: 1e-7));
        Assert.True(after["head.bias"].allclose(before["head.bias"] - 0.02 * grads["head.bias"], rtol: 0, atol: 1e-7));
    }

    [Fact]
    public void AModelWithNothingToTrainIsAnError()
    {
        using var model = FrozenThenTrainable();
        foreach (var p in model.parameters()) p.requires_grad = false;
        Assert.Throws<ArgumentException>(() => OptimizerBuilder.Build(model, Options));
    }

    [Fact]
    public void ClippingScalesTheTotalNormDownAndZeroIsOff()
    {
        using var model = nn.Linear(2, 1);
        using var optimizer = OptimizerBuilder.Build(model, Options);
        var named = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        named["weight"].grad = tensor(new float[] { 3, 0 }).reshape(1, 2);
        named["bias"].grad = tensor(new float[] { 4 });

        Assert.Null(GradientClipping.Apply(optimizer, 0));
        Assert.Equal(4f, named["bias"].grad!.item<float>());

        Assert.Equal(5.0, GradientClipping.Apply(optimizer, 1.0)!.Value, 1e-5); // √(3² + 4²)
        Assert.Equal(0.8f, named["bias"].grad!.item<float>(), 1e-5f);
        Assert.Equal(0.6f, named["weight"].grad![0, 0].item<float>(), 1e-5f);
    }
}
