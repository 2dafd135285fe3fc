using System.Runtime.InteropServices;

namespace Qwen2VL.Model.Layers;

/// <summary>
/// The C kernels of <c>Native/*.c</c>, built beside this assembly as <c>libqwen2vl_kernels.so</c> when a C compiler is
/// present (see Qwen2VL.Model.csproj). Every entry point is null when the library is missing or the CPU lacks
/// AVX-512 with BF16 dot products, and callers then take their managed or LibTorch path.
/// </summary>
internal static unsafe class NativeKernelLibrary
{
    private const string LibraryName = "libqwen2vl_kernels.so";

    private static readonly nint Library = Load();

    /// <summary>q2k_bf16_linear_rows (Native/bf16_linear.c), or null.</summary>
    public static readonly delegate* unmanaged<ushort*, int, long, ushort*, long, float*, ushort*, long, long, void> LinearRows =
        (delegate* unmanaged<ushort*, int, long, ushort*, long, float*, ushort*, long, long, void>)Export("q2k_bf16_linear_rows");

    /// <summary>q2k_bf16_decode_attention (Native/bf16_decode_attention.c), or null.</summary>
    public static readonly delegate* unmanaged<ushort*, ushort**, ushort**, long*, long*, int, int, int, float, ushort*, int, int, void> DecodeAttention =
        (delegate* unmanaged<ushort*, ushort**, ushort**, long*, long*, int, int, int, float, ushort*, int, int, void>)Export("q2k_bf16_decode_attention");

    private static nint Load()
    {
        if (!NativeLibrary.TryLoad(LibraryName, typeof(NativeKernelLibrary).Assembly, DllImportSearchPath.AssemblyDirectory, out var library)
            || !NativeLibrary.TryGetExport(library, "q2k_supported", out var supported)
            || ((delegate* unmanaged<int>)supported)() == 0)
        {
            return 0;
        }

        return library;
    }

    private static nint Export(string name) =>
        Library != 0 && NativeLibrary.TryGetExport(Library, name, out var address) ? address : 0;
}
