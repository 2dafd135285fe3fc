using Qwen2VL.Grains.Abstractions;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Tenants;

namespace Qwen2VL.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TenantGrainTests(ClusterFixture fixture)
{
    private static string NewTenantId() => $"tenant-{Guid.NewGuid():n}"[..20];

    [Fact]
    public async Task AuthenticateAsync_PresentedKey_FindsItsTenantThroughTheIndex()
    {
        string tenantId = NewTenantId();
        var created = await fixture.Grains.GetTenant(tenantId).CreateApiKeyAsync("ci");

        var identity = await fixture.Grains.AuthenticateAsync(created.Secret);

        Assert.StartsWith(ApiKeyHash.Prefix, created.Secret, StringComparison.Ordinal);
        Assert.Equal(ApiKeyHash.Prefix.Length + 43, created.Secret.Length);
        Assert.Equal(new ApiKeyIdentity(tenantId, created.Info.KeyId), identity);
    }

    [Fact]
    public async Task AuthenticateAsync_WrongOrMalformedKey_ReturnsNull()
    {
        var created = await fixture.Grains.GetTenant(NewTenantId()).CreateApiKeyAsync("ci");
        string tampered = created.Secret[..^1] + (created.Secret[^1] == 'A' ? 'B' : 'A');

        Assert.Null(await fixture.Grains.AuthenticateAsync(tampered));
        Assert.Null(await fixture.Grains.AuthenticateAsync("not-a-key"));
        Assert.Null(await fixture.Grains.AuthenticateAsync(string.Empty));
    }

    [Fact]
    public async Task AuthenticateAsync_KeyOfAnotherTenant_IsRefusedByThatTenant()
    {
        var created = await fixture.Grains.GetTenant(NewTenantId()).CreateApiKeyAsync("mine");

        Assert.Null(await fixture.Grains.GetTenant(NewTenantId()).AuthenticateAsync(created.Secret));
    }

    [Fact]
    public async Task RevokeApiKeyAsync_RevokedKey_NoLongerAuthenticates()
    {
        string tenantId = NewTenantId();
        var tenant = fixture.Grains.GetTenant(tenantId);
        var kept = await tenant.CreateApiKeyAsync("kept");
        var revoked = await tenant.CreateApiKeyAsync("revoked");

        Assert.True(await tenant.RevokeApiKeyAsync(revoked.Info.KeyId));

        Assert.Null(await fixture.Grains.AuthenticateAsync(revoked.Secret));
        Assert.Null(await tenant.AuthenticateAsync(revoked.Secret));
        Assert.NotNull(await fixture.Grains.AuthenticateAsync(kept.Secret));
        Assert.False(await tenant.RevokeApiKeyAsync(revoked.Info.KeyId));
        var keys = await tenant.ListApiKeysAsync();
        Assert.Equal(["kept", "revoked"], keys.Select(k => k.Name).Order());
        Assert.NotNull(keys.Single(k => k.Name == "revoked").RevokedAt);
    }

    [Fact]
    public async Task CreateApiKeyAsync_Index_IsKeyedByTheHashNotTheSecret()
    {
        string tenantId = NewTenantId();
        var created = await fixture.Grains.GetTenant(tenantId).CreateApiKeyAsync("ci");

        var byHash = await fixture.Grains.GetGrain<IApiKeyIndexGrain>(ApiKeyHash.Compute(created.Secret)).ResolveAsync();
        var bySecret = await fixture.Grains.GetGrain<IApiKeyIndexGrain>(created.Secret).ResolveAsync();

        Assert.Equal(tenantId, byHash?.TenantId);
        Assert.Null(bySecret);
        Assert.Equal(64, ApiKeyHash.Compute(created.Secret).Length);
    }

