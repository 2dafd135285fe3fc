using StackExchange.Redis;

namespace Qwen2VL.Server.Hosting;

/// <summary>
/// The Redis client settings every connection of the server uses (clustering, grain state, media): fail fast and
/// reconnect by itself, so that an outage turns into quick errors instead of requests waiting on queued commands.
/// </summary>
public static class RedisConnection
{
    /// <summary>Client timeouts, unless the connection string sets its own.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How often a lost connection is retried.</summary>
    public static readonly TimeSpan ReconnectInterval = TimeSpan.FromMilliseconds(500);

    public static ConfigurationOptions Parse(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        // Keep running while Redis is away and reconnect when it is back, rather than failing for good.
        options.AbortOnConnectFail = false;
        // While disconnected, fail each command at once; the default queues it until its timeout.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry((int)ReconnectInterval.TotalMilliseconds);
        int timeout = (int)DefaultTimeout.TotalMilliseconds;
        if (!Sets(connectionString, "connectTimeout"))
        {
            options.ConnectTimeout = timeout;
        }

        if (!Sets(connectionString, "syncTimeout"))
        {
            options.SyncTimeout = timeout;
        }

        if (!Sets(connectionString, "asyncTimeout"))
        {
            options.AsyncTimeout = timeout;
        }

        return options;
    }

    private static bool Sets(string connectionString, string setting) =>
        connectionString.Contains(setting + "=", StringComparison.OrdinalIgnoreCase);
}
