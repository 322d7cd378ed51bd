using System.Text.Json;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Tests.Structures.Masks;

/// <summary>
/// Fixtures/masks/cocoapi_reference.json: inputs and the outputs cocoapi's maskApi.c gave for them (its "source"
/// field names the commit). Loaded once per test run.
/// </summary>
static class CocoReference
{
    static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("masks/cocoapi_reference.json"))));

    public static IReadOnlyList<JsonElement> Section(string name) => Document.Value.RootElement.GetProperty(name).EnumerateArray().ToList();

    public static string Name(this JsonElement c) => c.GetProperty("name").GetString()!;
    public static int Int(this JsonElement c, string key) => c.GetProperty(key).GetInt32();
    public static string Str(this JsonElement c, string key) => c.GetProperty(key).GetString()!;
    public static double[] Doubles(this JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();
    public static uint[] Counts(this JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetUInt32()).ToArray();
    public static bool[] Flags(this JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetInt32() != 0).ToArray();
    public static double[][] Matrix(this JsonElement c, string key) =>
        c.GetProperty(key).EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    public static CocoBox Box(this JsonElement c, string key)
    {
        var v = c.Doubles(key);
        return new CocoBox(v[0], v[1], v[2], v[3]);
    }

    /// <summary>A row-major "0101..." mask string as bytes.</summary>
    public static byte[] Mask(this JsonElement c) => c.Str("mask").Select(ch => (byte)(ch - '0')).ToArray();
}

/// <summary>Collects mismatches over many reference cases so one test reports them all.</summary>
sealed class Mismatches
{
    readonly List<string> _lines = [];
    public int Checked { get; private set; }

    public void Check<T>(string name, T expected, T actual)
    {
        Checked++;
        if (!EqualityComparer<T>.Default.Equals(expected, actual)) _lines.Add($"{name}: expected {expected}, got {actual}");
    }

    public void CheckSequence<T>(string name, IReadOnlyList<T> expected, IReadOnlyList<T> actual)
    {
        Checked++;
        if (!expected.SequenceEqual(actual)) _lines.Add($"{name}: expected [{string.Join(",", expected.Take(12))}{(expected.Count > 12 ? ",…" : "")}], got [{string.Join(",", actual.Take(12))}{(actual.Count > 12 ? ",…" : "")}]");
    }

    public void AssertNone(int minimumChecked)
    {
        Assert.True(_lines.Count == 0, $"{_lines.Count} of {Checked} checks differ from cocoapi:\n" + string.Join("\n", _lines.Take(20)));
        Assert.True(Checked >= minimumChecked, $"only {Checked} checks ran; the fixture should give at least {minimumChecked}");
    }
}
