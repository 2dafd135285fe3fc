using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Health;

namespace Qwen2VL.Gateway.Grpc;

/// <summary>Adds and maps the public gRPC API with reflection and the standard health service.</summary>
public static class GrpcApiRegistration
{
    /// <summary>
    /// Registers the chat service, gRPC reflection, <c>grpc.health.v1.Health</c> fed by the process's <see cref="ReadinessState"/>,
    /// and an <see cref="InMemorySessionDirectory"/> unless an <see cref="ISessionDirectory"/> is registered already.
    /// The host registers <see cref="IChatBackend"/>, the authentication services and <c>ChatRequestLimits</c>.
    /// </summary>
    public static IServiceCollection AddQwen2VLGrpc(this IServiceCollection services, Action<GrpcApiOptions>? configure = null)
    {
        var options = new GrpcApiOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddReadiness();
        services.TryAddSingleton<ISessionDirectory, InMemorySessionDirectory>();
        services.TryAddSingleton<GrpcCaller>();
        services.TryAddSingleton<DefaultModel>();
        services.TryAddSingleton<ChatResponseStreamer>();

        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageBytes;
            grpc.MaxSendMessageSize = options.MaxSendMessageBytes;
        }).AddServiceOptions<ChatGrpcService>(service => service.Interceptors.Add<ErrorMappingInterceptor>());
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(health =>
        {
            // The overall status ("") follows every check, as by default; the chat service's follows readiness, the
            // same checks as the HTTP readiness probe.
            health.Services.Map(ChatServiceName, check => check.Tags.Contains(ReadinessRegistration.Tag));
        });
        return services;
    }

    /// <summary>Maps the chat service, reflection and health.</summary>
    public static IEndpointRouteBuilder MapQwen2VLGrpc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ChatGrpcService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        return endpoints;
    }

    /// <summary>The fully qualified name clients use for the chat service, in health checks too.</summary>
    public static string ChatServiceName => Api.V1.ChatService.Descriptor.FullName;
}
