using System.Threading.Channels;
using Qwen2VL.Model.Sampling;
using static TorchSharp.torch;

namespace Qwen2VL.Engine;

/// <summary>The scheduler's state of one sequence. Touched only by the scheduler thread after submission.</summary>
internal sealed class EngineSequence
{
    public EngineSequence(GenerationRequest request, IReadOnlyList<MediaSpan> spans, int maxNewTokens, DateTimeOffset arrival)
    {
        Request = request;
        Spans = spans;
        MaxNewTokens = maxNewTokens;
        Arrival = arrival;
        Tokens = new List<int>(request.PromptTokens.Length + Math.Min(maxNewTokens, 4096));
        Tokens.AddRange(request.PromptTokens);
        Sampling = SamplingSequence.Start(request.Sampling, request.PromptTokens);
    }

    public GenerationRequest Request { get; }

    public IReadOnlyList<MediaSpan> Spans { get; }

    public int MaxNewTokens { get; }

    public DateTimeOffset Arrival { get; }

    public Channel<GenerationEvent> Output { get; } = Channel.CreateUnbounded<GenerationEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Prompt plus generated tokens.</summary>
    public List<int> Tokens { get; }

    public int PromptLength => Request.PromptTokens.Length;

    public int Generated => Tokens.Count - PromptLength;

    /// <summary>Tokens whose keys and values are in <see cref="Cache"/>.</summary>
    public int Computed { get; set; }

    public SequenceCache? Cache { get; set; }

    /// <summary>KV tokens reserved in the budget for this sequence (its cache's capacity).</summary>
    public int Reserved { get; set; }

    public SamplingSequence Sampling { get; }

    /// <summary>Vision features of this sequence's image pads, in order (null until encoded, dropped after prefill).</summary>
    public Tensor? ImageEmbeds { get; set; }

    public Tensor? VideoEmbeds { get; set; }

    public int CachedPromptTokens { get; set; }

    public DateTimeOffset? Admitted { get; set; }

    public bool PromptReported { get; set; }

    /// <summary>When the previous token was sampled, for the inter-token latency.</summary>
    public DateTimeOffset? LastTokenAt { get; set; }

    public volatile bool CancelRequested;

    public CancellationTokenRegistration CancelRegistration { get; set; }

    /// <summary>Position ids of tokens [start, start + count) as [3, count] row-major.</summary>
    public long[] Positions(int start, int count)
    {
        var result = new long[3 * count];
        long[] prompt = Request.PromptPositions;
        int length = PromptLength;
        for (int row = 0; row < 3; row++)
        {
            for (int i = 0; i < count; i++)
            {
                int index = start + i;
                result[(row * count) + i] = index < length ? prompt[(row * length) + index] : index + Request.RopeDelta;
            }
        }

        return result;
    }

    public void DropVisionFeatures()
    {
        ImageEmbeds?.Dispose();
        VideoEmbeds?.Dispose();
        ImageEmbeds = null;
        VideoEmbeds = null;
    }
}
