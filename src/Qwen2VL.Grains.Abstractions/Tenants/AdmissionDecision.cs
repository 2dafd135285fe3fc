using System.Runtime.Serialization;

namespace Qwen2VL.Grains.Abstractions.Tenants;

/// <summary>The answer to an <see cref="AdmissionRequest"/>.</summary>
/// <param name="Outcome">Admitted, or the limit that refused it.</param>
/// <param name="Message">Why, with the numbers.</param>
/// <param name="RetryAfter">When a retry may be admitted; null when admitted or when retrying will not help.</param>
/// <param name="Limits">The limits the decision was made under, so the caller can apply the per-request ones (context length) without asking again.</param>
[GenerateSerializer, Immutable]
public sealed record AdmissionDecision(
    [property: Id(0)] AdmissionOutcome Outcome,
    [property: Id(1)] string Message,
    [property: Id(2)] TimeSpan? RetryAfter,
    [property: Id(3)] TenantLimits? Limits = null)
{
    /// <summary>Whether the request may run.</summary>
    [IgnoreDataMember]
    public bool IsAdmitted => Outcome == AdmissionOutcome.Admitted;
}
