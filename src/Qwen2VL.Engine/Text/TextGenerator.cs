using System.Runtime.CompilerServices;
using Qwen2VL.Processing.Generation;
using Qwen2VL.Processing.Prompt;
using Qwen2VL.Processing.Text;

namespace Qwen2VL.Engine.Text;

/// <summary>
/// Answers conversations in text: builds the prompt off the scheduler thread, runs it through the engine, turns tokens
/// into text that never splits a character, and applies stop strings (holding back text that may become one).
/// </summary>
public sealed class TextGenerator
{
    private readonly InferenceEngine _engine;
    private readonly PromptBuilder _prompts;

    public TextGenerator(InferenceEngine engine, PromptBuilder prompts)
    {
        _engine = engine;
        _prompts = prompts;
    }

    public PromptBuilder Prompts => _prompts;

    public InferenceEngine Engine => _engine;

    public async IAsyncEnumerable<TextEvent> GenerateAsync(TextGenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prompt = await Task.Run(() => _prompts.Build(request.Messages, request.TemplateOptions), cancellationToken).ConfigureAwait(false);
        var (tokens, positions) = WithContinuation(prompt, request.ContinuationTokenIds);
        var engineRequest = new GenerationRequest
        {
            SequenceKey = request.SequenceKey,
            TenantId = request.TenantId,
            PromptTokens = tokens,
            PromptPositions = positions,
            RopeDelta = prompt.Positions.RopeDelta,
            Media = prompt.Media.Select(m => new PreparedMedia(m.Pixels.Values, m.Pixels.Grid.T, m.Pixels.Grid.H, m.Pixels.Grid.W, m.IsVideo, m.ContentHash)).ToList(),
            Sampling = request.Sampling,
            KeepCache = request.KeepCache,
            ReuseKeys = request.ReuseKeys,
        };

        var tokenizer = _prompts.Tokenizer;
        var detokenizer = tokenizer.CreateStreamingDetokenizer(skipSpecialTokens: true);
        var stops = new StopSequenceMatcher(request.StopStrings);
        foreach (int id in request.ContinuationTokenIds)
        {
            // Already delivered: only prime the detokenizer so a character split across the hand-over stays whole.
            detokenizer.Add(id);
        }

        var pending = new List<GeneratedToken>();
        int generated = 0;
        await foreach (var item in _engine.GenerateAsync(engineRequest, cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case PromptProcessed p:
                    yield return new TextStarted(p.PromptTokens, p.CachedPromptTokens, p.QueueTime, p.PrefillTime);
                    break;
                case TokenGenerated token:
                    generated++;
                    string piece = detokenizer.Add(token.TokenId);
                    pending.Add(new GeneratedToken(token.TokenId, tokenizer.Decode(new[] { token.TokenId }),
                        token.Logprob, token.TopLogprobs.Select(t => (tokenizer.Decode(new[] { t.TokenId }), t.Logprob)).ToList()));
                    var match = stops.Push(piece);
                    if (match.Text.Length > 0 || match.Stopped)
                    {
                        yield return new TextDelta(match.Text, pending.ToList());
                        pending.Clear();
                    }

                    if (match.Stopped)
                    {
                        // Leaving the loop cancels the engine sequence and frees its slot.
                        yield return new TextFinished("stop", generated, match.StopString);
                        yield break;
                    }

                    break;
                case GenerationFinished finished:
                    string rest = stops.Push(detokenizer.Flush()).Text + stops.Flush();
                    if (rest.Length > 0 || pending.Count > 0)
                    {
                        yield return new TextDelta(rest, pending.ToList());
                    }

                    yield return new TextFinished(finished.Reason switch
                    {
                        SequenceFinishReason.Stop => "stop",
                        SequenceFinishReason.Length => "length",
                        _ => "cancelled",
                    }, generated, null);
                    yield break;
            }
        }
    }

    /// <summary>Appends continuation tokens; being text, each sits at index + rope delta on all three position rows.</summary>
    private static (int[] Tokens, long[] Positions) WithContinuation(PreparedPrompt prompt, IReadOnlyList<int> continuation)
    {
        if (continuation.Count == 0)
        {
            return (prompt.TokenIds, prompt.Positions.Values);
        }

        int length = prompt.TokenIds.Length;
        int total = length + continuation.Count;
        var tokens = prompt.TokenIds.Concat(continuation).ToArray();
        var positions = new long[3 * total];
        for (int row = 0; row < 3; row++)
        {
            prompt.Positions.Row(row).CopyTo(positions.AsSpan(row * total, length));
            for (int i = length; i < total; i++)
            {
                positions[(row * total) + i] = i + prompt.Positions.RopeDelta;
            }
        }

        return (tokens, positions);
    }
}
