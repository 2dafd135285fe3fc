using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen2VL.Gateway.Auth;
using Qwen2VL.Gateway.Backend;
using Qwen2VL.Gateway.Grpc;
using Qwen2VL.Gateway.Health;
using Qwen2VL.Gateway.Http;
using Qwen2VL.Gateway.Limits;
using Qwen2VL.Gateway.OpenAi;
using Qwen2VL.Grains.Abstractions.Generation;
using Qwen2VL.Grains.Abstractions.Media;
using Qwen2VL.Grains.Hosting;
using Qwen2VL.Grains.Media;
using Qwen2VL.Grains.Tenants;
using Qwen2VL.Processing.Media;
using Qwen2VL.Server.Frontend;
using Qwen2VL.Server.Health;
using Qwen2VL.Server.Telemetry;
using Qwen2VL.Server.Hub;
using Qwen2VL.Server.Remote;
using Qwen2VL.Server.Tenants;
using Qwen2VL.Server.Worker;
using Qwen2VL.Worker;
using StackExchange.Redis;

namespace Qwen2VL.Server.Hosting;

/// <summary>
/// Composes the process from its roles: an Orleans silo (localhost clustering and in-memory state by default, Redis
/// with <c>--redis</c>), the gateway's HTTP/1.1 and HTTP/2 endpoints, and the model worker — called in-process by a
/// silo in the same process, or serving the worker gRPC API on its own HTTP/2 endpoint for silos elsewhere.
/// </summary>
public static class ServerHost
{
    /// <param name="configureLogging">Adds logging providers (tests record errors with it).</param>
    public static WebApplication Build(string[] args, IDictionary<string, string?> commandLine, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(commandLine);
        configureLogging?.Invoke(builder.Logging);
        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        options.Engine.Validate();
        options.ControlPlane.Validate();
        var roles = ServerRoleParser.Parse(options.Role);
        var workerEndpoint = WorkerEndpoint.Resolve(options, roles);
        bool servesWorkerApi = roles.HasFlag(ServerRoles.Worker) && workerEndpoint.Serve;
        builder.Services.Configure<ServerOptions>(builder.Configuration.GetSection(ServerOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddQwen2VLTelemetry(t => t.Role = options.Role);
        builder.Services.AddQwen2VLHealthChecks(Requirements(roles));
        ConfigureKestrel(builder, options, roles, servesWorkerApi);
        ConfigureOrleans(builder, options, roles);
        if (roles.HasFlag(ServerRoles.Worker))
        {
            AddWorker(builder, workerEndpoint);
        }

        if (roles.HasFlag(ServerRoles.Gateway))
        {
            AddGateway(builder, options);
        }

        var app = builder.Build();
        if (roles.HasFlag(ServerRoles.Worker))
        {
            AllocatorCheck.WarnIfSystemAllocator(app.Logger);
        }

        app.MapQwen2VLHealth();
        app.MapQwen2VLMetrics();
        if (servesWorkerApi)
        {
            // Internal and unauthenticated: only on the worker port, never on the public gRPC port.
            app.MapGrpcService<WorkerGrpcService>().RequireHost($"*:{options.WorkerPort}");
        }
        if (roles.HasFlag(ServerRoles.Gateway))
        {
            app.MapOpenAiApi();
            app.MapTenantUsage();
            app.MapQwen2VLGrpc();
        }

        return app;
    }

    /// <summary>A worker must have its model; a gateway needs a complete pipeline; all-in-one needs both.</summary>
    private static ReadinessRequirements Requirements(ServerRoles roles) =>
        (roles.HasFlag(ServerRoles.Worker) ? ReadinessRequirements.ModelLoaded : ReadinessRequirements.None)
        | (roles.HasFlag(ServerRoles.Gateway) ? ReadinessRequirements.CompletePipeline : ReadinessRequirements.None);

    private static void ConfigureKestrel(WebApplicationBuilder builder, ServerOptions options, ServerRoles roles, bool servesWorkerApi)
    {
        var address = IPAddress.Parse(options.Host == "localhost" ? "127.0.0.1" : options.Host);
        var certificate = options.Tls.Enabled ? TlsCertificateLoader.Load(options.Tls) : null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 80L * 1024 * 1024;
            // A plaintext endpoint speaks either HTTP/1.1 (REST, server-sent events) or HTTP/2 (gRPC), never both;
            // the ports keep the same split under TLS so that clients configure them alike either way.
            kestrel.Listen(address, options.HttpPort, listen => Configure(listen, HttpProtocols.Http1));
            if (roles.HasFlag(ServerRoles.Gateway))
            {
                kestrel.Listen(address, options.GrpcPort, listen => Configure(listen, HttpProtocols.Http2));
            }

            if (servesWorkerApi)
            {
                // gRPC without TLS needs prior-knowledge HTTP/2; windows sized for requests that carry media bytes.
                kestrel.Listen(address, options.WorkerPort, listen => listen.Protocols = HttpProtocols.Http2);
                kestrel.Limits.Http2.InitialConnectionWindowSize = WorkerMessageLimits.Http2WindowBytes;
                kestrel.Limits.Http2.InitialStreamWindowSize = WorkerMessageLimits.Http2WindowBytes;
            }
        });

        void Configure(ListenOptions listen, HttpProtocols protocols)
        {
            listen.Protocols = protocols;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }
    }

