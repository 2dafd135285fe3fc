using Qwen2VL.Model.Layers;
using static TorchSharp.torch;

namespace Qwen2VL.Model.Sampling;

/// <summary>
/// Picks the next token of every sequence in a batch from its logits. Each row has its own parameters; processors run
/// in Hugging Face's order — repetition penalty, presence/frequency penalties, temperature, top-k, top-p, min-p —
/// and only when some row uses them. Greedy rows take the argmax of the penalised logits (ties go to the lowest id);
/// sampled rows draw by inverse CDF with one uniform number each: seeded rows from <see cref="SeededUniform"/> at
/// their output position, the rest from a shared source.
/// </summary>
/// <remarks>
/// All tensor work is batched over rows, so a step costs a fixed number of ops whatever B is; an all-greedy batch
/// without penalties or logprobs is a single argmax. Thread-safe when the unseeded source is (the default is).
/// </remarks>
public sealed class Sampler
{
    private readonly Random _unseeded;

    /// <summary>Creates a sampler whose unseeded rows draw from <paramref name="unseeded"/> (default: <see cref="Random.Shared"/>).</summary>
    public Sampler(Random? unseeded = null)
    {
        _unseeded = unseeded ?? Random.Shared;
    }

    /// <summary>Chooses one token per row. Does not append to the histories: the caller does, once it keeps the token.</summary>
    /// <param name="logits">[B, V] float32, bfloat16 or float16, on any device; not modified.</param>
    /// <param name="sequences">B rows, in the order of the logits.</param>
    /// <returns>B results, in row order.</returns>
    public SampledToken[] Sample(Tensor logits, IReadOnlyList<SamplingSequence> sequences)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(sequences);
        CheckShape(logits, sequences.Count);
        if (sequences.Count == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        var raw = logits.to(ScalarType.Float32);
        var scores = ApplyPenalties(raw, sequences);

        int[] greedyRows = RowsWhere(sequences, p => p.IsGreedy);
        int[] sampledRows = RowsWhere(sequences, p => !p.IsGreedy);
        Tensor chosen;
        if (sampledRows.Length == 0)
        {
            chosen = scores.argmax(-1);
        }
        else if (greedyRows.Length == 0)
        {
            chosen = Draw(scores, sequences, sampledRows);
        }
        else
        {
            var device = logits.device;
            var greedyIndex = tensor(greedyRows.Select(r => (long)r).ToArray(), device: device);
            var sampledIndex = tensor(sampledRows.Select(r => (long)r).ToArray(), device: device);
            chosen = zeros(sequences.Count, ScalarType.Int64, device)
                .index_copy_(0, greedyIndex, scores.index_select(0, greedyIndex).argmax(-1))
                .index_copy_(0, sampledIndex, Draw(scores.index_select(0, sampledIndex), sequences, sampledRows));
        }

        long[] ids = chosen.cpu().data<long>().ToArray();
        return sequences.Any(s => s.Parameters.Logprobs)
            ? WithLogprobs(raw, chosen, ids, sequences)
            : ids.Select(id => new SampledToken((int)id, null, null, [])).ToArray();
    }

