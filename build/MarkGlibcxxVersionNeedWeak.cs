using System;
using System.IO;
using System.Text;

// MSBuild inline task (see TorchSharpGlibcxxFix.targets for why it exists).
// Hand-written because no maintained .NET library edits ELF version-needs; the format is tiny:
// ELF64 section headers -> SHT_GNU_verneed section -> Verneed/Vernaux chains, names in the linked string table.
public class MarkGlibcxxVersionNeedWeak : Microsoft.Build.Utilities.Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;
    private const string TargetLibrary = "libLibTorchSharp.so";

    [Microsoft.Build.Framework.Required]
    public string[] Directories { get; set; } = Array.Empty<string>();

    [Microsoft.Build.Framework.Required]
    public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        if (SystemLibstdcxxHas(VersionName))
        {
            return true;
        }

        foreach (var directory in Directories)
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var path in Directory.EnumerateFiles(directory, TargetLibrary, SearchOption.AllDirectories))
            {
                var bytes = File.ReadAllBytes(path);
                int changed = MarkWeak(bytes, VersionName);
                if (changed > 0)
                {
                    // Write a new file and move it over the old one, so a hard link into the NuGet cache is never modified.
                    string temp = path + ".patching";
                    File.WriteAllBytes(temp, bytes);
                    File.Delete(path);
                    File.Move(temp, path);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"TorchSharp: marked {VersionName} weak in {path} (system libstdc++ lacks it).");
                }
            }
        }

        return !Log.HasLoggedErrors;
    }

    private static bool SystemLibstdcxxHas(string versionName)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };
        byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return IndexOf(File.ReadAllBytes(candidate), needle) >= 0;
            }
        }

        // No libstdc++ found where expected: leave the library alone.
        return true;
    }

    /// <summary>Sets VER_FLG_WEAK on every Vernaux entry named <paramref name="versionName"/>; returns how many changed.</summary>
    private static int MarkWeak(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian ELF64 file");
        }

        long sectionHeaders = BitConverter.ToInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A);
        int count = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int i = 0; i < count; i++)
        {
            int header = checked((int)(sectionHeaders + (long)i * entrySize));
            if (BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed)
            {
                continue;
            }

            int offset = checked((int)BitConverter.ToInt64(elf, header + 24));
            int link = (int)BitConverter.ToUInt32(elf, header + 40);
            int needCount = (int)BitConverter.ToUInt32(elf, header + 44);
            int strtabHeader = checked((int)(sectionHeaders + (long)link * entrySize));
            int strtab = checked((int)BitConverter.ToInt64(elf, strtabHeader + 24));

            int need = offset;
            for (int n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    int name = strtab + (int)BitConverter.ToUInt32(elf, aux + 8);
                    if (ReadCString(elf, name) == versionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlagWeak) == 0)
                        {
                            flags |= VerFlagWeak;
                            elf[aux + 4] = (byte)flags;
                            elf[aux + 5] = (byte)(flags >> 8);
                            changed++;
                        }
                    }

                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }

                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }

        return changed;
    }

    private static string ReadCString(byte[] bytes, int start)
    {
        int end = start;
        while (end < bytes.Length && bytes[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }
}
