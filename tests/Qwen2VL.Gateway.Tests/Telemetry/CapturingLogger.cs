using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Qwen2VL.Gateway.Tests.Telemetry;

/// <summary>One captured log entry with the structured values of its message and of every open scope.</summary>
public sealed record CapturedLog(LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, IReadOnlyList<KeyValuePair<string, object?>> ScopeValues)
{
    /// <summary>Every string a log sink could write for this entry.</summary>
    public IEnumerable<string> AllText() =>
        new[] { Message }.Concat(Values.Concat(ScopeValues).Select(v => v.Value?.ToString() ?? ""));
}

/// <summary>A logger that keeps what it is given, scopes included (flowing with the async context like real scopes).</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly AsyncLocal<ImmutableStack<object>> _scopes = new();

    public List<CapturedLog> Entries { get; } = new();

    public IDisposable BeginScope<TState>(TState state)
        where TState : notnull
    {
        var previous = _scopes.Value ?? ImmutableStack<object>.Empty;
        _scopes.Value = previous.Push(state);
        return new Pop(() => _scopes.Value = previous);
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? Array.Empty<KeyValuePair<string, object?>>();
        var scopeValues = (_scopes.Value ?? ImmutableStack<object>.Empty)
            .SelectMany(s => s as IEnumerable<KeyValuePair<string, object?>> ?? Array.Empty<KeyValuePair<string, object?>>())
            .ToList();
        lock (Entries)
        {
            Entries.Add(new CapturedLog(logLevel, formatter(state, exception), values.ToList(), scopeValues));
        }
    }

    private sealed class Pop(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
