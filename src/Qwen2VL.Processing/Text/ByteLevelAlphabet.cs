namespace Qwen2VL.Processing.Text;

/// <summary>
/// The GPT-2 byte-level alphabet: every byte has a printable stand-in character, so byte-level BPE vocabularies are
/// stored as ordinary strings (the space byte is 'Ġ', newline 'Ċ'). Printable Latin-1 bytes stand for themselves and
/// the remaining 68 bytes take U+0100 onwards, in byte order.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    /// <summary>The stand-in character of <paramref name="value"/>.</summary>
    public static char Encode(byte value) => ByteToChar[value];

    /// <summary>Maps a vocabulary string back to its bytes; false when a character is not in the alphabet.</summary>
    public static bool TryDecode(string token, out byte[] bytes)
    {
        bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out bytes[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++)
        {
            map[ByteToChar[b]] = (byte)b;
        }

        return map;
    }
}
