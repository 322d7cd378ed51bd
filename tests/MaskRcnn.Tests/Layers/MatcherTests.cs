using MaskRcnn.Layers;
using TorchSharp;

namespace MaskRcnn.Tests.Layers;

public class MatcherTests
{
    public static TheoryData<string> Cases() =>
        ["high=0.7,low=0.3,allow=True", "high=0.7,low=0.3,allow=False", "high=0.5,low=0.5,allow=False", "high=0.5,low=0.4,allow=True"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesLikeTorchvision(string name)
    {
        var c = TensorFixture.Load("ops/matcher.json")[name];
        var matcher = new Matcher(c.Double("high"), c.Double("low"), c.Bool("allow_low_quality_matches"));
        Assert.Equal(c.Tensor("matches").data<long>().ToArray(), matcher.Match(c.Tensor("iou")).data<long>().ToArray());
    }

    [Fact]
    public void HandMadeQualities()
    {
        // gt 0 overlaps predictions 0.9, 0.5, 0.1, 0.2; gt 1 overlaps 0.0, 0.6, 0.05, 0.25.
        var q = torch.tensor(new float[] { 0.9f, 0.5f, 0.1f, 0.2f, 0.0f, 0.6f, 0.05f, 0.25f }, [2, 4]);
        Assert.Equal(new long[] { 0, -2, -1, -1 }, new Matcher(0.7, 0.3, false).Match(q).data<long>().ToArray());
        // Allowing low-quality matches gives gt 1 its best prediction (1, at 0.6) back.
        Assert.Equal(new long[] { 0, 1, -1, -1 }, new Matcher(0.7, 0.3, true).Match(q).data<long>().ToArray());
    }

    [Fact]
    public void NoGroundTruthMeansEverythingIsBackground() =>
        Assert.Equal(new long[] { -1, -1, -1 }, new Matcher(0.7, 0.3, true).Match(torch.zeros(0, 3)).data<long>().ToArray());

    [Fact]
    public void LowAboveHighIsRefused() => Assert.Throws<ArgumentException>(() => new Matcher(0.3, 0.7, false));
}

public class BalancedPositiveNegativeSamplerTests
{
    [Fact]
    public void TakesUpToTheFractionOfPositivesAndFillsWithNegatives()
    {
        // 100 positives, 1000 negatives, 50 ignored; batch 256 at 25 %: 64 positives, 192 negatives.
        var labels = torch.cat([torch.ones(100, torch.int64), torch.zeros(1000, torch.int64), torch.full(50, -1L, torch.int64)]);
        var (pos, neg) = new BalancedPositiveNegativeSampler(256, 0.25).Sample(labels, new torch.Generator(7));
        Assert.Equal(64, pos.sum().item<long>());
        Assert.Equal(192, neg.sum().item<long>());
        Assert.True((pos & (labels < 1)).sum().item<long>() == 0, "a positive was sampled from a non-positive");
        Assert.True((neg & (labels != 0)).sum().item<long>() == 0, "a negative was sampled from a non-negative");
    }

    [Fact]
    public void FewPositivesLeaveRoomForMoreNegatives()
    {
        var labels = torch.cat([torch.ones(10, torch.int64), torch.zeros(1000, torch.int64)]);
        var (pos, neg) = new BalancedPositiveNegativeSampler(256, 0.5).Sample(labels, new torch.Generator(1));
        Assert.Equal(10, pos.sum().item<long>());
        Assert.Equal(246, neg.sum().item<long>());
    }

    [Fact]
    public void SameGeneratorSeedSameSample()
    {
        var labels = torch.cat([torch.ones(300, torch.int64), torch.zeros(300, torch.int64)]);
        var sampler = new BalancedPositiveNegativeSampler(128, 0.5);
        var (a, _) = sampler.Sample(labels, new torch.Generator(3));
        var (b, _) = sampler.Sample(labels, new torch.Generator(3));
        var (c, _) = sampler.Sample(labels, new torch.Generator(4));
        TensorAssert.Equal(a, b);
        Assert.True((a != c).any().item<bool>(), "different seeds should pick different positives");
    }
}
