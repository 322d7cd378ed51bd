using System.Buffers.Binary;
using System.Text;

namespace MaskRcnn.Native;

/// <summary>One entry of an ELF file's version-needs table (<c>.gnu.version_r</c>): a symbol version
/// required from a shared library, and the dynamic symbols bound to it.</summary>
public sealed record VersionNeed(string File, string Version, ushort Flags, ushort Index, long FlagsOffset, IReadOnlyList<string> Symbols)
{
    /// <summary>VER_FLG_WEAK: a missing version is tolerated by the dynamic loader.</summary>
    public const ushort WeakFlag = 0x2;
    public bool IsWeak => (Flags & WeakFlag) != 0;
}

/// <summary>Reads the version-needs table of a 64-bit little-endian ELF shared library from its bytes.
/// Only what the TorchSharp loading fix needs: no relocation or program-header handling.</summary>
public static class ElfVersionNeeds
{
    const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

    public static IReadOnlyList<VersionNeed> Read(ReadOnlySpan<byte> elf, string name)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{name}: not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{name}: only 64-bit little-endian ELF is supported");

        long shoff = checked((long)U64(elf, 0x28));
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        var sections = new (uint Type, long Offset, long Size, uint Link)[shnum];
        for (int i = 0; i < shnum; i++)
        {
            var h = elf.Slice(checked((int)(shoff + (long)i * shentsize)), 64);
            sections[i] = (U32(h, 4), checked((long)U64(h, 24)), checked((long)U64(h, 32)), U32(h, 40));
        }

        int verneed = Array.FindIndex(sections, s => s.Type == ShtGnuVerneed);
        if (verneed < 0) return [];
        var strtab = sections[sections[verneed].Link];

        // Symbols per version index, from .dynsym and its parallel .gnu.version array.
        var symbolsByIndex = new Dictionary<int, List<string>>();
        int dynsym = Array.FindIndex(sections, s => s.Type == ShtDynsym);
        int versym = Array.FindIndex(sections, s => s.Type == ShtGnuVersym);
        if (dynsym >= 0 && versym >= 0)
        {
            var symStr = sections[sections[dynsym].Link];
            long count = sections[dynsym].Size / 24;
            for (long i = 0; i < count; i++)
            {
                int index = U16(elf, (int)(sections[versym].Offset + 2 * i)) & 0x7fff;
                if (index < 2) continue; // local / global, no version
                uint nameOffset = U32(elf, (int)(sections[dynsym].Offset + 24 * i));
                if (!symbolsByIndex.TryGetValue(index, out var list)) symbolsByIndex[index] = list = [];
                list.Add(CString(elf, symStr.Offset + nameOffset));
            }
        }

        var needs = new List<VersionNeed>();
        long entry = sections[verneed].Offset;
        while (true)
        {
            int count = U16(elf, (int)entry + 2);
            string file = CString(elf, strtab.Offset + U32(elf, (int)entry + 4));
            long aux = entry + U32(elf, (int)entry + 8);
            for (int k = 0; k < count; k++)
            {
                ushort flags = U16(elf, (int)aux + 4), other = U16(elf, (int)aux + 6);
                string version = CString(elf, strtab.Offset + U32(elf, (int)aux + 8));
                needs.Add(new VersionNeed(file, version, flags, other, aux + 4,
                    symbolsByIndex.TryGetValue(other, out var syms) ? syms : []));
                uint nextAux = U32(elf, (int)aux + 12);
                if (nextAux == 0) break;
                aux += nextAux;
            }
            uint next = U32(elf, (int)entry + 12);
            if (next == 0) break;
            entry += next;
        }
        return needs;
    }

    /// <summary>Returns a copy of <paramref name="elf"/> in which the given version needs carry the weak flag.</summary>
    public static byte[] WithWeakVersions(ReadOnlySpan<byte> elf, IEnumerable<VersionNeed> needs)
    {
        var copy = elf.ToArray();
        foreach (var need in needs)
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan((int)need.FlagsOffset), (ushort)(need.Flags | VersionNeed.WeakFlag));
        return copy;
    }

    static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);

    static string CString(ReadOnlySpan<byte> b, long at)
    {
        var rest = b[checked((int)at)..];
        int end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
