using Qwen2VL.Grains.Abstractions.Tenants;
using Qwen2VL.Grains.Hosting;

namespace Qwen2VL.Grains.Tenants;

/// <summary>Maps one API key hash to its tenant. See <see cref="IApiKeyIndexGrain"/>.</summary>
public sealed class ApiKeyIndexGrain(
    [PersistentState("apikey", GrainStorage.Name)] IPersistentState<ApiKeyIndexState> state) : Grain, IApiKeyIndexGrain
{
    /// <inheritdoc/>
    public async Task BindAsync(ApiKeyIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (state.State.Identity is { } bound)
        {
            if (bound == identity)
            {
                return;
            }

            throw new InvalidOperationException(
                $"API key hash {this.GetPrimaryKeyString()[..8]}… is already bound to key '{bound.KeyId}' of tenant '{bound.TenantId}'");
        }

        state.State.Identity = identity;
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public async Task UnbindAsync()
    {
        if (state.State.Identity is not null)
        {
            await state.ClearStateAsync();
        }
    }

    /// <inheritdoc/>
    public Task<ApiKeyIdentity?> ResolveAsync() => Task.FromResult(state.State.Identity);
}
