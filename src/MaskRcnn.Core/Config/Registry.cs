namespace MaskRcnn.Config;

/// <summary>
/// The builders a config key picks by name, as maskrcnn-benchmark's <c>registry.py</c> and detectron2's <c>Registry</c>:
/// each registry is one table next to its implementations, so adding a component is one entry there. A name no entry
/// has is a one-line <see cref="ConfigException"/> naming the key, the value and the registered names.
/// </summary>
public sealed class Registry<TBuilder>
{
    readonly Dictionary<string, TBuilder> builders = new(StringComparer.Ordinal);

    public Registry(string key, params (string Name, TBuilder Builder)[] entries)
    {
        Key = key;
        foreach (var (name, builder) in entries)
        {
            if (!builders.TryAdd(name, builder)) throw new ArgumentException($"{key}: '{name}' is registered twice");
            names.Add(name);
        }
    }

    /// <summary>The config key whose value names an entry, as its error messages show it.</summary>
    public string Key { get; }

    /// <summary>The registered names, in registration order.</summary>
    public IReadOnlyList<string> Names => names;
    readonly List<string> names = [];

    public bool Contains(string name) => builders.ContainsKey(name);

    /// <summary>The builder registered as <paramref name="name"/>.</summary>
    public TBuilder Get(string name) =>
        builders.TryGetValue(name, out var builder)
            ? builder
            : throw new ConfigException($"{Key}: unknown value '{name}'" +
                                        (DidYouMean.Closest(name, names) is { } s ? $" (did you mean '{s}'?)" : "") +
                                        $"; registered: {string.Join(", ", names)}");
}
