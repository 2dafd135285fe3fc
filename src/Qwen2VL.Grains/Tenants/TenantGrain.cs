using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen2VL.Grains.Abstractions.Sessions;
using Qwen2VL.Grains.Abstractions.Tenants;
using Qwen2VL.Grains.Hosting;

namespace Qwen2VL.Grains.Tenants;

/// <summary>One tenant's keys, limits and usage. See <see cref="ITenantGrain"/>.</summary>
public sealed partial class TenantGrain : Grain, ITenantGrain
{
    private const int SecretBytes = 32;

    private readonly IPersistentState<TenantState> _state;
    private readonly TimeProvider _clock;
    private readonly TenantLimits _defaultLimits;
    private readonly ILogger<TenantGrain> _logger;

    // Not persisted: the last minute's admissions and the open streams. After a reactivation the tenant starts
    // a fresh minute, which at worst admits up to one extra minute's worth once.
    private readonly UsageWindow _window = new();

    /// <summary>Creates the grain; Orleans supplies the arguments.</summary>
    public TenantGrain(
        [PersistentState("tenant", GrainStorage.Name)] IPersistentState<TenantState> state,
        [FromKeyedServices(ControlPlaneClock.ServiceKey)] TimeProvider clock,
        IOptions<TenantGrainOptions> options,
        ILogger<TenantGrain> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = state;
        _clock = clock;
        _defaultLimits = options.Value.DefaultLimits;
        _logger = logger;
    }

    private string TenantId => this.GetPrimaryKeyString();

    private TenantLimits Limits => _state.State.Limits ?? _defaultLimits;

    /// <inheritdoc/>
    public async Task<CreatedApiKey> CreateApiKeyAsync(string name)
    {
        string secret = ApiKeyHash.Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        string keyId = "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        string hash = ApiKeyHash.Compute(secret);
        var record = new ApiKeyRecord(keyId, name ?? string.Empty, hash, _clock.GetUtcNow(), RevokedAt: null);

        // Index first: if the tenant's write then fails, the index points at a key the tenant does not have,
        // which authenticates nobody.
        await GrainFactory.GetGrain<IApiKeyIndexGrain>(hash).BindAsync(new ApiKeyIdentity(TenantId, keyId));
        _state.State.ApiKeys.Add(record);
        await _state.WriteStateAsync();
        LogKeyCreated(TenantId, keyId);
        return new CreatedApiKey(ToInfo(record), secret);
    }

    /// <inheritdoc/>
    public async Task<bool> RevokeApiKeyAsync(string keyId)
    {
        int index = _state.State.ApiKeys.FindIndex(k => k.KeyId == keyId && k.RevokedAt is null);
        if (index < 0)
        {
            return false;
        }

        var record = _state.State.ApiKeys[index];
        _state.State.ApiKeys[index] = record with { RevokedAt = _clock.GetUtcNow() };
        await _state.WriteStateAsync();
        // The tenant refuses the key from here on; unbinding only saves lookups.
        await GrainFactory.GetGrain<IApiKeyIndexGrain>(record.Sha256Hex).UnbindAsync();
        LogKeyRevoked(TenantId, keyId);
        return true;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync()
    {
        IReadOnlyList<ApiKeyInfo> keys = [.. _state.State.ApiKeys.Select(ToInfo)];
        return Task.FromResult(keys);
    }

    /// <inheritdoc/>
    public Task<ApiKeyInfo?> AuthenticateAsync(string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return Task.FromResult<ApiKeyInfo?>(null);
        }

        byte[] presented = Convert.FromHexString(ApiKeyHash.Compute(secret));
        ApiKeyRecord? match = null;
        // Every key is compared, each in constant time, so timing tells nothing about which (if any) matched.
        foreach (var key in _state.State.ApiKeys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(key.Sha256Hex)) && key.RevokedAt is null)
            {
                match = key;
            }
        }

        return Task.FromResult(match is null ? null : ToInfo(match));
    }

    /// <inheritdoc/>
    public Task<TenantLimits> GetLimitsAsync() => Task.FromResult(Limits);

    /// <inheritdoc/>
    public async Task SetLimitsAsync(TenantLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _state.State.Limits = limits;
        await _state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<AdmissionDecision> AdmitAsync(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _clock.GetUtcNow();
        _window.Prune(now);
        var limits = Limits;
        AdmissionDecision decision;
        if (request.ImageCount > limits.MaxImagesPerRequest)
        {
            decision = new(AdmissionOutcome.TooManyImages,
                $"request has {request.ImageCount} images or videos; tenant '{TenantId}' allows {limits.MaxImagesPerRequest}", null);
        }
        else if (_window.OpenStreams >= limits.ConcurrentStreams)
        {
            decision = new(AdmissionOutcome.TooManyStreams,
                $"tenant '{TenantId}' has {_window.OpenStreams} of {limits.ConcurrentStreams} streams open", TimeSpan.FromSeconds(1));
        }
        else if (_window.Requests >= limits.RequestsPerMinute)
        {
            decision = new(AdmissionOutcome.RequestRateExceeded,
                $"tenant '{TenantId}' made {_window.Requests} of {limits.RequestsPerMinute} requests in the last minute", _window.UntilOldestExpires(now));
        }
        else if (_window.Tokens + request.EstimatedTokens > limits.TokensPerMinute)
        {
            decision = new(AdmissionOutcome.TokenRateExceeded,
                $"tenant '{TenantId}' used {_window.Tokens} tokens in the last minute; {request.EstimatedTokens} more would pass the limit of {limits.TokensPerMinute}",
                _window.UntilOldestExpires(now));
        }
        else
        {
            _window.Admit(request.StreamId, request.EstimatedTokens, now);
            // Persisted with the next usage write rather than now, saving a storage write per request.
            _state.State.Requests++;
            decision = new(AdmissionOutcome.Admitted, "admitted", null);
        }

        return Task.FromResult(decision with { Limits = limits });
    }

    /// <inheritdoc/>
    public async Task ReleaseAsync(string streamId, TurnUsage? usage)
    {
        _window.Release(streamId, usage?.TotalTokens ?? 0);
        if (usage is null)
        {
            return;
        }

        _state.State.PromptTokens += usage.PromptTokens;
        _state.State.CompletionTokens += usage.CompletionTokens;
        _state.State.CachedPromptTokens += usage.CachedPromptTokens;
        await _state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<TenantUsage> GetUsageAsync()
    {
        _window.Prune(_clock.GetUtcNow());
        var s = _state.State;
        return Task.FromResult(new TenantUsage(
            s.Requests, s.PromptTokens, s.CompletionTokens, s.CachedPromptTokens, _window.Requests, _window.Tokens, _window.OpenStreams));
    }

    private static ApiKeyInfo ToInfo(ApiKeyRecord record) => new(record.KeyId, record.Name, record.CreatedAt, record.RevokedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: created API key {KeyId}")]
    private partial void LogKeyCreated(string tenantId, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId}: revoked API key {KeyId}")]
    private partial void LogKeyRevoked(string tenantId, string keyId);
}