    [Fact]
    public async Task AdmitAsync_RequestsPerMinuteReached_RefusesUntilTheMinutePasses()
    {
        var tenant = fixture.Grains.GetTenant(NewTenantId());
        await tenant.SetLimitsAsync(TenantLimits.Default with { RequestsPerMinute = 2, ConcurrentStreams = 10 });

        Assert.True((await tenant.AdmitAsync(new AdmissionRequest("s1", 0, 10))).IsAdmitted);
        fixture.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.True((await tenant.AdmitAsync(new AdmissionRequest("s2", 0, 10))).IsAdmitted);
        var refused = await tenant.AdmitAsync(new AdmissionRequest("s3", 0, 10));

        Assert.Equal(AdmissionOutcome.RequestRateExceeded, refused.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(40), refused.RetryAfter);
        Assert.Contains("2 of 2", refused.Message, StringComparison.Ordinal);
        fixture.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.True((await tenant.AdmitAsync(new AdmissionRequest("s3", 0, 10))).IsAdmitted);
    }

    [Fact]
    public async Task AdmitAsync_ConcurrentStreamsReached_RefusesUntilOneIsReleased()
    {
        var tenant = fixture.Grains.GetTenant(NewTenantId());
        await tenant.SetLimitsAsync(TenantLimits.Default with { ConcurrentStreams = 1 });
        await tenant.AdmitAsync(new AdmissionRequest("open", 0, 10));

        var refused = await tenant.AdmitAsync(new AdmissionRequest("second", 0, 10));
        await tenant.ReleaseAsync("open", new TurnUsage(5, 5, 0));
        var admitted = await tenant.AdmitAsync(new AdmissionRequest("second", 0, 10));

        Assert.Equal(AdmissionOutcome.TooManyStreams, refused.Outcome);
        Assert.True(admitted.IsAdmitted);
    }

    [Fact]
    public async Task AdmitAsync_TooManyImages_IsRefusedWithoutRetryHint()
    {
        var tenant = fixture.Grains.GetTenant(NewTenantId());
        await tenant.SetLimitsAsync(TenantLimits.Default with { MaxImagesPerRequest = 2 });

        var refused = await tenant.AdmitAsync(new AdmissionRequest("s", 3, 10));

        Assert.Equal(AdmissionOutcome.TooManyImages, refused.Outcome);
        Assert.Null(refused.RetryAfter);
        Assert.Contains("3 images", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_TokensPerMinute_CountsRealUsageAfterRelease()
    {
        var tenant = fixture.Grains.GetTenant(NewTenantId());
        await tenant.SetLimitsAsync(TenantLimits.Default with { TokensPerMinute = 1000 });
        await tenant.AdmitAsync(new AdmissionRequest("big", 0, 900));
        Assert.Equal(AdmissionOutcome.TokenRateExceeded, (await tenant.AdmitAsync(new AdmissionRequest("next", 0, 200))).Outcome);

        // It used far less than estimated: the real count frees the rest of the minute.
        await tenant.ReleaseAsync("big", new TurnUsage(PromptTokens: 100, CompletionTokens: 50, CachedPromptTokens: 80));

        Assert.True((await tenant.AdmitAsync(new AdmissionRequest("next", 0, 200))).IsAdmitted);
        var usage = await tenant.GetUsageAsync();
        Assert.Equal(new TenantUsage(Requests: 2, PromptTokens: 100, CompletionTokens: 50, CachedPromptTokens: 80,
            RequestsLastMinute: 2, TokensLastMinute: 350, OpenStreams: 1), usage);
    }

    [Fact]
    public async Task SetLimitsAsync_NonPositiveLimit_IsRejected()
    {
        var tenant = fixture.Grains.GetTenant(NewTenantId());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => tenant.SetLimitsAsync(TenantLimits.Default with { ConcurrentStreams = 0 }));

        Assert.Contains("ConcurrentStreams must be positive, got 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(TenantLimits.Default, await tenant.GetLimitsAsync());
    }

    [Fact]
    public async Task AdmitAsync_AnyDecision_CarriesTheLimitsItWasMadeUnder()
    {
        var tenant = fixture.Grains.GetTenant(NewTenantId());
        var limits = TenantLimits.Default with { MaxContextTokens = 777, MaxImagesPerRequest = 1 };
        await tenant.SetLimitsAsync(limits);

        var admitted = await tenant.AdmitAsync(new AdmissionRequest("a", 0, 1));
        var refused = await tenant.AdmitAsync(new AdmissionRequest("b", 2, 1));

        Assert.Equal(limits, admitted.Limits);
        Assert.Equal(limits, refused.Limits);
    }
}
