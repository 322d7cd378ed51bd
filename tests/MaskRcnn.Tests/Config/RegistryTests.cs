using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

public sealed class RegistryTests
{
    static readonly Registry<Func<int, int>> Doublers = new("MODEL.TEST.KIND", ("Twice", x => 2 * x), ("Thrice", x => 3 * x));

    [Fact]
    public void FindsEachBuilderByItsName()
    {
        Assert.Equal(10, Doublers.Get("Twice")(5));
        Assert.Equal(15, Doublers.Get("Thrice")(5));
        Assert.Equal(["Twice", "Thrice"], Doublers.Names);
        Assert.True(Doublers.Contains("Twice"));
        Assert.False(Doublers.Contains("twice"));
    }

    [Fact]
    public void AnUnknownNameNamesTheKeyTheValueTheClosestAndEveryRegisteredName()
    {
        var e = Assert.Throws<ConfigException>(() => Doublers.Get("Twise"));
        Assert.Equal("MODEL.TEST.KIND: unknown value 'Twise' (did you mean 'Twice'?); registered: Twice, Thrice", e.Message);
        e = Assert.Throws<ConfigException>(() => Doublers.Get("Quadruple"));
        Assert.Equal("MODEL.TEST.KIND: unknown value 'Quadruple'; registered: Twice, Thrice", e.Message);
    }

    [Fact]
    public void ANameRegisteredTwiceIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Registry<int>("MODEL.TEST.KIND", ("A", 1), ("A", 2)));
        Assert.Equal("MODEL.TEST.KIND: 'A' is registered twice", e.Message);
    }
}
