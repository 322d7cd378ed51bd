using System.Collections.Concurrent;
using System.Reflection;

namespace MaskRcnn.Config;

/// <summary>Names the YAML key of a config value or section (maskrcnn-benchmark's spelling).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KeyAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>One key of a section: a value (bool, int, float, str or a sequence of those) or a nested section.</summary>
public sealed record ConfigEntry(string Key, PropertyInfo Property)
{
    public bool IsSection => typeof(ConfigSection).IsAssignableFrom(Property.PropertyType);
    public Type ValueType => Property.PropertyType;
}

/// <summary>
/// A node of the typed config tree. Each section is a plain class whose <see cref="KeyAttribute"/>
/// properties are its keys with their defaults; the loader, the writer and the override parser all
/// walk the tree through <see cref="Entries"/>, so adding a key is adding one property.
/// </summary>
public abstract class ConfigSection
{
    static readonly ConcurrentDictionary<Type, IReadOnlyList<ConfigEntry>> Cache = new();

    /// <summary>The keys of this section in declaration order.</summary>
    public IReadOnlyList<ConfigEntry> Entries => Cache.GetOrAdd(GetType(), t => t
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<KeyAttribute>() is not null)
        .OrderBy(p => p.MetadataToken)
        .Select(p => new ConfigEntry(p.GetCustomAttribute<KeyAttribute>()!.Name, p))
        .ToList());

    public ConfigEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key == key);

    public object? Get(ConfigEntry entry) => entry.Property.GetValue(this);

    public void Set(ConfigEntry entry, object? value) => entry.Property.SetValue(this, value);

    /// <summary>Every value key below this section, as full dotted keys with their values.</summary>
    public IEnumerable<(string Key, object? Value)> Flatten(string prefix = "")
    {
        foreach (var entry in Entries)
        {
            var key = prefix + entry.Key;
            if (entry.IsSection)
                foreach (var inner in ((ConfigSection)Get(entry)!).Flatten(key + "."))
                    yield return inner;
            else
                yield return (key, Get(entry));
        }
    }
}
