using System.Runtime.Serialization;

namespace Qwen2VL.Grains.Abstractions.Chat;

/// <summary>
/// How one image or video is to be processed, kept with its part in the history so that a prefill on another
/// pipeline (after a failover or a lost cache) renders the same vision tokens. Unset members take the worker's
/// defaults; the worker holds every value to its configured limits.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MediaOptions
{
    /// <summary>Smallest pixel count of the image, or of each video frame.</summary>
    [Id(0)] public long? MinPixels { get; init; }

    /// <summary>Largest pixel count of the image, or of each video frame.</summary>
    [Id(1)] public long? MaxPixels { get; init; }

    /// <summary>Frames sampled per second of a video file.</summary>
    [Id(2)] public double? Fps { get; init; }

    /// <summary>The most frames sampled from a video file.</summary>
    [Id(3)] public int? MaxFrames { get; init; }

    /// <summary>
    /// The four settings as invariant text (<c>min,max,fps,frames</c>, unset ones empty), for hashes and fingerprints
    /// that must tell two option sets apart.
    /// </summary>
    public string ToCanonicalString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{MinPixels},{MaxPixels},{Fps:R},{MaxFrames}");

    /// <summary>Whether nothing is set, so the defaults apply as they would without options.</summary>
    [IgnoreDataMember]
    public bool IsEmpty => MinPixels is null && MaxPixels is null && Fps is null && MaxFrames is null;
}
