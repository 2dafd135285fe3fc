namespace Qwen2VL.Grains.Abstractions.Sessions;

/// <summary>
/// The identity of a session: its tenant and its id, written <c>tenant/session</c> as the session grain's key.
/// Both parts are 1 to 128 letters, digits, '-', '_' or '.', so the key splits unambiguously on its one '/'.
/// </summary>
/// <param name="TenantId">The tenant that owns the session.</param>
/// <param name="SessionId">The session's id, unique within the tenant.</param>
[GenerateSerializer, Immutable]
public sealed record SessionKey([property: Id(0)] string TenantId, [property: Id(1)] string SessionId)
{
    /// <summary>The longest tenant or session id accepted.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The grain key, <c>tenant/session</c>.</summary>
    public override string ToString() => $"{TenantId}/{SessionId}";

    /// <summary>Splits a grain key into tenant and session, checking both parts.</summary>
    /// <exception cref="ArgumentException">The key is not <c>tenant/session</c> with valid ids.</exception>
    public static SessionKey Parse(string grainKey)
    {
        ArgumentNullException.ThrowIfNull(grainKey);
        int slash = grainKey.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            throw new ArgumentException($"session key '{grainKey}' is not of the form tenant/session", nameof(grainKey));
        }

        var key = new SessionKey(grainKey[..slash], grainKey[(slash + 1)..]);
        key.Validate();
        return key;
    }

    /// <summary>Throws when either part is not a valid id.</summary>
    /// <exception cref="ArgumentException">An id is empty, longer than <see cref="MaxIdLength"/> or has other characters.</exception>
    public void Validate()
    {
        ValidateId(TenantId, "tenant id");
        ValidateId(SessionId, "session id");
    }

    /// <summary>Whether <paramref name="id"/> is 1 to 128 letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static void ValidateId(string id, string what)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException(
                $"{what} '{id}' must be 1 to {MaxIdLength} letters, digits, '-', '_' or '.' (has {id?.Length ?? 0} characters)");
        }
    }
}
