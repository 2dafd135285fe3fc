using Qwen2VL.Gateway.Backend;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>Picks the model of a request that names none: the first model the backend serves.</summary>
public sealed class DefaultModel
{
    private readonly IChatBackend _backend;

    public DefaultModel(IChatBackend backend)
    {
        _backend = backend;
    }

    /// <summary>The requested model as given, or the default; UNAVAILABLE while no model is served.</summary>
    public async Task<string> ResolveAsync(string requested, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(requested))
        {
            return requested;
        }

        var models = await _backend.ListModelsAsync(cancellationToken).ConfigureAwait(false);
        return models.Count > 0
            ? models[0].Id
            : throw new ChatBackendException(ChatFailure.Unavailable, "no model is served yet; retry once one is loaded", "no_model");
    }
}
