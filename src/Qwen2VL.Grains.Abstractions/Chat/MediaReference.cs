namespace Qwen2VL.Grains.Abstractions.Chat;

/// <summary>
/// Points at media bytes in the tenant's content-addressed media store. Messages keep only this reference, so a
/// picture sent in many turns or sessions is stored (and, on the workers, encoded) once.
/// </summary>
/// <param name="ContentHash">Lower-case hex SHA-256 of the encoded bytes (64 characters).</param>
/// <param name="MediaType">The IANA media type of the bytes, for example <c>image/png</c> or <c>video/mp4</c>.</param>
[GenerateSerializer, Immutable]
public sealed record MediaReference(
    [property: Id(0)] string ContentHash,
    [property: Id(1)] string MediaType);