    private static void ConfigureOrleans(WebApplicationBuilder builder, ServerOptions options, ServerRoles roles)
    {
        var redis = string.IsNullOrWhiteSpace(options.Redis) ? null : RedisConnection.Parse(options.Redis);
        if (roles.HasFlag(ServerRoles.Silo))
        {
            builder.UseOrleans(silo =>
            {
                silo.Configure<Orleans.Configuration.ClusterOptions>(c =>
                {
                    c.ClusterId = options.ClusterId;
                    c.ServiceId = options.ServiceId;
                });
                if (redis is null)
                {
                    silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
                    silo.AddMemoryGrainStorage(GrainStorage.Name);
                }
                else
                {
                    silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort);
                    silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
                    silo.AddRedisGrainStorage(GrainStorage.Name, o => o.ConfigurationOptions = redis);
                }

                silo.AddActivityPropagation();
                ConfigureFailureDetection(silo, options.ControlPlane);
            });
            builder.Services.AddControlPlaneGrains();
            var defaults = TenantLimitsConfiguration.Defaults(builder.Configuration);
            builder.Services.Configure<TenantGrainOptions>(o => o.DefaultLimits = defaults);
            if (redis is not null)
            {
                builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
                builder.Services.AddSingleton<IMediaStore, RedisMediaStore>();
            }

            AddGenerationBackend(builder, sharedMediaStore: redis is not null);
        }
        else
        {
            builder.UseOrleansClient(client =>
            {
                client.Configure<Orleans.Configuration.ClusterOptions>(c =>
                {
                    c.ClusterId = options.ClusterId;
                    c.ServiceId = options.ServiceId;
                });
                if (redis is null)
                {
                    client.UseLocalhostClustering(options.GatewayPort);
                }
                else
                {
                    client.UseRedisClustering(o => o.ConfigurationOptions = redis);
                }

                // Processes start in any order: keep trying until a silo answers rather than failing the start.
                client.UseConnectionRetryFilter(async (_, cancellationToken) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                    return true;
                });

                client.AddActivityPropagation();
                client.Configure<Orleans.Configuration.ClientMessagingOptions>(m => m.ResponseTimeout = options.ControlPlane.ResponseTimeout);
            });
            if (redis is not null)
            {
                builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
                builder.Services.AddSingleton<IMediaStore, RedisMediaStore>();
            }
            else
            {
                builder.Services.AddSingleton<IMediaStore, InMemoryMediaStore>();
            }
        }
    }

    /// <summary>
    /// Bounds every grain call, and declares a silo that stopped answering dead after a few missed probes, so that its
    /// grains come back on the other silos within seconds rather than the half-minute Orleans' defaults add up to.
    /// </summary>
    private static void ConfigureFailureDetection(ISiloBuilder silo, ControlPlaneOptions controlPlane)
    {
        silo.Configure<Orleans.Configuration.SiloMessagingOptions>(m => m.ResponseTimeout = controlPlane.ResponseTimeout);
        silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = controlPlane.ProbeTimeout;
            m.NumMissedProbesLimit = controlPlane.MissedProbesLimit;
        });
    }

    /// <summary>A silo reaches in-process workers directly and every other worker over gRPC.</summary>
    private static void AddGenerationBackend(WebApplicationBuilder builder, bool sharedMediaStore)
    {
        builder.Services.AddSingleton(new GrpcGenerationBackendOptions { SendMediaBytes = !sharedMediaStore });
        builder.Services.AddSingleton<WorkerChannels>();
        builder.Services.AddSingleton<GrpcGenerationBackend>();
        builder.Services.AddSingleton<IGenerationBackend>(sp =>
            new RoutingGenerationBackend(sp.GetRequiredService<GrpcGenerationBackend>(), sp.GetService<LocalGenerationBackend>()));
    }

    private static void AddWorker(WebApplicationBuilder builder, WorkerEndpoint endpoint)
    {
        builder.Services.AddSingleton(endpoint);
        builder.Services.AddSingleton(sp => new ModelResolver(HubSettings.FromEnvironment(), sp.GetRequiredService<ILogger<ModelResolver>>()));
        builder.Services.AddSingleton<LocalWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalWorker>());
        builder.Services.AddSingleton<LocalGenerationBackend>();
        if (endpoint.Serve)
        {
            builder.Services.AddGrpc().AddServiceOptions<WorkerGrpcService>(grpc =>
            {
                grpc.MaxReceiveMessageSize = WorkerMessageLimits.DefaultMaxMessageBytes;
                grpc.MaxSendMessageSize = WorkerMessageLimits.DefaultMaxMessageBytes;
            });
        }
    }

    private static void AddGateway(WebApplicationBuilder builder, ServerOptions options)
    {
        bool loopback = IPAddress.TryParse(options.Host == "localhost" ? "127.0.0.1" : options.Host, out var ip) && IPAddress.IsLoopback(ip);
        bool hasKeys = options.ApiKeys.Count > 0 || !string.IsNullOrWhiteSpace(options.ApiKeyFile);
        bool anonymous = options.AllowAnonymous ?? (loopback && !hasKeys);
        if (anonymous && !loopback)
        {
            throw new InvalidOperationException(
                $"AllowAnonymous is only allowed when listening on loopback, but the host is {options.Host}: configure API keys (--api-key tenant:key or --api-key-file)");
        }

        builder.Services.AddSingleton(new GatewayAuthOptions { AllowAnonymous = anonymous });
        builder.Services.AddSingleton<ITenantResolver, ClusterTenantResolver>();
        builder.Services.AddSingleton<TenantAuthenticator>();
        builder.Services.AddSingleton(builder.Configuration.GetSection($"{ServerOptions.Section}:Limits").Get<ChatRequestLimits>() ?? new ChatRequestLimits());
        builder.Services.AddSingleton(_ => new MediaFetcher(builder.Configuration.GetSection($"{ServerOptions.Section}:Media").Get<MediaFetchOptions>() ?? new MediaFetchOptions()));
        builder.Services.AddSingleton<StateStoreGate>();
        builder.Services.AddSingleton<ControlPlaneRetry>();
        builder.Services.AddSingleton<StatelessIdempotency>();
        builder.Services.AddSingleton<ITenantLimiter, GrainTenantLimiter>();
        builder.Services.AddSingleton<IChatBackend, ClusterChatBackend>();
        var tenantLimits = TenantLimitsConfiguration.PerTenant(builder.Configuration, TenantLimitsConfiguration.Defaults(builder.Configuration));
        if (tenantLimits.Count > 0)
        {
            builder.Services.AddHostedService(sp => new TenantLimitsInitializer(
                sp.GetRequiredService<IGrainFactory>(), tenantLimits, sp.GetRequiredService<ILogger<TenantLimitsInitializer>>()));
        }

        builder.Services.AddSingleton<ISessionDirectory, GrainSessionDirectory>();
        builder.Services.AddSingleton<ChatCompletionsEndpoint>();
        builder.Services.AddQwen2VLGrpc();
        builder.Services.AddHostedService<PipelineReadinessMonitor>();
    }
}
