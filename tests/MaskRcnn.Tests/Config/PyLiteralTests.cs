using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

public class PyLiteralTests
{
    static object? Parse(string text)
    {
        Assert.True(PyLiteral.TryParse(text, out var value), $"'{text}' should parse");
        return value;
    }

    [Fact]
    public void TupleOfInts()
    {
        var t = Assert.IsType<PySequence>(Parse("(4, 8, 16, 32, 64)"));
        Assert.True(t.IsTuple);
        Assert.Equal(new object[] { 4L, 8L, 16L, 32L, 64L }, t.Items);
    }

    [Fact]
    public void OneElementTupleNeedsTheComma()
    {
        var t = Assert.IsType<PySequence>(Parse("(800,)"));
        Assert.Equal(new object[] { 800L }, t.Items);
        Assert.Equal(800L, Parse("(800)")); // just parentheses in Python
        Assert.Equal(new object[] { 16L }, Assert.IsType<PySequence>(Parse("(16, )")).Items);
    }

    [Fact]
    public void TupleOfStrings()
    {
        var t = Assert.IsType<PySequence>(Parse("(\"coco_2014_train\", 'coco_2014_valminusminival')"));
        Assert.Equal(new object[] { "coco_2014_train", "coco_2014_valminusminival" }, t.Items);
        Assert.Empty(Assert.IsType<PySequence>(Parse("()")).Items);
    }

    [Theory]
    [InlineData("True", true)]
    [InlineData("False", false)]
    public void Booleans(string text, bool expected) => Assert.Equal(expected, Parse(text));

    [Fact]
    public void NoneIsNull() => Assert.Null(Parse("None"));

    [Theory]
    [InlineData("1e-4", 1e-4)]
    [InlineData("0.0001", 1e-4)]
    [InlineData("1.5E+3", 1500.0)]
    [InlineData("-0.25", -0.25)]
    [InlineData(".5", 0.5)]
    [InlineData("2.", 2.0)]
    [InlineData("1e5", 100000.0)]
    public void Floats(string text, double expected) => Assert.Equal(expected, Assert.IsType<double>(Parse(text)));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-1", -1L)]
    [InlineData("90000", 90000L)]
    [InlineData("1_000", 1000L)]
    public void Ints(string text, long expected) => Assert.Equal(expected, Assert.IsType<long>(Parse(text)));

    [Fact]
    public void NestedListsAndEscapes()
    {
        var list = Assert.IsType<PySequence>(Parse("[[\"bbox\", \"AP\", 0.37, 0.002], ('it\\'s', None)]"));
        Assert.False(list.IsTuple);
        var first = Assert.IsType<PySequence>(list.Items[0]);
        Assert.Equal(new object[] { "bbox", "AP", 0.37, 0.002 }, first.Items);
        Assert.Equal(new object?[] { "it's", null }, Assert.IsType<PySequence>(list.Items[1]).Items);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("R-50-FPN")]
    [InlineData("catalog://ImageNetPretrained/MSRA/R-50")]
    [InlineData("(1, 2")]
    [InlineData("[1, 2")]
    [InlineData("'open")]
    [InlineData("1 2")]
    [InlineData("true")] // YAML's spelling, not Python's: the YAML layer handles it
    [InlineData("1.0 / 16")]
    public void NonLiteralsAreNotParsed(string text) => Assert.False(PyLiteral.TryParse(text, out _));

    [Theory]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1.5e-05, "1.5e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(2.0, "2.0")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(0.0, "0.0")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(102.9801, "102.9801")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123456789012345.0, "123456789012345.0")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    public void FloatsPrintLikePythonRepr(double value, string expected) => Assert.Equal(expected, PyLiteral.FormatFloat(value));

    [Fact]
    public void ReprMatchesPython()
    {
        Assert.Equal("(800,)", PyLiteral.Repr(new PySequence([800L], true)));
        Assert.Equal("['a', 1.0, None, True]", PyLiteral.Repr(new PySequence(["a", 1.0, null, true], false)));
    }
}
