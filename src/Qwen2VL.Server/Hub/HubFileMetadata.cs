namespace Qwen2VL.Server.Hub;

/// <summary>
/// What a HEAD on a file's resolve URL tells: its etag (the sha256 of the content for LFS files, the git blob
/// sha1 otherwise), which also names its blob in the cache, and its size when the hub says.
/// </summary>
/// <param name="FileName">The file within the repo.</param>
/// <param name="Etag">The normalised etag (no weak prefix, no quotes).</param>
/// <param name="Size">The content length in bytes, when known.</param>
public sealed record HubFileMetadata(string FileName, string Etag, long? Size);
