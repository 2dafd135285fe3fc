using Qwen2VL.Tests.Shared;
using StackExchange.Redis;

namespace Qwen2VL.Grains.Tests;

/// <summary>One Redis server (configured or private) for the tests of <see cref="RedisCollection"/>.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisTestServer? _server;

    /// <summary>The server's <c>host:port</c>.</summary>
    public string Endpoint => _server!.Endpoint;

    /// <summary>A client connection, for looking at what the grains stored.</summary>
    public IConnectionMultiplexer Connection { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _server = RedisTestServer.Start();
        Connection = await ConnectionMultiplexer.ConnectAsync(Endpoint);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        _server?.Dispose();
    }
}

/// <summary>The tests that share one <see cref="RedisFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "redis";
}
