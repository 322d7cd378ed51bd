using MaskRcnn.Config;
using MaskRcnn.Layers;

namespace MaskRcnn.Tests.Layers;

public sealed class GroupNormFactoryTests
{
    [Theory]
    [InlineData(-1, 32, 256, 1, 32)]    // fixed group count (maskrcnn-benchmark's default)
    [InlineData(16, -1, 256, 1, 16)]    // fixed channels per group
    [InlineData(-1, 32, 256, 2, 16)]    // divisor halves the group count; -1 // 2 stays -1 as in Python
    [InlineData(16, -1, 256, 2, 16)]    // 128 channels of 8
    public void GroupCountAsMaskRcnnBenchmark(int dimPerGroup, int numGroups, int channels, int divisor, int expected) =>
        Assert.Equal(expected, new GroupNormFactory(dimPerGroup, numGroups, 1e-5).GroupCount(channels, divisor));

    [Fact]
    public void CreatesAnAffineGroupNormWithTheConfiguredEps()
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.GroupNorm.Epsilon = 1e-3;
        var factory = GroupNormFactory.From(cfg);
        Assert.Equal(1e-3, factory.Epsilon);
        using var norm = factory.Create(64);
        Assert.Equal(["bias", "weight"], norm.named_parameters().Select(p => p.name).Order());
        Assert.Equal(1f, norm.weight!.min().item<float>());
        Assert.Equal(0f, norm.bias!.abs().max().item<float>());
    }

    [Theory]
    [InlineData(16, 32, 256, "MODEL.GROUP_NORM: set either DIM_PER_GP or NUM_GROUPS to -1")]
    [InlineData(-1, 32, 48, "MODEL.GROUP_NORM.NUM_GROUPS: 48 channels cannot be split into 32 groups")]
    [InlineData(24, -1, 256, "MODEL.GROUP_NORM.DIM_PER_GP: 256 channels are not divisible by 24")]
    public void InvalidSettingsNameTheKey(int dimPerGroup, int numGroups, int channels, string message)
    {
        var e = Assert.Throws<ConfigException>(() => new GroupNormFactory(dimPerGroup, numGroups, 1e-5).GroupCount(channels));
        Assert.StartsWith(message, e.Message);
    }
}
