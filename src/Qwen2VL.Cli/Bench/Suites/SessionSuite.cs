using System.Diagnostics;

namespace Qwen2VL.Cli.Bench.Suites;

/// <summary>
/// Time to first token over a 10-turn conversation, each turn adding the same amount of text: as a session whose KV
/// cache the engine keeps between turns; as stateless requests that re-send the whole conversation and name the keys
/// of the earlier requests' conversations (prefix reuse, as the stateless grain sends them); and re-sent whole with
/// nothing to reuse (as when the first message differs every request). Each ratio is turn 10 over turn 1.
/// </summary>
internal sealed class SessionSuite : IBenchSuite
{
    private const int Turns = 10;
    private const int SystemTokens = 32;
    private const int UserTokens = 64;
    private const int AnswerTokens = 8;

    public string Name => "session";

    public async Task RunAsync(BenchContext context, BenchResults results, CancellationToken cancellationToken)
    {
        await using var engine = context.NewEngine();
        var clock = Stopwatch.StartNew();
        await StreamTiming.RunAsync(engine, BenchPrompts.Request("warm", BenchPrompts.Tokens(SystemTokens + UserTokens, 20), 2), clock, cancellationToken).ConfigureAwait(false);

        int[] user = BenchPrompts.Tokens(UserTokens, 21);
        var conversation = new List<int>(BenchPrompts.Tokens(SystemTokens, 22));
        var prompts = new List<int[]>();
        var sessionTtft = new List<double>();
        for (int turn = 1; turn <= Turns; turn++)
        {
            conversation.AddRange(user);
            int[] prompt = conversation.ToArray();
            prompts.Add(prompt);
            var timing = await StreamTiming.RunAsync(engine, BenchPrompts.Request("session", prompt, AnswerTokens, keepCache: true), clock, cancellationToken).ConfigureAwait(false);
            sessionTtft.Add(timing.TimeToFirstToken);
            conversation.AddRange(timing.Tokens);
        }

        var statelessTtft = new List<double>();
        for (int turn = 1; turn <= Turns; turn++)
        {
            var request = BenchPrompts.Request(PrefixKey(turn), prompts[turn - 1], AnswerTokens, keepCache: true) with
            {
                ReuseKeys = Enumerable.Range(1, turn - 1).Reverse().Select(PrefixKey).ToArray(),
            };
            var timing = await StreamTiming.RunAsync(engine, request, clock, cancellationToken).ConfigureAwait(false);
            statelessTtft.Add(timing.TimeToFirstToken);
        }

        // The same first and last prompts, each sent whole under a fresh key: nothing can be reused.
        var first = await StreamTiming.RunAsync(engine, BenchPrompts.Request("noreuse-1", prompts[0], 1), clock, cancellationToken).ConfigureAwait(false);
        var last = await StreamTiming.RunAsync(engine, BenchPrompts.Request("noreuse-10", prompts[^1], 1), clock, cancellationToken).ConfigureAwait(false);

        context.Log($"session TTFT turn 1 {sessionTtft[0] * 1e3:F0} ms, turn {Turns} {sessionTtft[^1] * 1e3:F0} ms ({prompts[^1].Length} prompt tokens); " +
            $"stateless with reuse {statelessTtft[0] * 1e3:F0} → {statelessTtft[^1] * 1e3:F0} ms; without {first.TimeToFirstToken * 1e3:F0} → {last.TimeToFirstToken * 1e3:F0} ms");
        results.Set("session_ttft_ratio_turn10", sessionTtft[^1] / sessionTtft[0]);
        results.Set("stateless_ttft_ratio_turn10", statelessTtft[^1] / statelessTtft[0]);
        results.Set("stateless_noreuse_ttft_ratio_turn10", last.TimeToFirstToken / first.TimeToFirstToken);
    }

    /// <summary>The cache key of the conversation up to turn <paramref name="turn"/>'s question (tenant "bench").</summary>
    private static string PrefixKey(int turn) => $"bench/prefix/{turn}";
}
