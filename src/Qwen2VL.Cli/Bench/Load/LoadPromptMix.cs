using System.Text;

namespace Qwen2VL.Cli.Bench.Load;

/// <summary>
/// The requests of one worker, drawn from its own seeded generator so a run is repeatable: text prompts whose lengths
/// spread log-uniformly from a few words to a few hundred (short questions and long documents both occur), a fraction
/// with a fresh image, and, when asked, grouped into server-side sessions of a fixed number of turns.
/// </summary>
internal sealed class LoadPromptMix
{
    private const int MinWords = 4;
    private const int MaxWords = 400;

    private static readonly string[] Words =
    [
        "the", "picture", "shows", "a", "small", "red", "house", "near", "river", "describe", "what", "you", "see", "in",
        "detail", "and", "explain", "why", "it", "matters", "for", "people", "who", "live", "there", "count", "objects",
        "colour", "shape", "left", "right", "above", "below", "compare", "two", "parts", "summarise", "this", "text",
        "briefly", "then", "list", "three", "facts", "about", "weather", "market", "train", "station", "morning",
    ];

    private readonly Random _random;
    private readonly LoadSettings _settings;
    private readonly string _sessionPrefix;
    private int _turn;
    private int _sessions;
    private string? _session;

    /// <param name="runId">Distinguishes this run's session ids from those of earlier runs against the same server.</param>
    public LoadPromptMix(LoadSettings settings, int worker, string runId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _random = new Random(HashCode.Combine(settings.Seed, worker));
        _sessionPrefix = $"load-{runId}-{worker}";
    }

    public LoadRequest Next()
    {
        int words = (int)Math.Round(MinWords * Math.Pow((double)MaxWords / MinWords, _random.NextDouble()));
        var text = new StringBuilder();
        for (int i = 0; i < words; i++)
        {
            text.Append(i == 0 ? "" : " ").Append(Words[_random.Next(Words.Length)]);
        }

        text.Append('?');
        byte[]? image = _random.NextDouble() < _settings.ImageRatio ? LoadImages.Next(_random) : null;
        if (_settings.SessionTurns <= 0)
        {
            return new LoadRequest(text.ToString(), image, _settings.MaxTokens, null, FirstTurn: false);
        }

        bool first = _session is null || _turn == _settings.SessionTurns;
        if (first)
        {
            _session = $"{_sessionPrefix}-{_sessions++}";
            _turn = 0;
        }

        _turn++;
        return new LoadRequest(text.ToString(), image, _settings.MaxTokens, _session, first);
    }
}
