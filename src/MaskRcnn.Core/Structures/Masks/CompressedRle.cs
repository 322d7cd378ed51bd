namespace MaskRcnn.Structures.Masks;

/// <summary>
/// The compressed string form of COCO run-lengths (cocoapi's <c>rleToString</c>/<c>rleFrString</c>). Each count from
/// the fourth on is stored as its difference from the count two before (runs of the same value tend to be alike);
/// each value is written as little-endian signed 5-bit groups, one character per group ('0' + group, plus 32 when
/// another group follows), the last group's top bit being the sign.
/// </summary>
static class CompressedRle
{
    const int GroupBits = 5;
    const int GroupMask = 0x1F;
    const int SignBit = 0x10;
    const int MoreFlag = 0x20;
    const char Zero = '0';

    // Counts are below 2^32, so differences need 34 signed bits: at most 7 groups.
    const int MaxGroups = 7;

    public static string Encode(ReadOnlySpan<uint> counts)
    {
        var text = counts.Length <= 256 ? stackalloc char[counts.Length * MaxGroups] : new char[counts.Length * MaxGroups];
        int length = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            long value = counts[i];
            if (i > 2) value -= counts[i - 2];
            bool more = true;
            while (more)
            {
                int group = (int)(value & GroupMask);
                value >>= GroupBits;
                // Stop once the remaining bits are only the sign extension of the group just written.
                more = (group & SignBit) != 0 ? value != -1 : value != 0;
                if (more) group |= MoreFlag;
                text[length++] = (char)(Zero + group);
            }
        }
        return new string(text[..length]);
    }

    public static uint[] Decode(string text)
    {
        var counts = new uint[text.Length];
        int m = 0;
        for (int p = 0; p < text.Length;)
        {
            long value = 0;
            int groups = 0, group;
            do
            {
                if (p == text.Length) throw new FormatException($"compressed RLE ends inside count {m}");
                char c = text[p];
                group = c - Zero;
                if (group is < 0 or > 63) throw new FormatException($"compressed RLE has '{c}' at {p}; only '0'..'o' occur");
                if (groups == MaxGroups) throw new FormatException($"compressed RLE count {m} at {p} has more than {MaxGroups} characters");
                value |= (long)(group & GroupMask) << (GroupBits * groups);
                groups++;
                p++;
            } while ((group & MoreFlag) != 0);
            if ((group & SignBit) != 0) value |= -1L << (GroupBits * groups);
            if (m > 2) value += counts[m - 2];
            counts[m++] = unchecked((uint)value);
        }
        return counts.AsSpan(0, m).ToArray();
    }
}
