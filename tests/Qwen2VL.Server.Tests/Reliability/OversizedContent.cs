using System.Net;

namespace Qwen2VL.Server.Tests.Reliability;

/// <summary>A body that declares <c>length</c> bytes and writes zeros only if the server asks for them.</summary>
public sealed class OversizedContent : HttpContent
{
    private readonly long _length;

    public OversizedContent(long length)
    {
        _length = length;
        Headers.ContentType = new("application/json");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var chunk = new byte[1 << 16];
        for (long written = 0; written < _length; written += chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, _length - written)));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