    private static void CheckShape(Tensor logits, int rows)
    {
        if (logits.dim() != 2 || logits.shape[0] != rows)
        {
            throw new ArgumentException(
                $"logits must be [B, V] with B = {rows} sequences; got [{string.Join(", ", logits.shape)}]", nameof(logits));
        }

        if (logits.dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
        {
            throw new ArgumentException($"logits must be float32, bfloat16 or float16; got {logits.dtype}", nameof(logits));
        }
    }

    private static int[] RowsWhere(IReadOnlyList<SamplingSequence> sequences, Func<SamplingParameters, bool> predicate) =>
        Enumerable.Range(0, sequences.Count).Where(i => predicate(sequences[i].Parameters)).ToArray();

    /// <summary>Penalties apply to greedy rows too, as in Hugging Face (they are logits processors, not warpers).</summary>
    private static Tensor ApplyPenalties(Tensor scores, IReadOnlyList<SamplingSequence> sequences)
    {
        long vocab = scores.shape[1];
        var device = scores.device;
        if (sequences.Any(s => s.Parameters.UsesRepetitionPenalty))
        {
            var histories = sequences.Select(s => s.Parameters.UsesRepetitionPenalty ? s.History : null).ToArray();
            using var seen = HistoryTensors.SeenMask(histories, vocab, device);
            using var penalty = Column(sequences.Select(s => s.Parameters.RepetitionPenalty), device);
            scores = RepetitionPenalty.Apply(scores, seen, penalty);
        }

        if (sequences.Any(s => s.Parameters.UsesOutputPenalties))
        {
            var histories = sequences.Select(s => s.Parameters.UsesOutputPenalties ? s.History : null).ToArray();
            using var counts = HistoryTensors.OutputCounts(histories, vocab, device);
            using var presence = Column(sequences.Select(s => s.Parameters.PresencePenalty), device);
            using var frequency = Column(sequences.Select(s => s.Parameters.FrequencyPenalty), device);
            scores = OutputPenalties.Apply(scores, counts, presence, frequency);
        }

        return scores;
    }

    /// <summary>Warps and filters the sampled rows (<paramref name="scores"/> holds only them) and draws one token each.</summary>
    private Tensor Draw(Tensor scores, IReadOnlyList<SamplingSequence> sequences, int[] rows)
    {
        var parameters = rows.Select(r => sequences[r].Parameters).ToArray();
        var device = scores.device;
        if (parameters.Any(p => p.Temperature != 1.0))
        {
            using var temperature = Column(parameters.Select(p => p.Temperature), device);
            scores = TemperatureScaling.Apply(scores, temperature);
        }

        if (parameters.Any(p => p.UsesTopK))
        {
            scores = TopKFilter.Apply(scores, parameters.Select(p => Math.Max(p.TopK, 0)).ToArray());
        }

        if (parameters.Any(p => p.UsesTopP))
        {
            using var topP = Column(parameters.Select(p => p.TopP), device);
            scores = TopPFilter.Apply(scores, topP);
        }

        if (parameters.Any(p => p.UsesMinP))
        {
            using var minP = Column(parameters.Select(p => p.MinP), device);
            scores = MinPFilter.Apply(scores, minP);
        }

        var uniforms = rows.Select(r => sequences[r].Parameters.Seed is long seed
            ? SeededUniform.At(seed, sequences[r].History.OutputCount)
            : _unseeded.NextDouble()).ToArray();
        return InverseCdfDraw.Draw(scores.softmax(-1), uniforms);
    }

    private static SampledToken[] WithLogprobs(Tensor raw, Tensor chosen, long[] ids, IReadOnlyList<SamplingSequence> sequences)
    {
        var logSumExp = raw.logsumexp(-1, keepdim: true);
        var chosenLogit = raw.gather(1, chosen.unsqueeze(1));
        float[] chosenLogprob = (chosenLogit - logSumExp).squeeze(1).cpu().data<float>().ToArray();
        // Rank as vLLM counts it: 1 + the number of tokens strictly more likely.
        var one = Scalars.OneInteger();
        long[] rank = (raw > chosenLogit).sum(-1).add(one).cpu().data<long>().ToArray();
        GC.KeepAlive(one);

        int topN = sequences.Max(s => s.Parameters.TopLogprobs);
        float[] topValues = [];
        long[] topIds = [];
        if (topN > 0)
        {
            var (values, indices) = raw.topk(Math.Min(topN, (int)raw.shape[1]), dim: -1, largest: true, sorted: true);
            topN = (int)values.shape[1];
            topValues = (values - logSumExp).cpu().data<float>().ToArray();
            topIds = indices.cpu().data<long>().ToArray();
        }

        var results = new SampledToken[ids.Length];
        for (int row = 0; row < ids.Length; row++)
        {
            var p = sequences[row].Parameters;
            if (!p.Logprobs)
            {
                results[row] = new SampledToken((int)ids[row], null, null, []);
                continue;
            }

            var alternatives = new TokenLogprob[Math.Min(p.TopLogprobs, topN)];
            for (int j = 0; j < alternatives.Length; j++)
            {
                alternatives[j] = new TokenLogprob((int)topIds[(row * topN) + j], topValues[(row * topN) + j]);
            }

            results[row] = new SampledToken((int)ids[row], chosenLogprob[row], (int)rank[row], alternatives);
        }

        return results;
    }

    private static Tensor Column(IEnumerable<double> values, Device device) =>
        tensor(values.Select(v => (float)v).ToArray(), device: device).unsqueeze(1);
}
