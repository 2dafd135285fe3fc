namespace Qwen2VL.Server.Hosting;

/// <summary>What one server process does; several may be combined.</summary>
[Flags]
public enum ServerRoles
{
    None = 0,

    /// <summary>Public HTTP (OpenAI) and gRPC APIs; an Orleans client unless the process is also a silo.</summary>
    Gateway = 1,

    /// <summary>An Orleans silo hosting session, directory and tenant grains.</summary>
    Silo = 2,

    /// <summary>Loads the model and runs the engine.</summary>
    Worker = 4,

    /// <summary>Everything in one process: the embedded default.</summary>
    All = Gateway | Silo | Worker,
}

/// <summary>Parses <c>--role</c> values such as <c>all</c> or <c>gateway,silo</c>.</summary>
public static class ServerRoleParser
{
    public static ServerRoles Parse(string text)
    {
        var roles = ServerRoles.None;
        foreach (string part in text.Split([',', '+', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= part.ToLowerInvariant() switch
            {
                "all" => ServerRoles.All,
                "gateway" => ServerRoles.Gateway,
                "silo" => ServerRoles.Silo,
                "worker" => ServerRoles.Worker,
                _ => throw new ArgumentException($"unknown role '{part}': use all, gateway, silo or worker (several separated by commas)"),
            };
        }

        return roles == ServerRoles.None ? throw new ArgumentException("no role given: use all, gateway, silo or worker") : roles;
    }
}
