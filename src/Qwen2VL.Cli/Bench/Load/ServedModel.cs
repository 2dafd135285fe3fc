using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Models;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>Finds the model name OpenAI requests must carry when none was given: the first one <c>/v1/models</c> lists.</summary>
internal static class ServedModel
{
    /// <summary>Used when the server cannot be asked (e.g. a wrong key); the requests then fail with the server's own error.</summary>
    public const string Fallback = "default";

    public static async Task<string> ResolveAsync(LoadSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        if (settings.Model is { } model)
        {
            return model;
        }

        if (settings.Api == LoadApi.Grpc)
        {
            // The gRPC API picks the server's default model for an empty name.
            return "";
        }

        var options = new OpenAIClientOptions { Endpoint = new Uri(settings.Server, "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0), NetworkTimeout = TimeSpan.FromSeconds(30) };
        try
        {
            var models = await new OpenAIModelClient(new ApiKeyCredential(settings.ApiKey), options).GetModelsAsync(cancellationToken).ConfigureAwait(false);
            if (models.Value.FirstOrDefault() is { } first)
            {
                return first.Id;
            }

            await log.WriteLineAsync($"[load] {settings.Server}v1/models lists no model; sending '{Fallback}'").ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await log.WriteLineAsync($"[load] could not list the server's models ({LoadErrors.Classify(e)}); sending '{Fallback}'").ConfigureAwait(false);
        }

        return Fallback;
    }
}
